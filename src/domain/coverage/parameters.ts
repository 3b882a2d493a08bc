/**
 * Dated parameter tables: every regulated value the engine uses, with its validity period.
 * A value is looked up by date of care; changing a value is adding a row, never editing logic.
 * Sources and ⚠ marks follow domain.md (§2.1, §3, §4); `confirmed: false` = to be checked.
 */
import type { Family } from './families.ts';

export interface Dated<T> {
  /** First day (inclusive); null = in force since before any data we hold. */
  validFrom: string | null;
  /** Last day (inclusive); null = still in force. */
  validTo: string | null;
  value: T;
  source: string;
  confirmed: boolean;
}

export interface FlatFeeParameters {
  /** Participation forfaitaire per act. */
  amountCents: number;
  /** Per day and health professional (4 acts). */
  dailyCapCents: number;
  annualCapCents: number;
  families: Family[];
}

export interface DeductibleParameters {
  /** Franchise per unit (box, act, trip) and its daily cap (null = none), by family. */
  byFamily: Partial<Record<Family, { amountCents: number; dailyCapCents: number | null }>>;
  annualCapCents: number;
}

export interface HeavyActFeeParameters {
  /** Forfait « actes lourds » replacing the ticket modérateur. */
  amountCents: number;
  /** Base from which an act is "lourd". */
  thresholdCents: number;
  families: Family[];
}

export interface OpticsCeilings {
  /** The frame's share (AMO + AMC) inside the equipment ceiling. */
  frameCents: number;
  /** Per equipment (AMO + AMC) by pair of lenses, the simpler lens first. */
  byLenses: Record<LensPair, number>;
}
export type LensComplexity = 'SIMPLE' | 'COMPLEX' | 'VERY_COMPLEX';
/** Pair of lenses of an equipment, the simpler lens first. */
export type LensPair = 'SIMPLE+SIMPLE' | 'SIMPLE+COMPLEX' | 'SIMPLE+VERY_COMPLEX' | 'COMPLEX+COMPLEX' | 'COMPLEX+VERY_COMPLEX' | 'VERY_COMPLEX+VERY_COMPLEX';

export interface RenewalParameters {
  opticsMonths: number;
  /** Shorter renewal period below this age. */
  opticsAdultAge: number;
  opticsChildMonths: number;
  hearingAidMonths: number;
  /** Devices covered per renewal period (one per ear). */
  hearingAidsPerPeriod: number;
}

export interface PriceCap {
  family: Family;
  /** Act code the price limit belongs to; null = every act of the family. */
  act: string | null;
  minAge: number | null;
  maxAge: number | null;
  cents: number;
}

export interface ParameterSet {
  flatFee: Dated<FlatFeeParameters>[];
  deductible: Dated<DeductibleParameters>[];
  /** No PF nor franchise below this age. */
  exemptionAge: Dated<number>[];
  heavyActFee: Dated<HeavyActFeeParameters>[];
  /** Forfait journalier hospitalier (general and psychiatry), for quotes and generated data. */
  hospitalDailyFee: Dated<{ generalCents: number; psychiatryCents: number }>[];
  /** Majoration of the ticket modérateur hors parcours, in points of rate. */
  outOfPathwayMajorationBp: Dated<number>[];
  /** Contrat responsable: AMO + AMC for a non-OPTAM doctor, in % of the base. */
  nonOptamCeilingBp: Dated<number>[];
  opticsCeilings: Dated<OpticsCeilings>[];
  /** Contrat responsable: AMO + AMC per hearing aid (classe II). */
  hearingAidCeilingCents: Dated<number>[];
  renewal: Dated<RenewalParameters>[];
  /** 100 % Santé prix limites de vente; several rows may be in force, the first match wins. */
  priceCaps: Dated<PriceCap>[];
}

const PF_FAMILIES: Family[] = ['CONSULTATION', 'TECHNICAL', 'LAB'];

export const regulatoryParameters: ParameterSet = {
  flatFee: [
    {
      validFrom: '2005-01-01',
      validTo: '2024-05-14',
      value: { amountCents: 100, dailyCapCents: 400, annualCapCents: 5000, families: PF_FAMILIES },
      source: 'PF 1 € (loi du 13 août 2004), 4 par jour, 50 € par an',
      confirmed: true,
    },
    {
      validFrom: '2024-05-15',
      validTo: null,
      value: { amountCents: 200, dailyCapCents: 800, annualCapCents: 5000, families: PF_FAMILIES },
      source: 'domain.md §2.1: PF 2 € since 15 May 2024, 8 €/day, 50 €/year',
      confirmed: true,
    },
  ],
  deductible: [
    {
      validFrom: '2008-01-01',
      validTo: '2024-03-30',
      value: {
        byFamily: {
          PHARMACY: { amountCents: 50, dailyCapCents: null },
          PARAMEDICAL: { amountCents: 50, dailyCapCents: 200 },
          TRANSPORT: { amountCents: 200, dailyCapCents: 400 },
        },
        annualCapCents: 5000,
      },
      source: 'franchises 0,50 € / 0,50 € (2 €/jour) / 2 € (4 €/jour), 50 €/an (LFSS 2008)',
      confirmed: true,
    },
    {
      validFrom: '2024-03-31',
      validTo: null,
      value: {
        byFamily: {
          PHARMACY: { amountCents: 100, dailyCapCents: null },
          PARAMEDICAL: { amountCents: 100, dailyCapCents: 400 },
          TRANSPORT: { amountCents: 400, dailyCapCents: 800 },
        },
        annualCapCents: 5000,
      },
      source: 'domain.md §2.1: 1 €/box, 1 €/paramedical act (4 €/day), 4 €/transport (8 €/day), 50 €/year since 31 Mar 2024',
      confirmed: true,
    },
  ],
  exemptionAge: [{ validFrom: null, validTo: null, value: 18, source: 'domain.md §2.1: under 18 exempt from PF and franchises', confirmed: true }],
  heavyActFee: [
    {
      validFrom: '2011-01-01',
      validTo: '2018-12-31',
      value: { amountCents: 1800, thresholdCents: 12000, families: ['TECHNICAL', 'HOSPITAL_STAY'] },
      source: 'forfait 18 € sur les actes ≥ 120 € (before the 24 € forfait)',
      confirmed: false,
    },
    {
      validFrom: '2019-01-01',
      validTo: null,
      value: { amountCents: 2400, thresholdCents: 12000, families: ['TECHNICAL', 'HOSPITAL_STAY'] },
      source: 'domain.md §2.1: forfait 24 € replaces the TM for acts ≥ 120 € since 1 Jan 2019',
      confirmed: true,
    },
  ],
  hospitalDailyFee: [
    { validFrom: null, validTo: '2017-12-31', value: { generalCents: 1800, psychiatryCents: 1350 }, source: 'FJH 18 € / 13,50 € before 2018', confirmed: true },
    { validFrom: '2018-01-01', validTo: null, value: { generalCents: 2000, psychiatryCents: 1500 }, source: 'domain.md §2.1: FJH 20 € / 15 € since 1 Jan 2018', confirmed: true },
  ],
  outOfPathwayMajorationBp: [
    { validFrom: null, validTo: null, value: 4000, source: 'domain.md §2.3: majoration du TM hors parcours, 40 points (70 % → 30 %)', confirmed: true },
  ],
  nonOptamCeilingBp: [
    { validFrom: '2015-04-01', validTo: '2016-12-31', value: 22500, source: 'décret 2014-1374: dépassement ≤ 125 % BR in 2015–2016', confirmed: false },
    { validFrom: '2017-01-01', validTo: null, value: 20000, source: 'domain.md §3.3: dépassement ≤ 100 % BR, total ≤ 200 % BR', confirmed: true },
  ],
  opticsCeilings: [
    {
      validFrom: '2015-04-01',
      validTo: '2019-12-31',
      value: {
        frameCents: 15000,
        byLenses: {
          'SIMPLE+SIMPLE': 47000,
          'SIMPLE+COMPLEX': 61000,
          'SIMPLE+VERY_COMPLEX': 66000,
          'COMPLEX+COMPLEX': 75000,
          'COMPLEX+VERY_COMPLEX': 80000,
          'VERY_COMPLEX+VERY_COMPLEX': 85000,
        },
      },
      source: 'domain.md §3.3 history: 470/610/660/750/800/850 €, monture 150 €',
      confirmed: true,
    },
    {
      validFrom: '2020-01-01',
      validTo: null,
      value: {
        frameCents: 10000,
        byLenses: {
          'SIMPLE+SIMPLE': 42000,
          'SIMPLE+COMPLEX': 56000,
          'SIMPLE+VERY_COMPLEX': 61000,
          'COMPLEX+COMPLEX': 70000,
          'COMPLEX+VERY_COMPLEX': 75000,
          'VERY_COMPLEX+VERY_COMPLEX': 80000,
        },
      },
      source: 'domain.md §3.3: 420/700/800 € confirmed; 560/610/750 € ⚠; monture ≤ 100 €',
      confirmed: false,
    },
  ],
  hearingAidCeilingCents: [
    { validFrom: '2021-01-01', validTo: null, value: 170000, source: 'domain.md §3.3: 1 700 € per ear incl. AMO', confirmed: true },
  ],
  renewal: [
    {
      validFrom: null,
      validTo: null,
      value: { opticsMonths: 24, opticsAdultAge: 16, opticsChildMonths: 12, hearingAidMonths: 48, hearingAidsPerPeriod: 2 },
      source: 'domain.md §3.2: optique 2 ans (≥ 16 ans) / 1 an; aides auditives 4 ans par oreille ⚠',
      confirmed: false,
    },
  ],
  priceCaps: [
    {
      validFrom: '2020-01-01',
      validTo: null,
      value: { family: 'OPTICS_FRAME', act: null, minAge: null, maxAge: null, cents: 3000 },
      source: 'domain.md §3.1: monture classe A ≤ 30 €',
      confirmed: true,
    },
    {
      validFrom: '2020-01-01',
      validTo: null,
      value: { family: 'DENTAL_PROSTHESIS', act: 'HBLD634', minAge: null, maxAge: null, cents: 50000 },
      source: 'domain.md §2.4 E6: couronne céramo-métallique 100 % Santé, PLV 500 € ⚠ (CCAM code ⚠)',
      confirmed: false,
    },
    {
      validFrom: '2021-01-01',
      validTo: null,
      value: { family: 'HEARING_AID', act: null, minAge: 20, maxAge: null, cents: 95000 },
      source: 'domain.md §2.4 E7: classe I PLV 950 € per ear (≥ 20 ans)',
      confirmed: true,
    },
    {
      validFrom: '2021-01-01',
      validTo: null,
      value: { family: 'HEARING_AID', act: null, minAge: null, maxAge: 19, cents: 140000 },
      source: 'classe I under 20: PLV 1 400 € ⚠ not in domain.md',
      confirmed: false,
    },
  ],
};

/** The value of a dated table in force on `date`, or null when none is. */
export function inForce<T>(table: readonly Dated<T>[], date: string): T | null {
  for (const row of table) {
    if ((row.validFrom === null || row.validFrom <= date) && (row.validTo === null || date <= row.validTo)) return row.value;
  }
  return null;
}

/** Every parameter in force on one date (null where no value applies, e.g. no ceiling yet). */
export interface ParametersOnDate {
  flatFee: FlatFeeParameters | null;
  deductible: DeductibleParameters | null;
  exemptionAge: number | null;
  heavyActFee: HeavyActFeeParameters | null;
  outOfPathwayMajorationBp: number;
  nonOptamCeilingBp: number | null;
  opticsCeilings: OpticsCeilings | null;
  hearingAidCeilingCents: number | null;
  renewal: RenewalParameters | null;
  priceCaps: PriceCap[];
}

// Lines of one request share few dates: resolving once per (set, date) keeps the engine fast.
const resolvedCache = new WeakMap<ParameterSet, Map<string, ParametersOnDate>>();

export function parametersOn(set: ParameterSet, date: string): ParametersOnDate {
  let byDate = resolvedCache.get(set);
  if (!byDate) {
    byDate = new Map();
    resolvedCache.set(set, byDate);
  }
  const cached = byDate.get(date);
  if (cached) return cached;
  const resolved: ParametersOnDate = {
    flatFee: inForce(set.flatFee, date),
    deductible: inForce(set.deductible, date),
    exemptionAge: inForce(set.exemptionAge, date),
    heavyActFee: inForce(set.heavyActFee, date),
    outOfPathwayMajorationBp: inForce(set.outOfPathwayMajorationBp, date) ?? 0,
    nonOptamCeilingBp: inForce(set.nonOptamCeilingBp, date),
    opticsCeilings: inForce(set.opticsCeilings, date),
    hearingAidCeilingCents: inForce(set.hearingAidCeilingCents, date),
    renewal: inForce(set.renewal, date),
    priceCaps: set.priceCaps.filter((row) => inForce([row], date) !== null).map((row) => row.value),
  };
  byDate.set(date, resolved);
  return resolved;
}

/** The PLV of a 100 % Santé item from the tables, or null when none is known. */
export function priceCapFor(caps: readonly PriceCap[], family: Family, act: string | null, age: number): number | null {
  for (const cap of caps) {
    if (cap.family !== family) continue;
    if (cap.act !== null && cap.act !== act) continue;
    if ((cap.minAge !== null && age < cap.minAge) || (cap.maxAge !== null && age > cap.maxAge)) continue;
    return cap.cents;
  }
  return null;
}
