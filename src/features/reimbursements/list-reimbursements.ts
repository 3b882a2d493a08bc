/**
 * The member's reimbursements, line by line (issue 6): filters, keyset pagination on (care date, id), totals for
 * the filter. One statement whatever the history's length. The page, the CSV/PDF exports and the API call this.
 */
import { CARE_GROUPS, STATUS_SLUGS, actLabel, channelLabel, statusLabel, type CareGroup, type ClaimStatus, type StatusSlug } from '../../domain/claims/labels.ts';
import type { Family } from '../../domain/coverage/index.ts';
import type { Queryable } from '../../db/database.ts';
import type { Viewer } from '../auth/member-area.ts';

export type { Viewer };

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
  /** The day the line reached the mutuelle (Paris date). */
  receivedOn: string;
  /** A paper claim not processed yet: the Sécurité sociale and mutuelle parts are unknown, shown « en attente de traitement ». */
  amountsPending: boolean;
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
  /** The first name of whoever is looking (the ouvrant droit, or the beneficiary with their own login), for the page's bar. */
  viewerFirstName: string;
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
  /** With ROW_COLUMNS; the keyset pages (LINE_COLUMNS) take first names from the household's people instead. */
  id: string; care_date: string; beneficiary_id: string; first_name?: string; provider_name: string | null; act_code: string; family: Family;
  charged_cents: number; amo_net_cents: number; amc_cents: number; remaining_cents: number; status: ClaimStatus; paid_at: string | null;
  source: 'NOEMIE' | 'PAPER' | 'THIRD_PARTY'; third_party_payment: boolean;
  /** The Paris date the line reached the mutuelle ('YYYY-MM-DD'). */
  received_on: string;
};

/** `firstName`: the beneficiary's, when the row was read without it (LINE_COLUMNS). */
export function toReimbursementRow(r: Row, firstName = r.first_name ?? ''): ReimbursementRow {
  return {
    id: r.id,
    careDate: r.care_date,
    beneficiaryId: r.beneficiary_id,
    beneficiaryFirstName: firstName,
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
    receivedOn: r.received_on,
    amountsPending: r.source === 'PAPER' && r.status === 'RECEIVED',
  };
}

/** What a row shows, from claim_line alone (the keyset pages read nothing else per row). */
const LINE_COLUMNS = `c.id, c.care_date, c.beneficiary_id, c.provider_name, c.act_code, c.family, c.charged_cents, c.amo_net_cents, c.amc_cents,
  c.remaining_cents, c.status, c.paid_at, c.source, c.third_party_payment, (c.received_at AT TIME ZONE 'Europe/Paris')::date AS received_on`;
/** The same with the beneficiary's first name (`JOIN beneficiary b ON b.id = c.beneficiary_id`), for single lines. */
export const ROW_COLUMNS = `${LINE_COLUMNS}, b.first_name`;

/** The page query of a filter: keyset cursor, newest care first, one line more than the page to know if another follows. */
function pageQuery(viewer: Viewer, filters: ReimbursementFilters, pageSize: number): { sql: string; params: unknown[] } {
  const page = where(viewer, filters);
  const cursor = filters.after ? decodeCursor(filters.after) : null;
  if (cursor) {
    page.params.push(cursor.careDate, cursor.id);
    page.sql += ` AND (c.care_date, c.id) < ($${page.params.length - 1}::date, $${page.params.length}::uuid)`;
  }
  page.params.push(pageSize + 1);
  return {
    sql: `SELECT ${LINE_COLUMNS} FROM claim_line c WHERE ${page.sql} ORDER BY c.care_date DESC, c.id DESC LIMIT $${page.params.length}`,
    params: page.params,
  };
}

/** First names by beneficiary id, for the rows of a page. */
export type FirstNames = ReadonlyMap<string, string>;

function pageOf(rows: Row[], pageSize: number, firstNames: FirstNames): { rows: ReimbursementRow[]; next: string | null } {
  const shown = rows.slice(0, pageSize).map((r) => toReimbursementRow(r, firstNames.get(r.beneficiary_id) ?? ''));
  const last = shown.at(-1);
  return { rows: shown, next: rows.length > pageSize && last ? encodeCursor(last.careDate, last.id) : null };
}

/**
 * The lines of one keyset page, newest care first, and the cursor of the next one (null on the last). The list below
 * and the exports (export-reimbursements.ts) read lines only through pageQuery, so that they share one filter.
 */
export async function reimbursementPage(db: Queryable, viewer: Viewer, filters: ReimbursementFilters, pageSize: number, firstNames: FirstNames): Promise<{ rows: ReimbursementRow[]; next: string | null }> {
  const page = pageQuery(viewer, filters, pageSize);
  return pageOf((await db.query<Row>(page.sql, page.params)).rows, pageSize, firstNames);
}

type ListRow = {
  page: Row[];
  totals: { lines: number; charged: number; amo_net: number; amc: number; remaining: number };
  years: number[];
  people: { id: string; first_name: string; relationship: string }[];
};

/**
 * One page of lines, newest care first, in one statement (one round trip: the page is what members open most). The
 * years on record are read by skipping down the member's (or beneficiary's) date index, one probe per year, rather
 * than scanning the history. An unknown beneficiary filter simply matches nothing.
 */
export async function listReimbursements(db: Queryable, viewer: Viewer, filters: ReimbursementFilters, pageSize = PAGE_SIZE): Promise<ReimbursementList> {
  const page = pageQuery(viewer, filters, pageSize);
  // The page's parameters start with the filter's (the member first, then the viewer's beneficiary if any): the
  // totals reuse them with the filter's own clause.
  const filter = where(viewer, filters);
  const scope = viewer.beneficiaryId ? 'c.member_id = $1 AND c.beneficiary_id = $2' : 'c.member_id = $1';
  const { rows } = await db.query<ListRow>(
    `WITH RECURSIVE page AS (${page.sql}),
     totals AS (
       SELECT count(*)::int AS lines, coalesce(sum(c.charged_cents), 0)::bigint AS charged, coalesce(sum(c.amo_net_cents), 0)::bigint AS amo_net,
              coalesce(sum(c.amc_cents), 0)::bigint AS amc, coalesce(sum(c.remaining_cents), 0)::bigint AS remaining
         FROM claim_line c WHERE ${filter.sql}),
     years AS (
       SELECT (SELECT c.care_date FROM claim_line c WHERE ${scope} ORDER BY c.care_date DESC LIMIT 1) AS last
       UNION ALL
       SELECT (SELECT c.care_date FROM claim_line c WHERE ${scope} AND c.care_date < make_date(extract(year FROM y.last)::int, 1, 1) ORDER BY c.care_date DESC LIMIT 1)
         FROM years y WHERE y.last IS NOT NULL),
     people AS (
       SELECT b.id, b.first_name, b.relationship, b.birth_date FROM beneficiary b WHERE b.member_id = $1 ${viewer.beneficiaryId ? 'AND b.id = $2' : ''})
     SELECT (SELECT coalesce(json_agg(p ORDER BY p.care_date DESC, p.id DESC), '[]') FROM page p) AS page,
            (SELECT row_to_json(t) FROM totals t) AS totals,
            (SELECT coalesce(json_agg(extract(year FROM y.last)::int), '[]') FROM years y WHERE y.last IS NOT NULL) AS years,
            (SELECT coalesce(json_agg(p ORDER BY p.relationship = 'SELF' DESC, p.birth_date), '[]') FROM people p) AS people`,
    page.params,
    { prepare: true },
  );
  const { page: lines, totals: t, years, people } = rows[0]!;
  const viewerPerson = viewer.beneficiaryId ? people[0] : people.find((p) => p.relationship === 'SELF');
  return {
    ...pageOf(lines, pageSize, new Map(people.map((p) => [p.id, p.first_name]))),
    totals: { lines: t.lines, chargedCents: t.charged, amoNetCents: t.amo_net, amcCents: t.amc, remainingCents: t.remaining },
    years,
    beneficiaries: people.map((b) => ({ id: b.id, firstName: b.first_name })),
    viewerFirstName: viewerPerson?.first_name ?? '',
  };
}
