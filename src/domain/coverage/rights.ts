/**
 * Which guarantee covers a beneficiary on a date, from their rights periods: shared by the import (liquidation) and
 * the member's counters.
 */
import type { Aid } from './families.ts';
import type { GuaranteeTable, Product } from './types.ts';

/** One rights period of a beneficiary with the code of its contract's product. */
export interface CoveragePeriod {
  startDate: string;
  endDate: string;
  /** `rights_period.kind`: CONTRACT, or an aid (CSS, CSS_PARTICIPATION, ACS_A/B/C). */
  kind: string;
  productCode: string;
}

export interface CoverageOnDate {
  productCode: string;
  aid: Aid;
}

/** The guarantee and the aid of the beneficiary on a date: a CSS or ACS period wins over the plain contract. */
export function coverageOn(periods: readonly CoveragePeriod[], date: string): CoverageOnDate | null {
  let found: CoverageOnDate | null = null;
  for (const period of periods) {
    if (period.startDate > date || period.endDate < date) continue;
    if (period.kind === 'CONTRACT') found ??= { productCode: period.productCode, aid: 'NONE' };
    else return { productCode: period.productCode, aid: period.kind as Aid };
  }
  return found;
}

export function sameCoverage(a: CoverageOnDate | null, b: CoverageOnDate | null): boolean {
  return a?.productCode === b?.productCode && a?.aid === b?.aid;
}

/** The version of a product's tableau de garanties in force on a date (the engine uses the same rule), or null. */
export function guaranteeTableOn(product: Product, date: string): GuaranteeTable | null {
  return product.versions.find((table) => table.validFrom <= date && (table.validTo === null || date <= table.validTo)) ?? null;
}
