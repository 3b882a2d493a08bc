import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { E164, formatPhone, parsePhone } from './phone.ts';

const e164Of = (input: string, kind?: 'MOBILE' | 'LANDLINE') => {
  const parsed = parsePhone(input, kind);
  return parsed.ok ? parsed.value.e164 : parsed.error.code;
};

describe('French phone numbers as people type them', () => {
  test.each([
    '06 12 34 56 78',
    '0612345678',
    '06.12.34.56.78',
    '06-12-34-56-78',
    '+33 6 12 34 56 78',
    '+33612345678',
    '+33 (0)6 12 34 56 78',
    '+33 06 12 34 56 78',
    '0033 6 12 34 56 78',
    '0033612345678',
    ' 06\u00a012\u00a034\u00a056\u00a078 ',
  ])('« %s » is +33612345678, a mobile', (typed) => {
    const parsed = parsePhone(typed);
    expect(parsed.ok && parsed.value).toEqual({ e164: '+33612345678', french: true, kind: 'MOBILE' });
  });

  test('landlines: 01 to 05 and 09; 08 numbers are neither mobile nor landline', () => {
    expect(parsePhone('04 72 00 00 00').ok && parsePhone('04 72 00 00 00')).toMatchObject({ value: { e164: '+33472000000', kind: 'LANDLINE' } });
    expect(parsePhone('09 70 12 34 56').ok && parsePhone('09 70 12 34 56')).toMatchObject({ value: { kind: 'LANDLINE' } });
    expect(parsePhone('08 00 12 34 56').ok && parsePhone('08 00 12 34 56')).toMatchObject({ value: { e164: '+33800123456', kind: null } });
  });

  test('overseas departments get their own country code (E.164), and are shown in the national form', () => {
    expect(e164Of('0692 12 34 56')).toBe('+262692123456');
    expect(e164Of('0262 21 00 00')).toBe('+262262210000');
    expect(e164Of('0690 12 34 56')).toBe('+590690123456');
    expect(e164Of('0594 30 00 00')).toBe('+594594300000');
    expect(e164Of('0696 12 34 56')).toBe('+596696123456');
    expect(e164Of('+262 692 12 34 56', 'MOBILE')).toBe('+262692123456');
    expect(formatPhone('+262692123456')).toBe('06 92 12 34 56');
  });

  test('numbers abroad: accepted in international form in either field, shown as E.164', () => {
    expect(e164Of('+44 20 7946 0958', 'LANDLINE')).toBe('+442079460958');
    expect(e164Of('0049 30 1234567', 'MOBILE')).toBe('+49301234567');
    expect(formatPhone('+442079460958')).toBe('+442079460958');
  });

  test('what is wrong is said, in French', () => {
    expect(e164Of('')).toBe('PHONE_EMPTY');
    expect(e164Of('06 12 34 56 7')).toBe('PHONE_FORMAT');
    expect(e164Of('6 12 34 56 78')).toBe('PHONE_FORMAT');
    expect(e164Of('06 12 34 56 78 9')).toBe('PHONE_FORMAT');
    expect(e164Of('01 23 45 67')).toBe('PHONE_FORMAT');
    expect(e164Of('06 12 34 56 7a')).toBe('PHONE_CHARACTER');
    expect(e164Of('06+12345678')).toBe('PHONE_FORMAT');
    expect(e164Of('+0612345678')).toBe('PHONE_FORMAT');
    expect(e164Of('04 72 00 00 00', 'MOBILE')).toBe('PHONE_NOT_MOBILE');
    expect(e164Of('06 12 34 56 78', 'LANDLINE')).toBe('PHONE_NOT_LANDLINE');
    const refused = parsePhone('12');
    expect(!refused.ok && refused.error.message).toContain('10 chiffres');
  });
});

describe('phone properties (fast-check)', () => {
  // The 9 digits after the national 0 of a metropolitan number (overseas prefixes map to other country codes).
  const significant = fc
    .tuple(fc.constantFrom('1', '2', '3', '4', '5', '6', '7', '9'), fc.array(fc.constantFrom(...'0123456789'), { minLength: 8, maxLength: 8 }))
    .map(([first, rest]) => first + rest.join(''))
    .filter((s) => !/^(26[239]|69[0-7]|639|59[046])/.test(s));
  const pairs = (s: string) => s.replace(/(\d{2})(?=\d)/g, '$1 ');

  test('every usual way of writing one number gives the same E.164, +33 and the 9 digits', () => {
    fc.assert(
      fc.property(significant, fc.constantFrom(' ', '.', '-', ''), (s, separator) => {
        const national = `0${s}`;
        const forms = [
          national,
          pairs(national).replace(/ /g, separator),
          `+33 ${s}`,
          `+33${s}`,
          `+33 (0)${pairs(s)}`,
          `+330${s}`,
          `0033 ${s}`,
          `0033${s}`,
        ];
        for (const form of forms) expect(e164Of(form), form).toBe(`+33${s}`);
      }),
      { numRuns: 2_000 },
    );
  });

  test('showing a French number and reading it back gives the same number', () => {
    fc.assert(
      fc.property(significant, (s) => {
        const e164 = `+33${s}`;
        expect(formatPhone(e164)).toMatch(/^0\d( \d{2}){4}$/);
        expect(e164Of(formatPhone(e164))).toBe(e164);
      }),
      { numRuns: 2_000 },
    );
  });

  test('the kind follows the first digit: 6 and 7 mobile, others landline', () => {
    fc.assert(
      fc.property(significant, (s) => {
        const parsed = parsePhone(`0${s}`);
        expect(parsed.ok && parsed.value.kind).toBe(s[0] === '6' || s[0] === '7' ? 'MOBILE' : 'LANDLINE');
      }),
      { numRuns: 1_000 },
    );
  });

  test('whatever is typed, the answer is a valid E.164 or a refusal with a message (never a throw)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 30 }), fc.stringMatching(/^[+0-9 ().-]{0,25}$/)), (typed) => {
        const parsed = parsePhone(typed);
        if (parsed.ok) expect(parsed.value.e164).toMatch(E164);
        else expect(parsed.error.message.length).toBeGreaterThan(10);
      }),
      { numRuns: 10_000 },
    );
  });
});
