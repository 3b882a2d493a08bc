/**
 * The member's dashboard (issue 6), the page after login: the last transfers of the mutuelle, the lines still being
 * processed, and a summary of the rights (contracts in force, the people covered and their periods, CSS and former
 * ACS included). Five queries whatever the history's length: the lines in progress (the latest and how many, in one),
 * payments, contracts, and beneficiaries with their rights periods. A beneficiary with their own login sees their own
 * lines and rights, and no transfers (those go to the ouvrant droit's account).
 */
import { formatFrenchDate } from '../../domain/dates.ts';
import type { Queryable } from '../../db/database.ts';
import type { Viewer } from '../auth/member-area.ts';
import { ROW_COLUMNS, toReimbursementRow, type ReimbursementRow } from '../reimbursements/list-reimbursements.ts';

/** How many payments and lines in progress the dashboard shows (the rest is one link away). */
export const DASHBOARD_ITEMS = 3;

export type DashboardPayment = {
  /** 'YYYY-MM-DD', the day of the transfer. */
  date: string;
  amountCents: number;
  /** The account credited, masked as everywhere (FR76 •••• … ••89 123), or null when the transfer predates per-transfer records. */
  maskedIban: string | null;
};

export type DashboardContract = {
  number: string;
  productName: string;
  kind: 'INDIVIDUAL' | 'COLLECTIVE';
  /** The employer of a collective contract, null otherwise. */
  employerName: string | null;
  startDate: string;
  endDate: string | null;
};

export type RightsKind = 'CONTRACT' | 'CSS' | 'CSS_PARTICIPATION' | 'ACS_A' | 'ACS_B' | 'ACS_C';

export type DashboardRightsPeriod = {
  kind: RightsKind;
  startDate: string;
  endDate: string;
  /** Starts after today (a renewal already recorded). */
  upcoming: boolean;
  /** In French, ready to read: « Complémentaire santé solidaire (sans participation) du 01/01/2026 au 31/12/2026 ». */
  text: string;
};

export type DashboardBeneficiary = {
  id: string;
  firstName: string;
  birthDate: string;
  sex: 'F' | 'M';
  /** In French: « Adhérente », « Conjoint », « Enfant »… */
  relationship: string;
  /** Periods in force today or to come, every kind. */
  current: DashboardRightsPeriod[];
  /** Ended CSS and ACS periods, newest first; periods of the same aid that follow each other are shown as one. */
  past: DashboardRightsPeriod[];
};

export type MemberDashboard = {
  firstName: string;
  /** The last transfers to the member, newest first. Care paid directly to the professional (tiers payant) is not a transfer. */
  payments: DashboardPayment[];
  /** Lines received or being liquidated (RECEIVED, LIQUIDATED): how many, and the most recent care first. */
  inProgress: { count: number; latest: ReimbursementRow[] };
  rights: { contracts: DashboardContract[]; beneficiaries: DashboardBeneficiary[] };
  /**
   * Hooks for features that do not exist yet (messages, documents): null means « not known », and the page then says
   * nothing. Never fill them with a made-up 0; set them when those features give a real count.
   */
  unreadMessages: number | null;
  newDocuments: number | null;
};

const RELATIONSHIPS: Record<'SELF' | 'SPOUSE' | 'CHILD' | 'OTHER', Record<'F' | 'M', string>> = {
  SELF: { F: 'Adhérente', M: 'Adhérent' },
  SPOUSE: { F: 'Conjointe', M: 'Conjoint' },
  CHILD: { F: 'Enfant', M: 'Enfant' },
  OTHER: { F: 'Ayant droit', M: 'Ayant droit' },
};

const AID_LABELS: Record<Exclude<RightsKind, 'CONTRACT'>, string> = {
  CSS: 'Complémentaire santé solidaire (sans participation)',
  CSS_PARTICIPATION: 'Complémentaire santé solidaire (avec participation)',
  ACS_A: 'Aide au paiement d’une complémentaire santé (ACS)',
  ACS_B: 'Aide au paiement d’une complémentaire santé (ACS)',
  ACS_C: 'Aide au paiement d’une complémentaire santé (ACS)',
};

const isAcs = (kind: RightsKind) => kind === 'ACS_A' || kind === 'ACS_B' || kind === 'ACS_C';
/** Periods that may be joined end to end: the three ACS levels are one aid, each CSS kind its own. */
const aidGroup = (kind: RightsKind) => (isAcs(kind) ? 'ACS' : kind);

function nextDay(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

function periodText(kind: RightsKind, productName: string | null, startDate: string, endDate: string, upcoming: boolean): string {
  const label = kind === 'CONTRACT' ? `Contrat ${productName ?? 'de la mutuelle'}` : AID_LABELS[kind];
  return upcoming ? `${label} à partir du ${formatFrenchDate(startDate)}, jusqu’au ${formatFrenchDate(endDate)}` : `${label} du ${formatFrenchDate(startDate)} au ${formatFrenchDate(endDate)}`;
}

function pastText(kind: RightsKind, sex: 'F' | 'M', startDate: string, endDate: string): string {
  const span = `du ${formatFrenchDate(startDate)} au ${formatFrenchDate(endDate)}`;
  // The ACS ended on 31/10/2019 for everyone: whoever had it is a former beneficiary.
  if (isAcs(kind)) return `${sex === 'F' ? 'Ancienne bénéficiaire' : 'Ancien bénéficiaire'} de l’ACS ${span}`;
  return `${AID_LABELS[kind as 'CSS' | 'CSS_PARTICIPATION']} ${span}`;
}

type PeriodRow = { beneficiary_id: string; kind: RightsKind; start_date: string; end_date: string; product_name: string | null };

/** Ended CSS/ACS periods of one beneficiary, joined when one starts the day after (or before) the previous one ends. */
function pastAids(periods: PeriodRow[], sex: 'F' | 'M', today: string): DashboardRightsPeriod[] {
  const ended = periods.filter((p) => p.kind !== 'CONTRACT' && p.end_date < today).sort((a, b) => (a.start_date < b.start_date ? -1 : 1));
  const joined: { kind: RightsKind; startDate: string; endDate: string }[] = [];
  for (const p of ended) {
    const last = joined.at(-1);
    if (last && aidGroup(last.kind) === aidGroup(p.kind) && p.start_date <= nextDay(last.endDate)) {
      if (p.end_date > last.endDate) last.endDate = p.end_date;
    } else {
      joined.push({ kind: p.kind, startDate: p.start_date, endDate: p.end_date });
    }
  }
  return joined.reverse().map((j) => ({ ...j, upcoming: false, text: pastText(j.kind, sex, j.startDate, j.endDate) }));
}

type PaymentRow = { payment_date: string; amount_cents: number; iban_masked: string | null };
type ContractRow = { contract_number: string; product_name: string; kind: 'INDIVIDUAL' | 'COLLECTIVE'; employer_name: string | null; start_date: string; end_date: string | null };
type BeneficiaryRow = { id: string; first_name: string; birth_date: string; sex: 'F' | 'M'; relationship: 'SELF' | 'SPOUSE' | 'CHILD' | 'OTHER' };

type InProgressRow = Parameters<typeof toReimbursementRow>[0] & { in_progress: number };

/** `today` is the mutuelle's calendar day, 'YYYY-MM-DD' (parisDate of the clock). Only the viewer's own scope is read. */
export async function memberDashboard(db: Queryable, viewer: Viewer, today: string): Promise<MemberDashboard> {
  const { memberId, beneficiaryId } = viewer;
  const [inProgress, payments, contracts, beneficiaries, periods] = await Promise.all([
    // The count runs over every line in progress (the window is computed before the LIMIT).
    db.query<InProgressRow>(
      `SELECT ${ROW_COLUMNS}, count(*) OVER ()::int AS in_progress
         FROM claim_line c JOIN beneficiary b ON b.id = c.beneficiary_id
        WHERE c.member_id = $1 AND ($2::uuid IS NULL OR c.beneficiary_id = $2) AND c.status IN ('RECEIVED', 'LIQUIDATED')
        ORDER BY c.care_date DESC, c.id DESC LIMIT $3`,
      [memberId, beneficiaryId, DASHBOARD_ITEMS],
    ),
    // Transfers recorded by the payment run, and — for history older than those records — the mutuelle's part of the
    // lines paid to the member, one transfer per day (the run's own rule). Tiers payant and zero amounts are no transfer.
    db.query<PaymentRow>(
      `SELECT p.payment_date, p.amount_cents, ba.iban_masked
         FROM payment p JOIN bank_account ba ON ba.id = p.bank_account_id
        WHERE p.member_id = $1 AND $3::uuid IS NULL
       UNION ALL
       SELECT c.paid_at, sum(c.amc_cents)::bigint, NULL
         FROM claim_line c
        WHERE c.member_id = $1 AND $3::uuid IS NULL AND c.status = 'PAID' AND c.payment_id IS NULL AND NOT c.third_party_payment AND c.amc_cents > 0 AND c.paid_at IS NOT NULL
        GROUP BY c.paid_at
       ORDER BY 1 DESC
       LIMIT $2`,
      [memberId, DASHBOARD_ITEMS, beneficiaryId],
    ),
    db.query<ContractRow>(
      `SELECT c.contract_number, g.name AS product_name, c.kind, c.employer_name, c.start_date, c.end_date
         FROM contract c JOIN guarantee_product g ON g.id = c.product_id
        WHERE c.member_id = $1 AND c.start_date <= $2::date AND (c.end_date IS NULL OR c.end_date >= $2::date)
        ORDER BY c.start_date, c.contract_number`,
      [memberId, today],
    ),
    db.query<BeneficiaryRow>(
      `SELECT id, first_name, birth_date, sex, relationship FROM beneficiary WHERE member_id = $1 AND ($2::uuid IS NULL OR id = $2)
        ORDER BY relationship = 'SELF' DESC, relationship = 'SPOUSE' DESC, birth_date, first_name`,
      [memberId, beneficiaryId],
    ),
    db.query<PeriodRow>(
      `SELECT r.beneficiary_id, r.kind, r.start_date, r.end_date, g.name AS product_name
         FROM rights_period r JOIN beneficiary b ON b.id = r.beneficiary_id
         LEFT JOIN contract c ON c.id = r.contract_id LEFT JOIN guarantee_product g ON g.id = c.product_id
        WHERE b.member_id = $1 AND ($2::uuid IS NULL OR b.id = $2)
        ORDER BY r.start_date, r.kind`,
      [memberId, beneficiaryId],
    ),
  ]);

  const periodsOf = new Map<string, PeriodRow[]>();
  for (const p of periods.rows) {
    const list = periodsOf.get(p.beneficiary_id);
    if (list) list.push(p);
    else periodsOf.set(p.beneficiary_id, [p]);
  }

  const self = beneficiaryId ? beneficiaries.rows[0] : beneficiaries.rows.find((b) => b.relationship === 'SELF');
  return {
    firstName: self?.first_name ?? '',
    payments: payments.rows.map((p) => ({ date: p.payment_date, amountCents: p.amount_cents, maskedIban: p.iban_masked })),
    inProgress: { count: inProgress.rows[0]?.in_progress ?? 0, latest: inProgress.rows.map((r) => toReimbursementRow(r)) },
    rights: {
      contracts: contracts.rows.map((c) => ({ number: c.contract_number, productName: c.product_name, kind: c.kind, employerName: c.employer_name, startDate: c.start_date, endDate: c.end_date })),
      beneficiaries: beneficiaries.rows.map((b) => {
        const own = periodsOf.get(b.id) ?? [];
        const current = own
          .filter((p) => p.end_date >= today)
          .map((p) => {
            const upcoming = p.start_date > today;
            return { kind: p.kind, startDate: p.start_date, endDate: p.end_date, upcoming, text: periodText(p.kind, p.product_name, p.start_date, p.end_date, upcoming) };
          });
        return { id: b.id, firstName: b.first_name, birthDate: b.birth_date, sex: b.sex, relationship: RELATIONSHIPS[b.relationship][b.sex], current, past: pastAids(own, b.sex, today) };
      }),
    },
    unreadMessages: null,
    newDocuments: null,
  };
}
