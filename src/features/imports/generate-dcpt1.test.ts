import { describe, expect, test } from 'vitest';
import { DCPT1_ERROR_CODES, readDcpt1, type Dcpt1Outcome, type ParsedBatch } from '../../domain/claims/dcpt1.ts';
import { computeNirKey } from '../../domain/identity/nir.ts';
import {
  DCPT1_CORRUPT_KINDS,
  expectedDefect,
  generateDcpt1,
  minimumLines,
  type Dcpt1GeneratorOptions,
  type Dcpt1Lot,
  type Dcpt1Person,
} from './generate-dcpt1.ts';

const nir = (body: string) => body + computeNirKey(body);
const today = '2026-03-15';
const family = nir('1850175056123');
const corsica = nir('253072A073004');
const overseas = nir('2900397411045');
const people: Dcpt1Person[] = [
  { insuredNir: family, ownNir: family, birthDate: '1985-01-10', birthRank: 1, quality: 'ASS', fund: '751' },
  { insuredNir: nir('2870369383041'), ownNir: null, birthDate: '1987-03-02', birthRank: 1, quality: 'CJT' },
  { insuredNir: family, birthDate: '2016-06-01', birthRank: 1, quality: 'ENF' },
  { insuredNir: family, birthDate: '2021-09-12', birthRank: 1, quality: 'ENF' },
  { insuredNir: family, birthDate: '2021-09-12', birthRank: 2, quality: 'ENF' },
  { insuredNir: corsica, ownNir: corsica, birthDate: '1953-07-20', birthRank: 1, quality: 'ASS', fund: '02A' },
  { insuredNir: overseas, ownNir: overseas, birthDate: '1990-03-08', birthRank: 1, quality: 'ASS', fund: '974', solidarity: true },
  // Rights from 1 March only: care stays inside them.
  { insuredNir: nir('1620559350012'), ownNir: null, birthDate: '1962-05-30', birthRank: 1, quality: 'ASS', rightsFrom: '2026-03-01', rightsTo: '2026-12-31' },
];
const knownKeys = new Set(people.map((p) => `${p.insuredNir}|${p.birthDate}|${p.birthRank}`));

async function* stream(lot: Iterable<Uint8Array>): AsyncIterable<Uint8Array> {
  yield* lot;
}
const parse = (lot: Dcpt1Lot, date = today): Promise<Dcpt1Outcome> => readDcpt1(stream(lot), { today: date });
const bytesOf = (lot: Dcpt1Lot) => Buffer.concat([...lot]);

async function parsed(options: Partial<Dcpt1GeneratorOptions> & { lines: number }, who = people): Promise<{ batch: ParsedBatch; lot: Dcpt1Lot }> {
  const lot = generateDcpt1(who, { seed: 7, today, ...options });
  const outcome = await parse(lot);
  if (!outcome.ok) throw new Error(`lot rejected: ${JSON.stringify(outcome.errors.slice(0, 3))}`);
  return { batch: outcome.batch, lot };
}

const dayBefore = (days: number) => new Date(Date.parse(`${today}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);

describe('generateDcpt1', () => {
  test('writes a lot the parser accepts, with an exact trailer', async () => {
    const { batch, lot } = await parsed({ lines: 3_000, unknownShare: 0.1 });
    const summary = lot.summary!;
    expect(batch.header).toMatchObject({ senderId: 'CPAM751', batchNumber: '000007', amcNumber: '123456789' });
    expect(batch.header.createdAt.slice(0, 10)).toBe(today);
    expect(batch.lineCount).toBe(3_000);
    expect(summary).toMatchObject({ lines: 3_000, statements: batch.statements.length, defect: null });
    expect(batch.trailer).toEqual({ batchNumber: '000007', ...summary.trailer });
    const lines = batch.statements.flatMap((s) => s.lines);
    expect(batch.trailer.chargedCents).toBe(lines.reduce((sum, l) => sum + l.chargedCents, 0));
    expect(batch.trailer.amoCents).toBe(lines.reduce((sum, l) => sum + l.amoCents, 0));
    expect(summary.bytes).toBe(bytesOf(lot).length);
    for (const statement of batch.statements) {
      expect(statement.lines.length).toBeGreaterThanOrEqual(1);
      expect(statement.lines.length).toBeLessThanOrEqual(4);
      expect(statement.liquidationDate <= today).toBe(true);
      for (const line of statement.lines) {
        expect(line.careDate >= dayBefore(60) && line.careEndDate <= statement.liquidationDate).toBe(true);
      }
    }
  });

  test('keeps care inside the window and the rights of each beneficiary, and after birth', async () => {
    const { batch } = await parsed({ lines: 4_000 });
    const late = batch.statements.filter((s) => s.insuredNir === people[7]!.insuredNir);
    expect(late.length).toBeGreaterThan(0);
    for (const s of late) for (const l of s.lines) expect(l.careDate >= '2026-03-01').toBe(true);
    for (const s of batch.statements) {
      expect(knownKeys.has(`${s.insuredNir}|${s.beneficiary.birthDate}|${s.beneficiary.birthRank}`)).toBe(true);
      for (const l of s.lines) expect(l.careDate >= s.beneficiary.birthDate).toBe(true);
    }
  });

  test('unknownShare: that share of décomptes carries valid NIRs the mutuelle does not know', async () => {
    const { batch, lot } = await parsed({ lines: 6_000, unknownShare: 0.2 });
    const unknown = batch.statements.filter((s) => !knownKeys.has(`${s.insuredNir}|${s.beneficiary.birthDate}|${s.beneficiary.birthRank}`));
    expect(unknown.length).toBe(lot.summary!.unknownStatements);
    expect(unknown.length / batch.statements.length).toBeGreaterThan(0.15);
    expect(unknown.length / batch.statements.length).toBeLessThan(0.25);
    expect(unknown.every((s) => !people.some((p) => p.insuredNir === s.insuredNir))).toBe(true);
    // With nobody to match, every décompte is for an unknown beneficiary.
    const alone = await parsed({ lines: 200 }, []);
    expect(alone.lot.summary!.unknownStatements).toBe(alone.batch.statements.length);
  });

  test('is deterministic for a seed, and another seed gives another lot', () => {
    const options = { lines: 2_500, seed: 42, today, unknownShare: 0.05 };
    const lot = generateDcpt1(people, options);
    const first = bytesOf(lot);
    expect(bytesOf(lot).equals(first)).toBe(true);
    expect(bytesOf(generateDcpt1(people, options)).equals(first)).toBe(true);
    expect(bytesOf(generateDcpt1(people, { ...options, seed: 43 })).equals(first)).toBe(false);
    expect(bytesOf(generateDcpt1(people, { ...options, batchNumber: 'LOT-A', senderId: 'CPAM691', amcNumber: '42' })).toString('utf8')).toMatch(/^H\|DCPT1\|CPAM691\|2026031\d{7}\|LOT-A\|42\n/);
  });

  test('has a realistic mix: acts, tiers payant, parcours, deductions', async () => {
    const { batch } = await parsed({ lines: 20_000, seed: 3 });
    const lines = batch.statements.flatMap((s) => s.lines.map((l) => ({ ...l, statement: s })));
    const families = new Set(lines.map((l) => l.act.family));
    for (const f of ['CONSULTATION', 'PHARMACY', 'LAB', 'PARAMEDICAL', 'DENTAL_CARE', 'DENTAL_PROSTHESIS', 'OPTICS_FRAME', 'HEARING_AID', 'TECHNICAL', 'HOSPITAL_STAY', 'DAILY_FLAT_FEE', 'HOSPITAL_FEES', 'TRANSPORT']) {
      expect(families).toContain(f);
    }
    const share = (of: typeof lines, keep: (l: (typeof lines)[number]) => boolean) => of.filter(keep).length / of.length;
    const pharmacy = lines.filter((l) => l.act.family === 'PHARMACY');
    const consultations = lines.filter((l) => l.act.family === 'CONSULTATION');
    const hospital = lines.filter((l) => l.act.family === 'HOSPITAL_STAY');
    expect(share(pharmacy, (l) => l.thirdParty === 'AMO_AMC')).toBeGreaterThan(0.7);
    expect(share(hospital, (l) => l.thirdParty === 'AMO_AMC')).toBeGreaterThan(0.85);
    expect(share(consultations.filter((l) => l.statement.insuredNir !== overseas), (l) => l.thirdParty === 'NONE')).toBeGreaterThan(0.7);
    expect(share(consultations, (l) => l.pathway === 'IN')).toBeGreaterThan(0.85);
    expect(consultations.some((l) => l.pathway === 'OUT' && l.amoRateBp === 3_000)).toBe(true);
    expect(lines.some((l) => l.act.code === 'G' && l.chargedCents === 3_000 && l.amoCents === 2_100 && l.flatFeeCents === 200)).toBe(true);
    // No participation forfaitaire nor franchise for children and CSS beneficiaries.
    for (const l of lines) {
      if (l.statement.beneficiary.quality === 'ENF' || l.statement.insuredNir === overseas) expect(l.flatFeeCents + l.deductibleCents).toBe(0);
    }
    expect(lines.filter((l) => l.act.family === 'PHARMACY' && l.statement.beneficiary.quality === 'ASS' && l.statement.insuredNir !== overseas).every((l) => l.deductibleCents > 0)).toBe(true);
    const perStatement = new Set(batch.statements.map((s) => s.lines.length));
    expect([...perStatement].sort()).toEqual([1, 2, 3, 4]);
    expect(new Set(lines.filter((l) => l.act.family === 'OPTICS_FRAME').map((l) => l.basketCode))).toEqual(new Set(['A', 'B']));
  });

  test('streams the lot in chunks instead of one block', () => {
    const chunks = [...generateDcpt1(people, { lines: 20_000, seed: 1, today })];
    expect(chunks.length).toBeGreaterThan(5);
    expect(Math.max(...chunks.map((c) => c.length))).toBeLessThanOrEqual(256 * 1024 + 4_096);
  });

  test('rejects bad options and bad people without quoting a NIR', () => {
    expect(() => generateDcpt1(people, { lines: 0, seed: 1, today })).toThrow(/lines/);
    expect(() => generateDcpt1(people, { lines: 1, seed: 1, today, corrupt: 'AMO_MISMATCH' })).toThrow(/lines must be an integer from 2/);
    expect(() => generateDcpt1(people, { lines: 10, seed: -1, today })).toThrow(/seed/);
    expect(() => generateDcpt1(people, { lines: 10, seed: 1, today: '15/03/2026' })).toThrow(/today/);
    expect(() => generateDcpt1(people, { lines: 10, seed: 1, today, unknownShare: 1.5 })).toThrow(/unknownShare/);
    expect(() => generateDcpt1(people, { lines: 10, seed: 1, today, batchNumber: 'X'.repeat(21) })).toThrow(/batchNumber/);
    const wrongKey = `${family.slice(0, 13)}00`;
    expect(() => generateDcpt1([{ ...people[0]!, insuredNir: wrongKey }], { lines: 10, seed: 1, today })).toThrow(/^people\[0\]: insuredNir is not a valid NIR$/);
  });
});

describe('generateDcpt1 with a defect', () => {
  test('offers one defect per validation error of the parser', () => {
    expect([...DCPT1_CORRUPT_KINDS].sort()).toEqual(DCPT1_ERROR_CODES.filter((c) => c !== 'TOO_MANY_ERRORS').sort());
  });

  test.each(DCPT1_CORRUPT_KINDS)('%s: the parser reports exactly that error, at the announced line', async (kind) => {
    for (const [lines, seed, who] of [[minimumLines(kind), 1, people], [37, 2, people], [600, 3, people], [50, 4, []]] as const) {
      const options = { lines, seed, today, corrupt: kind, unknownShare: 0.1 };
      const lot = generateDcpt1(who, options);
      const outcome = await parse(lot);
      const expected = expectedDefect(who, options)!;
      expect(expected).toEqual(lot.summary!.defect);
      expect(expected.code).toBe(kind);
      expect(outcome.ok).toBe(false);
      if (outcome.ok) continue;
      expect({ lines, seed, errors: outcome.errors.map((e) => ({ line: e.line, code: e.code })) }).toEqual({ lines, seed, errors: [expected] });
    }
  });

  test('the defect sits in the middle of a large lot and the rest of the lot is unchanged in kind', async () => {
    const lot = generateDcpt1(people, { lines: 5_000, seed: 9, today, corrupt: 'AMO_MISMATCH' });
    const outcome = await parse(lot);
    const defect = lot.summary!.defect!;
    expect(defect.line).toBeGreaterThan(lot.summary!.records / 3);
    expect(defect.line).toBeLessThan((2 * lot.summary!.records) / 3);
    expect(outcome.ok ? [] : outcome.errors.map((e) => e.code)).toEqual(['AMO_MISMATCH']);
  });
});
