/**
 * NIR (numéro de sécurité sociale), domain.md §1: 13 characters + a 2-digit key
 * `97 − (N mod 97)`, with 2A → 19 and 2B → 18 for Corsica before computing N.
 */
import { failure, success, type Result } from '../result.ts';

export type NirErrorCode = 'NIR_LENGTH' | 'NIR_CHARACTER' | 'NIR_FORMAT' | 'NIR_KEY';

export interface NirError {
  code: NirErrorCode;
  /** French, shown to the member as is. */
  message: string;
  /** 1-based position of the faulty character, when one is to blame. */
  position?: number;
}

export interface NirWarning {
  code: 'NIR_UNUSUAL_MONTH';
  message: string;
}

export interface Nir {
  /** Normalised 15 characters, e.g. '185017505612324'. */
  value: string;
  /** '1' man, '2' woman; '3', '7', '8' for provisional numbers. */
  sexDigit: string;
  /** Provisional number (first digit 3, 7 or 8), to be replaced by the definitive NIR later. */
  provisional: boolean;
  birthYear: string;
  birthMonth: string;
  /** Positions 6–10, the 5-character COG birthplace code, whatever the split. */
  birthPlace: string;
  /** '75', '2A', '974' (overseas: 3 digits), '99' (born abroad). */
  department: string;
  /** Commune code (2 digits overseas), or the INSEE country code when born abroad. */
  commune: string;
  bornAbroad: boolean;
  order: string;
  key: string;
  /** Accepted but unusual values (INSEE pseudo-months for incomplete civil status). */
  warnings: NirWarning[];
}

const BODY_LENGTH = 13;
const NIR_LENGTH = 15;
// 1, 2 definitive; 7, 8 provisional (and 3, quoted by some sources, domain.md §1.4 ⚠).
const SEX_DIGITS = new Set(['1', '2', '3', '7', '8']);
const PROVISIONAL_DIGITS = new Set(['3', '7', '8']);
const CORSICA_SUBSTITUTES: Readonly<Record<string, string>> = { '2A': '19', '2B': '18' };
const OVERSEAS_PREFIXES = new Set(['97', '98']);
const ABROAD = '99';

/** Removes spaces (any kind), dots and dashes, and uppercases: '1 85 01.75' → '18501 75'. */
export function normaliseNir(input: string): string {
  return input.replace(/[\s.\-\u00A0\u202F]/g, '').toUpperCase();
}

function formatError(body: string): NirError | null {
  for (let index = 0; index < body.length; index += 1) {
    const char = body.charAt(index);
    const isDigit = char >= '0' && char <= '9';
    const corsicaLetter = index === 6 && body.charAt(5) === '2' && (char === 'A' || char === 'B');
    if (!isDigit && !corsicaLetter) {
      return {
        code: 'NIR_FORMAT',
        message: `Le caractère « ${char} » n'est pas permis en position ${index + 1} : seuls 2A et 2B (Corse, positions 6 et 7) comportent une lettre.`,
        position: index + 1,
      };
    }
  }
  if (!SEX_DIGITS.has(body.charAt(0))) {
    return {
      code: 'NIR_FORMAT',
      message: `Le premier chiffre du NIR doit être 1 ou 2 (ou 7, 8 pour un numéro provisoire), pas ${body.charAt(0)}.`,
      position: 1,
    };
  }
  return null;
}

function keyOf(body: string): string {
  const corsica = CORSICA_SUBSTITUTES[body.slice(5, 7)];
  const digits = corsica === undefined ? body : body.slice(0, 5) + corsica + body.slice(7);
  // 13 digits stay below 2^53, so a Number is exact (domain.md §1.2).
  const key = 97 - (Number(digits) % 97);
  return String(key).padStart(2, '0');
}

/**
 * The 2-digit key of a 13-character NIR body ('1850175056123' → '24'). Throws on a body that
 * is not a well-formed NIR body: it is meant for data the caller already controls.
 */
export function computeNirKey(body: string): string {
  const normalised = normaliseNir(body);
  if (normalised.length !== BODY_LENGTH || formatError(normalised)) throw new RangeError(`not a NIR body (13 characters): ${body}`);
  return keyOf(normalised);
}

/** Parses and validates a NIR typed by a person or read from a file (spaces and dots allowed). */
export function parseNir(input: string): Result<Nir, NirError> {
  const value = normaliseNir(input);
  const badCharacter = /[^0-9A-Z]/.exec(value);
  if (badCharacter) {
    return failure({
      code: 'NIR_CHARACTER',
      message: `Le NIR ne peut contenir que des chiffres (et 2A ou 2B pour la Corse) : « ${badCharacter[0]} » n'est pas permis.`,
      position: badCharacter.index + 1,
    });
  }
  if (value.length !== NIR_LENGTH) {
    const message =
      value.length === BODY_LENGTH
        ? 'Le NIR doit comporter 15 caractères : il manque la clé (les 2 derniers chiffres).'
        : `Le NIR doit comporter 15 caractères (13 + la clé de 2 chiffres), et non ${value.length}.`;
    return failure({ code: 'NIR_LENGTH', message });
  }
  const body = value.slice(0, BODY_LENGTH);
  const error = formatError(body);
  if (error) return failure(error);
  const key = value.slice(BODY_LENGTH);
  if (!/^\d{2}$/.test(key)) {
    return failure({ code: 'NIR_FORMAT', message: 'La clé du NIR (2 derniers caractères) doit être composée de 2 chiffres.', position: 14 });
  }
  if (keyOf(body) !== key) {
    return failure({ code: 'NIR_KEY', message: 'La clé du NIR ne correspond pas : vérifiez chacun des chiffres saisis.' });
  }

  const overseas = OVERSEAS_PREFIXES.has(value.slice(5, 7));
  const departmentLength = overseas ? 3 : 2;
  const birthMonth = value.slice(3, 5);
  const monthNumber = Number(birthMonth);
  const warnings: NirWarning[] =
    monthNumber >= 1 && monthNumber <= 12
      ? []
      : [{ code: 'NIR_UNUSUAL_MONTH', message: `Mois de naissance ${birthMonth} inhabituel (état civil incomplet) : à vérifier.` }];
  return success({
    value,
    sexDigit: value.charAt(0),
    provisional: PROVISIONAL_DIGITS.has(value.charAt(0)),
    birthYear: value.slice(1, 3),
    birthMonth,
    birthPlace: value.slice(5, 10),
    department: value.slice(5, 5 + departmentLength),
    commune: value.slice(5 + departmentLength, 10),
    bornAbroad: value.slice(5, 7) === ABROAD,
    order: value.slice(10, 13),
    key,
    warnings,
  });
}

export function isValidNir(input: string): boolean {
  return parseNir(input).ok;
}

// Display groups: sex, year, month, department, commune, order, key (overseas: 3-digit department).
function groups(value: string): string[] {
  const departmentLength = OVERSEAS_PREFIXES.has(value.slice(5, 7)) ? 3 : 2;
  const split = 5 + departmentLength;
  return [value.slice(0, 1), value.slice(1, 3), value.slice(3, 5), value.slice(5, split), value.slice(split, 10), value.slice(10, 13), value.slice(13, 15)];
}

/** '185017505612324' → '1 85 01 75 056 123 24'. Input that is not 15 characters is returned normalised. */
export function formatNir(input: string): string {
  const value = normaliseNir(input);
  return value.length === NIR_LENGTH ? groups(value).join(' ') : value;
}

/** '185017505612324' → '1 85 •• •• ••• ••• 24': sex, year and key stay visible. */
export function maskNir(input: string): string {
  const value = normaliseNir(input);
  if (value.length !== NIR_LENGTH) return '•'.repeat(value.length);
  return groups(value)
    .map((group, index) => (index === 0 || index === 1 || index === 6 ? group : '•'.repeat(group.length)))
    .join(' ');
}
