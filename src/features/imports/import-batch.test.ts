import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DCPT1_ERROR_CODES } from '../../domain/claims/dcpt1.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/db.ts';
import { testConfig, testLogger } from '../../../test/app.ts';
import { addHousehold, EXAMPLE_LOT, fingerprint, nirOf, runImport } from '../../../test/imports.ts';
import { seedDemoData } from '../demo/seed-demo-data.ts';
import { getReimbursement } from '../reimbursements/reimbursement-detail.ts';
import type { ImportErrorCode, ImportReport } from './import-batch.ts';
import { reconcileUnmatched } from './reconcile-unmatched.ts';

const keys = testConfig().secrets;
const logger = testLogger('import');
const NOW = new Date('2026-11-26T08:00:00Z');
const EXAMPLE = EXAMPLE_LOT.trimEnd().split('\n');

/** Replaces field `index` of the record on (0-based) row `row`. */
const setField = (lines: string[], row: number, index: number, value: string) =>
  lines.map((line, i) => (i === row ? line.split('|').map((f, j) => (j === index ? value : f)).join('|') : line));
const TRAILER = 5;
const lot = (lines: string[]) => `${lines.join('\n')}\n`;

type Defect = { name: string; code: ImportErrorCode; line: number; content: () => string | Uint8Array };

const DEFECTS: Defect[] = [
  { name: 'no header', code: 'MISSING_HEADER', line: 1, content: () => lot(EXAMPLE.slice(1)) },
  { name: 'empty file', code: 'MISSING_HEADER', line: 1, content: () => '' },
  { name: 'a second header', code: 'DUPLICATE_HEADER', line: 4, content: () => lot([...EXAMPLE.slice(0, 3), EXAMPLE[0]!, ...EXAMPLE.slice(3)]) },
  { name: 'another format version', code: 'UNSUPPORTED_VERSION', line: 1, content: () => lot(setField(EXAMPLE, 0, 1, 'DCPT2')) },
  { name: 'a truncated file (no trailer)', code: 'MISSING_TRAILER', line: 6, content: () => lot(EXAMPLE.slice(0, TRAILER)) },
  { name: 'a record after the trailer', code: 'RECORD_AFTER_TRAILER', line: 7, content: () => lot([...EXAMPLE, EXAMPLE[TRAILER]!]) },
  { name: 'a missing field', code: 'FIELD_COUNT', line: 4, content: () => lot(EXAMPLE.map((l, i) => (i === 3 ? l.replace(/\|$/, '') : l))) },
  { name: 'an unknown record type', code: 'UNKNOWN_RECORD', line: 4, content: () => lot([...EXAMPLE.slice(0, 3), 'X|D0001', ...EXAMPLE.slice(3)]) },
  { name: 'an empty line', code: 'EMPTY_LINE', line: 4, content: () => lot([...EXAMPLE.slice(0, 3), '', ...EXAMPLE.slice(3)]) },
  { name: 'bytes that are not UTF-8', code: 'INVALID_ENCODING', line: 4, content: () => Buffer.concat([Buffer.from(lot(EXAMPLE.slice(0, 3))), Buffer.from([0xff, 0xfe]), Buffer.from(`\n${lot(EXAMPLE.slice(3))}`)]) },
  { name: 'a line before its beneficiary record', code: 'RECORD_ORDER', line: 3, content: () => lot([EXAMPLE[0]!, EXAMPLE[1]!, EXAMPLE[3]!, EXAMPLE[2]!, ...EXAMPLE.slice(4)]) },
  { name: 'a décompte without lines', code: 'STATEMENT_WITHOUT_LINES', line: 6, content: () => lot([...EXAMPLE.slice(0, 5), 'D|D0002|20260114|01|751|0001|185017505612324|20260116|A', 'B|D0002||19850110|1|ASS', 'T|000123|2|2|4000|4000|2750']) },
  { name: 'a décompte id used twice', code: 'DUPLICATE_STATEMENT', line: 6, content: () => lot([...EXAMPLE.slice(0, 5), EXAMPLE[1]!, EXAMPLE[2]!, EXAMPLE[3]!.replace('|1|20260112', '|3|20260112'), 'T|000123|1|3|7000|7000|4850']) },
  { name: 'a line number used twice in a décompte', code: 'DUPLICATE_LINE', line: 5, content: () => lot(setField(EXAMPLE, 4, 2, '1')) },
  { name: 'a NIR with a wrong key', code: 'INVALID_NIR', line: 2, content: () => lot(setField(EXAMPLE, 1, 6, '185017505612325')) },
  { name: 'an impossible date', code: 'INVALID_DATE', line: 4, content: () => lot(setField(EXAMPLE, 3, 3, '20260231')) },
  { name: 'a liquidation date after today', code: 'DATE_IN_FUTURE', line: 2, content: () => lot(setField(EXAMPLE, 1, 2, '20261230')) },
  { name: 'care after the liquidation date', code: 'CARE_AFTER_LIQUIDATION', line: 4, content: () => lot(setField(setField(EXAMPLE, 3, 3, '20260115'), 3, 4, '20260115')) },
  { name: 'an end date before the start date', code: 'END_BEFORE_START', line: 4, content: () => lot(setField(EXAMPLE, 3, 4, '20260111')) },
  { name: 'an unknown act family', code: 'UNKNOWN_FAMILY', line: 4, content: () => lot(setField(EXAMPLE, 3, 5, 'XYZ')) },
  { name: 'an unknown act code', code: 'UNKNOWN_ACT', line: 4, content: () => lot(setField(EXAMPLE, 3, 6, 'ZZ')) },
  { name: 'an enumerated field out of its values', code: 'INVALID_FIELD', line: 4, content: () => lot(setField(EXAMPLE, 3, 18, 'X')) },
  { name: 'a basket on a consultation', code: 'INVALID_BASKET', line: 5, content: () => lot(setField(EXAMPLE, 4, 27, 'A')) },
  { name: 'a negative amount', code: 'INVALID_AMOUNT', line: 4, content: () => lot(setField(EXAMPLE, 3, 14, '-200')) },
  { name: 'an amount beyond the bound', code: 'AMOUNT_TOO_LARGE', line: 4, content: () => lot(setField(EXAMPLE, 3, 16, '1000000000')) },
  { name: 'AMO gross ≠ round(BR × rate)', code: 'AMO_MISMATCH', line: 4, content: () => lot(setField(setField(EXAMPLE, 3, 13, '2110'), TRAILER, 6, '2760')) },
  { name: 'AMO gross above the amount charged', code: 'AMO_EXCEEDS_CHARGED', line: 4, content: () => lot(setField(setField(EXAMPLE, 3, 10, '2000'), TRAILER, 4, '3000')) },
  { name: 'PF and franchise above the AMO gross', code: 'DEDUCTIONS_EXCEED_AMO', line: 5, content: () => lot(setField(EXAMPLE, 4, 15, '700')) },
  { name: 'a dépassement that is not FR − BR', code: 'OVERRUN_MISMATCH', line: 4, content: () => lot(setField(EXAMPLE, 3, 16, '500')) },
  { name: 'a trailer with another lot number', code: 'TRAILER_BATCH_MISMATCH', line: 6, content: () => lot(setField(EXAMPLE, TRAILER, 1, '000124')) },
  { name: 'a trailer line count that does not match', code: 'TRAILER_COUNT_MISMATCH', line: 6, content: () => lot(setField(EXAMPLE, TRAILER, 3, '3')) },
  { name: 'a trailer sum that does not match', code: 'TRAILER_SUM_MISMATCH', line: 6, content: () => lot(setField(EXAMPLE, TRAILER, 4, '4001')) },
  { name: 'a lot for another mutuelle', code: 'UNKNOWN_AMC', line: 1, content: () => lot(setField(EXAMPLE, 0, 5, '999999999')) },
];

describe('DCPT1 import', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
    await seedDemoData(db, { households: 6, referenceDate: '2026-11-26', keys });
  });
  afterAll(async () => db.close());

  test('every validation rule has its single-defect test', () => {
    const tested = new Set(DEFECTS.map((d) => d.code));
    const untestable = new Set(['TOO_MANY_ERRORS']);
    expect(DCPT1_ERROR_CODES.filter((code) => !tested.has(code) && !untestable.has(code))).toEqual([]);
  });

  test.each(DEFECTS)('rejects $name with $code on line $line and writes nothing', async ({ code, line, content }) => {
    const before = await fingerprint(db);
    const report = await runImport(db, content());
    expect(report.status).toBe('rejected');
    expect(report.errors[0]).toMatchObject({ line, code });
    expect(report.errors[0]!.message).toMatch(/[a-zé]/);
    expect(await fingerprint(db)).toEqual(before);
  });

  describe('the example lot of domain.md §6.4', () => {
    let report: ImportReport;
    beforeAll(async () => {
      report = await runImport(db, EXAMPLE_LOT);
    });

    test('imports and yields the amounts of E1 and E3', async () => {
      expect(report).toMatchObject({ lot: '000123', sender: 'CPAM751', status: 'imported', decomptes: 1, lines: 2, matchedLines: 2, unmatchedLines: 0, rejectedLines: 0, amcCents: 1250 });
      const { rows } = await db.query(
        `SELECT c.line_number, c.family, c.act_code, c.charged_cents, c.amo_cents, c.flat_fee_cents, c.deductible_cents, c.amo_net_cents, c.amc_cents, c.remaining_cents, c.status, b.birth_date
           FROM claim_line c JOIN statement s ON s.id = c.statement_id JOIN beneficiary b ON b.id = c.beneficiary_id
          WHERE s.statement_number = 'CPAM751:D0001' ORDER BY c.line_number`,
      );
      expect(rows).toEqual([
        { line_number: 1, family: 'CONSULTATION', act_code: 'G', charged_cents: 3000, amo_cents: 2100, flat_fee_cents: 200, deductible_cents: 0, amo_net_cents: 1900, amc_cents: 900, remaining_cents: 200, status: 'LIQUIDATED', birth_date: '1985-01-10' },
        { line_number: 2, family: 'PHARMACY', act_code: 'PH7', charged_cents: 1000, amo_cents: 650, flat_fee_cents: 0, deductible_cents: 100, amo_net_cents: 550, amc_cents: 350, remaining_cents: 100, status: 'LIQUIDATED', birth_date: '1985-01-10' },
      ]);
    });

    test('stores the explanation as steps and the lifecycle on the line; the detail reads RECEIVED → LIQUIDATED and the French sentence', async () => {
      const { rows } = await db.query<{ id: string; member_id: string; explanation: string | null; explanation_steps: string; statuses: number }>(
        `SELECT c.id, c.member_id, c.explanation, c.explanation_steps, (SELECT count(*)::int FROM claim_line_status h WHERE h.claim_line_id = c.id) AS statuses
           FROM claim_line c JOIN statement s ON s.id = c.statement_id WHERE s.statement_number = 'CPAM751:D0001' ORDER BY c.line_number`,
      );
      expect(rows.map((r) => [r.explanation, r.statuses])).toEqual([[null, 0], [null, 0]]);
      const detail = await getReimbursement(db, { memberId: rows[0]!.member_id, beneficiaryId: null }, rows[0]!.id);
      expect(detail.timeline.map((s) => [s.status, s.at])).toEqual([['RECEIVED', NOW.toISOString()], ['LIQUIDATED', NOW.toISOString()]]);
      // formatEuros and formatRateBp put narrow no-break spaces before € and %.
      expect(detail.explanation.replace(/[\u00a0\u202f]/g, ' ')).toBe(
        'La Sécurité sociale rembourse 70 % de la base de 30,00 €, soit 21,00 €, moins 2,00 € de participation forfaitaire. ' +
          'Votre contrat prend en charge 100 % de la base (Sécurité sociale incluse) : votre mutuelle verse 9,00 €. ' +
          'Reste à votre charge : 2,00 € (participation forfaitaire, jamais remboursable).',
      );
    });

    test('REL-03 importing the same lot again changes nothing and says so', async () => {
      const before = await fingerprint(db);
      expect(await runImport(db, EXAMPLE_LOT)).toMatchObject({ status: 'duplicate', lot: '000123', lines: 2 });
      expect(await fingerprint(db)).toEqual(before);
    });

    test('a different lot under the same sender and number is rejected', async () => {
      const before = await fingerprint(db);
      const other = lot(setField(setField(EXAMPLE, 3, 19, '10101010102'), 0, 3, '20260115093001'));
      const result = await runImport(db, other);
      expect(result.status).toBe('rejected');
      expect(result.errors[0]).toMatchObject({ line: 1, code: 'BATCH_NUMBER_REUSED' });
      expect(await fingerprint(db)).toEqual(before);
    });

    test('a new lot repeating an imported décompte is rejected whole', async () => {
      const before = await fingerprint(db);
      const result = await runImport(db, lot(setField(setField(EXAMPLE, 0, 4, '000124'), TRAILER, 1, '000124')));
      expect(result.status).toBe('rejected');
      expect(result.errors[0]).toMatchObject({ line: 2, code: 'STATEMENT_ALREADY_IMPORTED' });
      expect(await fingerprint(db)).toEqual(before);
    });
  });

  test('lines fully paid to the professional (tiers payant AMO+AMC) are PAID at once, nothing owed to the member', async () => {
    const content = lot(setField(setField(setField(setField(EXAMPLE, 0, 4, 'TP1'), TRAILER, 1, 'TP1'), 1, 1, 'TP01'), 4, 26, 'AMO+AMC').map((l, i) => (i >= 2 && i <= 4 ? l.replace('|D0001|', '|TP01|') : l)));
    expect((await runImport(db, content)).status).toBe('imported');
    const { rows } = await db.query<{ id: string; member_id: string; line_number: number; status: string; third_party_payment: boolean; paid_at: string | null }>(
      `SELECT c.id, c.member_id, c.line_number, c.status, c.third_party_payment, c.paid_at
         FROM claim_line c JOIN statement s ON s.id = c.statement_id WHERE s.statement_number = 'CPAM751:TP01' ORDER BY c.line_number`,
    );
    const timeline = async (id: string) => (await getReimbursement(db, { memberId: rows[0]!.member_id, beneficiaryId: null }, id)).timeline.map((s) => s.status);
    expect(await Promise.all(rows.map(async ({ id, member_id: _member, ...line }) => ({ ...line, statuses: await timeline(id) })))).toEqual([
      { line_number: 1, status: 'LIQUIDATED', third_party_payment: false, paid_at: null, statuses: ['RECEIVED', 'LIQUIDATED'] },
      { line_number: 2, status: 'PAID', third_party_payment: true, paid_at: '2026-01-14', statuses: ['RECEIVED', 'LIQUIDATED', 'PAID'] },
    ]);
  });

  test('a line dated before the member had rights is REJECTED with its reason, not dropped', async () => {
    const old = lot(
      EXAMPLE.map((l, i) => (i === 0 ? l.replace('|000123|', '|OLD1|') : i === TRAILER ? l.replace('T|000123|', 'T|OLD1|') : l))
        .map((l) => l.replace('|D0001|', '|OLD01|').replace('|20260114|', '|20190114|').replaceAll('|20260112|', '|20190112|')),
    );
    const report = await runImport(db, old);
    expect(report).toMatchObject({ status: 'imported', rejectedLines: 2, matchedLines: 0 });
    const { rows } = await db.query<{ id: string; member_id: string; status: string; amc_cents: number; rejection_reason: string; remaining_cents: number }>(
      `SELECT c.id, c.member_id, c.status, c.amc_cents, c.rejection_reason, c.remaining_cents FROM claim_line c JOIN statement s ON s.id = c.statement_id
        WHERE s.statement_number = 'CPAM751:OLD01' ORDER BY c.line_number`,
    );
    const { id, member_id: memberId, ...line } = rows[0]!;
    expect(line).toEqual({ status: 'REJECTED', amc_cents: 0, rejection_reason: 'Aucun droit ouvert auprès de la mutuelle le 12/01/2019.', remaining_cents: 1100 });
    const detail = await getReimbursement(db, { memberId, beneficiaryId: null }, id);
    expect(detail.timeline.map((s) => s.status)).toEqual(['RECEIVED', 'REJECTED']);
    expect(detail.explanation).toBe('Ligne rejetée par la mutuelle : Aucun droit ouvert auprès de la mutuelle le 12/01/2019.');
  });

  test('liquidates in care-date order: of two optical equipments within two years, the earlier one is covered whatever the file order', async () => {
    const nir = nirOf('2920175123457');
    await addHousehold(db, keys, nir, '1992-01-15', 'U0000002');
    const frame = (statement: string, date: string) => `L|${statement}|1|${date}|${date}|LPP|OPM||1||15000|5|6000|3|0|0|0||N||||||||0|B`;
    const content = lot([
      'H|DCPT1|CPAM751|20261120093000|OPT1|123456789',
      `D|OPT02|20261110|01|751|0001|${nir}||A`, 'B|OPT02||19920115|1|ASS', frame('OPT02', '20261105'),
      `D|OPT01|20261110|01|751|0001|${nir}||A`, 'B|OPT01||19920115|1|ASS', frame('OPT01', '20260901'),
      'T|OPT1|2|2|30000|10|6',
    ]);
    expect((await runImport(db, content)).status).toBe('imported');
    const { rows } = await db.query<{ id: string; member_id: string; amc_cents: number }>(
      `SELECT c.id, c.member_id, c.amc_cents FROM claim_line c JOIN statement s ON s.id = c.statement_id WHERE s.statement_number LIKE 'CPAM751:OPT0%' ORDER BY s.statement_number`,
    );
    expect(rows[0]!.amc_cents).toBeGreaterThan(0);
    expect(rows[1]!.amc_cents).toBe(0);
    expect((await getReimbursement(db, { memberId: rows[1]!.member_id, beneficiaryId: null }, rows[1]!.id)).explanation).toMatch(/01\/09\/2026/);
  });

  test('a line for an unknown beneficiary waits « à rapprocher » (NIR sealed), then is liquidated once the beneficiary exists', async () => {
    const nir = nirOf('2900375123456');
    const content = lot(
      EXAMPLE.map((l, i) => (i === 0 ? l.replace('|000123|', '|UNK1|') : i === TRAILER ? l.replace('T|000123|', 'T|UNK1|') : l))
        .map((l) => l.replace('|D0001|', '|UNK01|').replace('185017505612324', nir).replace('|19850110|', '|19900301|')),
    );
    const report = await runImport(db, content);
    expect(report).toMatchObject({ status: 'imported', unmatchedLines: 2, matchedLines: 0 });
    const queued = await db.query<{ record: unknown; insured_nir_enc: string; resolved_at: string | null }>(
      `SELECT record, insured_nir_enc, resolved_at FROM unmatched_claim_line WHERE statement_number = 'CPAM751:UNK01' ORDER BY line_number`,
    );
    expect(queued.rows).toHaveLength(2);
    expect(JSON.stringify(queued.rows)).not.toContain(nir);
    expect(queued.rows.every((r) => r.resolved_at === null)).toBe(true);

    expect((await reconcileUnmatched(db, { now: NOW, logger })).matchedLines).toBe(0);
    await addHousehold(db, keys, nir, '1990-03-01', 'U0000001');
    expect(await reconcileUnmatched(db, { now: NOW, logger })).toMatchObject({ matchedLines: 2, statements: 1 });
    const { rows } = await db.query<{ amc_cents: number; status: string; member_number: string }>(
      `SELECT c.amc_cents, c.status, m.member_number FROM claim_line c JOIN statement s ON s.id = c.statement_id JOIN member m ON m.id = c.member_id
        WHERE s.statement_number = 'CPAM751:UNK01' ORDER BY c.line_number`,
    );
    expect(rows).toEqual([
      { amc_cents: 900, status: 'LIQUIDATED', member_number: 'U0000001' },
      { amc_cents: 350, status: 'LIQUIDATED', member_number: 'U0000001' },
    ]);
    const resolved = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM unmatched_claim_line WHERE statement_number = 'CPAM751:UNK01' AND resolved_at IS NOT NULL AND claim_line_id IS NOT NULL`);
    expect(resolved.rows[0]!.n).toBe(2);
    expect((await reconcileUnmatched(db, { now: NOW, logger })).matchedLines).toBe(0);
  });
});
