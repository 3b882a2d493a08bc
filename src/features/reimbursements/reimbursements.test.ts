import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestApp, testConfig, testClock, type TestApp } from '../../../test/app.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/db.ts';
import type { Database } from '../../db/database.ts';
import { seedDemoData } from '../demo/seed-demo-data.ts';
import { sessionProbe } from '../auth/recovery-test-kit.ts';
import { Browser, type Kit } from '../auth/session-test-kit.ts';

const keys = testConfig().secrets;

/** Counts every query the app sends (sessions included), to prove a page costs the same whatever the history. */
function countingDatabase(db: TestDatabase): { db: TestDatabase; count: () => number; reset: () => void } {
  let count = 0;
  const counted = Object.assign(Object.create(db) as TestDatabase, {
    query: (text: string, params?: readonly unknown[]) => {
      count += 1;
      return db.query(text, params);
    },
    transaction: <T>(work: Parameters<Database['transaction']>[0]) =>
      db.transaction((tx) => work({ ...tx, query: (text: string, params?: readonly unknown[]) => ((count += 1), tx.query(text, params)) }) as Promise<T>),
  });
  return { db: counted, count: () => count, reset: () => (count = 0) };
}

/** Copies a member's history `years` years back (new statements and lines), to make a long history. */
async function ageHistory(db: TestDatabase, memberId: string, years: number): Promise<void> {
  await db.query(
    `WITH src AS (SELECT * FROM statement WHERE member_id = $1 AND statement_number NOT LIKE '%~%'),
          moved AS (
            INSERT INTO statement (id, member_id, source, statement_number, liquidation_date, received_at)
            SELECT gen_random_uuid(), member_id, source, statement_number || '~' || $2::text, (liquidation_date - make_interval(years => $2::int))::date,
                   received_at - make_interval(years => $2::int)
              FROM src RETURNING id, statement_number)
     INSERT INTO claim_line (id, statement_id, member_id, beneficiary_id, line_number, care_date, family, act_code, basket, provider_name, quantity, pathway, optam,
                             price_cap_cents, charged_cents, base_cents, amo_rate_bp, amo_cents, flat_fee_cents, deductible_cents, amo_net_cents, amc_cents,
                             remaining_cents, third_party_payment, rule, explanation, status, paid_at)
     SELECT gen_random_uuid(), m.id, c.member_id, c.beneficiary_id, c.line_number, (c.care_date - make_interval(years => $2::int))::date, c.family, c.act_code, c.basket,
            c.provider_name, c.quantity, c.pathway, c.optam, c.price_cap_cents, c.charged_cents, c.base_cents, c.amo_rate_bp, c.amo_cents, c.flat_fee_cents,
            c.deductible_cents, c.amo_net_cents, c.amc_cents, c.remaining_cents, c.third_party_payment, c.rule, c.explanation, c.status,
            (c.paid_at - make_interval(years => $2::int))::date
       FROM claim_line c JOIN statement s ON s.id = c.statement_id JOIN moved m ON m.statement_number = s.statement_number || '~' || $2::text`,
    [memberId, years],
  );
}

describe('reimbursements pages and API', () => {
  let db: TestDatabase;
  let counter: ReturnType<typeof countingDatabase>;
  let t: TestApp;
  let kit: Kit;
  let members: Record<string, string>;

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedDemoData(db, { households: 6, referenceDate: '2026-11-26', keys });
    const { rows } = await db.query<{ id: string; member_number: string }>('SELECT id, member_number FROM member');
    members = Object.fromEntries(rows.map((r) => [r.member_number, r.id]));
    for (let years = 3; years <= 9; years += 3) await ageHistory(db, members.A0000001!, years);
    counter = countingDatabase(db);
    const clock = testClock('2026-11-26T10:00:00Z');
    t = await createTestApp({ name: 'reimbursements', clock: clock.now, db: counter.db, extraFeatures: [sessionProbe] });
    kit = { db, t, clock, organisationId: '', close: async () => undefined };
  });
  afterAll(async () => {
    await t.close();
    await db.close();
  });

  async function browserFor(memberNumber: string): Promise<Browser> {
    const browser = new Browser(kit);
    await browser.startSession(members[memberNumber]!);
    return browser;
  }

  const sums = async (memberNumber: string, where = 'TRUE', params: unknown[] = []) =>
    (
      await db.query<{ lines: number; charged: number; amc: number; remaining: number }>(
        `SELECT count(*)::int AS lines, sum(charged_cents)::bigint AS charged, sum(amc_cents)::bigint AS amc, sum(remaining_cents)::bigint AS remaining
           FROM claim_line c WHERE c.member_id = $1 AND ${where}`,
        [members[memberNumber], ...params],
      )
    ).rows[0]!;

  test('lists the household’s lines newest first, with the totals of the filter and all years on record', async () => {
    const browser = await browserFor('A0000001');
    const page = await browser.get('/remboursements?annee=2025');
    expect(page.statusCode).toBe(200);
    const expected = await sums('A0000001', `care_date BETWEEN '2025-01-01' AND '2025-12-31'`);
    const euros = (cents: number) => new Intl.NumberFormat('fr-FR', { minimumFractionDigits: 2 }).format(cents / 100).replace(/\s/g, '\u202f');
    expect(page.body.replace(/&nbsp;|\u00a0/g, '\u202f')).toContain(`${euros(expected.amc)}\u202f€`);
    expect(page.body).toContain(`${expected.lines} lignes de soins`);
    const years = [...page.body.matchAll(/<option value="(\d{4})"/g)].map((m) => Number(m[1]));
    expect(years).toEqual([2026, 2025, 2024, 2023, 2022, 2021, 2020, 2019, 2018, 2017, 2016, 2015]);
    const dates = [...page.body.matchAll(/data-label="Date des soins">(\d\d)\/(\d\d)\/(\d{4})</g)].map((m) => `${m[3]}-${m[2]}-${m[1]}`);
    expect(dates.length).toBe(25);
    expect([...dates].sort().reverse()).toEqual(dates);
    expect(dates.every((d) => d.startsWith('2025'))).toBe(true);
  });

  test('the API pages through every line of a filter once, with the same totals', async () => {
    const browser = await browserFor('A0000001');
    const { rows: [self] } = await db.query<{ id: string }>(`SELECT id FROM beneficiary WHERE member_id = $1 AND relationship = 'SELF'`, [members.A0000001]);
    const seen: string[] = [];
    let next: string | null = null;
    let totals: { lines: number; amcCents: number } | null = null;
    do {
      const response = await browser.get(`/api/v1/reimbursements?beneficiaire=${self!.id}&soins=pharmacie${next ? `&apres=${next}` : ''}`);
      expect(response.statusCode).toBe(200);
      const body = JSON.parse(response.body) as { lines: { id: string; beneficiaryId: string }[]; next: string | null; totals: { lines: number; amcCents: number } };
      expect(body.lines.every((l) => l.beneficiaryId === self!.id)).toBe(true);
      seen.push(...body.lines.map((l) => l.id));
      next = body.next;
      totals = body.totals;
    } while (next);
    const expected = await sums('A0000001', `beneficiary_id = $2 AND family = 'PHARMACY'`, [self!.id]);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBe(expected.lines);
    expect(totals).toMatchObject({ lines: expected.lines, amcCents: expected.amc });
  });

  test('a line in detail: amounts, the engine’s explanation, the timeline and the payment', async () => {
    const browser = await browserFor('A0000001');
    const { rows } = await db.query<{ id: string; explanation: string }>(
      `SELECT id, explanation FROM claim_line WHERE member_id = $1 AND status = 'PAID' AND flat_fee_cents > 0 AND NOT third_party_payment AND amc_cents > 0 LIMIT 1`,
      [members.A0000001],
    );
    const page = await browser.get(`/remboursements/${rows[0]!.id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Pourquoi ce reste à charge ?');
    expect(page.body).toContain('aucune mutuelle ne peut les rembourser');
    expect(page.body).toMatch(/<strong>Reçu<\/strong> le/);
    expect(page.body).toMatch(/<strong>Payé<\/strong> le/);
    expect(page.body).toMatch(/Virement de [\d\u202f ,]+\u00a0€ le \d\d\/\d\d\/\d{4}/);
    const api = JSON.parse((await browser.get(`/api/v1/reimbursements/${rows[0]!.id}`)).body) as { explanation: string; timeline: { status: string }[] };
    expect(api.explanation).toBe(rows[0]!.explanation);
    expect(api.timeline.map((s) => s.status)).toEqual(['RECEIVED', 'LIQUIDATED', 'PAID']);
  });

  test('AC-02 another household’s line is not found, on the page and in the API; an unknown id too', async () => {
    const browser = await browserFor('A0000002');
    const { rows } = await db.query<{ id: string }>(`SELECT id FROM claim_line WHERE member_id = $1 LIMIT 1`, [members.A0000001]);
    expect((await browser.get(`/remboursements/${rows[0]!.id}`)).statusCode).toBe(404);
    expect((await browser.get(`/api/v1/reimbursements/${rows[0]!.id}`)).statusCode).toBe(404);
    expect((await browser.get('/remboursements/00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
    expect((await browser.get('/remboursements/pas-un-id')).statusCode).toBe(404);
    const { rows: [other] } = await db.query<{ id: string }>(`SELECT id FROM beneficiary WHERE member_id = $1 LIMIT 1`, [members.A0000001]);
    const filtered = JSON.parse((await browser.get(`/api/v1/reimbursements?beneficiaire=${other!.id}`)).body) as { lines: unknown[]; totals: { lines: number } };
    expect(filtered).toMatchObject({ lines: [], totals: { lines: 0 } });
  });

  test('a visitor is sent to the login page (and back), the API answers 401; a bad filter is a 400 in French', async () => {
    const visitor = new Browser(kit);
    const page = await visitor.get('/remboursements?annee=2025');
    expect(page.statusCode).toBe(303);
    expect(page.headers.location).toBe(`/connexion?next=${encodeURIComponent('/remboursements?annee=2025')}`);
    const api = await visitor.get('/api/v1/reimbursements');
    expect(api.statusCode).toBe(401);
    expect(JSON.parse(api.body)).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
    const member = await browserFor('A0000002');
    const bad = await member.get('/remboursements?annee=deux-mille');
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Un des filtres n’est pas reconnu');
    expect((await member.get('/api/v1/reimbursements?statut=perdu')).statusCode).toBe(400);
  });

  test('twelve years of history: the first page is two queries, the session and one statement, like a short history (no N+1)', async () => {
    const long = await browserFor('A0000001');
    const short = await browserFor('A0000005');
    const { rows: [span] } = await db.query<{ years: number }>(`SELECT count(DISTINCT extract(year FROM care_date))::int AS years FROM claim_line WHERE member_id = $1`, [members.A0000001]);
    expect(span!.years).toBeGreaterThanOrEqual(10);
    expect((await sums('A0000001')).lines).toBeGreaterThan(4 * (await sums('A0000005')).lines);
    for (const url of ['/remboursements', '/api/v1/reimbursements']) {
      counter.reset();
      expect((await long.get(url)).statusCode).toBe(200);
      const longCount = counter.count();
      counter.reset();
      expect((await short.get(url)).statusCode).toBe(200);
      expect(longCount).toBe(counter.count());
      // A hard bound: any query per line, per year or per beneficiary would exceed it.
      expect(longCount).toBe(2);
    }
  });
});
