/**
 * Which 6-digit access codes a member may choose (AUTH-02, security.md §0.2: the NIR and the date of
 * birth are not secrets, so nothing derived from them is accepted). Pure: the caller passes the
 * household's birth dates and the member's NIR.
 *
 * Refused, in this order (the first rule that matches gives the reason):
 * 1. CODE_FORMAT — anything but exactly 6 ASCII digits.
 * 2. CODE_SAME_DIGIT — 000000 … 999999.
 * 3. CODE_SEQUENCE — a constant step modulo 10, up or down, any step 1…9, wrapping round:
 *    123456, 654321, 890123 and 109876 (wrap), 135791, 246802, 147036 (step 3)…
 *    Wrapping counts: 890123 is typed as "the next six keys" as readily as 345678.
 * 4. CODE_REPEATED_PATTERN — a pair or a triple repeated: ababab (121212), abcabc (123123).
 * 5. CODE_BIRTH_DATE — any household birth date written with day D/DD, month M/MM and year YY/YYYY
 *    in the orders day-month-year, month-day-year, year-month-day and year-day-month, kept when
 *    the result has 6 digits and cut into every 6-digit window when it is longer. For 10/01/1985
 *    that covers DDMMYY 100185, MMDDYY 011085, YYMMDD 850110, YYDDMM 851001, and the windows of
 *    DDMMYYYY (100119, 001198, 011985), YYYYMMDD (198501, 985011, 850110), MMDDYYYY (011019,
 *    110198, 101985), YYYYDDMM (198510, 985100, 851001); for 1/2/1985, D M YYYY gives 121985.
 * 6. CODE_NIR — any 6 consecutive digits of the NIR (sex, year, month, place, order, key), so the
 *    NIR's own YYMM and department are covered too.
 * 7. CODE_COMMON — the 100 most frequent 6-digit codes (common-pins.ts).
 */
import { failure, success, type Result } from '../result.ts';
import { COMMON_PINS } from './common-pins.ts';

export type AccessCodeRejection =
  | 'CODE_FORMAT'
  | 'CODE_SAME_DIGIT'
  | 'CODE_SEQUENCE'
  | 'CODE_REPEATED_PATTERN'
  | 'CODE_BIRTH_DATE'
  | 'CODE_NIR'
  | 'CODE_COMMON';

export type AccessCodeWeakness = { code: AccessCodeRejection; /** French, shown to the member as is. */ message: string };

export const ACCESS_CODE_MESSAGES: Readonly<Record<AccessCodeRejection, string>> = {
  CODE_FORMAT: 'Le code d’accès doit comporter exactement 6 chiffres.',
  CODE_SAME_DIGIT: 'Ce code répète le même chiffre : choisissez 6 chiffres moins faciles à deviner.',
  CODE_SEQUENCE: 'Ce code est une suite de chiffres (comme 123456 ou 654321) : choisissez-en un autre.',
  CODE_REPEATED_PATTERN: 'Ce code répète un même motif (comme 121212 ou 123123) : choisissez-en un autre.',
  CODE_BIRTH_DATE: 'Ce code reprend une date de naissance de votre foyer : choisissez-en un autre.',
  CODE_NIR: 'Ce code reprend une partie de votre numéro de Sécurité sociale : choisissez-en un autre.',
  CODE_COMMON: 'Ce code fait partie des codes les plus utilisés : choisissez-en un autre.',
};

export type AccessCodeContext = {
  /** Birth dates of everyone in the household, ISO 'YYYY-MM-DD'. */
  birthDates: readonly string[];
  /** The member's NIR (spaces allowed). */
  nir: string;
};

const COMMON = new Set(COMMON_PINS);

const reject = (code: AccessCodeRejection) => failure<AccessCodeWeakness>({ code, message: ACCESS_CODE_MESSAGES[code] });

/** The code itself when it may be used, otherwise the first rule it breaks with a French message. */
export function checkAccessCode(code: string, context: AccessCodeContext): Result<string, AccessCodeWeakness> {
  if (!/^[0-9]{6}$/.test(code)) return reject('CODE_FORMAT');
  const digits = [...code].map(Number);
  if (digits.every((d) => d === digits[0])) return reject('CODE_SAME_DIGIT');
  if (isConstantStep(digits)) return reject('CODE_SEQUENCE');
  if (code === code.slice(0, 2).repeat(3) || code === code.slice(0, 3).repeat(2)) return reject('CODE_REPEATED_PATTERN');
  if (context.birthDates.some((date) => birthDateCodes(date).has(code))) return reject('CODE_BIRTH_DATE');
  if (nirWindows(context.nir).has(code)) return reject('CODE_NIR');
  if (COMMON.has(code)) return reject('CODE_COMMON');
  return success(code);
}

function isConstantStep(digits: number[]): boolean {
  const step = (digits[1]! - digits[0]! + 10) % 10;
  return step !== 0 && digits.every((d, i) => i === 0 || (d - digits[i - 1]! + 10) % 10 === step);
}

function windows(text: string, into: Set<string>): void {
  for (let i = 0; i + 6 <= text.length; i++) {
    const part = text.slice(i, i + 6);
    if (/^[0-9]{6}$/.test(part)) into.add(part);
  }
}

/** Every 6-digit code derived from one ISO birth date (forms listed in the module comment). */
export function birthDateCodes(isoDate: string): Set<string> {
  const codes = new Set<string>();
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate);
  if (!match) return codes;
  const [, yyyy, mm, dd] = match as unknown as [string, string, string, string];
  const days = new Set([dd, String(Number(dd))]);
  const months = new Set([mm, String(Number(mm))]);
  const years = [yyyy, yyyy.slice(2)];
  for (const d of days) {
    for (const m of months) {
      for (const y of years) {
        for (const written of [d + m + y, m + d + y, y + m + d, y + d + m]) windows(written, codes);
      }
    }
  }
  return codes;
}

function nirWindows(nir: string): Set<string> {
  const codes = new Set<string>();
  windows(nir.replace(/[\s.\-\u00A0\u202F]/g, '').toUpperCase(), codes);
  return codes;
}
