/**
 * The « à rapprocher » queue: lines whose beneficiary was unknown at import wait in unmatched_claim_line. Once the
 * beneficiary exists (new member, corrected birth date or rang), they are liquidated like any imported line.
 * Runs after each import, daily as a job, and from `espace reconcile`; the back office resolves the rest by hand.
 */
import { findActCode } from '../../domain/claims/acts.ts';
import type { LineRecord, StatementRecord } from '../../domain/claims/dcpt1.ts';
import type { Database } from '../../db/database.ts';
import type { Logger } from '../../platform/logger.ts';
import { lockClaimsWriting, storeStatements, type MatchedStatement } from './store-statements.ts';

type PendingRow = {
  id: string;
  batch_id: string;
  statement_number: string;
  member_id: string;
  beneficiary_id: string;
  record: { statement: Omit<StatementRecord, 'beneficiary' | 'lines' | 'insuredNir'>; beneficiary: StatementRecord['beneficiary']; line: Omit<LineRecord, 'act'> & { system: string; code: string } };
};

export type ReconcileSummary = { matchedLines: number; statements: number; stillPending: number };

/** Matches every pending line whose beneficiary now exists, liquidates it, and marks the queue row resolved. */
export async function reconcileUnmatched(db: Database, options: { now: Date; logger: Logger }): Promise<ReconcileSummary> {
  return db.transaction(async (tx) => {
    await lockClaimsWriting(tx);
    const { rows } = await tx.query<PendingRow>(
      `SELECT u.id, u.batch_id, u.statement_number, b.member_id, b.id AS beneficiary_id, u.record
         FROM unmatched_claim_line u
         JOIN import_batch ib ON ib.id = u.batch_id
         JOIN organisation o ON o.amc_number = ib.amc_number
         JOIN beneficiary b ON b.insured_nir_hmac = u.insured_nir_hmac AND b.birth_date = u.birth_date AND b.birth_rank = u.birth_rank
         JOIN member m ON m.id = b.member_id AND m.organisation_id = o.id
        WHERE u.resolved_at IS NULL
        ORDER BY u.statement_number, u.line_number
        FOR UPDATE OF u`,
    );
    const byStatement = new Map<string, { matched: MatchedStatement; queueIds: string[] }>();
    for (const row of rows) {
      const key = `${row.batch_id}|${row.statement_number}`;
      let entry = byStatement.get(key);
      if (!entry) {
        const statement: StatementRecord = { ...row.record.statement, insuredNir: '', beneficiary: row.record.beneficiary, lines: [] };
        entry = { matched: { statement, statementNumber: row.statement_number, batchId: row.batch_id, memberId: row.member_id, beneficiaryId: row.beneficiary_id }, queueIds: [] };
        byStatement.set(key, entry);
      }
      const { system, code, ...line } = row.record.line;
      const act = findActCode(system, code);
      if (!act) throw new Error(`Queued line ${row.id} has an act code the parser no longer knows: ${system}/${code}`);
      entry.matched.statement.lines.push({ ...line, act });
      entry.queueIds.push(row.id);
    }
    const entries = [...byStatement.values()];
    const stored = await storeStatements(tx, entries.map((e) => e.matched), { now: options.now, keepLineIds: true });
    const ids: string[] = [];
    const claimLineIds: string[] = [];
    for (const entry of entries) {
      entry.matched.statement.lines.forEach((line, i) => {
        ids.push(entry.queueIds[i]!);
        claimLineIds.push(stored.claimLineIds.get(`${entry.matched.statementNumber}|${line.lineNumber}`)!);
      });
    }
    if (ids.length > 0) {
      await tx.query(
        `UPDATE unmatched_claim_line u SET resolved_at = $3, claim_line_id = v.claim_line_id
           FROM unnest($1::uuid[], $2::uuid[]) AS v(id, claim_line_id) WHERE u.id = v.id`,
        [ids, claimLineIds, options.now.toISOString()],
      );
    }
    const pending = await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM unmatched_claim_line WHERE resolved_at IS NULL`);
    if (ids.length > 0) options.logger.info({ lines: ids.length, statements: entries.length }, 'unmatched claim lines reconciled');
    return { matchedLines: ids.length, statements: stored.statements, stillPending: pending.rows[0]!.n };
  });
}
