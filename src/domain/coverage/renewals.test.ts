import { describe, expect, test } from 'vitest';
import { addMonths } from '../dates.ts';
import { liquidate } from './engine.ts';
import { inForce, regulatoryParameters, type RenewalParameters } from './parameters.ts';
import { nextHearingAidDate, nextOpticsEquipmentDate, opticsRenewalMonths } from './renewals.ts';
import type { CareLine } from './types.ts';

const renewal = inForce(regulatoryParameters.renewal, '2026-03-12')!;
const glasses = (careDate: string): CareLine[] => [
  { careDate, family: 'OPTICS_FRAME', basket: 'FREE', chargedCents: 15_000, baseCents: 5, amoRateBp: 6000 },
  { careDate, family: 'OPTICS_LENS_SIMPLE', basket: 'FREE', chargedCents: 20_000, baseCents: 10, amoRateBp: 6000, quantity: 2 },
];
const dayBefore = (date: string) => new Date(Date.parse(`${date}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);

/** What the engine itself does with a second equipment on `date` after one on `last`: covered or not. */
function engineCovers(birthDate: string, last: string, date: string): boolean {
  const beneficiary = { birthDate, aid: 'NONE' as const };
  const history = liquidate({ product: 'CONFORT', beneficiary, lines: glasses(last) }).lines;
  return liquidate({ product: 'CONFORT', beneficiary, history, lines: glasses(date) }).totals.amcCents > 0;
}

describe('next optical equipment covered (domain.md §3.2)', () => {
  test('reads the periods from the parameter tables: 2 years from 16, 1 year before', () => {
    expect(renewal).toMatchObject({ opticsMonths: 24, opticsChildMonths: 12, opticsAdultAge: 16 });
    expect(opticsRenewalMonths(renewal, 16)).toBe(renewal.opticsMonths);
    expect(opticsRenewalMonths(renewal, 15)).toBe(renewal.opticsChildMonths);
  });

  test('an adult: the last equipment date plus the adult period (« à partir du 03/05/2027 »)', () => {
    expect(nextOpticsEquipmentDate(renewal, '1985-01-10', '2025-05-03')).toBe('2027-05-03');
  });

  test('a child: the last equipment date plus the child period', () => {
    expect(nextOpticsEquipmentDate(renewal, '2015-05-05', '2025-01-15')).toBe('2026-01-15');
  });

  test('a child who turns 16 before the child period ends waits for the adult period', () => {
    expect(nextOpticsEquipmentDate(renewal, '2010-03-01', '2025-06-01')).toBe('2027-06-01');
    // Still 15 on the day the child period ends: covered on that day.
    expect(nextOpticsEquipmentDate(renewal, '2010-07-01', '2025-06-01')).toBe('2026-06-01');
  });

  test('follows other parameters without any change of code', () => {
    const longer: RenewalParameters = { ...renewal, opticsMonths: 36, opticsChildMonths: 6, opticsAdultAge: 18 };
    expect(nextOpticsEquipmentDate(longer, '1985-01-10', '2025-05-03')).toBe('2028-05-03');
    expect(nextOpticsEquipmentDate(longer, '2010-03-01', '2025-06-01')).toBe('2025-12-01');
  });

  test.each([
    ['adult', '1985-01-10', '2025-05-03'],
    ['child', '2015-05-05', '2025-01-15'],
    ['turns 16 inside the child period', '2010-03-01', '2025-06-01'],
    ['turns 16 just after the child period', '2010-07-01', '2025-06-01'],
    ['born on 29 February', '2008-02-29', '2023-04-01'],
  ])('agrees with the engine: refused the day before, covered on the day (%s)', (_case, birthDate, last) => {
    const next = nextOpticsEquipmentDate(renewal, birthDate, last);
    expect(engineCovers(birthDate, last, dayBefore(next))).toBe(false);
    expect(engineCovers(birthDate, last, next)).toBe(true);
  });
});

describe('next hearing aid covered', () => {
  test('one per ear per period: with two devices in the period, the day the older one leaves it', () => {
    expect(nextHearingAidDate(renewal, ['2022-01-10', '2023-06-01'], '2024-01-01')).toBe(addMonths('2022-01-10', renewal.hearingAidMonths));
    expect(nextHearingAidDate(renewal, ['2022-01-10', '2023-06-01'], '2024-01-01')).toBe('2026-01-10');
  });

  test('fewer devices than ears in the period, or none: covered today', () => {
    expect(nextHearingAidDate(renewal, ['2023-06-01'], '2024-01-01')).toBe('2024-01-01');
    expect(nextHearingAidDate(renewal, ['2018-01-10', '2019-06-01'], '2024-01-01')).toBe('2024-01-01');
    expect(nextHearingAidDate(renewal, [], '2024-01-01')).toBe('2024-01-01');
  });

  test('a pair bought on one day: both leave the period together', () => {
    expect(nextHearingAidDate(renewal, ['2023-06-01', '2023-06-01'], '2024-01-01')).toBe('2027-06-01');
  });
});
