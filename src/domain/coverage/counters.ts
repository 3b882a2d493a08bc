/**
 * Counters of one beneficiary, built from the history and updated line after line: PF and
 * franchise daily/annual totals, yearly AMC per guarantee counter, optical equipments and
 * hearing aids covered (renewal periods), and what each optical equipment has consumed.
 */
import { addMonths } from '../dates.ts';

interface EquipmentUse {
  /** AMC paid on the classe B items of the equipment (for the responsable ceiling). */
  freeItemsAmcCents: number;
  /** Credit of "per equipment" flats consumed, by rule id. */
  flatCreditUsedCents: Map<string, number>;
}

export class BeneficiaryCounters {
  private readonly flatFeeByDay = new Map<string, number>();
  private readonly flatFeeByYear = new Map<number, number>();
  private readonly deductibleByDay = new Map<string, number>();
  private readonly deductibleByYear = new Map<number, number>();
  private readonly amcByCounterYear = new Map<string, number>();
  private readonly amoByCounterYear = new Map<string, number>();
  private readonly opticsEquipmentDates = new Set<string>();
  private readonly hearingAidDates: string[] = [];
  private readonly equipments = new Map<string, EquipmentUse>();

  flatFeeOnDay(dayKey: string): number {
    return this.flatFeeByDay.get(dayKey) ?? 0;
  }

  flatFeeInYear(year: number): number {
    return this.flatFeeByYear.get(year) ?? 0;
  }

  deductibleOnDay(dayKey: string): number {
    return this.deductibleByDay.get(dayKey) ?? 0;
  }

  deductibleInYear(year: number): number {
    return this.deductibleByYear.get(year) ?? 0;
  }

  addFlatFee(dayKey: string, year: number, cents: number): void {
    this.flatFeeByDay.set(dayKey, this.flatFeeOnDay(dayKey) + cents);
    this.flatFeeByYear.set(year, this.flatFeeInYear(year) + cents);
  }

  addDeductible(dayKey: string, year: number, cents: number): void {
    this.deductibleByDay.set(dayKey, this.deductibleOnDay(dayKey) + cents);
    this.deductibleByYear.set(year, this.deductibleInYear(year) + cents);
  }

  /** AMC (and AMO) paid in a calendar year on the lines of a guarantee counter. */
  paidInYear(counter: string, year: number): { amcCents: number; amoCents: number } {
    const key = `${counter}|${year}`;
    return { amcCents: this.amcByCounterYear.get(key) ?? 0, amoCents: this.amoByCounterYear.get(key) ?? 0 };
  }

  addPaid(counter: string, year: number, amoCents: number, amcCents: number): void {
    const key = `${counter}|${year}`;
    this.amcByCounterYear.set(key, (this.amcByCounterYear.get(key) ?? 0) + amcCents);
    this.amoByCounterYear.set(key, (this.amoByCounterYear.get(key) ?? 0) + amoCents);
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
    this.opticsEquipmentDates.add(date);
  }

  /** Dates (one per device) of the hearing aids covered within `months` before `date`, oldest first. */
  hearingAidsWithin(date: string, months: number): string[] {
    return this.hearingAidDates.filter((deviceDate) => deviceDate <= date && addMonths(deviceDate, months) > date).sort();
  }

  addHearingAids(date: string, quantity: number): void {
    for (let device = 0; device < quantity; device += 1) this.hearingAidDates.push(date);
  }

  private equipment(date: string): EquipmentUse {
    let use = this.equipments.get(date);
    if (!use) {
      use = { freeItemsAmcCents: 0, flatCreditUsedCents: new Map() };
      this.equipments.set(date, use);
    }
    return use;
  }

  equipmentFreeItemsAmc(date: string): number {
    return this.equipments.get(date)?.freeItemsAmcCents ?? 0;
  }

  equipmentFlatCreditUsed(date: string, ruleId: string): number {
    return this.equipments.get(date)?.flatCreditUsedCents.get(ruleId) ?? 0;
  }

  addEquipmentFreeItemAmc(date: string, amcCents: number): void {
    this.equipment(date).freeItemsAmcCents += amcCents;
  }

  addEquipmentFlatCredit(date: string, ruleId: string, cents: number): void {
    const credits = this.equipment(date).flatCreditUsedCents;
    credits.set(ruleId, (credits.get(ruleId) ?? 0) + cents);
  }
}
