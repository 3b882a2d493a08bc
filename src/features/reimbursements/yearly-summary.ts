/**
 * The yearly summary of a household's care (issue 6, « Bilan annuel »): for one calendar year of care dates, totals
 * spent / Sécurité sociale / mutuelle / reste à charge, for the household and per beneficiary, each split by care
 * group. Three queries whatever the history's length (the sums are GROUP BY in SQL). Every line counts, whatever its
 * status, as in the list's totals: a rejected line was spent all the same.
 */
import { CARE_GROUPS, CARE_GROUP_CODES, careGroupOf, type CareGroup } from '../../domain/claims/labels.ts';
import type { Family } from '../../domain/coverage/index.ts';
import type { Queryable } from '../../db/database.ts';
import type { Viewer } from './list-reimbursements.ts';

export type SummaryAmounts = { lines: number; chargedCents: number; amoNetCents: number; amcCents: number; remainingCents: number };
export type CareGroupAmounts = SummaryAmounts & { group: CareGroup; label: string };

export type BeneficiarySummary = {
  id: string;
  firstName: string;
  totals: SummaryAmounts;
  /** Care groups with at least one line, in the order of CARE_GROUP_CODES. */
  groups: CareGroupAmounts[];
};

export type YearlySummary = {
  year: number;
  /** Years with care on record, newest first (for the year selector). */
  years: number[];
  totals: SummaryAmounts;
  groups: CareGroupAmounts[];
  /** Everyone the viewer may see, with or without care this year (the member first, then by birth date). */
  beneficiaries: BeneficiarySummary[];
};

const zero = (): SummaryAmounts => ({ lines: 0, chargedCents: 0, amoNetCents: 0, amcCents: 0, remainingCents: 0 });

function addTo(target: SummaryAmounts, row: SummaryAmounts): void {
  target.lines += row.lines;
  target.chargedCents += row.chargedCents;
  target.amoNetCents += row.amoNetCents;
  target.amcCents += row.amcCents;
  target.remainingCents += row.remainingCents;
}

function groupList(byGroup: Map<CareGroup, SummaryAmounts>): CareGroupAmounts[] {
  return CARE_GROUP_CODES.filter((group) => byGroup.has(group)).map((group) => ({ group, label: CARE_GROUPS[group].label, ...byGroup.get(group)! }));
}

/**
 * The summary of `year`, or of the latest year on record when `year` is null (the current calendar year `fallbackYear`
 * when nothing is on record). A year without care gives zeros, not an error.
 */
export async function yearlySummary(db: Queryable, viewer: Viewer, year: number | null, fallbackYear: number): Promise<YearlySummary> {
  const scope = viewer.beneficiaryId ? { sql: 'AND c.beneficiary_id = $2', params: [viewer.memberId, viewer.beneficiaryId] } : { sql: '', params: [viewer.memberId] };
  const [years, people] = await Promise.all([
    db.query<{ year: number }>(`SELECT DISTINCT extract(year FROM c.care_date)::int AS year FROM claim_line c WHERE c.member_id = $1 ${scope.sql} ORDER BY 1 DESC`, scope.params),
    db.query<{ id: string; first_name: string }>(
      `SELECT b.id, b.first_name FROM beneficiary b WHERE b.member_id = $1 ${scope.sql.replace('c.beneficiary_id', 'b.id')} ORDER BY b.relationship = 'SELF' DESC, b.birth_date, b.first_name`,
      scope.params,
    ),
  ]);
  const shownYear = year ?? years.rows[0]?.year ?? fallbackYear;
  const n = scope.params.length;
  const sums = await db.query<{ beneficiary_id: string; family: Family; lines: number; charged: number; amo_net: number; amc: number; remaining: number }>(
    `SELECT c.beneficiary_id, c.family, count(*)::int AS lines, sum(c.charged_cents)::bigint AS charged, sum(c.amo_net_cents)::bigint AS amo_net,
            sum(c.amc_cents)::bigint AS amc, sum(c.remaining_cents)::bigint AS remaining
       FROM claim_line c
      WHERE c.member_id = $1 ${scope.sql} AND c.care_date >= $${n + 1}::date AND c.care_date <= $${n + 2}::date
      GROUP BY c.beneficiary_id, c.family`,
    [...scope.params, `${shownYear}-01-01`, `${shownYear}-12-31`],
  );

  const totals = zero();
  const household = new Map<CareGroup, SummaryAmounts>();
  const perBeneficiary = new Map<string, { totals: SummaryAmounts; byGroup: Map<CareGroup, SummaryAmounts> }>(
    people.rows.map((b) => [b.id, { totals: zero(), byGroup: new Map() }]),
  );
  for (const row of sums.rows) {
    const amounts: SummaryAmounts = { lines: row.lines, chargedCents: row.charged, amoNetCents: row.amo_net, amcCents: row.amc, remainingCents: row.remaining };
    const group = careGroupOf(row.family);
    addTo(totals, amounts);
    if (!household.has(group)) household.set(group, zero());
    addTo(household.get(group)!, amounts);
    const person = perBeneficiary.get(row.beneficiary_id);
    if (!person) continue;
    addTo(person.totals, amounts);
    if (!person.byGroup.has(group)) person.byGroup.set(group, zero());
    addTo(person.byGroup.get(group)!, amounts);
  }
  return {
    year: shownYear,
    years: years.rows.map((y) => y.year),
    totals,
    groups: groupList(household),
    beneficiaries: people.rows.map((b) => {
      const person = perBeneficiary.get(b.id)!;
      return { id: b.id, firstName: b.first_name, totals: person.totals, groups: groupList(person.byGroup) };
    }),
  };
}
