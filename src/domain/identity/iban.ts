/**
 * IBAN, RIB and BIC (domain.md §10). ibantools supplies the country registry (lengths, BBAN
 * shapes, SEPA membership) and BIC checks; the French RIB key is computed here because the
 * portal shows which part is wrong.
 */
import { getCountrySpecifications, isSEPACountry, isValidBBAN, validateBIC } from 'ibantools';
import { failure, success, type Result } from '../result.ts';

export type IbanErrorCode = 'IBAN_CHARACTER' | 'IBAN_COUNTRY' | 'IBAN_NOT_SEPA' | 'IBAN_LENGTH' | 'IBAN_FORMAT' | 'IBAN_CHECKSUM' | 'IBAN_RIB_KEY';

export interface IbanError {
  code: IbanErrorCode;
  /** French, shown to the member as is. */
  message: string;
}

export interface Rib {
  bankCode: string;
  branchCode: string;
  accountNumber: string;
  key: string;
}

export interface Iban {
  /** Electronic format, e.g. 'FR7630006000011234567890189'. */
  value: string;
  countryCode: string;
  checkDigits: string;
  bban: string;
  /** The French RIB inside a French-format BBAN (FR, MC). */
  rib: Rib | null;
}

const FRENCH_BBAN_COUNTRIES = new Set(['FR', 'MC']);

/** Removes spaces and dashes and uppercases. */
export function normaliseIban(input: string): string {
  return input.replace(/[\s\-\u00A0\u202F]/g, '').toUpperCase();
}

/** Remainder modulo 97 of a long decimal string, chunked so every step stays a small integer (ISO 7064 MOD 97-10). */
function mod97(digits: string): number {
  let remainder = 0;
  for (let start = 0; start < digits.length; start += 7) {
    remainder = Number(String(remainder) + digits.slice(start, start + 7)) % 97;
  }
  return remainder;
}

// ISO 13616: letters count as two digits, A = 10 ... Z = 35.
function lettersToDigits(value: string): string {
  let digits = '';
  for (const char of value) {
    const code = char.charCodeAt(0);
    digits += code >= 65 && code <= 90 ? String(code - 55) : char;
  }
  return digits;
}

/** The 2 check digits of an IBAN for a country and BBAN: ('FR', '30006000011234567890189') → '76'. */
export function ibanCheckDigits(countryCode: string, bban: string): string {
  const remainder = mod97(lettersToDigits(`${bban}${countryCode}00`));
  return String(98 - remainder).padStart(2, '0');
}

/** Builds the IBAN of a BBAN: ('FR', '12345123451234567891A16') → 'FR8412345123451234567891A16'. */
export function ibanFromBban(countryCode: string, bban: string): string {
  const normalised = normaliseIban(bban);
  return `${countryCode}${ibanCheckDigits(countryCode, normalised)}${normalised}`;
}

// Letters of a French account number (not the IBAN mapping): A,J→1; B,K,S→2; ... I,R,Z→9.
function ribDigits(value: string): string {
  let digits = '';
  for (const char of value.toUpperCase()) {
    const code = char.charCodeAt(0);
    if (code >= 65 && code <= 73) digits += String(code - 64);
    else if (code >= 74 && code <= 82) digits += String(code - 73);
    else if (code >= 83 && code <= 90) digits += String(code - 81);
    else digits += char;
  }
  return digits;
}

/** Clé RIB: 97 − ((89 × banque + 15 × guichet + 3 × compte) mod 97), 2 digits. */
export function ribKey(bankCode: string, branchCode: string, accountNumber: string): string {
  const bank = mod97(ribDigits(bankCode));
  const branch = mod97(ribDigits(branchCode));
  const account = mod97(ribDigits(accountNumber));
  const key = 97 - ((89 * bank + 15 * branch + 3 * account) % 97);
  return String(key).padStart(2, '0');
}

export function isValidRib(rib: Rib): boolean {
  return /^\d{5}$/.test(rib.bankCode) && /^\d{5}$/.test(rib.branchCode) && /^[0-9A-Z]{11}$/i.test(rib.accountNumber) && ribKey(rib.bankCode, rib.branchCode, rib.accountNumber) === rib.key;
}

/**
 * Validates an IBAN: characters, country known and in SEPA (the mutuelle pays and debits by SEPA
 * only), length of the country (27 for FR), BBAN shape, ISO 13616 check digits, RIB key for France.
 */
export function parseIban(input: string): Result<Iban, IbanError> {
  const value = normaliseIban(input);
  const badCharacter = /[^0-9A-Z]/.exec(value);
  if (badCharacter) {
    return failure({ code: 'IBAN_CHARACTER', message: `L'IBAN ne peut contenir que des lettres et des chiffres : « ${badCharacter[0]} » n'est pas permis.` });
  }
  const countryCode = value.slice(0, 2);
  const specification = getCountrySpecifications()[countryCode];
  if (!/^[A-Z]{2}$/.test(countryCode) || !specification?.chars) {
    return failure({ code: 'IBAN_COUNTRY', message: `L'IBAN doit commencer par le code d'un pays (FR pour la France) : « ${countryCode} » n'en est pas un.` });
  }
  if (!isSEPACountry(countryCode)) {
    return failure({ code: 'IBAN_NOT_SEPA', message: `Nous ne pouvons verser ou prélever que sur un compte de la zone SEPA : le pays ${countryCode} n'en fait pas partie.` });
  }
  if (value.length !== specification.chars) {
    return failure({ code: 'IBAN_LENGTH', message: `Un IBAN ${countryCode} comporte ${specification.chars} caractères, et non ${value.length}.` });
  }
  const checkDigits = value.slice(2, 4);
  const bban = value.slice(4);
  const frenchBban = FRENCH_BBAN_COUNTRIES.has(countryCode);
  // ibantools also checks some national keys; the French RIB key is reported separately below.
  const shapeOk = frenchBban ? /^\d{10}[0-9A-Z]{11}\d{2}$/.test(bban) : /^\d{2}$/.test(checkDigits) && isValidBBAN(bban, countryCode);
  if (!shapeOk) {
    return failure({ code: 'IBAN_FORMAT', message: `Le format de cet IBAN ne correspond pas à celui des comptes ${countryCode} : vérifiez la saisie.` });
  }
  if (mod97(lettersToDigits(bban + countryCode + checkDigits)) !== 1) {
    return failure({ code: 'IBAN_CHECKSUM', message: "Cet IBAN n'est pas valide (clé de contrôle incorrecte) : vérifiez chacun des caractères." });
  }
  const rib = frenchBban ? { bankCode: bban.slice(0, 5), branchCode: bban.slice(5, 10), accountNumber: bban.slice(10, 21), key: bban.slice(21, 23) } : null;
  if (rib && !isValidRib(rib)) {
    return failure({ code: 'IBAN_RIB_KEY', message: "La clé RIB contenue dans cet IBAN est incorrecte : vérifiez le numéro de compte." });
  }
  return success({ value, countryCode, checkDigits, bban, rib });
}

export function isValidIban(input: string): boolean {
  return parseIban(input).ok;
}

/** Groups of 4 characters: 'FR76 3000 6000 0112 3456 7890 189'. */
export function formatIban(input: string): string {
  return normaliseIban(input).replace(/(.{4})(?=.)/g, '$1 ');
}

/** Characters left visible at the end of a masked IBAN (issue 8: `FR76 •••• … ••89 123`). */
const MASK_VISIBLE_TAIL = 5;

/** 'FR7630006000011234567890189' → 'FR76 •••• •••• •••• •••• ••90 189': country, check digits and the tail stay visible. */
export function maskIban(input: string): string {
  const value = normaliseIban(input);
  const hiddenEnd = Math.max(4, value.length - MASK_VISIBLE_TAIL);
  const masked = value.slice(0, 4) + '•'.repeat(hiddenEnd - 4) + value.slice(hiddenEnd);
  return masked.replace(/(.{4})(?=.)/g, '$1 ');
}

export type BicErrorCode = 'BIC_LENGTH' | 'BIC_FORMAT';

export interface BicError {
  code: BicErrorCode;
  message: string;
}

export interface Bic {
  value: string;
  bankCode: string;
  countryCode: string;
  locationCode: string;
  /** 3-character branch, or null for an 8-character BIC. */
  branchCode: string | null;
}

/** BIC (ISO 9362): 4 bank + 2 country + 2 location [+ 3 branch] characters. */
export function parseBic(input: string): Result<Bic, BicError> {
  const value = input.replace(/\s/g, '').toUpperCase();
  if (value.length !== 8 && value.length !== 11) {
    return failure({ code: 'BIC_LENGTH', message: `Un BIC comporte 8 ou 11 caractères, et non ${value.length}.` });
  }
  if (!validateBIC(value).valid) {
    return failure({ code: 'BIC_FORMAT', message: "Ce BIC n'est pas valide : 4 lettres (banque), 2 lettres (pays), 2 caractères (ville), puis 3 caractères facultatifs (agence)." });
  }
  return success({ value, bankCode: value.slice(0, 4), countryCode: value.slice(4, 6), locationCode: value.slice(6, 8), branchCode: value.length === 11 ? value.slice(8) : null });
}

export function isValidBic(input: string): boolean {
  return parseBic(input).ok;
}
