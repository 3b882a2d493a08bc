import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { liquidate, type CareLine } from '../../domain/coverage/index.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/db.ts';
import { testConfig } from '../../../test/app.ts';
import { DEMO_AMC_NUMBER, seedDemoData, type SeedSummary } from './seed-demo-data.ts';

const keys = testConfig().secrets;
const options = { households: 6, referenceDate: '2026-11-26', keys };

type Row = { member_number: string; care_date: string; family: string; charged_cents: number; amo_cents: number; amc_cents: number; remaining_cents: number };
const claimRows = (db: TestDatabase) =>
  db.query<Row>(
    `SELECT m.member_number, c.care_date, c.family, c.charged_cents, c.amo_cents, c.amc_cents, c.remaining_cents
       FROM claim_line c JOIN member m ON m.id = c.member_id
      ORDER BY m.member_number, c.care_date, c.family, c.charged_cents, c.amc_cents`,
  );

describe('demo seed', () => {
  let a: TestDatabase;
  let b: TestDatabase;
  let summary: SeedSummary;
  beforeAll(async () => {
    [a, b] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    summary = await seedDemoData(a, options);
    await seedDemoData(b, options);
  });
  afterAll(async () => Promise.all([a.close(), b.close()]));

  test('creates the demo mutuelle, the reference products and households with three years of history', async () => {
    const { rows: org } = await a.query<{ amc_number: string }>('SELECT amc_number FROM organisation');
    expect(org).toEqual([{ amc_number: DEMO_AMC_NUMBER }]);
    const { rows: products } = await a.query<{ code: string }>('SELECT code FROM guarantee_product ORDER BY code');
    expect(products.map((p) => p.code)).toEqual(['ACS_A', 'ACS_B', 'ACS_C', 'CONFORT', 'CSS', 'ESSENTIEL']);
    expect(summary.households).toBe(6);
    const { rows: years } = await a.query<{ year: number }>(`SELECT DISTINCT extract(year FROM care_date)::int AS year FROM claim_line ORDER BY 1`);
    expect(years.map((y) => y.year)).toEqual([2024, 2025, 2026]);
    const { rows: rights } = await a.query<{ kind: string }>(`SELECT DISTINCT kind FROM rights_period ORDER BY 1`);
    expect(rights.map((r) => r.kind)).toEqual(expect.arrayContaining(['ACS_C', 'CONTRACT', 'CSS']));
    expect(summary.logins).toHaveLength(4);
  });

  test('writes as many years of history as asked (five for the portal bench), the reference year included', async () => {
    const c = await createTestDatabase();
    try {
      await seedDemoData(c, { ...options, households: 2, years: 5 });
      const { rows: years } = await c.query<{ year: number }>(`SELECT DISTINCT extract(year FROM care_date)::int AS year FROM claim_line ORDER BY 1`);
      expect(years.map((y) => y.year)).toEqual([2022, 2023, 2024, 2025, 2026]);
    } finally {
      await c.close();
    }
  });

  test('is deterministic: the same seed and date give the same households and amounts', async () => {
    expect((await claimRows(a)).rows).toEqual((await claimRows(b)).rows);
  });

  test('stores NIRs and IBANs sealed, never in clear (DATA-02)', async () => {
    const { rows } = await a.query<{ nir_enc: string; nir_hmac: string }>('SELECT nir_enc, nir_hmac FROM member');
    for (const row of rows) {
      expect(row.nir_enc).toMatch(/^v2\./);
      expect(row.nir_hmac).not.toMatch(/^\d{15}$/);
    }
    const dump = JSON.stringify((await a.query('SELECT * FROM bank_account')).rows);
    expect(dump).not.toMatch(/FR\d{2}[0-9A-Z]{23}/);
  });

  test('DATA-02 emails and phone numbers are sealed too, emails findable by their keyed index only', async () => {
    const emails = (await a.query<{ address: string | null; address_enc: string; address_hmac: string }>('SELECT address, address_enc, address_hmac FROM email_address')).rows;
    expect(emails.length).toBeGreaterThan(0);
    for (const e of emails) {
      expect(e.address).toBeNull();
      expect(e.address_enc).toMatch(/^v2\./);
      expect(e.address_hmac).not.toContain('@');
    }
    const phones = (await a.query<{ e164: string | null; e164_enc: string }>('SELECT e164, e164_enc FROM phone_number')).rows;
    expect(phones.length).toBeGreaterThan(0);
    for (const p of phones) {
      expect(p.e164).toBeNull();
      expect(p.e164_enc).toMatch(/^v2\./);
    }
    const everything = JSON.stringify([emails, phones]);
    expect(everything).not.toMatch(/@demo\.example|\+33\d{9}/);
  });

  test('every mutuelle amount comes from the coverage engine: re-liquidating a household gives the stored amounts', async () => {
    const { rows } = await a.query<CareLine & { amcCents: number; beneficiaryId: string; birthDate: string }>(
      `SELECT c.care_date AS "careDate", c.family, c.act_code AS act, c.basket, c.charged_cents AS "chargedCents", c.base_cents AS "baseCents",
              c.amo_rate_bp AS "amoRateBp", c.quantity, c.pathway, c.optam, c.price_cap_cents AS "priceCapCents", c.amc_cents AS "amcCents", b.id AS "beneficiaryId", b.birth_date AS "birthDate"
         FROM claim_line c JOIN beneficiary b ON b.id = c.beneficiary_id JOIN member m ON m.id = c.member_id
        WHERE m.member_number = 'A0000001' AND b.relationship = 'SELF'
        ORDER BY c.care_date, c.statement_id, c.line_number`,
    );
    expect(rows.length).toBeGreaterThan(10);
    // The member of household 1 has CONFORT throughout: one call over the whole history must give every stored amount.
    const result = liquidate({
      product: 'CONFORT',
      beneficiary: { birthDate: rows[0]!.birthDate, aid: 'NONE' },
      lines: rows.map(({ amcCents: _a, beneficiaryId: _b, birthDate: _d, ...line }) => line),
    });
    expect(result.lines.map((l) => l.amcCents)).toEqual(rows.map((r) => r.amcCents));
  });
});
