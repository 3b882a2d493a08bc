/**
 * « Bilan annuel » (issue 6) over inject on the demo households: totals equal the SQL sums, the chart and its table
 * say the same figures, counters and télétransmission per beneficiary, another household never shows, visitors are
 * sent to the login page. Runs on PGlite, or on PostgreSQL with TEST_DATABASE_URL.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestApp, testClock, testConfig, type TestApp } from '../../../test/app.ts';
import { createTestDatabase, testDriver, type TestDatabase } from '../../../test/db.ts';
import { CARE_GROUPS, CARE_GROUP_CODES } from '../../domain/claims/labels.ts';
import { formatEuros } from '../../domain/money.ts';
import type { Queryable } from '../../db/database.ts';
import { sessionProbe } from '../auth/recovery-test-kit.ts';
import { Browser, type Kit } from '../auth/session-test-kit.ts';
import { seedDemoData } from '../demo/seed-demo-data.ts';
import { householdCounters } from './household-counters.ts';
import { summaryResponseSchema } from './summary-api-schema.ts';
import { yearlySummary } from './yearly-summary.ts';

const keys = testConfig().secrets;
const TODAY = '2026-11-26';

type Amounts = { lines: number; chargedCents: number; amoNetCents: number; amcCents: number; remainingCents: number };
type SummaryBody = {
  year: number;
  years: number[];
  totals: Amounts;
  careGroups: (Amounts & { code: string; label: string })[];
  beneficiaries: { id: string; firstName: string; totals: Amounts; careGroups: (Amounts & { code: string })[] }[];
  counters: {
    date: string;
    year: number;
    beneficiaries: {
      beneficiaryId: string;
      firstName: string;
      guarantee: { productCode: string } | null;
      annualAllowances: { counter: string; kind: string; limitCents: number; usedCents: number; remainingCents: number }[];
      optics: { lastEquipmentDate: string | null; periodMonths: number; nextCoveredFrom: string; coveredNow: boolean } | null;
      hearingAids: { devicesInPeriod: number; nextCoveredFrom: string; coveredNow: boolean } | null;
      teletransmission: { status: string; since: string | null; amoFund: string | null };
    }[];
  };
};

/** The page's text with entities decoded, for comparing French amounts. */
const text = (html: string) => html.replace(/&nbsp;/g, '\u00a0').replace(/&#39;|&rsquo;/g, '’');

describe(`yearly summary, counters and télétransmission (${testDriver()})`, () => {
  let db: TestDatabase;
  let t: TestApp;
  let kit: Kit;
  let members: Record<string, string>;

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedDemoData(db, { households: 6, referenceDate: TODAY, keys });
    const { rows } = await db.query<{ id: string; member_number: string }>('SELECT id, member_number FROM member');
    members = Object.fromEntries(rows.map((r) => [r.member_number, r.id]));
    const clock = testClock(`${TODAY}T10:00:00Z`);
    t = await createTestApp({ name: 'yearly-summary', clock: clock.now, db, extraFeatures: [sessionProbe] });
    kit = { db, t, clock, organisationId: '', close: async () => undefined };
  });
  afterAll(async () => {
    await t?.close();
    await db?.close();
  });

  async function browserFor(memberNumber: string): Promise<Browser> {
    const browser = new Browser(kit);
    await browser.startSession(members[memberNumber]!);
    return browser;
  }

  async function api(browser: Browser, query = ''): Promise<SummaryBody> {
    const response = await browser.get(`/api/v1/reimbursements/summary${query}`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    // Exactly the documented fields: the strict schema refuses any other.
    return summaryResponseSchema.parse(JSON.parse(response.body)) as SummaryBody;
  }

  const sums = async (memberId: string, year: number, extra = 'TRUE', params: unknown[] = []): Promise<Amounts> => {
    const { rows } = await db.query<{ lines: number; charged: number; amo_net: number; amc: number; remaining: number }>(
      `SELECT count(*)::int AS lines, coalesce(sum(charged_cents), 0)::bigint AS charged, coalesce(sum(amo_net_cents), 0)::bigint AS amo_net,
              coalesce(sum(amc_cents), 0)::bigint AS amc, coalesce(sum(remaining_cents), 0)::bigint AS remaining
         FROM claim_line WHERE member_id = $1 AND extract(year FROM care_date) = $2 AND ${extra}`,
      [memberId, year, ...params],
    );
    const r = rows[0]!;
    return { lines: r.lines, chargedCents: r.charged, amoNetCents: r.amo_net, amcCents: r.amc, remainingCents: r.remaining };
  };

  /** A line of care stored as the import would leave it (its own statement), for the counters' cases. */
  async function addLine(memberId: string, beneficiaryId: string, line: { careDate: string; family: string; rule: string; chargedCents: number; amoCents: number; amcCents: number; quantity?: number }) {
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO statement (member_id, source, statement_number, liquidation_date) VALUES ($1, 'PAPER', 'TEST-' || gen_random_uuid()::text, $2) RETURNING id`,
      [memberId, line.careDate],
    );
    await db.query(
      `INSERT INTO claim_line (statement_id, member_id, beneficiary_id, line_number, care_date, family, act_code, quantity, charged_cents, base_cents, amo_rate_bp,
                               amo_cents, flat_fee_cents, deductible_cents, amo_net_cents, amc_cents, remaining_cents, rule, explanation, status)
       VALUES ($1, $2, $3, 1, $4, $5, 'TEST', $6, $7::int, $8::int, 6000, $8::int, 0, 0, $8::int, $9::int, $7::int - $8::int - $9::int, $10, 'Ligne de test.', 'LIQUIDATED')`,
      [rows[0]!.id, memberId, beneficiaryId, line.careDate, line.family, line.quantity ?? 1, line.chargedCents, line.amoCents, line.amcCents, line.rule],
    );
  }

  const beneficiariesOf = async (memberNumber: string) =>
    (await db.query<{ id: string; first_name: string; birth_date: string; relationship: string }>(`SELECT id, first_name, birth_date, relationship FROM beneficiary WHERE member_id = $1 ORDER BY birth_date`, [members[memberNumber]])).rows;

  test('a visitor is sent to the login page; the API answers 401 in JSON', async () => {
    const visitor = new Browser(kit);
    const page = await visitor.get('/remboursements/bilan?annee=2025');
    expect(page.statusCode).toBe(303);
    expect(String(page.headers.location)).toMatch(/^\/connexion/);
    const json = await visitor.get('/api/v1/reimbursements/summary');
    expect(json.statusCode).toBe(401);
    expect(JSON.parse(json.body)).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
  });

  test('totals of the household, of each beneficiary and of each care group equal the SQL sums, for every year on record', async () => {
    const browser = await browserFor('A0000001');
    const memberId = members.A0000001!;
    const latest = await api(browser);
    expect(latest.years).toEqual([2026, 2025, 2024]);
    expect(latest.year).toBe(2026);
    for (const year of latest.years) {
      const body = await api(browser, `?annee=${year}`);
      expect(body.year).toBe(year);
      expect(body.totals).toEqual(await sums(memberId, year));
      for (const b of body.beneficiaries) expect(b.totals, b.firstName).toEqual(await sums(memberId, year, 'beneficiary_id = $3', [b.id]));
      const expectedGroups = [];
      for (const code of CARE_GROUP_CODES) {
        const s = await sums(memberId, year, 'family = ANY($3::text[])', [CARE_GROUPS[code].families]);
        if (s.lines > 0) expectedGroups.push({ code, label: CARE_GROUPS[code].label, ...s });
      }
      expect(body.careGroups).toEqual(expectedGroups);
      // Spent = Sécurité sociale + mutuelle + reste à charge, group by group.
      for (const g of body.careGroups) expect(g.amoNetCents + g.amcCents + g.remainingCents).toBe(g.chargedCents);
    }
  });

  test('the page: year selector, totals, and a chart whose SVG has title and description and whose table says the same figures', async () => {
    const browser = await browserFor('A0000001');
    const page = await browser.get('/remboursements/bilan?annee=2025');
    expect(page.statusCode).toBe(200);
    const html = text(page.body);
    const body = await api(browser, '?annee=2025');
    expect(html).toContain('<h1>Bilan 2025 de mes remboursements</h1>');
    expect([...html.matchAll(/<option value="(\d{4})"( selected)?/g)].map((m) => `${m[1]}${m[2] ? '*' : ''}`)).toEqual(['2026', '2025*', '2024']);
    expect(html).toContain(`<dt>Dépensé</dt><dd>${formatEuros(body.totals.chargedCents)}</dd>`);
    expect(html).toContain(`<dt>Reste à votre charge</dt><dd>${formatEuros(body.totals.remainingCents)}</dd>`);

    const svg = /<svg class="chart-svg"[^>]*>[\s\S]*?<\/svg>/.exec(html)![0];
    expect(svg).toContain('role="img"');
    const labelledBy = /aria-labelledby="([^"]+)"/.exec(svg)![1]!.split(' ');
    expect(labelledBy).toHaveLength(2);
    expect(svg).toMatch(new RegExp(`<title id="${labelledBy[0]}">Répartition des dépenses de santé de 2025 par type de soins</title>`));
    expect(svg).toMatch(new RegExp(`<desc id="${labelledBy[1]}">[^<]*${formatEuros(body.totals.amcCents)} par la mutuelle`));
    // One label and one total per care group, in the same order as the table.
    const svgTexts = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    expect(svgTexts).toEqual(body.careGroups.flatMap((g) => [g.label, formatEuros(g.chargedCents)]));

    const table = /<table class="chart-table">[\s\S]*?<\/table>/.exec(html)![0];
    const rows = [...table.matchAll(/<tr><th scope="row">([^<]*)<\/th>((?:<td class="num"[^>]*>[^<]*<\/td>)+)<\/tr>/g)].map((m) => [m[1], ...[...m[2]!.matchAll(/<td class="num"[^>]*>([^<]*)<\/td>/g)].map((c) => c[1])]);
    expect(rows).toEqual(body.careGroups.map((g) => [g.label, formatEuros(g.amoNetCents), formatEuros(g.amcCents), formatEuros(g.remainingCents), formatEuros(g.chargedCents)]));
    // The legend says in words what each colour is.
    expect(html).toMatch(/<ul class="chart-legend"[^>]*>(?:[\s\S]*?Sécurité sociale)(?:[\s\S]*?Mutuelle)(?:[\s\S]*?Reste à votre charge)/);
  });

  test('another household’s data never appears, in the page or the API', async () => {
    const theirs = await beneficiariesOf('A0000002');
    // A line no one else has: 9 876 543,21 € for the other household in 2025.
    await addLine(members.A0000002!, theirs[0]!.id, { careDate: '2025-06-15', family: 'TRANSPORT', rule: 'LAB_PARAMEDICAL_TRANSPORT', chargedCents: 987_654_321, amoCents: 0, amcCents: 0 });
    const mine = await browserFor('A0000001');
    const body = await api(mine, '?annee=2025');
    const own = new Set((await beneficiariesOf('A0000001')).map((b) => b.id));
    expect(body.beneficiaries.every((b) => own.has(b.id))).toBe(true);
    expect(body.beneficiaries).toHaveLength(own.size);
    expect(body.counters.beneficiaries.map((b) => b.beneficiaryId).sort()).toEqual([...own].sort());
    expect(body.totals).toEqual(await sums(members.A0000001!, 2025));
    const page = text((await mine.get('/remboursements/bilan?annee=2025')).body);
    expect(page).not.toContain(formatEuros(987_654_321));
    for (const id of theirs.map((b) => b.id)) expect(page).not.toContain(id);
    // The other household sees it.
    const theirPage = text((await (await browserFor('A0000002')).get('/remboursements/bilan?annee=2025')).body);
    expect(theirPage).toContain(formatEuros(987_654_321));
  });

  test('« Vos compteurs »: what is left of the annual cap, next optical equipment (adult, child), next hearing aid', async () => {
    const people = await beneficiariesOf('A0000001');
    const adult = people.find((b) => b.relationship === 'SELF')!;
    const child = people.filter((b) => b.relationship === 'CHILD').at(-1)!;
    expect(child.birth_date > '2011-11-26').toBe(true); // still under 16 a year from now
    const memberId = members.A0000001!;
    await addLine(memberId, adult.id, { careDate: '2026-03-02', family: 'DENTAL_PROSTHESIS', rule: 'DENTAL_PROSTHESIS', chargedCents: 80_000, amoCents: 7_525, amcCents: 32_250 });
    await addLine(memberId, adult.id, { careDate: TODAY, family: 'OPTICS_FRAME', rule: 'OPTICS_FRAME', chargedCents: 15_000, amoCents: 3, amcCents: 9_997 });
    await addLine(memberId, child.id, { careDate: TODAY, family: 'OPTICS_FRAME', rule: 'OPTICS_FRAME', chargedCents: 15_000, amoCents: 3, amcCents: 9_997 });
    await addLine(memberId, adult.id, { careDate: '2026-02-10', family: 'HEARING_AID', rule: 'HEARING_AID', chargedCents: 300_000, amoCents: 48_000, amcCents: 150_000, quantity: 2 });

    const browser = await browserFor('A0000001');
    const body = await api(browser);
    expect(body.counters).toMatchObject({ date: TODAY, year: 2026 });
    const adultCounters = body.counters.beneficiaries.find((b) => b.beneficiaryId === adult.id)!;
    const { rows } = await db.query<{ used: number }>(
      `SELECT coalesce(sum(amc_cents), 0)::bigint AS used FROM claim_line WHERE beneficiary_id = $1 AND rule = 'DENTAL_PROSTHESIS' AND care_date BETWEEN '2026-01-01' AND $2`,
      [adult.id, TODAY],
    );
    const used = rows[0]!.used;
    expect(used).toBeGreaterThanOrEqual(32_250);
    expect(adultCounters.guarantee).toMatchObject({ productCode: 'CONFORT' });
    expect(adultCounters.annualAllowances).toEqual([{ counter: 'DENTAL_PROSTHESIS', kind: 'ANNUAL_CAP', label: expect.any(String), limitCents: 150_000, usedCents: used, remainingCents: Math.max(0, 150_000 - used) }]);
    expect(adultCounters.optics).toEqual({ lastEquipmentDate: TODAY, periodMonths: 24, nextCoveredFrom: '2028-11-26', coveredNow: false });
    expect(adultCounters.hearingAids).toMatchObject({ devicesInPeriod: 2, nextCoveredFrom: '2030-02-10', coveredNow: false });
    const childCounters = body.counters.beneficiaries.find((b) => b.beneficiaryId === child.id)!;
    expect(childCounters.optics).toEqual({ lastEquipmentDate: TODAY, periodMonths: 12, nextCoveredFrom: '2027-11-26', coveredNow: false });

    const page = text((await browser.get('/remboursements/bilan')).body);
    expect(page).toContain(`il reste <strong>${formatEuros(Math.max(0, 150_000 - used))}</strong> sur le plafond annuel de ${formatEuros(150_000)}`);
    expect(page).toContain('<strong>Prochain équipement optique pris en charge à partir du 26/11/2028</strong>');
    expect(page).toContain('<strong>Prochain équipement optique pris en charge à partir du 26/11/2027</strong>');
    expect(page).toContain('<strong>Prochaine aide auditive prise en charge à partir du 10/02/2030</strong>');
  });

  test('« Télétransmission »: active since a date with the caisse, or what to do to activate it', async () => {
    const [first, second, third] = await beneficiariesOf('A0000001');
    await db.query(`UPDATE noemie_link SET status = 'ACTIVE', since = '2021-03-12', amo_fund = '075' WHERE beneficiary_id = $1`, [first!.id]);
    const browser = await browserFor('A0000001');
    let page = text((await browser.get('/remboursements/bilan')).body);
    expect(page).toContain(`<strong>${first!.first_name}</strong> : Télétransmission active depuis le 12/03/2021 avec la caisse 075.`);
    await db.query(`UPDATE noemie_link SET status = 'NONE', since = NULL WHERE beneficiary_id = $1`, [second!.id]);
    page = text((await browser.get('/remboursements/bilan')).body);
    expect(page).toContain(`<strong>${second!.first_name}</strong> : Télétransmission non activée. Pour l’activer, envoyez-nous l’attestation de droits à l’assurance maladie de ${second!.first_name}`);
    expect(page).toContain('appelez-nous au 04 72 00 00 00');
    await db.query(`UPDATE noemie_link SET status = 'REJECTED', since = NULL WHERE beneficiary_id = $1`, [third!.id]);
    const body = await api(browser);
    expect(body.counters.beneficiaries.find((b) => b.beneficiaryId === third!.id)!.teletransmission).toMatchObject({ status: 'REJECTED', since: null });
  });

  test('a year without care shows zeros and says so; a malformed year is a 400 in French', async () => {
    const browser = await browserFor('A0000002');
    const body = await api(browser, '?annee=2019');
    expect(body.totals).toEqual({ lines: 0, chargedCents: 0, amoNetCents: 0, amcCents: 0, remainingCents: 0 });
    expect(body.careGroups).toEqual([]);
    const page = text((await browser.get('/remboursements/bilan?annee=2019')).body);
    expect(page).toContain('Aucun soin n’est enregistré pour 2019.');
    expect(page).not.toContain('<svg class="chart-svg"');
    const bad = await browser.get('/remboursements/bilan?annee=deux-mille');
    expect(bad.statusCode).toBe(400);
    expect(text(bad.body)).toContain('L’année demandée n’est pas reconnue');
    expect((await browser.get('/api/v1/reimbursements/summary?annee=2019&autre=1')).statusCode).toBe(400);
  });

  test('a bounded number of queries whatever the history: 3 for the summary, 5 for the counters', async () => {
    let count = 0;
    const counting: Queryable = {
      query: <R,>(sql: string, params?: readonly unknown[]) => {
        count += 1;
        return db.query<R>(sql, params);
      },
    };
    for (const memberNumber of ['A0000001', 'A0000005']) {
      count = 0;
      await yearlySummary(counting, { memberId: members[memberNumber]!, beneficiaryId: null }, null, 2026);
      expect(count).toBe(3);
      count = 0;
      await householdCounters(counting, { memberId: members[memberNumber]!, beneficiaryId: null }, TODAY);
      expect(count).toBe(5);
    }
  });
});
