import { z } from 'zod';
import type { PostalAddressValue } from '../../domain/identity/contact.ts';

/** What goes on a letter (not how it is drawn): built by queueLetter, sealed in the letter row until the PDF exists. */

export const LETTER_KINDS = ['ACTIVATION_CODE', 'CODE_RESET', 'SECURITY_NOTICE'] as const;
export type LetterKind = (typeof LETTER_KINDS)[number];

export const LETTER_STATUSES = ['QUEUED', 'GENERATED', 'PRINTED', 'CANCELLED'] as const;
export type LetterStatus = (typeof LETTER_STATUSES)[number];

/** First access (ACTIVATION_CODE) and forgotten code (CODE_RESET): a one-time code typed on /activation. */
export const activationCodeContent = z.object({
  code: z.string().regex(/^[A-Z0-9]{8}$/, 'activation code: 8 characters A-Z 0-9'),
  activationUrl: z.url({ protocol: /^https?$/ }),
  validityDays: z.number().int().min(1).max(365).default(30),
});
export type ActivationCodeContent = z.input<typeof activationCodeContent>;

/** A notice without secret (code changed, new device…): a subject and plain paragraphs. */
export const securityNoticeContent = z.object({
  subject: z.string().min(1).max(200),
  paragraphs: z.array(z.string().min(1).max(2000)).min(1).max(20),
});
export type SecurityNoticeContent = z.input<typeof securityNoticeContent>;

export type LetterRequest =
  | { kind: 'ACTIVATION_CODE' | 'CODE_RESET'; content: ActivationCodeContent }
  | { kind: 'SECURITY_NOTICE'; content: SecurityNoticeContent };

const line = z.string().max(200);

export const letterModel = z.discriminatedUnion('kind', [
  z.object({ kind: z.enum(['ACTIVATION_CODE', 'CODE_RESET']), content: activationCodeContent }),
  z.object({ kind: z.literal('SECURITY_NOTICE'), content: securityNoticeContent }),
]).and(
  z.object({
    /** « Lyon » in « Lyon, le 26 novembre 2026 ». */
    place: line,
    /** Date of the letter, 'YYYY-MM-DD' in Europe/Paris. */
    date: z.iso.date(),
    sender: z.object({ name: line, lines: z.array(line), phone: line }),
    /** The window block, NF Z10-011 order, at most 6 lines (7 abroad). */
    recipient: z.array(line).min(2).max(7),
    addressee: z.object({ firstName: line, lastName: line, sex: z.enum(['F', 'M']) }),
  }),
);
export type LetterModel = z.output<typeof letterModel>;

const MONTHS = ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'];

export { parisDate } from '../../domain/dates.ts';

const countryNames = new Intl.DisplayNames(['fr'], { type: 'region' });

/** '2026-11-26' → « 26 novembre 2026 »; the first of the month is « 1er ». */
export function frenchLongDate(isoDate: string): string {
  const [year, month, day] = isoDate.split('-').map(Number) as [number, number, number];
  return `${day === 1 ? '1er' : day} ${MONTHS[month - 1]} ${year}`;
}

/** « Lyon, le 26 novembre 2026 » (a CEDEX mention is not part of the town's name). */
export function placeAndDate(place: string, isoDate: string): string {
  return `${place}, le ${frenchLongDate(isoDate)}`;
}

export function placeName(city: string): string {
  return city.replace(/\s+cedex(\s+\d+)?\s*$/i, '').trim();
}

/** 'K7PM2QXA' → 'K7PM 2QXA': groups of four are easier to copy. */
export function groupCode(code: string): string {
  return code.replace(/(.{4})(?=.)/g, '$1 ');
}

const stripAccents = (value: string) => value.normalize('NFD').replace(/\p{M}/gu, '');
const oneLine = (value: string) => value.replace(/\s+/g, ' ').trim();


/**
 * The window block in NF Z10-011 order: recipient, complement (apartment, building), number and street,
 * postal code and town (capitals, no accents), country when abroad.
 */
export function recipientLines(address: PostalAddressValue): string[] {
  const lines = [
    oneLine(address.recipient),
    address.complement ? oneLine(address.complement) : '',
    oneLine(`${address.streetNumber ?? ''} ${address.street}`),
    oneLine(`${address.postalCode} ${stripAccents(address.city).toUpperCase()}`),
  ];
  if (address.country !== 'FR') {
    const name = countryNames.of(address.country) ?? address.country;
    lines.push(stripAccents(name).toUpperCase());
  }
  return lines.filter((l) => l.length > 0);
}
