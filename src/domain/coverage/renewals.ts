/**
 * Renewal periods of optical equipment and hearing aids (domain.md §3.2), shared by the engine (a line inside the
 * period gets no AMC) and the member's counters (the date from which a new one is covered again).
 */
import { addMonths, ageOn, daysInMonth, toIsoDate } from '../dates.ts';
import type { RenewalParameters } from './parameters.ts';

/** The optical renewal period that applies at an age: the shorter one below `opticsAdultAge`. */
export function opticsRenewalMonths(renewal: RenewalParameters, age: number): number {
  return age >= renewal.opticsAdultAge ? renewal.opticsMonths : renewal.opticsChildMonths;
}

/** End of the optical period opened by the equipment of `previousDate`, for a new equipment bought at `age`. */
export function opticsRenewalEnd(renewal: RenewalParameters, previousDate: string, age: number): string {
  return addMonths(previousDate, opticsRenewalMonths(renewal, age));
}

/** The first day on which someone born on `birthDate` is `years` old (born on 29 February: 1 March in other years). */
function birthdayOfAge(birthDate: string, years: number): string {
  const year = Number(birthDate.slice(0, 4)) + years;
  const month = Number(birthDate.slice(5, 7));
  const day = Number(birthDate.slice(8, 10));
  return day > daysInMonth(year, month) ? toIsoDate({ year, month: month + 1, day: 1 }) : toIsoDate({ year, month, day });
}

/**
 * The first date from which a new optical equipment is covered after the one of `lastEquipmentDate`. The engine
 * refuses a date d while d < last + the period for the age on d, so the answer is the end of the child period while
 * the beneficiary is still a child on that day, else the end of the adult period (or the adult birthday, when the
 * child period is the longer one).
 */
export function nextOpticsEquipmentDate(renewal: RenewalParameters, birthDate: string, lastEquipmentDate: string): string {
  const blocked = (date: string) => date < opticsRenewalEnd(renewal, lastEquipmentDate, ageOn(birthDate, date));
  const candidates = [
    addMonths(lastEquipmentDate, renewal.opticsChildMonths),
    addMonths(lastEquipmentDate, renewal.opticsMonths),
    birthdayOfAge(birthDate, renewal.opticsAdultAge),
  ].sort();
  return candidates.find((date) => date >= lastEquipmentDate && !blocked(date)) ?? candidates[candidates.length - 1]!;
}

/**
 * Hearing aids: `hearingAidsPerPeriod` devices (one per ear) per period. `devicesWithin` holds one date per device
 * covered within the period before `date`, oldest first. Null when `quantity` more devices are covered on `date`;
 * otherwise the last device date and the day enough devices leave the period.
 */
export function hearingAidRenewalBlock(renewal: RenewalParameters, devicesWithin: readonly string[], quantity: number, date: string): { previousDate: string; nextDate: string } | null {
  const excess = devicesWithin.length + quantity - renewal.hearingAidsPerPeriod;
  if (excess <= 0) return null;
  const freeing = devicesWithin[Math.min(excess, devicesWithin.length) - 1] ?? date;
  return { previousDate: devicesWithin[devicesWithin.length - 1] ?? date, nextDate: addMonths(freeing, renewal.hearingAidMonths) };
}

/** One date per device covered within the hearing-aid period before `date` (not after it), oldest first. */
export function hearingAidsWithin(renewal: RenewalParameters, deviceDates: readonly string[], date: string): string[] {
  return deviceDates.filter((deviceDate) => deviceDate <= date && addMonths(deviceDate, renewal.hearingAidMonths) > date).sort();
}

/** The first date from `today` on which one more hearing aid is covered: `today` itself when one is covered now. */
export function nextHearingAidDate(renewal: RenewalParameters, deviceDates: readonly string[], today: string): string {
  return hearingAidRenewalBlock(renewal, hearingAidsWithin(renewal, deviceDates, today), 1, today)?.nextDate ?? today;
}
