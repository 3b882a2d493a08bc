import { describe, expect, test } from 'vitest';
import { addMonths, ageOn, formatFrenchDate, isIsoDate } from './dates.ts';

describe('dates', () => {
  test('validates ISO dates', () => {
    expect(isIsoDate('2024-02-29')).toBe(true);
    expect(isIsoDate('2023-02-29')).toBe(false);
    expect(isIsoDate('2024-13-01')).toBe(false);
    expect(isIsoDate('2024-1-01')).toBe(false);
  });
  test('age in completed years', () => {
    expect(ageOn('1985-01-10', '2026-01-09')).toBe(40);
    expect(ageOn('1985-01-10', '2026-01-10')).toBe(41);
    expect(ageOn('2008-02-29', '2026-02-28')).toBe(17);
    expect(ageOn('2008-02-29', '2026-03-01')).toBe(18);
  });
  test('adds months, clamping to the end of the month', () => {
    expect(addMonths('2026-01-12', 24)).toBe('2028-01-12');
    expect(addMonths('2024-01-31', 1)).toBe('2024-02-29');
    expect(addMonths('2024-02-29', 12)).toBe('2025-02-28');
  });
  test('French display', () => {
    expect(formatFrenchDate('2028-01-12')).toBe('12/01/2028');
  });
});
