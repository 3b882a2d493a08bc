import { describe, expect, test } from 'vitest';
import { formatEuros } from '../money.ts';
import { liquidate } from './engine.ts';
import type { Aid } from './families.ts';
import type { CareLine, HistoryLine, LineResult, Product } from './types.ts';
import { CoverageInputError } from './types.ts';

const adult = { birthDate: '1985-01-10', aid: 'NONE' as Aid };

function one(product: string | Product, line: CareLine, beneficiary = adult, history: HistoryLine[] = []): LineResult {
  const [result] = liquidate({ product, beneficiary, history, lines: [line] }).lines;
  if (!result) throw new Error('no result');
  return result;
}

const gp = (overrides: Partial<CareLine> = {}): CareLine => ({
  careDate: '2026-01-12',
  family: 'CONSULTATION',
  act: 'G',
  basket: null,
  chargedCents: 3000,
  baseCents: 3000,
  amoRateBp: 7000,
  pathway: 'IN',
  optam: true,
  quantity: 1,
  ...overrides,
});

const amounts = (line: LineResult) => ({ amo: line.amoCents, amoNet: line.amoNetCents, amc: line.amcCents, remaining: line.remainingCents });

describe('coverage test vectors (domain.md §12)', () => {
  test('T18 GP secteur 1, 30 €, 70 %, PF 2 €, contract 100 % BR incl.: AMO net 19,00, AMC 9,00, RAC 2,00', () => {
    const line = one('ESSENTIEL', gp());
    expect(amounts(line)).toEqual({ amo: 2100, amoNet: 1900, amc: 900, remaining: 200 });
    expect(line.flatFeeCents).toBe(200);
    expect(line.explanation).toBe(
      `La Sécurité sociale rembourse 70\u00A0% de la base de ${formatEuros(3000)}, soit ${formatEuros(2100)}, moins ${formatEuros(200)} de participation forfaitaire. ` +
        `Votre contrat prend en charge 100\u00A0% de la base (Sécurité sociale incluse) : votre mutuelle verse ${formatEuros(900)}. ` +
        `Reste à votre charge : ${formatEuros(200)} (participation forfaitaire, jamais remboursable).`,
    );
  });

  test('T19 same, CSS beneficiary: no PF, AMO 21,00, AMC 9,00, RAC 0', () => {
    const line = one('CSS', gp(), { birthDate: '1985-01-10', aid: 'CSS' });
    expect(amounts(line)).toEqual({ amo: 2100, amoNet: 2100, amc: 900, remaining: 0 });
    expect(line.steps).toContainEqual({ code: 'EXEMPTION', reason: 'AID' });
  });

  test('T20 same, hors parcours (AMO 30 %): AMO net 7,00, AMC 9,00, RAC 14,00', () => {
    const line = one('ESSENTIEL', gp({ amoRateBp: 3000, pathway: 'OUT' }));
    expect(amounts(line)).toEqual({ amo: 900, amoNet: 700, amc: 900, remaining: 1400 });
    expect(line.explanation).toContain('majoration du ticket modérateur reste à votre charge');
  });

  test('T21 specialist OPTAM FR 60, BR 31,50, contract 200 % incl.: AMO net 20,05, AMC 37,95, RAC 2,00', () => {
    const line = one('CONFORT', gp({ act: 'CS', chargedCents: 6000, baseCents: 3150 }));
    expect(amounts(line)).toEqual({ amo: 2205, amoNet: 2005, amc: 3795, remaining: 200 });
    expect(line.rule).toBe('CONSULTATION_OPTAM');
  });

  test('T22 specialist non-OPTAM FR 60, BR 23, contract 180 % incl.: AMO net 14,10, AMC 25,30, RAC 20,60', () => {
    const line = one('CONFORT', gp({ act: 'CS', chargedCents: 6000, baseCents: 2300, optam: false }));
    expect(amounts(line)).toEqual({ amo: 1610, amoNet: 1410, amc: 2530, remaining: 2060 });
    expect(line.rule).toBe('CONSULTATION_NON_OPTAM');
  });

  test('T23 pharmacy 65 %, 10 €, franchise 1 €: AMO net 5,50, AMC 3,50, RAC 1,00', () => {
    const line = one('ESSENTIEL', { careDate: '2026-01-12', family: 'PHARMACY', act: 'PH7', chargedCents: 1000, baseCents: 1000, amoRateBp: 6500, pathway: 'NA' });
    expect(amounts(line)).toEqual({ amo: 650, amoNet: 550, amc: 350, remaining: 100 });
    expect(line.deductibleCents).toBe(100);
  });

  test('T24 pharmacy 15 %, 4 €, contract excluding 15 %: franchise 0,60 deducted, 0,40 still due, AMC 0, RAC 4,00', () => {
    const line = one('ESSENTIEL', { careDate: '2026-01-12', family: 'PHARMACY', act: 'PH2', chargedCents: 400, baseCents: 400, amoRateBp: 1500 });
    expect(amounts(line)).toEqual({ amo: 60, amoNet: 0, amc: 0, remaining: 400 });
    expect([line.deductibleCents, line.deductibleDeferredCents]).toEqual([60, 40]);
    expect(line.rule).toBe('NOT_COVERED');
    expect(line.explanation).toContain(`Restent dus ${formatEuros(40)} de franchise médicale`);
  });

  test('T25 détartrage BR 28,92 at 60 %: AMO 17,35, TM 11,57', () => {
    const line = one('ESSENTIEL', { careDate: '2026-01-12', family: 'DENTAL_CARE', act: 'HBJD001', chargedCents: 2892, baseCents: 2892, amoRateBp: 6000 });
    expect([line.amoCents, line.amcCents, line.remainingCents]).toEqual([1735, 1157, 0]);
  });

  test('T26 same act at 70 % (before 15 Oct 2023): AMO 20,24, TM 8,68', () => {
    const line = one('ESSENTIEL', { careDate: '2023-10-14', family: 'DENTAL_CARE', act: 'HBJD001', chargedCents: 2892, baseCents: 2892, amoRateBp: 7000 });
    expect([line.amoCents, line.amcCents, line.remainingCents]).toEqual([2024, 868, 0]);
  });

  test('T27 hospital stay E4: AMO 3 226,00, AMC 524,00, RAC 100,00', () => {
    const result = liquidate({
      product: 'CONFORT',
      beneficiary: adult,
      lines: [
        { careDate: '2026-03-10', family: 'HOSPITAL_STAY', chargedCents: 300_000, baseCents: 300_000, amoRateBp: 8000 },
        { careDate: '2026-03-10', family: 'HOSPITAL_FEES', act: 'surgery', chargedCents: 45_000, baseCents: 25_000, amoRateBp: 10_000, optam: true },
        { careDate: '2026-03-10', family: 'DAILY_FLAT_FEE', chargedCents: 10_000, baseCents: 0, amoRateBp: 0, quantity: 5 },
        { careDate: '2026-03-10', family: 'PRIVATE_ROOM', chargedCents: 30_000, baseCents: 0, amoRateBp: 0, quantity: 4 },
      ],
    });
    expect(result.lines.map(amounts)).toEqual([
      { amo: 297_600, amoNet: 297_600, amc: 2400, remaining: 0 },
      { amo: 25_000, amoNet: 25_000, amc: 20_000, remaining: 0 },
      { amo: 0, amoNet: 0, amc: 10_000, remaining: 0 },
      { amo: 0, amoNet: 0, amc: 20_000, remaining: 10_000 },
    ]);
    expect(result.totals).toMatchObject({ chargedCents: 385_000, amoCents: 322_600, amcCents: 52_400, remainingCents: 10_000 });
    expect(result.lines[0]?.steps).toContainEqual({ code: 'HEAVY_ACT_FEE', amountCents: 2400 });
  });

  test('T28 crown 100 % Santé FR 500, BR 120: AMO 72,00, AMC 428,00, RAC 0 (PLV from the tables)', () => {
    const line = one('ESSENTIEL', { careDate: '2026-02-02', family: 'DENTAL_PROSTHESIS', act: 'HBLD634', basket: '100S', chargedCents: 50_000, baseCents: 12_000, amoRateBp: 6000 });
    expect(amounts(line)).toEqual({ amo: 7200, amoNet: 7200, amc: 42_800, remaining: 0 });
    expect(line.steps).toContainEqual({ code: 'PRICE_CAP', limitCents: 50_000, source: 'TABLE' });
  });

  test('T29 crown at free price FR 800, contract 300 % BR incl.: AMC 288,00, RAC 440,00', () => {
    const line = one('CONFORT', { careDate: '2026-02-02', family: 'DENTAL_PROSTHESIS', act: 'HBLD350', basket: 'FREE', chargedCents: 80_000, baseCents: 12_000, amoRateBp: 6000 });
    expect(amounts(line)).toEqual({ amo: 7200, amoNet: 7200, amc: 28_800, remaining: 44_000 });
  });

  test('T30 hearing aid classe II FR 1 800 (≥ 20 years): AMO 240, AMC at most 1 460, RAC at least 100', () => {
    const hearing: CareLine = { careDate: '2026-02-02', family: 'HEARING_AID', basket: 'FREE', chargedCents: 180_000, baseCents: 40_000, amoRateBp: 6000 };
    const generous: Product = {
      code: 'FRAIS_REELS',
      label: 'Frais réels',
      responsible: true,
      versions: [{ version: '1', validFrom: '2020-01-01', validTo: null, rules: [{ id: 'ALL', label: 'Tout', when: { families: ['HEARING_AID'] }, cover: [{ form: 'ACTUAL_COST' }] }] }],
    };
    const capped = one(generous, hearing);
    expect(amounts(capped)).toEqual({ amo: 24_000, amoNet: 24_000, amc: 146_000, remaining: 10_000 });
    expect(capped.steps).toContainEqual({ code: 'CEILING', ceiling: 'HEARING_AID', limitCents: 170_000, reductionCents: 10_000 });
    const confort = one('CONFORT', hearing);
    expect(amounts(confort)).toEqual({ amo: 24_000, amoNet: 24_000, amc: 96_000, remaining: 60_000 });
  });

  test('T31 glasses classe B 180 + 2 × 120, contract frame 100 / lens 75 incl.: AMO 0,09, AMC 249,91, RAC 170,00', () => {
    const result = liquidate({
      product: 'CONFORT',
      beneficiary: adult,
      lines: [
        { careDate: '2026-04-01', family: 'OPTICS_FRAME', basket: 'FREE', chargedCents: 18_000, baseCents: 5, amoRateBp: 6000 },
        { careDate: '2026-04-01', family: 'OPTICS_LENS_SIMPLE', basket: 'FREE', chargedCents: 24_000, baseCents: 10, amoRateBp: 6000, quantity: 2 },
      ],
    });
    expect(result.lines.map((line) => line.amcCents)).toEqual([9997, 14_994]);
    expect(result.totals).toMatchObject({ amoCents: 9, amcCents: 24_991, remainingCents: 17_000 });
  });

  test('T32 franchises already 48 € this year, then one transport (4 €): 2 € deducted (annual cap 50 €)', () => {
    const history: HistoryLine[] = Array.from({ length: 12 }, (_, index) => ({
      careDate: `2026-02-${String(index + 1).padStart(2, '0')}`,
      family: 'TRANSPORT',
      chargedCents: 5000,
      baseCents: 5000,
      amoRateBp: 6500,
      amoCents: 3250,
      amcCents: 1750,
      deductibleCents: 400,
    }));
    const line = one('ESSENTIEL', { careDate: '2026-03-01', family: 'TRANSPORT', chargedCents: 5000, baseCents: 5000, amoRateBp: 6500 }, adult, history);
    expect(line.deductibleCents).toBe(200);
    expect(line.steps).toContainEqual({ code: 'DEDUCTIBLE', amountCents: 200, deferredCents: 0, computed: true, cappedBy: 'ANNUAL' });
  });

  test('T33 5 physiotherapy acts the same day: franchise 4 € in all (daily cap)', () => {
    const physio: CareLine = { careDate: '2026-03-02', family: 'PARAMEDICAL', act: 'AMK', chargedCents: 1619, baseCents: 1619, amoRateBp: 6000 };
    const result = liquidate({ product: 'ESSENTIEL', beneficiary: adult, lines: Array.from({ length: 5 }, () => physio) });
    expect(result.lines.map((line) => line.deductibleCents)).toEqual([100, 100, 100, 100, 0]);
    expect(result.totals.deductibleCents).toBe(400);
  });

  test('T34 3 transport trips the same day: franchise 8 € in all (daily cap)', () => {
    const trip: CareLine = { careDate: '2026-03-02', family: 'TRANSPORT', chargedCents: 6000, baseCents: 6000, amoRateBp: 6500 };
    const result = liquidate({ product: 'ESSENTIEL', beneficiary: adult, lines: [trip, trip, trip] });
    expect(result.lines.map((line) => line.deductibleCents)).toEqual([400, 400, 0]);
    expect(result.totals.deductibleCents).toBe(800);
  });
});

describe('engine rules', () => {
  test('a line as in the issue, with amounts given by the décompte, keeps them', () => {
    const line = one('CONFORT', gp({ amoCents: 2100, flatFeeCents: 200, deductibleCents: 0 }));
    expect(amounts(line)).toEqual({ amo: 2100, amoNet: 1900, amc: 900, remaining: 200 });
    expect(line.steps[0]).toMatchObject({ code: 'AMO', computed: false });
  });

  test('exemptions: under 18, maternity; PF still applies in ALD (AMO 100 %)', () => {
    expect(one('ESSENTIEL', gp(), { birthDate: '2010-05-01', aid: 'NONE' }).flatFeeCents).toBe(0);
    expect(one('ESSENTIEL', gp({ maternity: true })).flatFeeCents).toBe(0);
    expect(one('ESSENTIEL', gp(), { birthDate: '1985-01-10', aid: 'ACS_B' }).flatFeeCents).toBe(0);
    const ald = one('ESSENTIEL', gp({ amoRateBp: 10_000 }));
    expect(amounts(ald)).toEqual({ amo: 3000, amoNet: 2800, amc: 0, remaining: 200 });
  });

  test('responsable non-OPTAM ceiling: AMO + AMC ≤ 200 % of the base whatever the contract says', () => {
    const rich: Product = {
      code: 'RICH',
      label: 'Riche',
      responsible: true,
      versions: [{ version: '1', validFrom: '2020-01-01', validTo: null, rules: [{ id: 'ALL', label: 'Tout', when: { families: ['CONSULTATION'] }, cover: [{ form: 'BASE_PERCENT_INCL_AMO', rateBp: 40_000 }] }] }],
    };
    const line = one(rich, gp({ chargedCents: 10_000, baseCents: 2300, optam: false }));
    expect(line.amoCents + line.amcCents).toBe(4600);
    expect(one({ ...rich, responsible: false }, gp({ chargedCents: 10_000, baseCents: 2300, optam: false })).amcCents).toBe(9200 - 1610);
  });

  test('hors parcours: the majoration stays with the member even without a contrat responsable', () => {
    const plain: Product = {
      code: 'PLAIN',
      label: 'Non responsable',
      responsible: false,
      versions: [{ version: '1', validFrom: '2020-01-01', validTo: null, rules: [{ id: 'ALL', label: 'Tout', when: { families: ['CONSULTATION'] }, cover: [{ form: 'BASE_PERCENT_INCL_AMO', rateBp: 30_000 }] }] }],
    };
    const line = one(plain, gp({ amoRateBp: 3000, pathway: 'OUT', chargedCents: 6000 }));
    expect(amounts(line)).toEqual({ amo: 900, amoNet: 700, amc: 6000 - 2100, remaining: 1400 });
  });

  test('optics classe B equipment ceiling and frame ceiling (responsable)', () => {
    const rich: Product = {
      code: 'RICH',
      label: 'Riche',
      responsible: true,
      versions: [{ version: '1', validFrom: '2020-01-01', validTo: null, rules: [{ id: 'ALL', label: 'Tout', when: { families: ['OPTICS_FRAME', 'OPTICS_LENS_SIMPLE'] }, cover: [{ form: 'ACTUAL_COST' }] }] }],
    };
    const result = liquidate({
      product: rich,
      beneficiary: adult,
      lines: [
        { careDate: '2026-04-01', family: 'OPTICS_FRAME', chargedCents: 30_000, baseCents: 5, amoRateBp: 6000 },
        { careDate: '2026-04-01', family: 'OPTICS_LENS_SIMPLE', chargedCents: 50_000, baseCents: 10, amoRateBp: 6000, quantity: 2 },
      ],
    });
    expect(result.lines.map((line) => line.amoCents + line.amcCents)).toEqual([10_000, 32_000]);
    expect(result.lines[1]?.steps).toContainEqual({ code: 'CEILING', ceiling: 'OPTICS_EQUIPMENT', limitCents: 42_000, reductionCents: 50_000 - 6 - 31_994 });
  });

  test('classe A optics (100 % Santé) with a PLV given on the line: nothing left to pay', () => {
    const line = one('ESSENTIEL', { careDate: '2026-04-01', family: 'OPTICS_LENS_SIMPLE', basket: '100S', chargedCents: 7500, baseCents: 1500, amoRateBp: 6000, quantity: 2, priceCapCents: 7500 });
    expect(amounts(line)).toEqual({ amo: 900, amoNet: 900, amc: 6600, remaining: 0 });
  });

  test('CONFORT hearing aid classe II: 100 % BR + 800 € per ear', () => {
    const line = one('CONFORT', { careDate: '2026-02-02', family: 'HEARING_AID', basket: 'FREE', chargedCents: 300_000, baseCents: 80_000, amoRateBp: 6000, quantity: 2 });
    expect(amounts(line)).toEqual({ amo: 48_000, amoNet: 48_000, amc: 32_000 + 160_000, remaining: 60_000 });
  });

  test('ACS C: optics credit per equipment shared by its lines', () => {
    const result = liquidate({
      product: 'ACS_C',
      beneficiary: { birthDate: '1970-01-01', aid: 'ACS_C' },
      lines: [
        { careDate: '2019-06-01', family: 'OPTICS_FRAME', chargedCents: 12_000, baseCents: 284, amoRateBp: 6000 },
        { careDate: '2019-06-01', family: 'OPTICS_LENS_SIMPLE', chargedCents: 16_000, baseCents: 544, amoRateBp: 6000, quantity: 2 },
      ],
    });
    const covered = result.lines.reduce((sum, line) => sum + line.amoCents + line.amcCents, 0);
    expect(covered).toBe(15_000);
    expect(result.lines[0]?.rule).toBe('OPTICS_SIMPLE_EQUIPMENT');
  });

  test('lines are liquidated in care-date order and returned in input order', () => {
    const result = liquidate({
      product: 'ESSENTIEL',
      beneficiary: adult,
      history: [{ ...gp({ careDate: '2026-01-01' }), amoCents: 2100, amcCents: 900, flatFeeCents: 4800 }],
      lines: [gp({ careDate: '2026-06-01' }), gp({ careDate: '2026-02-01' })],
    });
    expect(result.lines.map((line) => [line.careDate, line.flatFeeCents])).toEqual([
      ['2026-06-01', 0],
      ['2026-02-01', 200],
    ]);
  });

  test('errors name the field: unknown product, no guarantee in force', () => {
    expect(() => liquidate({ product: 'NOPE', beneficiary: adult, lines: [gp()] })).toThrow(CoverageInputError);
    try {
      liquidate({ product: 'CONFORT', beneficiary: adult, lines: [gp(), gp({ careDate: '2019-01-01' })] });
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ code: 'NO_GUARANTEE_IN_FORCE', field: 'lines[1].careDate' });
    }
  });
});
