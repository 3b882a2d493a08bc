import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/db.ts';
import { testConfig } from '../../../test/app.ts';
import { seedDemoData } from '../demo/seed-demo-data.ts';
import { EXAMPLE_LOT, fingerprint, runImport } from '../../../test/imports.ts';

const keys = testConfig().secrets;

/** The example lot with a second décompte (an optical equipment): 6 lines, each record type, a panier. */
const BASE = EXAMPLE_LOT.replace(
  'T|000123|1|2|4000|4000|2750',
  [
    'D|D0002|20260120|01|751|0001|185017505612324|20260122|A',
    'B|D0002||19850110|1|ASS',
    'L|D0002|1|20260118|20260118|LPP|OPM|2223342|1||12000|5|6000|3|0|0|0||N|123456789||||||20251201|0|B',
    'L|D0002|2|20260118|20260118|LPP|OPS|2203240|2||16000|10|6000|6|0|0|0||N|123456789||||||20251201|0|B',
    'L|D0002|3|20260118|20260118|NGAP|CS||1|1|5600|3150|7000|2205|200|0|2450||I|10101010103|15|2|O||||AMO|',
    'L|D0002|4|20260119|20260119|PHA|PH4|3400930000001|2||500|500|3000|150|0|100|0||N||||||||AMO+AMC|',
    'T|000123|2|6|38100|7665|5114',
  ].join('\n'),
);

describe('REL-04 corrupt files', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
    await seedDemoData(db, { households: 5, referenceDate: '2026-11-26', keys });
  });
  afterAll(async () => db.close());

  test('the base lot of the mutants is valid', async () => {
    const before = await fingerprint(db);
    const report = await runImport(db, BASE.replaceAll('000123', 'BASE01').replaceAll('|D000', '|B000'));
    expect(report).toMatchObject({ status: 'imported', lines: 6, matchedLines: 6 });
    expect(await fingerprint(db)).not.toEqual(before);
  });

  test('REL-04 200 files with random byte changes are each imported whole or rejected whole, without a crash', async () => {
    const bytes = Buffer.from(BASE);
    const mutation = fc.array(fc.record({ position: fc.nat({ max: bytes.length - 1 }), value: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 4 });
    const outcomes = { imported: 0, duplicate: 0, rejected: 0 };
    await fc.assert(
      fc.asyncProperty(mutation, async (changes) => {
        const mutant = Buffer.from(bytes);
        for (const { position, value } of changes) mutant[position] = value;
        const before = await fingerprint(db);
        const report = await runImport(db, mutant);
        outcomes[report.status] += 1;
        if (report.status !== 'imported') {
          expect(await fingerprint(db)).toEqual(before);
          return;
        }
        // Imported whole: every L record of the file is in the database once, liquidated or queued.
        const records = mutant.toString('utf8').split('\n').filter((line) => line.startsWith('L|')).length;
        const { rows } = await db.query<{ lines: number; queued: number }>(
          `SELECT (SELECT count(*)::int FROM claim_line c JOIN statement s ON s.id = c.statement_id WHERE s.batch_id = b.id) AS lines,
                  (SELECT count(*)::int FROM unmatched_claim_line u WHERE u.batch_id = b.id) AS queued
             FROM import_batch b WHERE b.sender_id = $1 AND b.batch_number = $2`,
          [report.sender, report.lot],
        );
        expect(rows[0]!.lines + rows[0]!.queued).toBe(records);
        expect(report.lines).toBe(records);
      }),
      { numRuns: 200, seed: Number(process.env.FC_SEED ?? 20_261_126), verbose: 1 },
    );
    // Most random changes break the lot; the property still has to hold for those that do not.
    expect(outcomes.rejected).toBeGreaterThan(100);
  }, 120_000);
});
