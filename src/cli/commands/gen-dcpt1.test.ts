import { createReadStream, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Database } from '../../db/database.ts';
import { readDcpt1 } from '../../domain/claims/dcpt1.ts';
import { seedDemoData } from '../../features/demo/seed-demo-data.ts';
import { generateDcpt1 } from '../../features/imports/generate-dcpt1.ts';
import { loadDcpt1People } from '../../features/imports/generate-dcpt1-people.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/db.ts';
import { testConfig } from '../../../test/app.ts';
import { genDcpt1Command } from './gen-dcpt1.ts';

const config = testConfig();
const today = '2026-03-15';
const directory = mkdtempSync(join(tmpdir(), 'gen-dcpt1-'));

/** The test database, lent to the command: its `close` must not close it. */
const lend = (db: Database): Database => ({
  driver: db.driver,
  query: <R,>(text: string, params?: readonly unknown[]) => db.query<R>(text, params),
  exec: (sql) => db.exec(sql),
  transaction: (work) => db.transaction(work),
  close: async () => {},
});

async function run(args: string[], db?: Database, withConfig = config): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const code = await genDcpt1Command(args, { config: withConfig, stderr: { write: (text: string) => (stderr += text) }, open: async () => lend(db!) });
  return { code, stderr };
}

const NIR_LIKE = /[12378]\d{4}(?:2A|2B|\d{2})\d{6}\d{2}/;

describe('espace gen-dcpt1', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
    await seedDemoData(db, { households: 5, referenceDate: today, keys: config.secrets });
  });
  afterAll(async () => db.close());

  test('reads the first households with their rights, NIRs decrypted in memory', async () => {
    const { households, people } = await loadDcpt1People(db, config.secrets.dataEncryptionKey, { households: 3, today });
    expect(households).toBe(3);
    const { rows } = await db.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM beneficiary b JOIN member m ON m.id = b.member_id WHERE m.member_number <= 'A0000003'`,
    );
    expect(people).toHaveLength(rows[0]!.count);
    expect(people[0]).toMatchObject({ quality: 'ASS', birthDate: '1985-01-10', birthRank: 1 });
    expect(people.every((p) => /^\d{15}$|^\d{5}2[AB]\d{8}$/.test(p.insuredNir))).toBe(true);
    // Household 1 has twins: same ouvrant droit and birth date, ranks 1 and 2.
    const twins = people.filter((p) => p.quality === 'ENF' && p.birthRank === 2);
    expect(twins).toHaveLength(1);
    expect(people.some((p) => p.quality === 'ENF' && p.birthRank === 1 && p.birthDate === twins[0]!.birthDate)).toBe(true);
    expect(people.some((p) => p.solidarity)).toBe(true);
    for (const p of people) expect(p.rightsFrom! >= '2026-01-14' && p.rightsTo! >= today).toBe(true);
  });

  test('a lot generated for the seeded members matches them and passes the parser', async () => {
    const { people } = await loadDcpt1People(db, config.secrets.dataEncryptionKey, { households: 5, today });
    const { rows } = await db.query<{ insured_nir_hmac: string }>('SELECT insured_nir_hmac FROM beneficiary');
    expect(rows.length).toBe(people.length);
    const lot = generateDcpt1(people, { lines: 1_500, seed: 5, today });
    const outcome = await readDcpt1((async function* () { yield* lot; })(), { today });
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    const keys = new Set(people.map((p) => `${p.insuredNir}|${p.birthDate}|${p.birthRank}`));
    for (const s of outcome.batch.statements) expect(keys.has(`${s.insuredNir}|${s.beneficiary.birthDate}|${s.beneficiary.birthRank}`)).toBe(true);
  });

  test('writes the file and prints a French summary without any NIR', async () => {
    // The lot is addressed to the mutuelle of the database (the import refuses another AMC number).
    await db.query(`UPDATE organisation SET amc_number = '987654321'`);
    const out = join(directory, 'lot.dcpt1');
    const { code, stderr } = await run(['--households', '4', '--lines', '2000', '--seed', '11', '--out', out, '--date', today, '--unknown-share', '0.05'], db);
    expect(code).toBe(0);
    expect(stderr).toMatch(/^Lot DCPT1 n° 000011 écrit dans .*lot\.dcpt1 : 2\u202f000 lignes dans [\d\u202f]+ décomptes \([\d,]+ % pour des bénéficiaires inconnus\), [\d,]+ Mo\.\nFoyers : 4 \(\d+ bénéficiaires avec des droits\) ; date du lot 15\/03\/2026, graine 11\.\nDurée : /);
    expect(stderr).not.toMatch(NIR_LIKE);
    expect(existsSync(`${out}.part`)).toBe(false);
    const outcome = await readDcpt1(createReadStream(out), { today });
    expect(outcome.ok && outcome.batch.lineCount).toBe(2_000);
    expect(outcome.ok && outcome.batch.header).toMatchObject({ senderId: 'CPAM751', batchNumber: '000011', amcNumber: '987654321' });
    // Same arguments, same file.
    const again = join(directory, 'again.dcpt1');
    await run(['--households', '4', '--lines', '2000', '--seed', '11', '--out', again, '--date', today, '--unknown-share', '0.05'], db);
    expect(readFileSync(again).equals(readFileSync(out))).toBe(true);
    const other = join(directory, 'other.dcpt1');
    expect((await run(['--households', '4', '--lines', '2000', '--seed', '11', '--batch', 'DEMO-2', '--out', other, '--date', today], db)).code).toBe(0);
    expect(readFileSync(other, 'latin1')).toMatch(/^H\|DCPT1\|CPAM751\|\d{14}\|DEMO-2\|987654321\nD\|DDEMO-2-0000001\|/);
  });

  test('--corrupt writes one defect and says where', async () => {
    const out = join(directory, 'corrupt.dcpt1');
    const { code, stderr } = await run(['--lines=300', '--seed=2', `--out=${out}`, `--date=${today}`, '--corrupt=INVALID_NIR'], db);
    expect(code).toBe(0);
    const line = Number(/Défaut introduit : INVALID_NIR à la ligne ([\d\u202f]+)\./.exec(stderr)?.[1]?.replace(/\u202f/g, ''));
    const outcome = await readDcpt1(createReadStream(out), { today });
    expect(outcome.ok ? [] : outcome.errors.map((e) => [e.code, e.line])).toEqual([['INVALID_NIR', line]]);
    expect(stderr).not.toMatch(NIR_LIKE);
  });

  test('bad arguments: a French message and exit code 2, nothing written', async () => {
    const out = join(directory, 'never.dcpt1');
    const cases: [string[], RegExp][] = [
      [['--out', out], /^--lines est obligatoire\./],
      [['--lines', '10'], /^--out est obligatoire/],
      [['--lines', 'dix', '--out', out], /^--lines attend un nombre entier de 1 à 10\u202f000\u202f000, et non « dix »\./],
      [['--lines', '10', '--out', out, '--households', '0'], /^--households attend un nombre entier de 1 à 100\u202f000/],
      [['--lines', '10', '--out', out, '--date', '2026-02-30'], /^--date attend une date AAAA-MM-JJ, et non « 2026-02-30 »\./],
      [['--lines', '10', '--out', out, '--corrupt', 'TYPO'], /^--corrupt : type de défaut inconnu « TYPO »\. Types possibles : INVALID_ENCODING, /],
      [['--lines', '1', '--out', out, '--corrupt', 'AMO_MISMATCH'], /^--lines attend un nombre entier de 2 à/],
      [['--lines', '10', '--out', out, '--unknown-share', '5%'], /^--unknown-share attend une part entre 0 et 1/],
      [['--lines', '10', '--out', out, '--verbose'], /^Option inconnue : --verbose/],
      [['--lines', '10', '--out'], /^--out attend une valeur\./],
      [['--lines', '10', '--out', out, '--batch', 'lot 1'], /^--batch attend 1 à 20 lettres, chiffres, _ ou -, et non « lot 1 »\./],
    ];
    for (const [args, message] of cases) {
      const { code, stderr } = await run(args);
      expect({ args, code, stderr }).toEqual({ args, code: 2, stderr: expect.stringMatching(message) });
      expect(stderr).toContain('Usage : espace gen-dcpt1');
    }
    expect(existsSync(out)).toBe(false);
    expect((await run(['--corrupt', 'list'])).stderr).toMatch(/^Types de défaut \(--corrupt\) : INVALID_ENCODING, .*TRAILER_SUM_MISMATCH\.\n$/);
  });

  test('a database without members, or an unwritable file, is a clear error', async () => {
    const empty = await createTestDatabase();
    try {
      const { code, stderr } = await run(['--lines', '10', '--out', join(directory, 'empty.dcpt1')], empty);
      expect({ code, stderr }).toEqual({ code: 1, stderr: 'La base ne contient aucun adhérent : créez d’abord les données de démonstration (espace seed).\n' });
    } finally {
      await empty.close();
    }
    const { code, stderr } = await run(['--lines', '10', '--date', today, '--out', join(directory, 'missing', 'lot.dcpt1')], db);
    expect({ code, stderr }).toEqual({ code: 1, stderr: expect.stringMatching(/^Impossible d’écrire .*lot\.dcpt1 \(ENOENT\)\.\n$/) });
    // Real members' NIRs never go to a file in production.
    const production = await run(['--lines', '10', '--out', join(directory, 'prod.dcpt1')], db, { ...config, env: 'production' });
    expect(production).toEqual({ code: 1, stderr: expect.stringMatching(/commande refusée en production\.\n$/) });
    expect(existsSync(join(directory, 'prod.dcpt1'))).toBe(false);
  });
});
