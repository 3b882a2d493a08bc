/**
 * One reimbursement line (issue 6): amounts, status timeline, payment, and the engine's explanation of the reste à
 * charge. Another household's line, or a line outside a beneficiary's own scope, is « not found » (AC-02).
 */
import { statusWord, type ClaimStatus } from '../../domain/claims/labels.ts';
import { explainStored } from '../../domain/coverage/stored-explanation.ts';
import type { Queryable } from '../../db/database.ts';
import { AppError } from '../../platform/errors.ts';
import { ROW_COLUMNS, toReimbursementRow, type ReimbursementRow, type Viewer } from './list-reimbursements.ts';

export type ReimbursementDetail = ReimbursementRow & {
  statementNumber: string;
  receivedAt: string;
  quantity: number;
  baseCents: number;
  amoRateBp: number;
  amoCents: number;
  flatFeeCents: number;
  deductibleCents: number;
  explanation: string;
  rejectionReason: string | null;
  timeline: { status: ClaimStatus; label: string; at: string }[];
  /**
   * Paid to the member (date, and the account credited as every page shows an IBAN: FR76 •••• … ••89 123, when the
   * transfer was recorded), paid to the professional, or not paid yet.
   */
  payment: { kind: 'MEMBER'; paidOn: string; maskedIban: string | null } | { kind: 'PROVIDER' } | null;
};

type DetailRow = Parameters<typeof toReimbursementRow>[0] & {
  statement_number: string; received_at: Date; quantity: number; base_cents: number; amo_rate_bp: number; amo_cents: number; flat_fee_cents: number;
  deductible_cents: number; explanation: string | null; explanation_steps: string | null; rejection_reason: string | null; payment_date: string | null;
  iban_masked: string | null; line_received_at: Date; liquidated_at: Date | null; settled_at: Date | null;
};

/** A stored sentence (older lines, lines rejected at import) is read as is; otherwise the sentence is rendered from the steps (ADR 010). */
function explanationOf(row: DetailRow): string {
  if (row.explanation !== null) return row.explanation;
  return explainStored(
    {
      family: row.family, amoCents: row.amo_cents, baseCents: row.base_cents, amoRateBp: row.amo_rate_bp, amcCents: row.amc_cents,
      remainingCents: row.remaining_cents, flatFeeCents: row.flat_fee_cents, deductibleCents: row.deductible_cents,
    },
    row.explanation_steps!,
  );
}

/** The statuses a line took on arrival (columns of the line, ADR 010), then the later changes (claim_line_status). */
function arrival(row: DetailRow): { status: ClaimStatus; at: Date }[] {
  const steps: { status: ClaimStatus; at: Date }[] = [{ status: 'RECEIVED', at: row.line_received_at }];
  if (row.liquidated_at) steps.push({ status: 'LIQUIDATED', at: row.liquidated_at });
  if (row.settled_at) steps.push({ status: row.liquidated_at ? 'PAID' : 'REJECTED', at: row.settled_at });
  return steps;
}

export async function getReimbursement(db: Queryable, viewer: Viewer, lineId: string): Promise<ReimbursementDetail> {
  const { rows } = await db.query<DetailRow>(
    `SELECT ${ROW_COLUMNS}, s.statement_number, s.received_at, c.quantity, c.base_cents, c.amo_rate_bp, c.amo_cents, c.flat_fee_cents, c.deductible_cents,
            c.explanation, c.explanation_steps, c.rejection_reason, p.payment_date, ba.iban_masked, c.received_at AS line_received_at, c.liquidated_at, c.settled_at
       FROM claim_line c JOIN beneficiary b ON b.id = c.beneficiary_id JOIN statement s ON s.id = c.statement_id
       LEFT JOIN payment p ON p.id = c.payment_id LEFT JOIN bank_account ba ON ba.id = p.bank_account_id
      WHERE c.id = $1 AND c.member_id = $2 AND ($3::uuid IS NULL OR c.beneficiary_id = $3)`,
    [lineId, viewer.memberId, viewer.beneficiaryId],
    { prepare: true },
  );
  const row = rows[0];
  if (!row) throw new AppError('NOT_FOUND');
  const history = await db.query<{ status: ClaimStatus; changed_at: Date }>(`SELECT status, changed_at FROM claim_line_status WHERE claim_line_id = $1 ORDER BY changed_at, id`, [lineId], { prepare: true });
  // Lines paid before transfers were recorded one by one (older history) have a date but no account: say only the date.
  const paidOn = row.payment_date ?? row.paid_at;
  const payment: ReimbursementDetail['payment'] =
    row.status !== 'PAID' ? null
    : row.third_party_payment ? { kind: 'PROVIDER' }
    : row.amc_cents > 0 && paidOn ? { kind: 'MEMBER', paidOn, maskedIban: row.iban_masked }
    : null;
  return {
    ...toReimbursementRow(row),
    statementNumber: row.statement_number,
    receivedAt: row.received_at.toISOString(),
    quantity: row.quantity,
    baseCents: row.base_cents,
    amoRateBp: row.amo_rate_bp,
    amoCents: row.amo_cents,
    flatFeeCents: row.flat_fee_cents,
    deductibleCents: row.deductible_cents,
    explanation: explanationOf(row),
    rejectionReason: row.rejection_reason,
    timeline: [...arrival(row), ...history.rows.map((h) => ({ status: h.status, at: h.changed_at }))].map((h) => ({
      status: h.status, label: statusWord(h.status), at: new Date(h.at).toISOString(),
    })),
    payment,
  };
}
