/**
 * The counters a member can act on (issue 6, « Vos compteurs » and « Télétransmission »), per beneficiary, on the day
 * `today`: what is left this calendar year of the annual caps and yearly flats of the guarantee in force, the date
 * from which a new optical equipment and a new hearing aid are covered again, and the NOEMIE link with the AMO.
 * The rules are the engine's (domain/coverage: allowances.ts, renewals.ts, rights.ts); this file reads the facts, in
 * five queries whatever the history's length.
 */
import { annualAllowances, type AnnualAllowance } from '../../domain/coverage/allowances.ts';
import { opticsFamilies } from '../../domain/coverage/families.ts';
import { inForce, regulatoryParameters, type ParameterSet } from '../../domain/coverage/parameters.ts';
import { hearingAidsWithin, nextHearingAidDate, nextOpticsEquipmentDate, opticsRenewalMonths } from '../../domain/coverage/renewals.ts';
import { coverageOn, guaranteeTableOn, type CoveragePeriod } from '../../domain/coverage/rights.ts';
import type { Aid } from '../../domain/coverage/index.ts';
import { ageOn } from '../../domain/dates.ts';
import type { Queryable } from '../../db/database.ts';
import { loadProducts } from '../../db/repositories/guarantee-products.ts';
import type { Viewer } from './list-reimbursements.ts';

export type NoemieStatus = 'ACTIVE' | 'PENDING' | 'REJECTED' | 'NONE';

export type BeneficiaryCounters = {
  beneficiaryId: string;
  firstName: string;
  /** The guarantee in force today, or null when no rights are open today. */
  guarantee: { productCode: string; productLabel: string; aid: Aid } | null;
  /** Annual caps and yearly flats of that guarantee for the current year (empty when it has none). */
  allowances: AnnualAllowance[];
  optics: {
    /** Last optical equipment the mutuelle covered, if any. */
    lastEquipmentDate: string | null;
    /** Renewal period that applies today, by age (from the parameter tables). */
    periodMonths: number;
    /** First date a new equipment is covered; today when it is covered now. */
    nextCoveredFrom: string;
    coveredNow: boolean;
  } | null;
  hearingAids: {
    /** Devices covered within the renewal period before today. */
    devicesInPeriod: number;
    lastDeviceDate: string | null;
    periodMonths: number;
    devicesPerPeriod: number;
    nextCoveredFrom: string;
    coveredNow: boolean;
  } | null;
  teletransmission: { status: NoemieStatus; since: string | null; amoFund: string | null };
};

export type HouseholdCounters = {
  /** The day the counters are computed for, and its calendar year. */
  today: string;
  year: number;
  beneficiaries: BeneficiaryCounters[];
};

const HEARING_AID = 'HEARING_AID';

/** Counters of the household (or of the viewing beneficiary alone) on `today`, an ISO date in Europe/Paris. */
export async function householdCounters(db: Queryable, viewer: Viewer, today: string, parameters: ParameterSet = regulatoryParameters): Promise<HouseholdCounters> {
  const year = Number(today.slice(0, 4));
  const scope = viewer.beneficiaryId ? { sql: 'AND b.id = $2', params: [viewer.memberId, viewer.beneficiaryId] } : { sql: '', params: [viewer.memberId] };
  const lines = viewer.beneficiaryId ? { sql: 'AND c.beneficiary_id = $2', params: scope.params } : { sql: '', params: scope.params };
  const n = scope.params.length;
  const [people, periods, products, paid, equipment] = await Promise.all([
    db.query<{ id: string; first_name: string; birth_date: string; status: NoemieStatus | null; since: string | null; link_fund: string | null; amo_fund: string | null }>(
      `SELECT b.id, b.first_name, b.birth_date, n.status, n.since, n.amo_fund AS link_fund, b.amo_fund
         FROM beneficiary b LEFT JOIN noemie_link n ON n.beneficiary_id = b.id
        WHERE b.member_id = $1 ${scope.sql} ORDER BY b.relationship = 'SELF' DESC, b.birth_date, b.first_name`,
      scope.params,
    ),
    db.query<{ beneficiary_id: string; kind: string; start_date: string; end_date: string; code: string }>(
      `SELECT rp.beneficiary_id, rp.kind, rp.start_date, rp.end_date, gp.code
         FROM rights_period rp JOIN beneficiary b ON b.id = rp.beneficiary_id JOIN contract ct ON ct.id = rp.contract_id JOIN guarantee_product gp ON gp.id = ct.product_id
        WHERE b.member_id = $1 ${scope.sql} AND rp.start_date <= $${n + 1}::date AND rp.end_date >= $${n + 1}::date`,
      [...scope.params, today],
    ),
    loadProducts(db, [viewer.memberId]),
    // AMO and AMC of this year by beneficiary and rule, for the annual caps (the engine counts every line of the counter).
    db.query<{ beneficiary_id: string; rule: string; amo: number; amc: number }>(
      `SELECT c.beneficiary_id, c.rule, sum(c.amo_cents)::bigint AS amo, sum(c.amc_cents)::bigint AS amc
         FROM claim_line c
        WHERE c.member_id = $1 ${lines.sql} AND c.care_date >= $${n + 1}::date AND c.care_date <= $${n + 2}::date
        GROUP BY c.beneficiary_id, c.rule`,
      [...lines.params, `${year}-01-01`, today],
    ),
    // Optical equipments and hearing aids the mutuelle covered (AMC > 0, as the engine counts them for the renewal periods).
    db.query<{ beneficiary_id: string; kind: 'OPTICS' | 'HEARING_AID'; care_date: string; devices: number }>(
      `SELECT c.beneficiary_id, 'OPTICS' AS kind, max(c.care_date) AS care_date, 0 AS devices
         FROM claim_line c
        WHERE c.member_id = $1 ${lines.sql} AND c.family = ANY($${n + 1}::text[]) AND c.amc_cents > 0 AND c.care_date <= $${n + 3}::date
        GROUP BY c.beneficiary_id
       UNION ALL
       SELECT c.beneficiary_id, 'HEARING_AID' AS kind, c.care_date, sum(c.quantity)::int AS devices
         FROM claim_line c
        WHERE c.member_id = $1 ${lines.sql} AND c.family = $${n + 2} AND c.amc_cents > 0 AND c.care_date <= $${n + 3}::date
        GROUP BY c.beneficiary_id, c.care_date`,
      [...lines.params, opticsFamilies, HEARING_AID, today],
    ),
  ]);

  const periodsOf = new Map<string, CoveragePeriod[]>();
  for (const p of periods.rows) {
    const list = periodsOf.get(p.beneficiary_id) ?? [];
    list.push({ startDate: p.start_date, endDate: p.end_date, kind: p.kind, productCode: p.code });
    periodsOf.set(p.beneficiary_id, list);
  }
  const paidOf = new Map<string, Map<string, { amoCents: number; amcCents: number }>>();
  for (const row of paid.rows) {
    const byRule = paidOf.get(row.beneficiary_id) ?? new Map<string, { amoCents: number; amcCents: number }>();
    byRule.set(row.rule, { amoCents: row.amo, amcCents: row.amc });
    paidOf.set(row.beneficiary_id, byRule);
  }
  const lastOptics = new Map<string, string>();
  const devices = new Map<string, string[]>();
  for (const row of equipment.rows) {
    if (row.kind === 'OPTICS') lastOptics.set(row.beneficiary_id, row.care_date);
    else devices.set(row.beneficiary_id, [...(devices.get(row.beneficiary_id) ?? []), ...Array.from({ length: row.devices }, () => row.care_date)]);
  }
  const renewal = inForce(parameters.renewal, today);

  return {
    today,
    year,
    beneficiaries: people.rows.map((b): BeneficiaryCounters => {
      const coverage = coverageOn(periodsOf.get(b.id) ?? [], today);
      const product = coverage ? products.get(coverage.productCode) : undefined;
      const table = product ? guaranteeTableOn(product, today) : null;
      const last = lastOptics.get(b.id) ?? null;
      const deviceDates = devices.get(b.id) ?? [];
      const nextOptics = renewal && last ? nextOpticsEquipmentDate(renewal, b.birth_date, last) : today;
      const nextHearing = renewal ? nextHearingAidDate(renewal, deviceDates, today) : today;
      const inPeriod = renewal ? hearingAidsWithin(renewal, deviceDates, today) : [];
      return {
        beneficiaryId: b.id,
        firstName: b.first_name,
        guarantee: coverage && product ? { productCode: product.code, productLabel: product.label, aid: coverage.aid } : null,
        allowances: table ? annualAllowances(table, paidOf.get(b.id) ?? new Map()) : [],
        optics: renewal
          ? { lastEquipmentDate: last, periodMonths: opticsRenewalMonths(renewal, ageOn(b.birth_date, today)), nextCoveredFrom: nextOptics > today ? nextOptics : today, coveredNow: nextOptics <= today }
          : null,
        hearingAids: renewal
          ? {
              devicesInPeriod: inPeriod.length,
              lastDeviceDate: deviceDates.length > 0 ? deviceDates.reduce((a, d) => (d > a ? d : a)) : null,
              periodMonths: renewal.hearingAidMonths,
              devicesPerPeriod: renewal.hearingAidsPerPeriod,
              nextCoveredFrom: nextHearing,
              coveredNow: nextHearing <= today,
            }
          : null,
        teletransmission: { status: b.status ?? 'NONE', since: b.since, amoFund: b.link_fund ?? b.amo_fund },
      };
    }),
  };
}
