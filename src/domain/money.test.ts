import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { applyRateBp, divideHalfUp, formatEuros, formatRateBp } from './money.ts';

describe('money', () => {
  test('rounds the AMO of BR 28,92 € at 60 % to 17,35 € (TM 11,57 €)', () => {
    expect(applyRateBp(2892, 6000)).toBe(1735);
    expect(2892 - applyRateBp(2892, 6000)).toBe(1157);
  });
  test('rounds the AMO of BR 28,92 € at 70 % to 20,24 € (TM 8,68 €)', () => {
    expect(applyRateBp(2892, 7000)).toBe(2024);
    expect(2892 - applyRateBp(2892, 7000)).toBe(868);
  });
  test('rounds half-up (away from zero) to the cent', () => {
    expect(applyRateBp(5, 6000)).toBe(3);
    expect(applyRateBp(25, 5000)).toBe(13);
    expect(divideHalfUp(-25, 10)).toBe(-3);
    expect(divideHalfUp(24, 10)).toBe(2);
  });
  test('formats like Intl fr-FR: U+202F between thousands, U+00A0 before €', () => {
    expect(formatEuros(123456)).toBe('1\u202F234,56\u00A0€');
    expect(formatEuros(5)).toBe('0,05\u00A0€');
    expect(formatRateBp(7000)).toBe('70\u00A0%');
    expect(formatRateBp(1250)).toBe('12,5\u00A0%');
  });
  test('formatEuros agrees with Intl fr-FR for any amount', () => {
    const intl = new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR' });
    fc.assert(fc.property(fc.integer({ min: -1e11, max: 1e11 }), (cents) => formatEuros(cents) === intl.format(cents / 100)), { numRuns: 2_000 });
  });
});
