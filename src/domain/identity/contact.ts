/**
 * Email and postal addresses as members type them (issue 8). A French postal address follows NF Z10-011 (lines of at
 * most 38 characters, code postal of 5 digits); an address abroad names its country and keeps its own postal code.
 * Errors are per form field, in French.
 */
import { failure, success, type Result } from '../result.ts';

export type EmailError = { code: 'EMAIL_EMPTY' | 'EMAIL_FORMAT' | 'EMAIL_TOO_LONG'; message: string };

/** The address as kept and shown: trimmed, domain in lower case (the part before @ is the mailbox owner's business). */
export function parseEmail(input: string): Result<string, EmailError> {
  const value = input.trim();
  if (value === '') return failure({ code: 'EMAIL_EMPTY', message: 'Indiquez une adresse email.' });
  if (value.length > 254) return failure({ code: 'EMAIL_TOO_LONG', message: 'Une adresse email comporte 254 caractères au plus.' });
  const at = value.lastIndexOf('@');
  const local = value.slice(0, at);
  const domain = value.slice(at + 1).toLowerCase();
  // No space or control character (a line break would forge a mail header, VAL-06), one @, a dot in the domain.
  if (at < 1 || /[\s\p{Cc}<>()[\]\\,;:"@]/u.test(local) || !/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/.test(domain) || local.length > 64) {
    return failure({ code: 'EMAIL_FORMAT', message: 'Cette adresse email n’est pas valide : elle s’écrit sous la forme prenom.nom@exemple.fr.' });
  }
  return success(`${local}@${domain}`);
}

/** What the keyed blind index of an email is computed on: the same mailbox whatever the case typed. */
export function emailIndexForm(address: string): string {
  return address.trim().toLowerCase();
}

/** j•••n@exemple.fr: enough for a member to recognise their address, not to read it. */
export function maskEmail(address: string): string {
  const at = address.lastIndexOf('@');
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  return local.length <= 2 ? `${local.slice(0, 1)}•••@${domain}` : `${local.slice(0, 1)}•••${local.slice(-1)}@${domain}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Postal addresses.

/** NF Z10-011: 38 characters at most per line of the address block. */
export const ADDRESS_LINE_MAX = 38;

const NOT_COUNTRIES = new Set(['EU', 'EZ', 'UN', 'QO', 'ZZ', 'AA', 'XA', 'XB', 'QU']);

/** Every country Intl knows by a French name, sorted as French readers expect (« Émirats » after « Égypte »). */
export const COUNTRIES: readonly { code: string; name: string }[] = (() => {
  const names = new Intl.DisplayNames(['fr'], { type: 'region', fallback: 'none' });
  const list: { code: string; name: string }[] = [];
  for (let a = 65; a <= 90; a++) {
    for (let b = 65; b <= 90; b++) {
      const code = String.fromCharCode(a, b);
      const name = NOT_COUNTRIES.has(code) ? undefined : names.of(code);
      if (name && name !== code) list.push({ code, name });
    }
  }
  return list.sort((x, y) => x.name.localeCompare(y.name, 'fr'));
})();
const COUNTRY_CODES = new Set(COUNTRIES.map((c) => c.code));

export function countryName(code: string): string {
  return COUNTRIES.find((c) => c.code === code)?.name ?? code;
}

/** The fields of the address form, as typed. */
export type PostalAddressInput = {
  recipient: string;
  streetNumber: string;
  street: string;
  complement: string;
  postalCode: string;
  city: string;
  country: string;
};

export type PostalAddressValue = {
  recipient: string;
  streetNumber: string | null;
  street: string;
  complement: string | null;
  postalCode: string;
  city: string;
  /** ISO 3166-1 alpha-2. */
  country: string;
};

export type PostalAddressErrors = Partial<Record<keyof PostalAddressInput, string>>;

const oneLine = (value: string) => value.replace(/[\s\u00A0\u202F]+/g, ' ').trim();
// A line break or another control character would forge a line of the address block (or a mail header).
const hasControl = (value: string) => /\p{Cc}/u.test(value);

/** Checks an address; the values come back on one line each, spaces tidied, the code postal without spaces in France. */
export function parsePostalAddress(input: PostalAddressInput): Result<PostalAddressValue, PostalAddressErrors> {
  const errors: PostalAddressErrors = {};
  const country = input.country.trim().toUpperCase() || 'FR';
  const recipient = oneLine(input.recipient);
  const streetNumber = oneLine(input.streetNumber);
  const street = oneLine(input.street);
  const complement = oneLine(input.complement);
  const city = oneLine(input.city);
  const postalCode = country === 'FR' ? input.postalCode.replace(/[\s\u00A0\u202F]/g, '') : oneLine(input.postalCode).toUpperCase();
  for (const field of ['recipient', 'streetNumber', 'street', 'complement', 'postalCode', 'city'] as const) {
    if (hasControl(input[field])) errors[field] = 'Une seule ligne, sans retour à la ligne.';
  }
  if (!COUNTRY_CODES.has(country)) errors.country = 'Choisissez le pays dans la liste.';
  if (recipient.length > ADDRESS_LINE_MAX) errors.recipient = `${ADDRESS_LINE_MAX} caractères au plus (norme postale).`;
  if (streetNumber && (!/[0-9]/.test(streetNumber) || !/^[0-9A-Za-z][0-9A-Za-z/ -]{0,9}$/.test(streetNumber))) {
    errors.streetNumber = 'Le numéro s’écrit avec des chiffres, suivis au besoin de bis, ter ou d’une lettre (par exemple 12 bis), 10 caractères au plus.';
  }
  if (street.length < 2) errors.street = 'Indiquez la voie : par exemple « rue des Lilas ».';
  else if (`${streetNumber} ${street}`.trim().length > ADDRESS_LINE_MAX) {
    errors.street = `Le numéro et la voie tiennent sur une ligne de ${ADDRESS_LINE_MAX} caractères au plus (norme postale) : abrégez (av., bd, chem.) ou utilisez le complément.`;
  }
  if (complement.length > ADDRESS_LINE_MAX) errors.complement = `${ADDRESS_LINE_MAX} caractères au plus (norme postale).`;
  if (country === 'FR') {
    if (!/^[0-9]{5}$/.test(postalCode) || postalCode.startsWith('00')) errors.postalCode = 'Le code postal comporte 5 chiffres, par exemple 69003.';
  } else if (!/^[A-Z0-9][A-Z0-9 -]{0,11}$/.test(postalCode) && postalCode !== '') {
    errors.postalCode = 'Le code postal ne contient que des lettres, des chiffres, des espaces ou des tirets (12 caractères au plus).';
  }
  if (city.length < 1) errors.city = 'Indiquez la commune.';
  else if (`${postalCode} ${city}`.trim().length > ADDRESS_LINE_MAX) errors.city = `Le code postal et la commune tiennent sur une ligne de ${ADDRESS_LINE_MAX} caractères au plus (norme postale) : abrégez (St pour Saint…).`;
  if (Object.keys(errors).length > 0) return failure(errors);
  return success({ recipient, streetNumber: streetNumber || null, street, complement: complement || null, postalCode, city, country });
}
