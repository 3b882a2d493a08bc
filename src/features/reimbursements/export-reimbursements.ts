/**
 * Every line of a filter, for the CSV and PDF exports (issue 6): newest care first, read page after page with the
 * list's keyset cursor (reimbursementPage), so that memory holds one page whatever the history's length. The totals
 * are the sums of the lines handed out: the « Total » of a file always equals the sum of its lines.
 */
import { CARE_GROUPS, STATUS_SLUGS, statusWord } from '../../domain/claims/labels.ts';
import { formatFrenchDate } from '../../domain/dates.ts';
import type { Queryable } from '../../db/database.ts';
import { AppError } from '../../platform/errors.ts';
import { reimbursementPage, type ReimbursementFilters, type ReimbursementRow, type ReimbursementTotals, type Viewer } from './list-reimbursements.ts';

export const EXPORT_BATCH_SIZE = 500;

export type ReimbursementExport = {
  /** Whose statement it is: the viewer's name and the household's member number. */
  holder: { fullName: string; sex: 'F' | 'M'; memberNumber: string };
  /** The filter in French, one phrase per criterion (« Soins de 2025 », « Toute la famille »…). */
  criteria: string[];
  /** The lines, newest care first, one keyset page at a time. Read it once. */
  batches: AsyncIterable<ReimbursementRow[]>;
  /** Sums of the lines handed out by `batches`: complete once it has been read to the end. */
  totals: ReimbursementTotals;
};

/**
 * The export of a filter for the viewer (the list's scope: other households' lines never appear). The first page is
 * read before returning, so that a failing query is an error response rather than a file cut short.
 */
export async function exportReimbursements(db: Queryable, viewer: Viewer, filters: ReimbursementFilters, batchSize = EXPORT_BATCH_SIZE): Promise<ReimbursementExport> {
  const all: ReimbursementFilters = { ...filters, after: undefined };
  const [holder, beneficiaries] = await Promise.all([holderOf(db, viewer), beneficiariesOf(db, viewer)]);
  const firstNames = new Map(beneficiaries.map((b) => [b.id, b.firstName]));
  const first = await reimbursementPage(db, viewer, all, batchSize, firstNames);
  const totals: ReimbursementTotals = { lines: 0, chargedCents: 0, amoNetCents: 0, amcCents: 0, remainingCents: 0 };
  const count = (rows: ReimbursementRow[]) => {
    for (const r of rows) {
      totals.lines += 1;
      totals.chargedCents += r.chargedCents;
      totals.amoNetCents += r.amoNetCents;
      totals.amcCents += r.amcCents;
      totals.remainingCents += r.remainingCents;
    }
    return rows;
  };
  async function* batches(): AsyncGenerator<ReimbursementRow[]> {
    let page = first;
    for (;;) {
      if (page.rows.length > 0) yield count(page.rows);
      if (!page.next) return;
      page = await reimbursementPage(db, viewer, { ...all, after: page.next }, batchSize, firstNames);
    }
  }
  return { holder, criteria: describeFilters(all, beneficiaries, viewer), batches: batches(), totals };
}

/** The filter in French, for the statement's heading. */
export function describeFilters(filters: ReimbursementFilters, beneficiaries: { id: string; firstName: string }[], viewer: Viewer): string[] {
  const criteria: string[] = [];
  if (filters.year) criteria.push(`Soins de ${filters.year}`);
  if (filters.from && filters.to) criteria.push(`Soins du ${formatFrenchDate(filters.from)} au ${formatFrenchDate(filters.to)}`);
  else if (filters.from) criteria.push(`Soins à partir du ${formatFrenchDate(filters.from)}`);
  else if (filters.to) criteria.push(`Soins jusqu’au ${formatFrenchDate(filters.to)}`);
  if (criteria.length === 0) criteria.push('Toutes les dates de soins');
  const beneficiaryId = filters.beneficiaryId ?? viewer.beneficiaryId;
  if (beneficiaryId) criteria.push(`Bénéficiaire : ${beneficiaries.find((b) => b.id === beneficiaryId)?.firstName ?? 'non reconnu'}`);
  else criteria.push('Toute la famille');
  criteria.push(filters.group ? `Soins : ${CARE_GROUPS[filters.group].label}` : 'Tous les soins');
  criteria.push(filters.status ? `État : ${statusWord(STATUS_SLUGS[filters.status])}` : 'Tous les états');
  return criteria;
}

async function holderOf(db: Queryable, viewer: Viewer): Promise<ReimbursementExport['holder']> {
  const { rows } = await db.query<{ member_number: string; first_name: string; last_name: string; sex: 'F' | 'M' }>(
    `SELECT m.member_number, b.first_name, b.last_name, b.sex FROM member m JOIN beneficiary b ON b.member_id = m.id
      WHERE m.id = $1 AND ${viewer.beneficiaryId ? 'b.id = $2' : `b.relationship = 'SELF'`} LIMIT 1`,
    viewer.beneficiaryId ? [viewer.memberId, viewer.beneficiaryId] : [viewer.memberId],
  );
  const row = rows[0];
  if (!row) throw new AppError('NOT_FOUND');
  return { fullName: `${row.first_name} ${row.last_name}`, sex: row.sex, memberNumber: row.member_number };
}

async function beneficiariesOf(db: Queryable, viewer: Viewer): Promise<{ id: string; firstName: string }[]> {
  const { rows } = await db.query<{ id: string; first_name: string }>(
    `SELECT id, first_name FROM beneficiary WHERE member_id = $1 ${viewer.beneficiaryId ? 'AND id = $2' : ''}`,
    viewer.beneficiaryId ? [viewer.memberId, viewer.beneficiaryId] : [viewer.memberId],
  );
  return rows.map((b) => ({ id: b.id, firstName: b.first_name }));
}
