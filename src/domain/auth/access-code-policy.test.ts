import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { computeNirKey } from '../identity/nir.ts';
import { ACCESS_CODE_MESSAGES, birthDateCodes, checkAccessCode, type AccessCodeRejection } from './access-code-policy.ts';
import { COMMON_PINS } from './common-pins.ts';

const context = { birthDates: ['1985-01-10', '2014-07-03'], nir: '2 85 01 75 111 042 ' + computeNirKey('2850175111042') };
const reason = (code: string, ctx = context): AccessCodeRejection | 'OK' => {
  const result = checkAccessCode(code, ctx);
  return result.ok ? 'OK' : result.error.code;
};

describe('access-code policy (AUTH-02)', () => {
  test('accepts an ordinary code and returns it', () => {
    expect(checkAccessCode('482915', context)).toEqual({ ok: true, value: '482915' });
  });

  test('AUTH-02 refuses anything but exactly 6 digits', () => {
    for (const code of ['', '12345', '1234567', '12 456', 'abcdef', '１２３４５６', '48291a', ' 482915']) expect(reason(code)).toBe('CODE_FORMAT');
  });

  test('AUTH-02 refuses the same digit six times', () => {
    for (let d = 0; d <= 9; d++) expect(reason(String(d).repeat(6))).toBe('CODE_SAME_DIGIT');
  });

  test('AUTH-02 refuses ascending and descending runs, wrapping round, and any constant step', () => {
    for (const code of ['123456', '012345', '456789', '654321', '987654', '890123', '901234', '109876', '210987', '135791', '246802', '864208', '147036'])
      expect(reason(code), code).toBe('CODE_SEQUENCE');
  });

  test('AUTH-02 refuses repeated pairs and triples', () => {
    for (const code of ['121212', '909090', '123123', '480480', '007007']) expect(reason(code), code).toBe('CODE_REPEATED_PATTERN');
  });

  test('AUTH-02 refuses household birth dates in the documented forms', () => {
    // 10/01/1985: DDMMYY, MMDDYY, YYMMDD, YYDDMM, and 6-digit windows of DDMMYYYY, YYYYMMDD, MMDDYYYY
    for (const code of ['100185', '011085', '850110', '851001', '011985', '198501', '101985', '100119'])
      expect(reason(code), code).toBe('CODE_BIRTH_DATE');
    // 03/07/2014 without leading zeros: D M YYYY
    expect(reason('372014')).toBe('CODE_BIRTH_DATE');
    expect(reason('030714')).toBe('CODE_BIRTH_DATE');
    expect(reason('100185', { ...context, birthDates: [] })).toBe('OK');
  });

  test('AUTH-02 refuses any 6 consecutive digits of the NIR', () => {
    const nir = context.nir.replace(/ /g, '');
    for (let i = 0; i + 6 <= nir.length; i++) {
      const part = nir.slice(i, i + 6);
      expect(reason(part, { ...context, birthDates: [] }), part).not.toBe('OK');
    }
    expect(reason('501751', { ...context, birthDates: [] })).toBe('CODE_NIR');
  });

  test('AUTH-02 refuses every code of the top-PIN list', () => {
    expect(COMMON_PINS).toHaveLength(100);
    expect(new Set(COMMON_PINS).size).toBe(100);
    for (const pin of COMMON_PINS) expect(reason(pin, { birthDates: [], nir: '' }), pin).not.toBe('OK');
    expect(reason('159753', { birthDates: [], nir: '' })).toBe('CODE_COMMON');
    expect(reason('147258', { birthDates: [], nir: '' })).toBe('CODE_COMMON');
  });

  test('every reason has a French message', () => {
    const result = checkAccessCode('111111', context);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message).toBe(ACCESS_CODE_MESSAGES.CODE_SAME_DIGIT);
    for (const message of Object.values(ACCESS_CODE_MESSAGES)) expect(message).toMatch(/code/i);
  });
});

describe('access-code policy properties (AUTH-02, 10 000 runs)', () => {
  const isoDate = fc
    .date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2030-12-31T00:00:00Z'), noInvalidDate: true })
    .map((d) => d.toISOString().slice(0, 10));
  const nirArb = fc
    .tuple(fc.constantFrom('1', '2'), fc.stringMatching(/^[0-9]{2}$/), fc.integer({ min: 1, max: 12 }), fc.stringMatching(/^[0-9]{8}$/))
    .map(([sex, year, month, rest]) => {
      const body = `${sex}${year}${String(month).padStart(2, '0')}${rest}`;
      return body + computeNirKey(body);
    });

  test('AUTH-02 every code derived from a random birth date is refused', () => {
    fc.assert(
      fc.property(isoDate, (date) => {
        const [y, m, d] = date.split('-') as [string, string, string];
        const forms = [d + m + y.slice(2), m + d + y.slice(2), y.slice(2) + m + d, (d + m + y).slice(0, 6), (d + m + y).slice(2), (y + m + d).slice(0, 6), ...birthDateCodes(date)];
        for (const code of forms) if (checkAccessCode(code, { birthDates: [date], nir: '' }).ok) return false;
        return true;
      }),
      { numRuns: 10_000 },
    );
  });

  test('AUTH-02 every 6-digit window of a random NIR is refused', () => {
    fc.assert(
      fc.property(nirArb, (nir) => {
        for (let i = 0; i + 6 <= nir.length; i++) if (checkAccessCode(nir.slice(i, i + 6), { birthDates: [], nir }).ok) return false;
        return true;
      }),
      { numRuns: 10_000 },
    );
  });

  test('AUTH-02 runs, repeats and same digits built at random are refused', () => {
    const built = fc.oneof(
      fc.tuple(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 1, max: 9 })).map(([start, step]) => Array.from({ length: 6 }, (_, i) => (start + i * step) % 10).join('')),
      fc.stringMatching(/^[0-9]{2}$/).map((p) => p.repeat(3)),
      fc.stringMatching(/^[0-9]{3}$/).map((t) => t.repeat(2)),
    );
    fc.assert(fc.property(built, (code) => !checkAccessCode(code, { birthDates: [], nir: '' }).ok), { numRuns: 10_000 });
  });

  test('a refusal is always one of the known reasons, an acceptance returns the code', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9]{6}$/), isoDate, nirArb, (code, date, nir) => {
        const result = checkAccessCode(code, { birthDates: [date], nir });
        return result.ok ? result.value === code : result.error.code in ACCESS_CODE_MESSAGES;
      }),
      { numRuns: 10_000 },
    );
  });
});
