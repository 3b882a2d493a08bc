/**
 * The coverage engine (domain.md §2): for each care line, the AMO gross, participation
 * forfaitaire and franchise, AMO net, the mutuelle's part (AMC) from the guarantee table, and
 * the reste à charge, with a structured explanation and a French sentence.
 * Lines are liquidated in care-date order, each consuming the counters left by the previous ones.
 */
import { completedYears, dateNumber } from '../dates.ts';
import { FULL_RATE_BP, applyRateBp } from '../money.ts';
import { BeneficiaryCounters } from './counters.ts';
import { explain } from './explanation.ts';
import { basketFamilies, feeFamilies, opticsFamilies, type Basket, type Family, type Pathway } from './families.ts';
import { parametersOn, priceCapFor, regulatoryParameters, type LensComplexity, type LensPair, type ParameterSet, type ParametersOnDate } from './parameters.ts';
import { findReferenceProduct } from './products.ts';
import { hearingAidRenewalBlock, opticsRenewalEnd } from './renewals.ts';
import {
  CoverageInputError,
  type Beneficiary,
  type CareLine,
  type CeilingKind,
  type CoverageComponent,
  type EquipmentKind,
  type ExemptionReason,
  type ExplanationStep,
  type GuaranteeRule,
  type GuaranteeTable,
  type HistoryLine,
  type LineResult,
  type LiquidationInput,
  type LiquidationResult,
  type Product,
  type Totals,
} from './types.ts';

/** A line with every optional field settled. */
interface Line {
  careDate: string;
  family: Family;
  act: string | null;
  basket: Basket | null;
  chargedCents: number;
  baseCents: number;
  amoRateBp: number;
  amoCents: number | null;
  flatFeeCents: number | null;
  deductibleCents: number | null;
  pathway: Pathway;
  optam: boolean | null;
  quantity: number;
  priceCapCents: number | null;
  maternity: boolean;
  providerId: string | null;
  /** Frame or lens: part of an optical equipment. */
  optics: boolean;
  year: number;
  /** Age of the beneficiary on the care date. */
  age: number;
}

/** A request line ready to liquidate: its position, its parameters and its AMO gross (which depends on no counter). */
interface Prepared {
  index: number;
  line: Line;
  parameters: ParametersOnDate;
  amoCents: number;
  amoComputed: boolean;
  /** Forfait « actes lourds » that replaced the ticket modérateur, if any. */
  heavyActFeeCents: number | null;
}

/** What an optical equipment (lines of the same care date) is made of. */
interface Equipment {
  kind: EquipmentKind;
  lenses: LensPair;
  /** AMO of all its classe B items, so that the AMC of the first items leaves room for the AMO of the next. */
  freeItemsAmoCents: number;
}

const OPTICS = new Set<Family>(opticsFamilies);
const BASKET_FAMILIES = new Set<Family>(basketFamilies);
const FEE_FAMILIES = new Set<Family>(feeFamilies);

function normalise(line: CareLine, birthNumber: number): Line {
  const careNumber = dateNumber(line.careDate);
  return {
    careDate: line.careDate,
    family: line.family,
    act: line.act ?? null,
    // A basket family without basket is at tarif libre (classe B, classe II, panier libre).
    basket: line.basket ?? (BASKET_FAMILIES.has(line.family) ? 'FREE' : null),
    chargedCents: line.chargedCents,
    baseCents: line.baseCents,
    amoRateBp: line.amoRateBp,
    amoCents: line.amoCents ?? null,
    flatFeeCents: line.flatFeeCents ?? null,
    deductibleCents: line.deductibleCents ?? null,
    pathway: line.pathway ?? 'NA',
    optam: line.optam ?? null,
    quantity: line.quantity ?? 1,
    priceCapCents: line.priceCapCents ?? null,
    maternity: line.maternity ?? false,
    providerId: line.providerId ?? null,
    optics: OPTICS.has(line.family),
    year: Math.floor(careNumber / 10_000),
    age: completedYears(birthNumber, careNumber),
  };
}

// ---- Guarantee tables ----

/** A guarantee table prepared once for the engine: its name, its rules by family, its yearly counters. */
interface CompiledTable {
  /** `PRODUCT@version`. */
  name: string;
  rulesByFamily: Map<Family, GuaranteeRule[]>;
  /** Counters that a rule caps or credits per year: only those are worth counting. */
  yearlyCounters: Set<string>;
}

const compiledTables = new WeakMap<GuaranteeTable, CompiledTable>();

function compile(product: Product, table: GuaranteeTable): CompiledTable {
  const rulesByFamily = new Map<Family, GuaranteeRule[]>();
  const yearlyCounters = new Set<string>();
  for (const rule of table.rules) {
    for (const family of rule.when.families) rulesByFamily.set(family, [...(rulesByFamily.get(family) ?? []), rule]);
    const yearlyFlat = rule.cover.some((component) => component.form === 'FLAT' && component.per === 'YEAR');
    if (rule.annualCapCents !== undefined || yearlyFlat) yearlyCounters.add(rule.counter ?? rule.id);
  }
  return { name: `${product.code}@${table.version}`, rulesByFamily, yearlyCounters };
}

/** The product's guarantee table in force on `date`, compiled on first use. */
function tableInForce(product: Product, date: string): CompiledTable | null {
  for (const table of product.versions) {
    if (table.validFrom <= date && (table.validTo === null || date <= table.validTo)) {
      let compiled = compiledTables.get(table);
      if (!compiled) {
        compiled = compile(product, table);
        compiledTables.set(table, compiled);
      }
      return compiled;
    }
  }
  return null;
}

const NO_RULES: GuaranteeRule[] = [];

/** First rule of the table whose criteria match the line (specific rows come first in the data). */
function selectRule(table: CompiledTable, line: Line, equipment: Equipment | null): GuaranteeRule | null {
  for (const rule of table.rulesByFamily.get(line.family) ?? NO_RULES) {
    const when = rule.when;
    if (when.optam !== undefined && when.optam !== (line.optam !== false)) continue;
    if (when.baskets !== undefined && (line.basket === null || !when.baskets.includes(line.basket))) continue;
    if (when.amoRatesBp !== undefined && !when.amoRatesBp.includes(line.amoRateBp)) continue;
    if (when.minAge !== undefined && line.age < when.minAge) continue;
    if (when.maxAge !== undefined && line.age > when.maxAge) continue;
    if (when.equipment !== undefined && equipment?.kind !== when.equipment) continue;
    return rule;
  }
  return null;
}

// ---- Optical equipments ----

const LENS_COMPLEXITY: Partial<Record<Family, LensComplexity>> = {
  OPTICS_LENS_SIMPLE: 'SIMPLE',
  OPTICS_LENS_COMPLEX: 'COMPLEX',
  OPTICS_LENS_VERY_COMPLEX: 'VERY_COMPLEX',
};
const COMPLEXITY_ORDER: Record<LensComplexity, number> = { SIMPLE: 0, COMPLEX: 1, VERY_COMPLEX: 2 };

/**
 * Groups the optical lines of all known lines by care date (one equipment per date). The ceiling
 * pair is made of the two most complex lenses; a single lens counts as a pair of the same kind,
 * a frame alone as simple lenses.
 */
function equipmentsByDate(lines: readonly Line[], amos: readonly number[]): Map<string, Equipment> {
  const byDate = new Map<string, { lenses: LensComplexity[]; freeItemsAmoCents: number }>();
  lines.forEach((line, index) => {
    if (!line.optics) return;
    const items = byDate.get(line.careDate) ?? { lenses: [], freeItemsAmoCents: 0 };
    const complexity = LENS_COMPLEXITY[line.family];
    if (complexity) for (let unit = 0; unit < line.quantity; unit += 1) items.lenses.push(complexity);
    if (line.basket === 'FREE') items.freeItemsAmoCents += amos[index] ?? 0;
    byDate.set(line.careDate, items);
  });
  const equipments = new Map<string, Equipment>();
  for (const [date, items] of byDate) {
    const sorted = items.lenses.sort((a, b) => COMPLEXITY_ORDER[b] - COMPLEXITY_ORDER[a]);
    const first = sorted[0] ?? 'SIMPLE';
    const second = sorted[1] ?? first;
    // Sorted most complex first, so the simpler lens is `second`.
    const lenses = `${second}+${first}` as LensPair;
    equipments.set(date, { kind: first === 'SIMPLE' ? 'SIMPLE' : 'COMPLEX', lenses, freeItemsAmoCents: items.freeItemsAmoCents });
  }
  return equipments;
}

const NO_EQUIPMENTS: ReadonlyMap<string, Equipment> = new Map();

/** Prepares a request line; its AMO gross comes from the décompte, or rate × base with the forfait « actes lourds », never above the expense. */
function prepare(line: Line, index: number, parameters: ParametersOnDate): Prepared {
  if (line.amoCents !== null) return { index, line, parameters, amoCents: line.amoCents, amoComputed: false, heavyActFeeCents: null };
  const byRate = applyRateBp(line.baseCents, line.amoRateBp);
  const heavy = parameters.heavyActFee;
  const heavyApplies =
    heavy !== null && heavy.families.includes(line.family) && line.baseCents >= heavy.thresholdCents && line.amoRateBp < FULL_RATE_BP && line.baseCents - heavy.amountCents > byRate;
  const amoCents = Math.min(heavyApplies ? line.baseCents - heavy.amountCents : byRate, line.chargedCents);
  return { index, line, parameters, amoCents, amoComputed: true, heavyActFeeCents: heavyApplies ? heavy.amountCents : null };
}

/**
 * A liquidated line. The French sentence is rendered when read (a page, JSON.stringify):
 * most liquidated lines are stored, not read, and the sentence costs more than the amounts.
 * A spread copy (`{ ...line }`) drops it: copy it explicitly if needed.
 */
class LiquidatedLine implements LineResult {
  // Declared, not defined: the constructor sets every field once (no define-then-assign per line).
  declare readonly careDate: string;
  declare readonly family: Family;
  declare readonly act: string | null;
  declare readonly basket: Basket | null;
  declare readonly chargedCents: number;
  declare readonly baseCents: number;
  declare readonly amoRateBp: number;
  declare readonly pathway: Pathway;
  declare readonly optam: boolean | null;
  declare readonly quantity: number;
  declare readonly priceCapCents: number | null;
  declare readonly maternity: boolean;
  declare readonly providerId: string | null;
  declare readonly amoCents: number;
  declare readonly flatFeeCents: number;
  declare readonly flatFeeDeferredCents: number;
  declare readonly deductibleCents: number;
  declare readonly deductibleDeferredCents: number;
  declare readonly amoNetCents: number;
  declare readonly amcCents: number;
  declare readonly remainingCents: number;
  declare readonly rule: string;
  declare readonly guaranteeTable: string;
  declare readonly steps: ExplanationStep[];

  constructor(line: Line, amoCents: number, charges: Deductions, amcCents: number, rule: string, guaranteeTable: string, steps: ExplanationStep[]) {
    this.careDate = line.careDate;
    this.family = line.family;
    this.act = line.act;
    this.basket = line.basket;
    this.chargedCents = line.chargedCents;
    this.baseCents = line.baseCents;
    this.amoRateBp = line.amoRateBp;
    this.pathway = line.pathway;
    this.optam = line.optam;
    this.quantity = line.quantity;
    this.priceCapCents = line.priceCapCents;
    this.maternity = line.maternity;
    this.providerId = line.providerId;
    this.amoCents = amoCents;
    this.flatFeeCents = charges.flatFeeDeducted;
    this.flatFeeDeferredCents = charges.flatFee.cents - charges.flatFeeDeducted;
    this.deductibleCents = charges.deductibleDeducted;
    this.deductibleDeferredCents = charges.deductible.cents - charges.deductibleDeducted;
    this.amoNetCents = amoCents - charges.flatFeeDeducted - charges.deductibleDeducted;
    this.amcCents = amcCents;
    this.remainingCents = line.chargedCents - this.amoNetCents - amcCents;
    this.rule = rule;
    this.guaranteeTable = guaranteeTable;
    this.steps = steps;
  }

  get explanation(): string {
    return explain(this);
  }

  toJSON(): LineResult & { explanation: string } {
    return { ...this, explanation: this.explanation };
  }
}

// ---- One request ----

interface Context {
  product: Product;
  beneficiary: Beneficiary;
  counters: BeneficiaryCounters;
  equipments: ReadonlyMap<string, Equipment>;
}

function resolveProduct(product: string | Product): Product {
  if (typeof product !== 'string') return product;
  const found = findReferenceProduct(product);
  if (!found) throw new CoverageInputError('UNKNOWN_PRODUCT', 'product', `Produit inconnu : ${product}.`);
  return found;
}

const flatFeeDayKey = (line: Line) => `${line.careDate}|${line.providerId ?? ''}`;
const deductibleDayKey = (line: Line) => `${line.careDate}|${line.family}`;

/** Why this beneficiary pays no PF nor franchise on this line, if so. */
function exemption(context: Context, line: Line, parameters: ParametersOnDate): ExemptionReason | null {
  if (context.beneficiary.aid !== 'NONE') return 'AID';
  if (line.maternity) return 'MATERNITY';
  if (parameters.exemptionAge !== null && line.age < parameters.exemptionAge) return 'UNDER_AGE';
  return null;
}

interface Recorded {
  amoCents: number;
  amcCents: number;
  flatFeeIncurredCents: number;
  deductibleIncurredCents: number;
}

/** Records a liquidated line (from the history or this request) in the counters. */
function record(context: Context, line: Line, table: CompiledTable | null, rule: GuaranteeRule | null, amounts: Recorded): void {
  const { counters } = context;
  const year = line.year;
  if (amounts.flatFeeIncurredCents > 0) counters.addFlatFee(flatFeeDayKey(line), year, amounts.flatFeeIncurredCents);
  if (amounts.deductibleIncurredCents > 0) counters.addDeductible(deductibleDayKey(line), year, amounts.deductibleIncurredCents);
  if (rule && table && table.yearlyCounters.has(rule.counter ?? rule.id)) counters.addPaid(rule.counter ?? rule.id, year, amounts.amoCents, amounts.amcCents);
  if (amounts.amcCents > 0 && line.family === 'HEARING_AID') counters.addHearingAids(line.careDate, line.quantity);
  if (line.optics) {
    if (amounts.amcCents > 0) counters.addOpticsEquipment(line.careDate);
    if (line.basket === 'FREE') counters.addEquipmentFreeItemAmc(line.careDate, amounts.amcCents);
    const flat = rule?.cover.find((component) => component.form === 'FLAT' && component.per === 'EQUIPMENT');
    if (rule && flat?.form === 'FLAT') counters.addEquipmentFlatCredit(line.careDate, rule.id, amounts.amcCents + (flat.includesAmo ? amounts.amoCents : 0));
  }
}

function recordHistory(context: Context, history: readonly HistoryLine[], lines: readonly Line[]): void {
  history.forEach((historyLine, index) => {
    const line = lines[index];
    if (!line) return;
    const table = tableInForce(context.product, line.careDate);
    const rule = table ? selectRule(table, line, context.equipments.get(line.careDate) ?? null) : null;
    record(context, line, table, rule, {
      amoCents: historyLine.amoCents,
      amcCents: historyLine.amcCents,
      flatFeeIncurredCents: (historyLine.flatFeeCents ?? 0) + (historyLine.flatFeeDeferredCents ?? 0),
      deductibleIncurredCents: (historyLine.deductibleCents ?? 0) + (historyLine.deductibleDeferredCents ?? 0),
    });
  });
}

interface Charge {
  cents: number;
  cappedBy: 'DAILY' | 'ANNUAL' | null;
}
const NO_CHARGE: Charge = { cents: 0, cappedBy: null };

/** Participation forfaitaire or franchise incurred on the line within its caps, before being deducted from the AMO. */
function chargeIncurred(rawCents: number, dailyLeft: number | null, annualLeft: number): Charge {
  let cents = rawCents;
  let cappedBy: Charge['cappedBy'] = null;
  if (dailyLeft !== null && dailyLeft < cents) {
    cents = Math.max(0, dailyLeft);
    cappedBy = 'DAILY';
  }
  if (annualLeft < cents) {
    cents = Math.max(0, annualLeft);
    cappedBy = 'ANNUAL';
  }
  return { cents, cappedBy };
}

function componentAmount(
  component: CoverageComponent,
  line: Line,
  rule: GuaranteeRule,
  amoReference: number,
  payable: number,
  context: Context,
  parameters: ParametersOnDate,
  steps: ExplanationStep[],
): number {
  switch (component.form) {
    case 'BASE_PERCENT_INCL_AMO':
      return Math.min(line.chargedCents, applyRateBp(line.baseCents, component.rateBp)) - amoReference;
    case 'BASE_PERCENT_EXTRA':
      return applyRateBp(line.baseCents, component.rateBp);
    case 'COPAYMENT':
      return Math.min(line.chargedCents, line.baseCents) - amoReference;
    case 'ACTUAL_COST':
      return payable;
    case 'PRICE_CAP': {
      const fromTable = line.priceCapCents === null ? priceCapFor(parameters.priceCaps, line.family, line.act, line.age) : null;
      const limit = line.priceCapCents ?? fromTable;
      steps.push({ code: 'PRICE_CAP', limitCents: limit, source: line.priceCapCents !== null ? 'LINE' : fromTable !== null ? 'TABLE' : 'UNKNOWN' });
      // Without a known PLV the item is taken as within it: 100 % Santé leaves nothing to pay.
      return limit === null ? payable : Math.min(line.chargedCents, limit) - amoReference;
    }
    case 'FLAT': {
      let credit: number;
      if (component.per === 'YEAR') {
        const paid = context.counters.paidInYear(rule.counter ?? rule.id, line.year);
        credit = component.amountCents - paid.amcCents - (component.includesAmo ? paid.amoCents : 0);
      } else if (component.per === 'EQUIPMENT') {
        credit = component.amountCents - context.counters.equipmentFlatCreditUsed(line.careDate, rule.id);
      } else {
        credit = component.amountCents * line.quantity;
      }
      return component.includesAmo ? credit - amoReference : credit;
    }
  }
}

/** Lowers the AMC to a regulatory ceiling on AMO + AMC, and says so. */
function applyCeiling(amc: number, amo: number, limitCents: number, ceiling: CeilingKind, steps: ExplanationStep[]): number {
  const allowed = Math.max(0, limitCents - amo);
  if (amc <= allowed) return amc;
  steps.push({ code: 'CEILING', ceiling, limitCents, reductionCents: amc - allowed });
  return allowed;
}

/** Contrat responsable ceilings on AMO + AMC (domain.md §3.3), applied after the contract formula. */
function responsibleCeilings(
  context: Context,
  line: Line,
  parameters: ParametersOnDate,
  equipment: Equipment | null,
  amo: number,
  amoReference: number,
  contractAmc: number,
  steps: ExplanationStep[],
): number {
  let amc = contractAmc;
  if (line.pathway === 'OUT') amc = applyCeiling(amc, amoReference, line.baseCents, 'OUT_OF_PATHWAY', steps);
  if (line.optam === false && FEE_FAMILIES.has(line.family) && parameters.nonOptamCeilingBp !== null) {
    amc = applyCeiling(amc, amo, applyRateBp(line.baseCents, parameters.nonOptamCeilingBp), 'NON_OPTAM', steps);
  }
  const optics = parameters.opticsCeilings;
  if (optics && line.basket === 'FREE' && line.optics) {
    if (line.family === 'OPTICS_FRAME') amc = applyCeiling(amc, amo, optics.frameCents * line.quantity, 'OPTICS_FRAME', steps);
    const ceiling = optics.byLenses[equipment?.lenses ?? 'SIMPLE+SIMPLE'];
    const allowed = Math.max(0, ceiling - (equipment?.freeItemsAmoCents ?? amo) - context.counters.equipmentFreeItemsAmc(line.careDate));
    if (amc > allowed) {
      steps.push({ code: 'CEILING', ceiling: 'OPTICS_EQUIPMENT', limitCents: ceiling, reductionCents: amc - allowed });
      amc = allowed;
    }
  }
  if (parameters.hearingAidCeilingCents !== null && line.family === 'HEARING_AID' && line.basket === 'FREE') {
    amc = applyCeiling(amc, amo, parameters.hearingAidCeilingCents * line.quantity, 'HEARING_AID', steps);
  }
  return amc;
}

/** Renewal period not yet over for an optical equipment or a hearing aid: the date it ends. */
function renewalBlock(context: Context, line: Line, parameters: ParametersOnDate): { previousDate: string; nextDate: string } | null {
  const renewal = parameters.renewal;
  if (!renewal) return null;
  if (line.optics) {
    const previousDate = context.counters.lastOpticsEquipmentBefore(line.careDate);
    if (previousDate === null) return null;
    const nextDate = opticsRenewalEnd(renewal, previousDate, line.age);
    return line.careDate < nextDate ? { previousDate, nextDate } : null;
  }
  if (line.family === 'HEARING_AID') {
    return hearingAidRenewalBlock(renewal, context.counters.hearingAidsWithin(line.careDate, renewal.hearingAidMonths), line.quantity, line.careDate);
  }
  return null;
}

interface Deductions {
  flatFee: Charge;
  flatFeeDeducted: number;
  deductible: Charge;
  deductibleDeducted: number;
}

/** Participation forfaitaire and franchise: given, or computed within their caps; never above what the AMO pays on the line, the rest stays due. */
function deductions(context: Context, line: Line, parameters: ParametersOnDate, amo: number, steps: ExplanationStep[]): Deductions {
  const { counters } = context;
  const flatFeeParameters = parameters.flatFee;
  const deductibleRate = parameters.deductible?.byFamily[line.family];
  const subjectToFlatFee = flatFeeParameters !== null && flatFeeParameters.families.includes(line.family);
  const exempt = (line.flatFeeCents === null && subjectToFlatFee) || (line.deductibleCents === null && deductibleRate) ? exemption(context, line, parameters) : null;
  if (exempt) steps.push({ code: 'EXEMPTION', reason: exempt });

  const flatFee =
    line.flatFeeCents !== null
      ? { cents: line.flatFeeCents, cappedBy: null }
      : flatFeeParameters !== null && subjectToFlatFee && !exempt
        ? chargeIncurred(
            flatFeeParameters.amountCents * line.quantity,
            flatFeeParameters.dailyCapCents - counters.flatFeeOnDay(flatFeeDayKey(line)),
            flatFeeParameters.annualCapCents - counters.flatFeeInYear(line.year),
          )
        : NO_CHARGE;
  const flatFeeDeducted = Math.min(flatFee.cents, amo);
  if (flatFee.cents > 0 || flatFee.cappedBy) {
    steps.push({ code: 'FLAT_FEE', amountCents: flatFeeDeducted, deferredCents: flatFee.cents - flatFeeDeducted, computed: line.flatFeeCents === null, cappedBy: flatFee.cappedBy });
  }

  const deductibleParameters = parameters.deductible;
  const deductible =
    line.deductibleCents !== null
      ? { cents: line.deductibleCents, cappedBy: null }
      : deductibleParameters !== null && deductibleRate !== undefined && !exempt
        ? chargeIncurred(
            deductibleRate.amountCents * line.quantity,
            deductibleRate.dailyCapCents === null ? null : deductibleRate.dailyCapCents - counters.deductibleOnDay(deductibleDayKey(line)),
            deductibleParameters.annualCapCents - counters.deductibleInYear(line.year),
          )
        : NO_CHARGE;
  const deductibleDeducted = Math.min(deductible.cents, amo - flatFeeDeducted);
  if (deductible.cents > 0 || deductible.cappedBy) {
    steps.push({ code: 'DEDUCTIBLE', amountCents: deductibleDeducted, deferredCents: deductible.cents - deductibleDeducted, computed: line.deductibleCents === null, cappedBy: deductible.cappedBy });
  }
  return { flatFee, flatFeeDeducted, deductible, deductibleDeducted };
}

function liquidateLine(context: Context, { index, line, parameters, amoCents: amo, amoComputed, heavyActFeeCents }: Prepared): LineResult {
  const { counters, product } = context;
  const steps: ExplanationStep[] = [{ code: 'AMO', amountCents: amo, baseCents: line.baseCents, rateBp: line.amoRateBp, computed: amoComputed }];
  if (heavyActFeeCents !== null) steps.push({ code: 'HEAVY_ACT_FEE', amountCents: heavyActFeeCents });
  const charges = deductions(context, line, parameters, amo, steps);

  // AMC: the contract formula on the AMO gross, then the annual cap, then the responsable ceilings.
  const table = tableInForce(product, line.careDate);
  if (!table) {
    throw new CoverageInputError('NO_GUARANTEE_IN_FORCE', `lines[${index}].careDate`, `Aucune garantie du produit ${product.code} n'est en vigueur le ${line.careDate}.`);
  }
    const equipment = line.optics ? (context.equipments.get(line.careDate) ?? null) : null;
  const rule = selectRule(table, line, equipment);
  let amc = 0;
  if (!rule || rule.cover.length === 0) {
    if (rule) steps.push({ code: 'GUARANTEE', rule: rule.id, label: rule.label, guaranteeTable: table.name });
    steps.push({ code: 'NOT_COVERED' });
  } else {
    steps.push({ code: 'GUARANTEE', rule: rule.id, label: rule.label, guaranteeTable: table.name });
    const blocked = renewalBlock(context, line, parameters);
    if (blocked) {
      steps.push({ code: 'RENEWAL_NOT_DUE', ...blocked });
    } else {
      let amoReference = amo;
      if (line.pathway === 'OUT') {
        // The majoration hors parcours stays with the member (issue 3): compute as if the in-parcours rate applied.
        const inPathwayRate = Math.min(FULL_RATE_BP, line.amoRateBp + parameters.outOfPathwayMajorationBp);
        amoReference = Math.max(amo, Math.min(line.chargedCents, applyRateBp(line.baseCents, inPathwayRate)));
        steps.push({ code: 'OUT_OF_PATHWAY', referenceAmoCents: amoReference });
      }
      const payable = Math.max(0, line.chargedCents - amoReference);
      for (const component of rule.cover) {
        const share = Math.max(0, Math.min(componentAmount(component, line, rule, amoReference, payable, context, parameters, steps), payable - amc));
        steps.push({ code: 'COMPONENT', component, amountCents: share });
        amc += share;
      }
      if (rule.annualCapCents !== undefined) {
        const counter = rule.counter ?? rule.id;
        const used = counters.paidInYear(counter, line.year).amcCents;
        const left = Math.max(0, rule.annualCapCents - used);
        if (amc > left) {
          steps.push({ code: 'ANNUAL_CAP', counter, limitCents: rule.annualCapCents, usedCents: used, reductionCents: amc - left });
          amc = left;
        }
      }
      if (product.responsible) amc = responsibleCeilings(context, line, parameters, equipment, amo, amoReference, amc, steps);
    }
  }

  record(context, line, table, rule, { amoCents: amo, amcCents: amc, flatFeeIncurredCents: charges.flatFee.cents, deductibleIncurredCents: charges.deductible.cents });
  return new LiquidatedLine(line, amo, charges, amc, rule && rule.cover.length > 0 ? rule.id : 'NOT_COVERED', table.name, steps);
}

/**
 * Liquidates the lines of one beneficiary under one product. `parameters` defaults to the
 * regulatory tables; tests and simulations may pass another dated set.
 * Throws CoverageInputError for an unknown product or a care date without guarantee in force.
 */
export function liquidate(input: LiquidationInput, parameters: ParameterSet = regulatoryParameters): LiquidationResult {
  const product = resolveProduct(input.product);
  const history = input.history ?? [];
  const birthNumber = dateNumber(input.beneficiary.birthDate);
  const historyLines = history.map((line) => normalise(line, birthNumber));

  // One pass settles what depends on no counter: the line itself, its parameters, its AMO.
  const prepared: Prepared[] = [];
  let inDateOrder = true;
  let hasOptics = historyLines.some((line) => line.optics);
  input.lines.forEach((raw, index) => {
    const line = normalise(raw, birthNumber);
    const onDate = parametersOn(parameters, line.careDate);
    const previous = prepared[index - 1];
    if (previous && line.careDate < previous.line.careDate) inDateOrder = false;
    if (line.optics) hasOptics = true;
    prepared.push(prepare(line, index, onDate));
  });
  const equipments = hasOptics
    ? equipmentsByDate([...historyLines, ...prepared.map((item) => item.line)], [...history.map((line) => line.amoCents), ...prepared.map((item) => item.amoCents)])
    : NO_EQUIPMENTS;
  const context: Context = { product, beneficiary: input.beneficiary, counters: new BeneficiaryCounters(), equipments };
  recordHistory(context, history, historyLines);

  // Care-date order, then input order (a stable sort), results back in input order.
  const order = inDateOrder ? prepared : [...prepared].sort((a, b) => (a.line.careDate < b.line.careDate ? -1 : a.line.careDate > b.line.careDate ? 1 : a.index - b.index));
  const results: LineResult[] = new Array<LineResult>(prepared.length);
  for (const item of order) results[item.index] = liquidateLine(context, item);

  const totals: Totals = { chargedCents: 0, amoCents: 0, flatFeeCents: 0, deductibleCents: 0, amoNetCents: 0, amcCents: 0, remainingCents: 0 };
  for (const result of results) {
    totals.chargedCents += result.chargedCents;
    totals.amoCents += result.amoCents;
    totals.flatFeeCents += result.flatFeeCents;
    totals.deductibleCents += result.deductibleCents;
    totals.amoNetCents += result.amoNetCents;
    totals.amcCents += result.amcCents;
    totals.remainingCents += result.remainingCents;
  }
  return { product: product.code, lines: results, totals };
}

