/**
 * Pure helpers on calendar dates held as ISO strings 'YYYY-MM-DD' (care dates are dates, not
 * timestamps). ISO strings compare correctly with < and >, which the engine relies on.
 */

export interface DateParts {
  year: number;
  month: number;
  day: number;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

// Reads `length` digits at `start`, or -1 (character codes: the engine parses dates on its hot path).
function digitsAt(value: string, start: number, length: number): number {
  let number = 0;
  for (let index = start; index < start + length; index += 1) {
    const digit = value.charCodeAt(index) - 48;
    if (digit < 0 || digit > 9) return -1;
    number = number * 10 + digit;
  }
  return number;
}

/** Parts of a valid ISO date, or null (wrong shape, month 13, 30 February...). */
export function parseIsoDate(value: string): DateParts | null {
  if (value.length !== 10 || value.charCodeAt(4) !== 45 || value.charCodeAt(7) !== 45) return null;
  const year = digitsAt(value, 0, 4);
  const month = digitsAt(value, 5, 2);
  const day = digitsAt(value, 8, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  return { year, month, day };
}

export function isIsoDate(value: string): boolean {
  return parseIsoDate(value) !== null;
}

function partsOf(date: string): DateParts {
  const parts = parseIsoDate(date);
  if (!parts) throw new RangeError(`not an ISO date (YYYY-MM-DD): ${date}`);
  return parts;
}

export function toIsoDate({ year, month, day }: DateParts): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** A date as the number YYYYMMDD (20260112): comparable, and cheap to subtract for ages. */
export function dateNumber(date: string): number {
  // Parsed without the parts object: the engine calls it on every line.
  const year = digitsAt(date, 0, 4);
  const month = digitsAt(date, 5, 2);
  const day = digitsAt(date, 8, 2);
  if (date.length !== 10 || year < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    throw new RangeError(`not an ISO date (YYYY-MM-DD): ${date}`);
  }
  return year * 10_000 + month * 100 + day;
}

/** Completed years between two YYYYMMDD numbers (a person born on 29 February has a birthday on 1 March). */
export function completedYears(fromNumber: number, toNumber: number): number {
  return Math.floor((toNumber - fromNumber) / 10_000);
}

/** Age in completed years on `date`. */
export function ageOn(birthDate: string, date: string): number {
  return completedYears(dateNumber(birthDate), dateNumber(date));
}

/** Adds calendar months; the day is clamped to the end of a shorter month (31 Jan + 1 month = 28/29 Feb). */
export function addMonths(date: string, months: number): string {
  const { year, month, day } = partsOf(date);
  const index = year * 12 + (month - 1) + months;
  const newYear = Math.floor(index / 12);
  const newMonth = (index % 12) + 1;
  return toIsoDate({ year: newYear, month: newMonth, day: Math.min(day, daysInMonth(newYear, newMonth)) });
}

/** French display "12/01/2026". */
export function formatFrenchDate(date: string): string {
  const { year, month, day } = partsOf(date);
  return `${String(day).padStart(2, '0')}/${String(month).padStart(2, '0')}/${year}`;
}

/** The calendar date of an instant in Europe/Paris, 'YYYY-MM-DD' (the mutuelle's working day). */
// Built once: constructing an Intl formatter costs about 0.2 ms, more than the list page's own query.
const parisDay = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' });
export function parisDate(at: Date): string {
  return parisDay.format(at);
}

const parisLong = new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', dateStyle: 'long', timeStyle: 'short' });
/** An instant as members read it in notices: « 2 décembre 2026 à 19:35 » (Europe/Paris). */
export function formatParisDateTime(at: Date): string {
  return parisLong.format(at);
}

const parisShort = new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' });
/** « 12/03/2026 à 14:05 », Paris time. */
export function formatParisShortDateTime(at: Date): string {
  const parts = parisShort.formatToParts(at);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('day')}/${part('month')}/${part('year')} à ${part('hour')}:${part('minute')}`;
}
