import { describe, expect, test } from 'vitest';
import { formatEuros } from '../money.ts';
import { liquidate } from './engine.ts';
import type { Aid } from './families.ts';
import type { CareLine, HistoryLine } from './types.ts';

const adult = { birthDate: '1985-01-10', aid: 'NONE' as Aid };

const glasses = (careDate: string): CareLine[] => [
  { careDate, family: 'OPTICS_FRAME', basket: 'FREE', chargedCents: 15_000, baseCents: 5, amoRateBp: 6000 },
  { careDate, family: 'OPTICS_LENS_SIMPLE', basket: 'FREE', chargedCents: 20_000, baseCents: 10, amoRateBp: 6000, quantity: 2 },
];

describe('renewal periods', () => {
  test('a second classe B equipment within 2 years gets AMC 0 and says when the next one is covered', () => {
    const first = liquidate({ product: 'CONFORT', beneficiary: adult, lines: glasses('2025-03-01') });
    expect(first.totals.amcCents).toBe(9997 + 14_994);
    const history: HistoryLine[] = first.lines;
    const second = liquidate({ product: 'CONFORT', beneficiary: adult, history, lines: glasses('2026-06-01') });
    expect(second.lines.map((line) => line.amcCents)).toEqual([0, 0]);
    expect(second.lines[0]?.steps).toContainEqual({ code: 'RENEWAL_NOT_DUE', previousDate: '2025-03-01', nextDate: '2027-03-01' });
    expect(second.lines[0]?.explanation).toContain('le prochain sera pris en charge à partir du 01/03/2027');
    const third = liquidate({ product: 'CONFORT', beneficiary: adult, history, lines: glasses('2027-03-01') });
    expect(third.totals.amcCents).toBe(first.totals.amcCents);
  });

  test('the same applies to two equipments in one request, and below 16 years the period is 1 year', () => {
    const both = liquidate({ product: 'CONFORT', beneficiary: adult, lines: [...glasses('2026-09-01'), ...glasses('2026-01-15')] });
    expect(both.lines.map((line) => line.amcCents)).toEqual([0, 0, 9997, 14_994]);
    const child = { birthDate: '2015-05-05', aid: 'NONE' as Aid };
    const childResult = liquidate({ product: 'CONFORT', beneficiary: child, lines: [...glasses('2025-01-15'), ...glasses('2026-01-14'), ...glasses('2026-01-15')] });
    expect(childResult.lines.map((line) => line.amcCents > 0)).toEqual([true, true, false, false, true, true]);
  });

  test('hearing aids: one per ear every 4 years', () => {
    const aid = (careDate: string, quantity: number): CareLine => ({ careDate, family: 'HEARING_AID', basket: 'FREE', chargedCents: 150_000 * quantity, baseCents: 40_000 * quantity, amoRateBp: 6000, quantity });
    const result = liquidate({ product: 'ESSENTIEL', beneficiary: adult, lines: [aid('2022-01-10', 1), aid('2023-06-01', 1), aid('2024-01-01', 1), aid('2026-01-10', 1)] });
    expect(result.lines.map((line) => line.amcCents > 0)).toEqual([true, true, false, true]);
    expect(result.lines[2]?.steps).toContainEqual({ code: 'RENEWAL_NOT_DUE', previousDate: '2023-06-01', nextDate: '2026-01-10' });
  });
});

describe('annual caps', () => {
  const crown = (careDate: string): CareLine => ({ careDate, family: 'DENTAL_PROSTHESIS', basket: 'FREE', chargedCents: 80_000, baseCents: 12_000, amoRateBp: 6000 });

  test('the CONFORT dental prosthesis cap stops at 1 500 € in a year and restarts on 1 January', () => {
    const dates = ['2026-01-10', '2026-02-10', '2026-03-10', '2026-04-10', '2026-05-10', '2026-06-10', '2026-07-10', '2027-01-01'];
    const result = liquidate({ product: 'CONFORT', beneficiary: adult, lines: dates.map(crown) });
    expect(result.lines.map((line) => line.amcCents)).toEqual([28_800, 28_800, 28_800, 28_800, 28_800, 6000, 0, 28_800]);
    expect(result.lines[5]?.steps).toContainEqual({ code: 'ANNUAL_CAP', counter: 'DENTAL_PROSTHESIS', limitCents: 150_000, usedCents: 144_000, reductionCents: 22_800 });
    expect(result.lines[6]?.explanation).toContain(`Le plafond annuel de ${formatEuros(150_000)} est atteint`);
  });

  test('the cap counts the history, and the 100 % Santé basket is outside it', () => {
    const history: HistoryLine[] = [{ ...crown('2026-01-10'), amoCents: 7200, amcCents: 149_000 }];
    const result = liquidate({
      product: 'CONFORT',
      beneficiary: adult,
      history,
      lines: [crown('2026-05-10'), { ...crown('2026-05-10'), act: 'HBLD634', basket: '100S', chargedCents: 50_000 }],
    });
    expect(result.lines.map((line) => line.amcCents)).toEqual([1000, 42_800]);
  });
});

describe('participation forfaitaire caps', () => {
  const consultation = (careDate: string, providerId = 'DR-A'): CareLine => ({ careDate, family: 'CONSULTATION', chargedCents: 3000, baseCents: 3000, amoRateBp: 7000, pathway: 'IN', optam: true, providerId });

  test('at most 4 per day and professional', () => {
    const sameDay = Array.from({ length: 5 }, () => consultation('2026-03-03'));
    const result = liquidate({ product: 'ESSENTIEL', beneficiary: adult, lines: [...sameDay, consultation('2026-03-03', 'DR-B'), consultation('2026-03-04')] });
    expect(result.lines.map((line) => line.flatFeeCents)).toEqual([200, 200, 200, 200, 0, 200, 200]);
    expect(result.lines[4]?.steps).toContainEqual({ code: 'FLAT_FEE', amountCents: 0, deferredCents: 0, computed: true, cappedBy: 'DAILY' });
  });

  test('at most 50 € per year, restarting on 1 January', () => {
    const history: HistoryLine[] = Array.from({ length: 24 }, (_, index) => ({
      ...consultation(`2026-0${1 + Math.floor(index / 4)}-0${1 + (index % 4)}`),
      amoCents: 2100,
      amcCents: 900,
      flatFeeCents: 200,
    }));
    const result = liquidate({
      product: 'ESSENTIEL',
      beneficiary: adult,
      history,
      lines: [consultation('2026-09-01'), consultation('2026-09-02'), consultation('2026-10-01'), consultation('2027-01-02')],
    });
    expect(result.lines.map((line) => line.flatFeeCents)).toEqual([200, 0, 0, 200]);
    expect(result.lines.map((line) => line.remainingCents)).toEqual([200, 0, 0, 200]);
  });
});
