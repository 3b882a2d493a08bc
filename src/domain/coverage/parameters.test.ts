import { describe, expect, test } from 'vitest';
import { liquidate } from './engine.ts';
import type { Aid } from './families.ts';
import { inForce, regulatoryParameters, type ParameterSet } from './parameters.ts';
import type { CareLine, Product } from './types.ts';

const adult = { birthDate: '1985-01-10', aid: 'NONE' as Aid };
const consultation = (careDate: string): CareLine => ({ careDate, family: 'CONSULTATION', chargedCents: 3000, baseCents: 3000, amoRateBp: 7000, pathway: 'IN', optam: true });
const pharmacy = (careDate: string): CareLine => ({ careDate, family: 'PHARMACY', chargedCents: 1000, baseCents: 1000, amoRateBp: 6500 });

function first(product: string | Product, line: CareLine, parameters?: ParameterSet) {
  const result = liquidate({ product, beneficiary: adult, lines: [line] }, parameters).lines[0];
  if (!result) throw new Error('no result');
  return result;
}

describe('parameter changes by date of care', () => {
  test('PF: 1 € for care before 15 May 2024, 2 € from that day', () => {
    expect(first('ESSENTIEL', consultation('2024-05-14')).flatFeeCents).toBe(100);
    expect(first('ESSENTIEL', consultation('2024-05-15')).flatFeeCents).toBe(200);
  });

  test('franchise: 0,50 € per box before 31 March 2024, 1 € from that day', () => {
    expect(first('ESSENTIEL', pharmacy('2024-03-30')).deductibleCents).toBe(50);
    expect(first('ESSENTIEL', pharmacy('2024-03-31')).deductibleCents).toBe(100);
  });

  test('a new PF amount is a data change only: a new dated row, old care keeps the old value', () => {
    const flatFee = regulatoryParameters.flatFee.map((row) => (row.validTo === null ? { ...row, validTo: '2026-12-31' } : row));
    const changed: ParameterSet = {
      ...regulatoryParameters,
      flatFee: [...flatFee, { validFrom: '2027-01-01', validTo: null, value: { amountCents: 400, dailyCapCents: 1600, annualCapCents: 10_000, families: ['CONSULTATION', 'TECHNICAL', 'LAB'] }, source: 'test', confirmed: true }],
    };
    expect(first('ESSENTIEL', consultation('2026-12-31'), changed).flatFeeCents).toBe(200);
    expect(first('ESSENTIEL', consultation('2027-01-01'), changed).flatFeeCents).toBe(400);
    expect(first('ESSENTIEL', consultation('2027-01-01')).flatFeeCents).toBe(200);
  });

  test('responsable optics ceilings: 470 € / frame 150 € until 2019, 420 € / frame 100 € from 2020', () => {
    const rich: Product = {
      code: 'RICH',
      label: 'Riche',
      responsible: true,
      versions: [{ version: '1', validFrom: '2015-01-01', validTo: null, rules: [{ id: 'ALL', label: 'Tout', when: { families: ['OPTICS_FRAME', 'OPTICS_LENS_SIMPLE'] }, cover: [{ form: 'ACTUAL_COST' }] }] }],
    };
    const covered = (careDate: string) =>
      liquidate({
        product: rich,
        beneficiary: adult,
        lines: [
          { careDate, family: 'OPTICS_FRAME', chargedCents: 30_000, baseCents: 0, amoRateBp: 0 },
          { careDate, family: 'OPTICS_LENS_SIMPLE', chargedCents: 60_000, baseCents: 0, amoRateBp: 0, quantity: 2 },
        ],
      }).lines.map((line) => line.amcCents);
    expect(covered('2019-12-31')).toEqual([15_000, 32_000]);
    expect(covered('2020-01-01')).toEqual([10_000, 32_000]);
  });

  test('forfait actes lourds: 18 € until 2018, 24 € from 2019', () => {
    const stay = (careDate: string): CareLine => ({ careDate, family: 'HOSPITAL_STAY', chargedCents: 300_000, baseCents: 300_000, amoRateBp: 8000 });
    expect(first('ESSENTIEL', stay('2026-01-01')).amoCents).toBe(297_600);
    const old = inForce(regulatoryParameters.heavyActFee, '2018-12-31');
    expect(old?.amountCents).toBe(1800);
  });

  test('guarantee tables are versioned: a care date picks the version in force', () => {
    const versioned: Product = {
      code: 'V',
      label: 'Versionné',
      responsible: true,
      versions: [
        { version: '2025', validFrom: '2025-01-01', validTo: '2025-12-31', rules: [{ id: 'ROOM', label: 'Chambre', when: { families: ['PRIVATE_ROOM'] }, cover: [{ form: 'FLAT', amountCents: 4000, per: 'DAY', includesAmo: false }] }] },
        { version: '2026', validFrom: '2026-01-01', validTo: null, rules: [{ id: 'ROOM', label: 'Chambre', when: { families: ['PRIVATE_ROOM'] }, cover: [{ form: 'FLAT', amountCents: 5000, per: 'DAY', includesAmo: false }] }] },
      ],
    };
    const room = (careDate: string): CareLine => ({ careDate, family: 'PRIVATE_ROOM', chargedCents: 20_000, baseCents: 0, amoRateBp: 0, quantity: 2 });
    expect([first(versioned, room('2025-12-31')).amcCents, first(versioned, room('2025-12-31')).guaranteeTable]).toEqual([8000, 'V@2025']);
    expect([first(versioned, room('2026-01-01')).amcCents, first(versioned, room('2026-01-01')).guaranteeTable]).toEqual([10_000, 'V@2026']);
  });
});
