/**
 * Counters of one beneficiary, built from the history and updated line after line: PF and
 * franchise daily/annual totals, yearly AMC per guarantee counter, optical equipments and
 * hearing aids covered (renewal periods), and what each optical equipment has consumed.
 */
import { addMonths } from '../dates.ts';

interface YearTotals {
  flatFee: number;
  deductible: number;
  /** AMO and AMC paid per guarantee counter, for annual caps and yearly flats. */
  paid: Map<string, { amoCents: number; amcCents: number }> | null;
}

export class BeneficiaryCounters {
  private readonly flatFeeByDay = new Map<string, number>();
  private readonly deductibleByDay = new Map<string, number>();
  // Totals by year in plain records: cheaper than string keys built on every line.
  private readonly byYear = new Map<number, YearTotals>();
  // Keyed by date (AMC of classe B items) or by date|rule (per-equipment flat credit).
  private readonly equipment = new Map<string, number>();
  private readonly opticsEquipmentDates: string[] = [];
  private readonly hearingAidDates: string[] = [];

  private year(year: number): YearTotals {
    let totals = this.byYear.get(year);
    if (!totals) {
      totals = { flatFee: 0, deductible: 0, paid: null };
      this.byYear.set(year, totals);
    }
    return totals;
  }

  flatFeeOnDay(dayKey: string): number {
    return this.flatFeeByDay.get(dayKey) ?? 0;
  }

  flatFeeInYear(year: number): number {
    return this.byYear.get(year)?.flatFee ?? 0;
  }

  deductibleOnDay(dayKey: string): number {
    return this.deductibleByDay.get(dayKey) ?? 0;
  }

  deductibleInYear(year: number): number {
    return this.byYear.get(year)?.deductible ?? 0;
  }

  addFlatFee(dayKey: string, year: number, cents: number): void {
    this.flatFeeByDay.set(dayKey, this.flatFeeOnDay(dayKey) + cents);
    this.year(year).flatFee += cents;
  }

  addDeductible(dayKey: string, year: number, cents: number): void {
    this.deductibleByDay.set(dayKey, this.deductibleOnDay(dayKey) + cents);
    this.year(year).deductible += cents;
  }

  /** AMC (and AMO) paid in a calendar year on the lines of a guarantee counter. */
  paidInYear(counter: string, year: number): { amcCents: number; amoCents: number } {
    return this.byYear.get(year)?.paid?.get(counter) ?? { amcCents: 0, amoCents: 0 };
  }

  addPaid(counter: string, year: number, amoCents: number, amcCents: number): void {
    const totals = this.year(year);
    totals.paid ??= new Map();
    const paid = totals.paid.get(counter);
    if (paid) {
      paid.amoCents += amoCents;
      paid.amcCents += amcCents;
    } else {
      totals.paid.set(counter, { amoCents, amcCents });
    }
  }

  /** Date of the last optical equipment covered strictly before `date`, if any. */
  lastOpticsEquipmentBefore(date: string): string | null {
    let last: string | null = null;
    for (const equipmentDate of this.opticsEquipmentDates) {
      if (equipmentDate < date && (last === null || equipmentDate > last)) last = equipmentDate;
    }
    return last;
  }

  addOpticsEquipment(date: string): void {
    if (!this.opticsEquipmentDates.includes(date)) this.opticsEquipmentDates.push(date);
  }

  /** Dates (one per device) of the hearing aids covered within `months` before `date`, oldest first. */
  hearingAidsWithin(date: string, months: number): string[] {
    return this.hearingAidDates.filter((deviceDate) => deviceDate <= date && addMonths(deviceDate, months) > date).sort();
  }

  addHearingAids(date: string, quantity: number): void {
    for (let device = 0; device < quantity; device += 1) this.hearingAidDates.push(date);
  }

  /** AMC paid on the classe B items of an optical equipment (for the responsable ceiling). */
  equipmentFreeItemsAmc(date: string): number {
    return this.equipment.get(date) ?? 0;
  }

  addEquipmentFreeItemAmc(date: string, amcCents: number): void {
    this.equipment.set(date, this.equipmentFreeItemsAmc(date) + amcCents);
  }

  /** Credit of a "per equipment" flat already consumed on an equipment, by rule. */
  equipmentFlatCreditUsed(date: string, ruleId: string): number {
    return this.equipment.get(`${date}|${ruleId}`) ?? 0;
  }

  addEquipmentFlatCredit(date: string, ruleId: string, cents: number): void {
    this.equipment.set(`${date}|${ruleId}`, this.equipmentFlatCreditUsed(date, ruleId) + cents);
  }
}
