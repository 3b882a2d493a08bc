/** Shapes of the coverage engine: guarantee tables (data), the liquidation input and its result. */
import type { Aid, Basket, Family, Pathway } from './families.ts';

// ---- Guarantee tables (domain.md §2.3) ----

/** One part of a guarantee; a rule sums its components in order, each capped by what is left to pay. */
export type CoverageComponent =
  /** `X % BR` including the AMO part: min(FR, X % × BR) − AMO. */
  | { form: 'BASE_PERCENT_INCL_AMO'; rateBp: number }
  /** `X % BR` on top of the AMO: min(FR − AMO, X % × BR). */
  | { form: 'BASE_PERCENT_EXTRA'; rateBp: number }
  /** Ticket modérateur: min(FR, BR) − AMO. */
  | { form: 'COPAYMENT' }
  /**
   * Flat amount per act / day / item (× quantity), per calendar year (credit shared by the rule's
   * counter) or per optical equipment (credit shared by the lines of one equipment).
   * With includesAmo the credit counts the AMO part too.
   */
  | { form: 'FLAT'; amountCents: number; per: FlatPeriod; includesAmo: boolean }
  /** Frais réels: FR − AMO. */
  | { form: 'ACTUAL_COST' }
  /** 100 % Santé: min(FR, PLV) − AMO, the PLV coming from the line or the parameter tables. */
  | { form: 'PRICE_CAP' };

export type ComponentForm = CoverageComponent['form'];
export type FlatPeriod = 'ACT' | 'DAY' | 'ITEM' | 'YEAR' | 'EQUIPMENT';

/** Optical equipment with simple lenses only, or with at least one complex or very complex lens. */
export type EquipmentKind = 'SIMPLE' | 'COMPLEX';

/** Which lines a rule applies to; an absent criterion matches everything. */
export interface RuleCriteria {
  families: Family[];
  /** true: secteur 1 or OPTAM (a line without the information counts as such); false: non-OPTAM. */
  optam?: boolean;
  baskets?: Basket[];
  /** Pharmacy rates that select the rule (e.g. [1500] for the 15 % drugs). */
  amoRatesBp?: number[];
  minAge?: number;
  maxAge?: number;
  equipment?: EquipmentKind;
}

export interface GuaranteeRule {
  /** Stable identifier, reported as `rule` on each line, e.g. 'CONSULTATION_OPTAM'. */
  id: string;
  /** French label of the row of the tableau de garanties. */
  label: string;
  when: RuleCriteria;
  /** Empty: not covered. */
  cover: CoverageComponent[];
  /** Maximum AMC per beneficiary and calendar year for the lines of this rule's counter. */
  annualCapCents?: number;
  /** Counter shared by rules for the annual cap and yearly flats; defaults to the rule id. */
  counter?: string;
  /** false when a value comes from an unconfirmed source (domain.md ⚠). */
  confirmed?: boolean;
  note?: string;
}

/** One dated version of a product's tableau de garanties; first matching rule wins. */
export interface GuaranteeTable {
  version: string;
  validFrom: string;
  validTo: string | null;
  rules: GuaranteeRule[];
}

export interface Product {
  code: string;
  label: string;
  /** Contrat responsable: regulatory ceilings and exclusions apply (domain.md §3.3). */
  responsible: boolean;
  versions: GuaranteeTable[];
  note?: string;
}

// ---- Liquidation input (the `espace liquidate` JSON) ----

export interface CareLine {
  careDate: string;
  family: Family;
  /** Act code (NGAP, CCAM, LPP, CIP...), used to find the PLV of a 100 % Santé item. */
  act?: string | null;
  basket?: Basket | null;
  chargedCents: number;
  baseCents: number;
  amoRateBp: number;
  /** AMO gross; computed (rate × base, forfait 24 €) when absent. */
  amoCents?: number | null;
  /** Participation forfaitaire; computed with its caps when absent. */
  flatFeeCents?: number | null;
  /** Franchise médicale; computed with its caps when absent. */
  deductibleCents?: number | null;
  pathway?: Pathway;
  /** Secteur 1 or OPTAM/OPTAM-CO doctor (true), or not (false). */
  optam?: boolean | null;
  /** Acts, days, boxes, items or ears. */
  quantity?: number;
  /** 100 % Santé price cap of the item, when known. */
  priceCapCents?: number | null;
  /** Maternity insurance (6th month of pregnancy to 12 days after birth): no PF nor franchise. */
  maternity?: boolean;
  /** Health professional, for the daily cap of the participation forfaitaire (4 per day and professional). */
  providerId?: string | null;
}

/** A line already liquidated, with its results: feeds counters, caps and renewal periods. */
export interface HistoryLine extends CareLine {
  amoCents: number;
  amcCents: number;
  /** Parts still due and recovered on later AMO payments; they count towards the caps. */
  flatFeeDeferredCents?: number;
  deductibleDeferredCents?: number;
}

export interface Beneficiary {
  birthDate: string;
  aid: Aid;
}

export interface LiquidationInput {
  /** A reference product code (ESSENTIEL, CONFORT, CSS, ACS_A...) or a full product. */
  product: string | Product;
  beneficiary: Beneficiary;
  history?: HistoryLine[];
  lines: CareLine[];
}

// ---- Result ----

export type ExemptionReason = 'UNDER_AGE' | 'AID' | 'MATERNITY';
export type CeilingKind = 'NON_OPTAM' | 'OUT_OF_PATHWAY' | 'OPTICS_FRAME' | 'OPTICS_EQUIPMENT' | 'HEARING_AID';

/** Structured explanation: what was applied to the line, in order. */
export type ExplanationStep =
  | { code: 'AMO'; amountCents: number; baseCents: number; rateBp: number; computed: boolean }
  | { code: 'HEAVY_ACT_FEE'; amountCents: number }
  | { code: 'FLAT_FEE' | 'DEDUCTIBLE'; amountCents: number; deferredCents: number; computed: boolean; cappedBy: 'DAILY' | 'ANNUAL' | null }
  | { code: 'EXEMPTION'; reason: ExemptionReason }
  | { code: 'GUARANTEE'; rule: string; label: string; guaranteeTable: string }
  | { code: 'NOT_COVERED' }
  | { code: 'COMPONENT'; component: CoverageComponent; amountCents: number }
  | { code: 'PRICE_CAP'; limitCents: number | null; source: 'LINE' | 'TABLE' | 'UNKNOWN' }
  | { code: 'OUT_OF_PATHWAY'; referenceAmoCents: number }
  | { code: 'RENEWAL_NOT_DUE'; previousDate: string; nextDate: string }
  | { code: 'ANNUAL_CAP'; counter: string; limitCents: number; usedCents: number; reductionCents: number }
  | { code: 'CEILING'; ceiling: CeilingKind; limitCents: number; reductionCents: number };

export interface LineResult {
  careDate: string;
  family: Family;
  act: string | null;
  basket: Basket | null;
  chargedCents: number;
  baseCents: number;
  amoRateBp: number;
  pathway: Pathway;
  optam: boolean | null;
  quantity: number;
  priceCapCents: number | null;
  maternity: boolean;
  providerId: string | null;
  amoCents: number;
  flatFeeCents: number;
  flatFeeDeferredCents: number;
  deductibleCents: number;
  deductibleDeferredCents: number;
  amoNetCents: number;
  amcCents: number;
  remainingCents: number;
  /** Id of the guarantee rule applied, or 'NOT_COVERED'. */
  rule: string;
  /** `PRODUCT@version` of the guarantee table used. */
  guaranteeTable: string;
  /** One French paragraph for the member, rendered from the steps when read (JSON.stringify and spreads include it). */
  readonly explanation: string;
  steps: ExplanationStep[];
}

export interface Totals {
  chargedCents: number;
  amoCents: number;
  flatFeeCents: number;
  deductibleCents: number;
  amoNetCents: number;
  amcCents: number;
  remainingCents: number;
}

export interface LiquidationResult {
  product: string;
  /** In the order of the input lines. */
  lines: LineResult[];
  totals: Totals;
}

/** Input the engine cannot liquidate; `field` names it like 'lines[2].careDate'. */
export class CoverageInputError extends Error {
  constructor(
    readonly code: 'UNKNOWN_PRODUCT' | 'NO_GUARANTEE_IN_FORCE' | 'INVALID_LINE',
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'CoverageInputError';
  }
}
