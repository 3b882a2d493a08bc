/**
 * Phone numbers (issue 8): what a member types, in any usual French form (06 12 34 56 78, 06.12.34.56.78,
 * +33 6 12 34 56 78, +33 (0)6 12 34 56 78, 0033 6 12 34 56 78), becomes one E.164 value (+33612345678). French
 * overseas departments have their own country codes in E.164 (0692 12 34 56 in Réunion is +262692123456), so their
 * national prefixes are mapped here. Numbers of other countries are accepted in international form only (+…, 00…).
 */
import { failure, success, type Result } from '../result.ts';

export type PhoneKind = 'MOBILE' | 'LANDLINE';

export type PhoneErrorCode = 'PHONE_EMPTY' | 'PHONE_CHARACTER' | 'PHONE_FORMAT' | 'PHONE_NOT_MOBILE' | 'PHONE_NOT_LANDLINE';

export type PhoneError = { code: PhoneErrorCode; message: string };

export type Phone = {
  /** '+33612345678' */
  e164: string;
  /** True for a number of metropolitan France or an overseas department (national form shown to the member). */
  french: boolean;
  /** MOBILE or LANDLINE for a French number; null abroad, where the portal cannot tell. */
  kind: PhoneKind | null;
};

/** E.164: a + and 7 to 15 digits, the first not 0 (what the database accepts too). */
export const E164 = /^\+[1-9][0-9]{6,14}$/;

/** National prefixes (0 + 3 digits) of the overseas departments, with their E.164 country code and kind. */
const OVERSEAS: Record<string, { country: string; kind: PhoneKind }> = {
  '0262': { country: '262', kind: 'LANDLINE' }, // Réunion
  '0263': { country: '262', kind: 'LANDLINE' }, // Réunion
  '0269': { country: '262', kind: 'LANDLINE' }, // Mayotte
  '0692': { country: '262', kind: 'MOBILE' }, // Réunion
  '0693': { country: '262', kind: 'MOBILE' }, // Réunion
  '0639': { country: '262', kind: 'MOBILE' }, // Mayotte
  '0590': { country: '590', kind: 'LANDLINE' }, // Guadeloupe, Saint-Martin, Saint-Barthélemy
  '0690': { country: '590', kind: 'MOBILE' },
  '0691': { country: '590', kind: 'MOBILE' },
  '0594': { country: '594', kind: 'LANDLINE' }, // Guyane
  '0694': { country: '594', kind: 'MOBILE' },
  '0596': { country: '596', kind: 'LANDLINE' }, // Martinique
  '0696': { country: '596', kind: 'MOBILE' },
  '0697': { country: '596', kind: 'MOBILE' },
};
const OVERSEAS_BY_E164 = new Map(Object.entries(OVERSEAS).map(([prefix, o]) => [`+${o.country}${prefix.slice(1)}`, prefix]));

const EXAMPLE = 'par exemple 06 12 34 56 78 ou +33 6 12 34 56 78';

/** The kind of a metropolitan number from its first digit after the 0: 6 and 7 mobile, 1–5 and 9 landline, 8 neither. */
function metropolitanKind(significant: string): PhoneKind | null {
  const first = significant[0];
  if (first === '6' || first === '7') return 'MOBILE';
  if (first === '8') return null;
  return 'LANDLINE';
}

/** From the 10-digit national form (0 + 9 digits) to E.164. */
function fromNational(national: string): Phone {
  const overseas = OVERSEAS[national.slice(0, 4)];
  if (overseas) return { e164: `+${overseas.country}${national.slice(1)}`, french: true, kind: overseas.kind };
  return { e164: `+33${national.slice(1)}`, french: true, kind: metropolitanKind(national.slice(1)) };
}

/**
 * Reads a phone number as typed. `expected`: the field it was typed in; a French number of the other kind is refused
 * with a message that says so (a number abroad is accepted in either field).
 */
export function parsePhone(input: string, expected?: PhoneKind): Result<Phone, PhoneError> {
  const trimmed = input.trim();
  if (trimmed === '') return failure({ code: 'PHONE_EMPTY', message: 'Indiquez un numéro de téléphone.' });
  if (/[^0-9+\s.\-()/\u00A0\u202F]/.test(trimmed)) {
    return failure({ code: 'PHONE_CHARACTER', message: `Un numéro de téléphone ne contient que des chiffres, et éventuellement « + » au début : ${EXAMPLE}.` });
  }
  // « +33 (0)6… »: the national 0 written in brackets after the country code is dropped before anything else.
  let compact = trimmed.replace(/\(0\)/g, '').replace(/[\s.\-()/\u00A0\u202F]/g, '');
  if (compact.startsWith('00')) compact = `+${compact.slice(2)}`;
  if (compact.indexOf('+') > 0 || (compact.match(/\+/g) ?? []).length > 1) {
    return failure({ code: 'PHONE_FORMAT', message: `Le signe « + » ne peut figurer qu’au début du numéro : ${EXAMPLE}.` });
  }
  let phone: Phone | null = null;
  if (compact.startsWith('+33')) {
    // +33 then the 9 digits without the 0; the 0 kept by mistake (+33 06…) is forgiven.
    const rest = compact.slice(3).replace(/^0(?=\d{9}$)/, '');
    if (/^[1-9]\d{8}$/.test(rest)) phone = fromNational(`0${rest}`);
  } else if (compact.startsWith('+')) {
    if (E164.test(compact)) {
      const overseasPrefix = OVERSEAS_BY_E164.get(compact.slice(0, 7));
      phone = overseasPrefix && compact.length === 13 ? { e164: compact, french: true, kind: OVERSEAS[overseasPrefix]!.kind } : { e164: compact, french: false, kind: null };
    }
  } else if (/^0[1-9]\d{8}$/.test(compact)) {
    phone = fromNational(compact);
  }
  if (!phone) {
    return failure({ code: 'PHONE_FORMAT', message: `Ce numéro n’est pas complet ou pas valide : un numéro français a 10 chiffres, ${EXAMPLE} ; un numéro étranger commence par + et l’indicatif du pays.` });
  }
  if (expected && phone.kind && phone.kind !== expected) {
    return expected === 'MOBILE'
      ? failure({ code: 'PHONE_NOT_MOBILE', message: 'Ce numéro est celui d’un téléphone fixe : indiquez-le dans le champ « Téléphone fixe », et ici un numéro de portable (06 ou 07).' })
      : failure({ code: 'PHONE_NOT_LANDLINE', message: 'Ce numéro est celui d’un portable : indiquez-le dans le champ « Téléphone portable ».' });
  }
  return success(phone);
}

/** How the portal shows a number: French ones in the national form by pairs (06 12 34 56 78), others as E.164. */
export function formatPhone(e164: string): string {
  const overseas = OVERSEAS_BY_E164.get(e164.slice(0, 7));
  const national = overseas && e164.length === 13 ? `0${e164.slice(4)}` : /^\+33[1-9]\d{8}$/.test(e164) ? `0${e164.slice(3)}` : null;
  return national ? national.replace(/(\d{2})(?=\d)/g, '$1 ') : e164;
}
