import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { computeNirKey, formatNir, isValidNir, maskNir, normaliseNir, parseNir } from './nir.ts';

describe('NIR test vectors (domain.md §12)', () => {
  test('T1 NIR 2 95 10 99 126 111 has key 93 (born abroad)', () => {
    expect(computeNirKey('2 95 10 99 126 111')).toBe('93');
    const nir = parseNir('295109912611193');
    expect(nir.ok && nir.value.bornAbroad).toBe(true);
  });
  test('T2 NIR 295109912611199 is rejected on its key', () => {
    const nir = parseNir('295109912611199');
    expect(nir.ok).toBe(false);
    if (!nir.ok) expect(nir.error.code).toBe('NIR_KEY');
  });
  test('T3 NIR 2 53 07 2B 073 004 has key 70 (2B → 18)', () => {
    expect(computeNirKey('253072B073004')).toBe('70');
    expect(isValidNir('2 53 07 2B 073 004 70')).toBe(true);
  });
  test('T4 NIR 2 53 07 2A 073 004 has key 43 (2A → 19)', () => {
    expect(computeNirKey('253072A073004')).toBe('43');
    const nir = parseNir('253072a07300443');
    expect(nir.ok && nir.value.department).toBe('2A');
  });
  test('T5 NIR 1 85 01 75 056 123 has key 24', () => {
    expect(computeNirKey('1 85 01 75 056 123')).toBe('24');
    expect(isValidNir('1.85.01.75.056.123.24')).toBe(true);
  });
  test('T6 NIR 2 90 03 974 11 045 has key 41 (overseas 3-digit department)', () => {
    expect(computeNirKey('2900397411045')).toBe('41');
    const nir = parseNir('290039741104541');
    expect(nir.ok && [nir.value.department, nir.value.commune]).toEqual(['974', '11']);
    expect(formatNir('290039741104541')).toBe('2 90 03 974 11 045 41');
  });
  test('T7 NIR 1 85 01 75 056 050 has key 97 (remainder 0, never 00)', () => {
    expect(computeNirKey('1850175056050')).toBe('97');
    expect(isValidNir('185017505605097')).toBe(true);
  });
  test('T8 NIR 1 55 05 20 004 010 has key 60 (Corsica before 1976 = 20)', () => {
    expect(computeNirKey('1550520004010')).toBe('60');
    expect(isValidNir('155052000401060')).toBe(true);
  });
  test('T9 NIR 2 53 07 2C 073 004 43 is an invalid format', () => {
    const nir = parseNir('2 53 07 2C 073 004 43');
    expect(nir.ok).toBe(false);
    if (!nir.ok) expect([nir.error.code, nir.error.position]).toEqual(['NIR_FORMAT', 7]);
  });
});

describe('NIR parsing', () => {
  test('normalises spaces, dots, dashes and case', () => {
    expect(normaliseNir(' 2 53 07 2b.073-004 70 ')).toBe('253072B07300470');
  });
  test('says what is wrong: length, character, format, key', () => {
    const codeOf = (input: string) => {
      const nir = parseNir(input);
      return nir.ok ? 'OK' : nir.error.code;
    };
    expect(codeOf('1850175056123')).toBe('NIR_LENGTH');
    expect(codeOf('18501750561232')).toBe('NIR_LENGTH');
    expect(codeOf('1850175056123/4')).toBe('NIR_CHARACTER');
    expect(codeOf('585017505612324')).toBe('NIR_FORMAT');
    expect(codeOf('1850175056123AB')).toBe('NIR_FORMAT');
    expect(codeOf('185017505612325')).toBe('NIR_KEY');
    const error = parseNir('1850175056123');
    expect(!error.ok && error.error.message).toMatch(/clé/);
  });
  test('provisional numbers (7, 8) are accepted and flagged', () => {
    const body = '7850175056123';
    const nir = parseNir(body + computeNirKey(body));
    expect(nir.ok && nir.value.provisional).toBe(true);
    const definitive = parseNir('185017505612324');
    expect(definitive.ok && definitive.value.provisional).toBe(false);
  });
  test('pseudo-months are accepted with a warning, never rejected', () => {
    const body = '1853275056123';
    const nir = parseNir(body + computeNirKey(body));
    expect(nir.ok && nir.value.warnings.map((warning) => warning.code)).toEqual(['NIR_UNUSUAL_MONTH']);
  });
  test('formats and masks for display', () => {
    expect(formatNir('185017505612324')).toBe('1 85 01 75 056 123 24');
    expect(maskNir('185017505612324')).toBe('1 85 •• •• ••• ••• 24');
    expect(maskNir('290039741104541')).toBe('2 90 •• ••• •• ••• 41');
  });
});

// A 13-character body: sex, year, month, department (incl. 2A/2B, overseas, abroad), commune, order.
const nirBody = fc
  .tuple(
    fc.constantFrom('1', '2', '7', '8'),
    fc.integer({ min: 0, max: 99 }),
    fc.integer({ min: 1, max: 12 }),
    fc.oneof(fc.integer({ min: 1, max: 95 }).map((n) => String(n).padStart(2, '0')), fc.constantFrom('2A', '2B', '99'), fc.constantFrom('971', '972', '973', '974', '976')),
    fc.integer({ min: 0, max: 999 }),
    fc.integer({ min: 1, max: 999 }),
  )
  .map(([sex, year, month, department, commune, order]) => {
    const communeDigits = department.length === 3 ? 2 : 3;
    const communePart = String(commune % 10 ** communeDigits).padStart(communeDigits, '0');
    return `${sex}${String(year).padStart(2, '0')}${String(month).padStart(2, '0')}${department}${communePart}${String(order).padStart(3, '0')}`;
  });

describe('NIR properties', () => {
  test('a computed key always round-trips through parse, format and normalise', () => {
    fc.assert(
      fc.property(nirBody, (body) => {
        const nir = body + computeNirKey(body);
        const parsed = parseNir(formatNir(nir));
        return parsed.ok && parsed.value.value === nir;
      }),
      { numRuns: 10_000 },
    );
  });
  test('every single-digit substitution of a valid NIR is rejected', () => {
    fc.assert(
      fc.property(nirBody, fc.nat(), fc.integer({ min: 1, max: 9 }), (body, positionSeed, shift) => {
        const nir = body + computeNirKey(body);
        const digitPositions = [...nir].flatMap((char, index) => (char >= '0' && char <= '9' ? [index] : []));
        const position = digitPositions[positionSeed % digitPositions.length] ?? 0;
        const replaced = String((Number(nir.charAt(position)) + shift) % 10);
        const altered = nir.slice(0, position) + replaced + nir.slice(position + 1);
        return !isValidNir(altered);
      }),
      { numRuns: 10_000 },
    );
  });
});
