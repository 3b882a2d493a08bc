/**
 * What is left this year of a guarantee's yearly amounts: annual caps on the AMC of a counter (`annualCapCents`) and
 * yearly flat credits (`FLAT` per `YEAR`), computed as the engine does from what the counter's lines already used.
 */
import type { GuaranteeTable } from './types.ts';

/** AMO and AMC of this calendar year's lines, by the guarantee rule applied to them (`claim_line.rule`). */
export type PaidByRule = ReadonlyMap<string, { amoCents: number; amcCents: number }>;

export interface AnnualAllowance {
  /** The counter shared by the rules (the rule id by default). */
  counter: string;
  /** ANNUAL_CAP: the AMC of the counter is capped; YEARLY_FLAT: a yearly credit (with the AMO when it includes it). */
  kind: 'ANNUAL_CAP' | 'YEARLY_FLAT';
  /** The rows of the tableau de garanties concerned, in French. */
  label: string;
  limitCents: number;
  usedCents: number;
  /** Never below zero. */
  remainingCents: number;
}

/** Every annual cap and yearly flat of the table, in the order of its rules, with what `paid` has used of it. */
export function annualAllowances(table: GuaranteeTable, paid: PaidByRule): AnnualAllowance[] {
  const counterOf = (rule: { id: string; counter?: string }) => rule.counter ?? rule.id;
  const usedOn = (counter: string, withAmo: boolean) => {
    let used = 0;
    for (const rule of table.rules) {
      if (counterOf(rule) !== counter) continue;
      const amounts = paid.get(rule.id);
      if (amounts) used += amounts.amcCents + (withAmo ? amounts.amoCents : 0);
    }
    return used;
  };
  const allowances: AnnualAllowance[] = [];
  const add = (kind: AnnualAllowance['kind'], counter: string, label: string, limitCents: number, withAmo: boolean) => {
    const same = allowances.find((a) => a.kind === kind && a.counter === counter && a.limitCents === limitCents);
    if (same) {
      if (!same.label.split(' ; ').includes(label)) same.label += ` ; ${label}`;
      return;
    }
    const usedCents = usedOn(counter, withAmo);
    allowances.push({ counter, kind, label, limitCents, usedCents, remainingCents: Math.max(0, limitCents - usedCents) });
  };
  for (const rule of table.rules) {
    if (rule.annualCapCents !== undefined) add('ANNUAL_CAP', counterOf(rule), rule.label, rule.annualCapCents, false);
    for (const component of rule.cover) {
      if (component.form === 'FLAT' && component.per === 'YEAR') add('YEARLY_FLAT', counterOf(rule), rule.label, component.amountCents, component.includesAmo);
    }
  }
  return allowances;
}
