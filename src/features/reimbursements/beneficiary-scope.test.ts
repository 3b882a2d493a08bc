/**
 * Who sees whose reimbursements (issue 6 acceptance 2; AC-01, AC-02, AC-04), on the test driver: the ouvrant droit
 * sees the whole household; a beneficiary with a login of their own (the « dependant » role) sees only their own lines
 * on every route; another member's ids answer 404; a visitor goes to the login page (pages) or gets 401 (API).
 */
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestApp, testClock, testConfig, type TestApp } from '../../../test/app.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/db.ts';
import type { Feature } from '../../platform/http/server.ts';
import { sessionProbe } from '../auth/recovery-test-kit.ts';
import { Browser, type Kit } from '../auth/session-test-kit.ts';
import { seedDemoData } from '../demo/seed-demo-data.ts';

const keys = testConfig().secrets;

/** Test-only: a session of a beneficiary's own login, as the login opens it (subject = the household, narrowed to them). */
const beneficiarySessionProbe: Feature = (app: FastifyInstance, { sessions, db }) => {
  app.post('/test/beneficiary-session/:memberId/:beneficiaryId', { config: { csrf: false } }, async (request, reply) => {
    const { memberId, beneficiaryId } = request.params as { memberId: string; beneficiaryId: string };
    await db.transaction((tx) => sessions.start(tx, reply, request, 'member', memberId, beneficiaryId));
    return { ok: true };
  });
};

type Role = 'anonymous' | 'member' | 'other member' | 'dependant';

/** Every reimbursement route (AC-01): the pages answer 303 to the login page for a visitor, the API 401. */
const ROUTES = [
  { url: '/espace', api: false },
  { url: '/remboursements', api: false },
  { url: '/remboursements/{line}', api: false },
  { url: '/remboursements/bilan?annee=2025', api: false },
  { url: '/remboursements/export.csv', api: false },
  { url: '/remboursements/releve.pdf?annee=2026', api: false },
  { url: '/api/v1/reimbursements', api: true },
  { url: '/api/v1/reimbursements/{line}', api: true },
  { url: '/api/v1/reimbursements/summary?annee=2025', api: true },
] as const;

describe('reimbursements: who sees whose lines (AC-01, AC-02, AC-04)', () => {
  let db: TestDatabase;
  let t: TestApp;
  let kit: Kit;
  let household: string;
  let otherHousehold: string;
  let spouse: { id: string; firstName: string };
  let self: { id: string; firstName: string };
  let ownLine: string;
  let householdLine: string;
  let foreignLines: string[];
  const browsers = {} as Record<Role, Browser>;

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedDemoData(db, { households: 3, referenceDate: '2026-11-26', keys });
    const { rows: members } = await db.query<{ id: string; member_number: string }>('SELECT id, member_number FROM member ORDER BY member_number');
    household = members[0]!.id;
    otherHousehold = members[1]!.id;
    const { rows: people } = await db.query<{ id: string; first_name: string; relationship: string }>(
      `SELECT id, first_name, relationship FROM beneficiary WHERE member_id = $1 AND relationship IN ('SELF', 'SPOUSE')`,
      [household],
    );
    const person = (relationship: string) => {
      const p = people.find((b) => b.relationship === relationship)!;
      return { id: p.id, firstName: p.first_name };
    };
    spouse = person('SPOUSE');
    self = person('SELF');
    const lineOf = async (where: string, params: unknown[]) => (await db.query<{ id: string }>(`SELECT id FROM claim_line WHERE ${where} ORDER BY care_date DESC LIMIT 1`, params)).rows[0]!.id;
    ownLine = await lineOf('beneficiary_id = $1', [spouse.id]);
    householdLine = await lineOf('beneficiary_id = $1', [self.id]);
    foreignLines = (await db.query<{ id: string }>('SELECT id FROM claim_line WHERE member_id = $1', [otherHousehold])).rows.map((r) => r.id);
    const clock = testClock('2026-11-26T10:00:00Z');
    t = await createTestApp({ name: 'beneficiary-scope', clock: clock.now, db, extraFeatures: [sessionProbe, beneficiarySessionProbe] });
    kit = { db, t, clock, organisationId: '', close: async () => undefined };
    browsers.anonymous = new Browser(kit);
    browsers.member = new Browser(kit);
    await browsers.member.startSession(household);
    browsers['other member'] = new Browser(kit);
    await browsers['other member'].startSession(otherHousehold);
    browsers.dependant = new Browser(kit);
    browsers.dependant.remember(await t.app.inject({ method: 'POST', url: `/test/beneficiary-session/${household}/${spouse.id}`, remoteAddress: browsers.dependant.ip }));
  });
  afterAll(async () => {
    await t.close();
    await db.close();
  });

  const sums = async (where: string, params: unknown[]) =>
    (await db.query<{ lines: number; amc: number }>(`SELECT count(*)::int AS lines, coalesce(sum(amc_cents), 0)::bigint AS amc FROM claim_line c WHERE ${where}`, params)).rows[0]!;

  /** The expected status of each route for each role, the line in the URL being the dependant's own. */
  const MATRIX: Record<Role, number> = { anonymous: 0, member: 200, 'other member': 200, dependant: 200 };
  for (const route of ROUTES) {
    for (const role of Object.keys(MATRIX) as Role[]) {
      const withLine = route.url.includes('{line}');
      const expected = role === 'anonymous' ? (route.api ? 401 : 303) : role === 'other member' && withLine ? 404 : MATRIX[role];
      test(`AC-01 ${role} → GET ${route.url}: ${expected}`, async () => {
        const response = await browsers[role].get(route.url.replace('{line}', ownLine));
        expect(response.statusCode).toBe(expected);
        if (expected === 303) expect(response.headers.location).toMatch(/^\/connexion/);
      });
    }
  }

  test('AC-04 the ouvrant droit sees every line of the household; the dependant only their own, in the list, its totals and its filters', async () => {
    const whole = JSON.parse((await browsers.member.get('/api/v1/reimbursements')).body) as { totals: { lines: number }; beneficiaries: { id: string }[] };
    expect(whole.totals.lines).toBe((await sums('member_id = $1', [household])).lines);
    expect(whole.beneficiaries.map((b) => b.id)).toContain(spouse.id);
    expect(whole.beneficiaries.length).toBeGreaterThan(2);

    const own = await sums('beneficiary_id = $1', [spouse.id]);
    expect(own.lines).toBeGreaterThan(0);
    const seen: string[] = [];
    let next: string | null = null;
    let body: { lines: { id: string; beneficiaryId: string }[]; next: string | null; totals: { lines: number; amcCents: number }; beneficiaries: { id: string; firstName: string }[] };
    do {
      body = JSON.parse((await browsers.dependant.get(`/api/v1/reimbursements${next ? `?apres=${next}` : ''}`)).body) as typeof body;
      expect(body.lines.every((l) => l.beneficiaryId === spouse.id)).toBe(true);
      seen.push(...body.lines.map((l) => l.id));
      next = body.next;
    } while (next);
    expect(seen.length).toBe(own.lines);
    expect(body.totals).toMatchObject({ lines: own.lines, amcCents: own.amc });
    expect(body.beneficiaries).toEqual([spouse]);

    // Asking for another beneficiary of the household narrows nothing open: it matches nothing.
    const asked = JSON.parse((await browsers.dependant.get(`/api/v1/reimbursements?beneficiaire=${self.id}`)).body) as { lines: unknown[]; totals: { lines: number } };
    expect(asked).toMatchObject({ lines: [], totals: { lines: 0 } });

    const page = await browsers.dependant.get('/remboursements');
    expect(page.body).toContain(`${own.lines} lignes de soins`);
    expect(page.body).toContain(spouse.firstName);
    expect(page.body).not.toContain(`value="${self.id}"`);
  });

  test('AC-04 the dependant’s yearly summary, counters, exports and dashboard hold only their own lines and rights', async () => {
    const summary = JSON.parse((await browsers.dependant.get('/api/v1/reimbursements/summary?annee=2025')).body) as {
      totals: { lines: number }; beneficiaries: { id: string }[]; counters: { beneficiaries: { beneficiaryId: string }[] };
    };
    expect(summary.totals.lines).toBe((await sums(`beneficiary_id = $1 AND care_date BETWEEN '2025-01-01' AND '2025-12-31'`, [spouse.id])).lines);
    expect(summary.beneficiaries.map((b) => b.id)).toEqual([spouse.id]);
    expect(summary.counters.beneficiaries.map((b) => b.beneficiaryId)).toEqual([spouse.id]);

    const csv = (await browsers.dependant.get('/remboursements/export.csv')).body;
    const rows = csv.trim().split('\r\n');
    // Header, one row per line, Total.
    expect(rows.length - 2).toBe((await sums('beneficiary_id = $1', [spouse.id])).lines);
    expect(rows.slice(1, -1).every((r) => r.includes(`;${spouse.firstName};`))).toBe(true);

    const dashboard = await browsers.dependant.get('/espace');
    expect(dashboard.statusCode).toBe(200);
    expect(dashboard.body).toContain(spouse.firstName);
    expect(dashboard.body).not.toContain(`>${self.firstName}<`);
  });

  test('AC-02 the household’s other lines and other households’ lines are 404 for the dependant, on the page and in the API', async () => {
    for (const url of [`/remboursements/${householdLine}`, `/api/v1/reimbursements/${householdLine}`, `/remboursements/${foreignLines[0]}`, `/api/v1/reimbursements/${foreignLines[0]}`]) {
      expect((await browsers.dependant.get(url)).statusCode, url).toBe(404);
    }
    // The ouvrant droit opens the same household line.
    expect((await browsers.member.get(`/api/v1/reimbursements/${householdLine}`)).statusCode).toBe(200);
  });

  test('AC-02 random foreign line ids (other households’ lines, the household’s other beneficiaries, random uuids) → 404 on every object route', async () => {
    const { rows: household2 } = await db.query<{ id: string }>('SELECT id FROM claim_line WHERE member_id = $1 AND beneficiary_id <> $2', [household, spouse.id]);
    const foreign = fc.oneof(fc.constantFrom(...foreignLines), fc.constantFrom(...household2.map((r) => r.id)), fc.uuid({ version: 4 }));
    for (const route of ['/remboursements/', '/api/v1/reimbursements/']) {
      await fc.assert(
        fc.asyncProperty(foreign, async (id) => {
          expect((await browsers.dependant.get(`${route}${id}`)).statusCode).toBe(404);
        }),
        { numRuns: 1_000 },
      );
    }
  }, 300_000);

  test('a dependant’s session is no session on the household’s other pages (default deny): the sessions page asks for a login', async () => {
    const response = await browsers.dependant.get('/profil/securite/sessions');
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toMatch(/^\/connexion/);
    expect((await browsers.member.get('/profil/securite/sessions')).statusCode).toBe(200);
  });
});
