/**
 * The member's reimbursements, line by line (issue 6): filters, keyset pagination on (care date, id), totals for
 * the filter. Four queries whatever the history's length. The page, the CSV/PDF exports and the API call this.
 */
import { CARE_GROUPS, STATUS_SLUGS, actLabel, channelLabel, statusLabel, type CareGroup, type ClaimStatus, type StatusSlug } from '../../domain/claims/labels.ts';
import type { Family } from '../../domain/coverage/index.ts';
import type { Queryable } from '../../db/database.ts';

/** Who is looking: the ouvrant droit sees the household; a beneficiary with a login of their own, only their lines. */
export type Viewer = { memberId: string; beneficiaryId: string | null };

export type ReimbursementFilters = {
  year?: number | undefined;
  beneficiaryId?: string | undefined;
  group?: CareGroup | undefined;
  status?: StatusSlug | undefined;
  /** Period of care, both ends included (ISO dates); with `year`, the lines must match both. */
  from?: string | undefined;
  to?: string | undefined;
  /** Opaque cursor of the last line of the previous page. */
  after?: string | undefined;
};

export type ReimbursementRow = {
  id: string;
  careDate: string;
  beneficiaryId: string;
  beneficiaryFirstName: string;
  provider: string;
  act: string;
  family: Family;
  chargedCents: number;
  amoNetCents: number;
  amcCents: number;
  remainingCents: number;
  status: ClaimStatus;
  statusLabel: string;
  paidOn: string | null;
  channel: string;
};

export type ReimbursementTotals = { lines: number; chargedCents: number; amoNetCents: number; amcCents: number; remainingCents: number };

export type ReimbursementList = {
  rows: ReimbursementRow[];
  /** Cursor of the next page, or null on the last one. */
  next: string | null;
  totals: ReimbursementTotals;
  /** Years with care on record, newest first (for the year filter). */
  years: number[];
  beneficiaries: { id: string; firstName: string }[];
};

export const PAGE_SIZE = 25;

const encodeCursor = (careDate: string, id: string) => Buffer.from(`${careDate}|${id}`).toString('base64url');

function decodeCursor(cursor: string): { careDate: string; id: string } | null {
  const [careDate, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (!careDate || !id || !/^\d{4}-\d{2}-\d{2}$/.test(careDate) || !/^[0-9a-f-]{36}$/.test(id)) return null;
  return { careDate, id };
}

/** The WHERE clause and parameters of a filter (the member first, so that every query uses the member's index). */
function where(viewer: Viewer, filters: ReimbursementFilters): { sql: string; params: unknown[] } {
  const params: unknown[] = [viewer.memberId];
  const clauses = ['c.member_id = $1'];
  const add = (clause: (n: number) => string, value: unknown) => {
    params.push(value);
    clauses.push(clause(params.length));
  };
  if (viewer.beneficiaryId) add((n) => `c.beneficiary_id = $${n}`, viewer.beneficiaryId);
  if (filters.beneficiaryId) add((n) => `c.beneficiary_id = $${n}`, filters.beneficiaryId);
  if (filters.year) {
    add((n) => `c.care_date >= $${n}::date`, `${filters.year}-01-01`);
    add((n) => `c.care_date <= $${n}::date`, `${filters.year}-12-31`);
  }
  if (filters.from) add((n) => `c.care_date >= $${n}::date`, filters.from);
  if (filters.to) add((n) => `c.care_date <= $${n}::date`, filters.to);
  if (filters.group) add((n) => `c.family = ANY($${n}::text[])`, CARE_GROUPS[filters.group].families);
  if (filters.status) add((n) => `c.status = $${n}`, STATUS_SLUGS[filters.status]);
  return { sql: clauses.join(' AND '), params };
}

type Row = {
  id: string; care_date: string; beneficiary_id: string; first_name: string; provider_name: string | null; act_code: string; family: Family;
  charged_cents: number; amo_net_cents: number; amc_cents: number; remaining_cents: number; status: ClaimStatus; paid_at: string | null;
  source: 'NOEMIE' | 'PAPER' | 'THIRD_PARTY'; third_party_payment: boolean;
};

export function toReimbursementRow(r: Row): ReimbursementRow {
  return {
    id: r.id,
    careDate: r.care_date,
    beneficiaryId: r.beneficiary_id,
    beneficiaryFirstName: r.first_name,
    provider: r.provider_name ?? 'Professionnel de santé',
    act: actLabel(r.act_code, r.family),
    family: r.family,
    chargedCents: r.charged_cents,
    amoNetCents: r.amo_net_cents,
    amcCents: r.amc_cents,
    remainingCents: r.remaining_cents,
    status: r.status,
    statusLabel: statusLabel(r.status, r.paid_at),
    paidOn: r.paid_at,
    channel: channelLabel(r.source, r.third_party_payment),
  };
}

export const ROW_COLUMNS = `c.id, c.care_date, c.beneficiary_id, b.first_name, c.provider_name, c.act_code, c.family, c.charged_cents, c.amo_net_cents, c.amc_cents,
  c.remaining_cents, c.status, c.paid_at, s.source, c.third_party_payment`;

/**
 * The lines of one keyset page, newest care first, and the cursor of the next one (null on the last). The list below
 * and the exports (export-reimbursements.ts) read lines only through this, so that they share one filter.
 */
export async function reimbursementPage(db: Queryable, viewer: Viewer, filters: ReimbursementFilters, pageSize: number): Promise<{ rows: ReimbursementRow[]; next: string | null }> {
  const page = where(viewer, filters);
  const cursor = filters.after ? decodeCursor(filters.after) : null;
  if (cursor) {
    page.params.push(cursor.careDate, cursor.id);
    page.sql += ` AND (c.care_date, c.id) < ($${page.params.length - 1}::date, $${page.params.length}::uuid)`;
  }
  page.params.push(pageSize + 1);
  const { rows } = await db.query<Row>(
    `SELECT ${ROW_COLUMNS}
       FROM claim_line c JOIN beneficiary b ON b.id = c.beneficiary_id JOIN statement s ON s.id = c.statement_id
      WHERE ${page.sql} ORDER BY c.care_date DESC, c.id DESC LIMIT $${page.params.length}`,
    page.params,
  );
  const shown = rows.slice(0, pageSize).map(toReimbursementRow);
  const last = shown.at(-1);
  return { rows: shown, next: rows.length > pageSize && last ? encodeCursor(last.careDate, last.id) : null };
}

/** One page of lines, newest care first. An unknown beneficiary filter simply matches nothing. */
export async function listReimbursements(db: Queryable, viewer: Viewer, filters: ReimbursementFilters, pageSize = PAGE_SIZE): Promise<ReimbursementList> {
  const filter = where(viewer, filters);
  const [page, totals, years, beneficiaries] = await Promise.all([
    reimbursementPage(db, viewer, filters, pageSize),
    db.query<{ lines: number; charged: number; amo_net: number; amc: number; remaining: number }>(
      `SELECT count(*)::int AS lines, coalesce(sum(c.charged_cents), 0)::bigint AS charged, coalesce(sum(c.amo_net_cents), 0)::bigint AS amo_net,
              coalesce(sum(c.amc_cents), 0)::bigint AS amc, coalesce(sum(c.remaining_cents), 0)::bigint AS remaining
         FROM claim_line c WHERE ${filter.sql}`,
      filter.params,
    ),
    db.query<{ year: number }>(
      `SELECT DISTINCT extract(year FROM c.care_date)::int AS year FROM claim_line c WHERE c.member_id = $1 ${viewer.beneficiaryId ? 'AND c.beneficiary_id = $2' : ''} ORDER BY 1 DESC`,
      viewer.beneficiaryId ? [viewer.memberId, viewer.beneficiaryId] : [viewer.memberId],
    ),
    db.query<{ id: string; first_name: string }>(
      `SELECT id, first_name FROM beneficiary WHERE member_id = $1 ${viewer.beneficiaryId ? 'AND id = $2' : ''} ORDER BY relationship = 'SELF' DESC, birth_date`,
      viewer.beneficiaryId ? [viewer.memberId, viewer.beneficiaryId] : [viewer.memberId],
    ),
  ]);
  const t = totals.rows[0]!;
  return {
    rows: page.rows,
    next: page.next,
    totals: { lines: t.lines, chargedCents: t.charged, amoNetCents: t.amo_net, amcCents: t.amc, remainingCents: t.remaining },
    years: years.rows.map((y) => y.year),
    beneficiaries: beneficiaries.rows.map((b) => ({ id: b.id, firstName: b.first_name })),
  };
}
