import fc from 'fast-check';
import { isValidIBAN } from 'ibantools';
import { describe, expect, test } from 'vitest';
import { formatIban, ibanCheckDigits, ibanFromBban, isValidBic, isValidIban, maskIban, parseBic, parseIban, ribKey } from './iban.ts';

describe('IBAN and RIB test vectors (domain.md §12)', () => {
  test('T10 IBAN FR7630006000011234567890189 is valid', () => {
    const iban = parseIban('FR76 3000 6000 0112 3456 7890 189');
    expect(iban.ok && iban.value.rib).toEqual({ bankCode: '30006', branchCode: '00001', accountNumber: '12345678901', key: '89' });
  });
  test('T11 IBAN FR7630006000011234567890188 is invalid', () => {
    const iban = parseIban('FR7630006000011234567890188');
    expect(!iban.ok && iban.error.code).toBe('IBAN_CHECKSUM');
  });
  test('T12 IBAN FR7630006000011234567890198 (transposition) is invalid', () => {
    expect(isValidIban('FR7630006000011234567890198')).toBe(false);
  });
  test('T13 IBAN FR1420041010050500013M02606 is valid (letter in the account)', () => {
    expect(isValidIban('FR1420041010050500013M02606')).toBe(true);
  });
  test('T14 BBAN 12345123451234567891A16 gets check digits 84 and a valid RIB key 16', () => {
    expect(ibanCheckDigits('FR', '12345123451234567891A16')).toBe('84');
    expect(ibanFromBban('FR', '12345123451234567891A16')).toBe('FR8412345123451234567891A16');
    expect(ribKey('12345', '12345', '1234567891A')).toBe('16');
    expect(isValidIban('FR8412345123451234567891A16')).toBe(true);
  });
  test('T15 RIB 30006 / 00001 / 12345678901 has key 89', () => {
    expect(ribKey('30006', '00001', '12345678901')).toBe('89');
  });
  test('T16 RIB 20041 / 01005 / 0500013M026 has key 06 (M → 4)', () => {
    expect(ribKey('20041', '01005', '0500013M026')).toBe('06');
  });
});

describe('IBAN parsing', () => {
  const codeOf = (input: string) => {
    const iban = parseIban(input);
    return iban.ok ? 'OK' : iban.error.code;
  };
  test('says what is wrong', () => {
    expect(codeOf('FR76 3000 6000 0112 3456 7890 18')).toBe('IBAN_LENGTH');
    expect(codeOf('FR76/3000')).toBe('IBAN_CHARACTER');
    expect(codeOf('XX7630006000011234567890189')).toBe('IBAN_COUNTRY');
    expect(codeOf('US7630006000011234567890189')).toBe('IBAN_COUNTRY');
    expect(codeOf(ibanFromBban('GP', '30006000011234567890189'))).toBe('IBAN_NOT_SEPA');
    expect(codeOf('DE89370400440532013000')).toBe('OK');
    expect(codeOf('DE8937040044053201300A')).toBe('IBAN_FORMAT');
  });
  test('a valid mod-97 IBAN with a wrong RIB key is rejected on the RIB key', () => {
    expect(codeOf(ibanFromBban('FR', '30006000011234567890188'))).toBe('IBAN_RIB_KEY');
  });
  test('formats in groups of 4 and masks all but the country, check digits and tail', () => {
    expect(formatIban('fr7630006000011234567890189')).toBe('FR76 3000 6000 0112 3456 7890 189');
    expect(maskIban('FR7630006000011234567890189')).toBe('FR76 •••• •••• •••• •••• ••90 189');
  });
  test('BIC: 8 or 11 characters, country letters', () => {
    expect(isValidBic('BNPAFRPP')).toBe(true);
    expect(parseBic('bnpa fr pp xxx')).toEqual({ ok: true, value: { value: 'BNPAFRPPXXX', bankCode: 'BNPA', countryCode: 'FR', locationCode: 'PP', branchCode: 'XXX' } });
    const short = parseBic('BNPAFRP');
    expect(!short.ok && short.error.code).toBe('BIC_LENGTH');
    const wrong = parseBic('BNPA12PP');
    expect(!wrong.ok && wrong.error.code).toBe('BIC_FORMAT');
  });
});

const digits = (length: number) => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: length, maxLength: length }).map((list) => list.join(''));
const accountChar = fc.oneof(fc.integer({ min: 0, max: 9 }).map(String), fc.integer({ min: 65, max: 90 }).map((code) => String.fromCharCode(code)));
const frenchIban = fc
  .tuple(digits(5), digits(5), fc.array(accountChar, { minLength: 11, maxLength: 11 }).map((list) => list.join('')))
  .map(([bank, branch, account]) => ibanFromBban('FR', bank + branch + account + ribKey(bank, branch, account)));
const germanIban = digits(18).map((bban) => ibanFromBban('DE', bban));

describe('IBAN properties', () => {
  test('computed check digits and RIB key always validate, here and in ibantools', () => {
    fc.assert(
      fc.property(fc.oneof(frenchIban, germanIban), (iban) => isValidIban(formatIban(iban)) && isValidIBAN(iban)),
      { numRuns: 10_000 },
    );
  });
  test('every single-digit substitution of a valid IBAN is rejected', () => {
    fc.assert(
      fc.property(fc.oneof(frenchIban, germanIban), fc.nat(), fc.integer({ min: 1, max: 9 }), (iban, positionSeed, shift) => {
        const digitPositions = [...iban].flatMap((char, index) => (char >= '0' && char <= '9' ? [index] : []));
        const position = digitPositions[positionSeed % digitPositions.length] ?? 2;
        const altered = iban.slice(0, position) + String((Number(iban.charAt(position)) + shift) % 10) + iban.slice(position + 1);
        return !isValidIban(altered);
      }),
      { numRuns: 10_000 },
    );
  });
});
