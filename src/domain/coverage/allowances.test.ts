import { describe, expect, test } from 'vitest';
import { annualAllowances } from './allowances.ts';
import { confort, essentiel } from './products.ts';
import { coverageOn, guaranteeTableOn } from './rights.ts';
import type { GuaranteeTable } from './types.ts';

const table2020 = (product: typeof confort) => guaranteeTableOn(product, '2026-03-12')!;

describe('what is left of annual caps', () => {
  test('cap minus the AMC already paid on the counter this year', () => {
    const paid = new Map([['DENTAL_PROSTHESIS', { amoCents: 9_000, amcCents: 30_000 }]]);
    expect(annualAllowances(table2020(confort), paid)).toEqual([
      { counter: 'DENTAL_PROSTHESIS', kind: 'ANNUAL_CAP', label: 'Prothèses dentaires à tarifs maîtrisés ou libres', limitCents: 150_000, usedCents: 30_000, remainingCents: 120_000 },
    ]);
  });

  test('nothing used: the whole cap; the cap reached or passed: zero, never negative', () => {
    expect(annualAllowances(table2020(confort), new Map())[0]).toMatchObject({ usedCents: 0, remainingCents: 150_000 });
    const over = new Map([['DENTAL_PROSTHESIS', { amoCents: 0, amcCents: 150_001 }]]);
    expect(annualAllowances(table2020(confort), over)[0]).toMatchObject({ usedCents: 150_001, remainingCents: 0 });
  });

  test('lines of other rules do not count; a table without caps has none', () => {
    const paid = new Map([['CONSULTATION_OPTAM', { amoCents: 5_000, amcCents: 4_000 }]]);
    expect(annualAllowances(table2020(confort), paid)[0]).toMatchObject({ usedCents: 0 });
    expect(annualAllowances(table2020(essentiel), paid)).toEqual([]);
  });

  test('rules sharing a counter share one cap; a yearly flat counts the AMO when it includes it', () => {
    const table: GuaranteeTable = {
      version: 'test',
      validFrom: '2020-01-01',
      validTo: null,
      rules: [
        { id: 'CROWNS', label: 'Couronnes', when: { families: ['DENTAL_PROSTHESIS'], baskets: ['FREE'] }, cover: [{ form: 'COPAYMENT' }], annualCapCents: 100_000, counter: 'DENTAL' },
        { id: 'BRIDGES', label: 'Bridges', when: { families: ['DENTAL_PROSTHESIS'] }, cover: [{ form: 'COPAYMENT' }], annualCapCents: 100_000, counter: 'DENTAL' },
        { id: 'SOFT', label: 'Médecines douces', when: { families: ['PARAMEDICAL'] }, cover: [{ form: 'FLAT', amountCents: 15_000, per: 'YEAR', includesAmo: true }] },
      ],
    };
    const paid = new Map([
      ['CROWNS', { amoCents: 1_000, amcCents: 20_000 }],
      ['BRIDGES', { amoCents: 1_000, amcCents: 5_000 }],
      ['SOFT', { amoCents: 2_000, amcCents: 4_000 }],
    ]);
    expect(annualAllowances(table, paid)).toEqual([
      { counter: 'DENTAL', kind: 'ANNUAL_CAP', label: 'Couronnes ; Bridges', limitCents: 100_000, usedCents: 25_000, remainingCents: 75_000 },
      { counter: 'SOFT', kind: 'YEARLY_FLAT', label: 'Médecines douces', limitCents: 15_000, usedCents: 6_000, remainingCents: 9_000 },
    ]);
  });
});

describe('guarantee in force on a date', () => {
  const periods = [
    { startDate: '2020-01-01', endDate: '2026-12-31', kind: 'CONTRACT', productCode: 'CONFORT' },
    { startDate: '2026-01-01', endDate: '2026-06-30', kind: 'CSS', productCode: 'CSS' },
  ];

  test('an aid period wins over the contract; outside every period, none', () => {
    expect(coverageOn(periods, '2025-05-01')).toEqual({ productCode: 'CONFORT', aid: 'NONE' });
    expect(coverageOn(periods, '2026-03-12')).toEqual({ productCode: 'CSS', aid: 'CSS' });
    expect(coverageOn(periods, '2027-01-01')).toBeNull();
  });

  test('the version of the tableau in force on the date, or none before the first one', () => {
    expect(guaranteeTableOn(confort, '2026-03-12')?.version).toBe('2020');
    expect(guaranteeTableOn(confort, '2019-12-31')).toBeNull();
  });
});
