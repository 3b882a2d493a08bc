/**
 * `espace import` and the inbox job: one DCPT1 lot, read and checked whole before anything is written, then
 * matched, liquidated and stored in one transaction (all or nothing). Re-importing the same lot changes nothing.
 */
import { createHash, randomUUID } from 'node:crypto';
import { readDcpt1, type BatchHeader, type Dcpt1ErrorCode, type ParsedBatch, type StatementRecord } from '../../domain/claims/dcpt1.ts';
import { copyRow, type Database, type Transaction } from '../../db/database.ts';
import type { FieldKeys } from '../../db/repositories/household.ts';
import { blindIndex, encryptField } from '../../platform/crypto.ts';
import type { Logger } from '../../platform/logger.ts';
import { lockClaimsWriting, storeStatements, type MatchedStatement } from './store-statements.ts';

export type ImportErrorCode = Dcpt1ErrorCode | 'UNKNOWN_AMC' | 'BATCH_NUMBER_REUSED' | 'STATEMENT_ALREADY_IMPORTED';
export type ImportError = { line: number; code: ImportErrorCode; message: string; record: string };
export type ImportStatus = 'imported' | 'duplicate' | 'rejected';

export interface ImportReport {
  lot: string | null;
  sender: string | null;
  status: ImportStatus;
  decomptes: number;
  lines: number;
  /** Lines liquidated (or paid to the professional) and lines kept « à rapprocher ». */
  matchedLines: number;
  unmatchedLines: number;
  /** Lines refused by the mutuelle (no rights on the care date). */
  rejectedLines: number;
  amcCents: number;
  errors: ImportError[];
  /** All errors found, when more than the report lists. */
  errorCount: number;
}

export type ImportProgress = { phase: 'read' | 'write'; done: number; total: number | null };

export interface ImportInput {
  /** The lot's bytes (a file stream). */
  content: AsyncIterable<Uint8Array>;
  fileName: string;
  today: string;
  now: Date;
  keys: FieldKeys;
  logger: Logger;
  onProgress?: (progress: ImportProgress) => void;
}

const statementNumber = (header: BatchHeader, statement: StatementRecord) => `${header.senderId}:${statement.statementId}`;

function report(status: ImportStatus, header: BatchHeader | null, fields: Partial<ImportReport> = {}): ImportReport {
  return {
    lot: header?.batchNumber || null,
    sender: header?.senderId || null,
    status,
    decomptes: 0,
    lines: 0,
    matchedLines: 0,
    unmatchedLines: 0,
    rejectedLines: 0,
    amcCents: 0,
    errors: [],
    errorCount: 0,
    ...fields,
  };
}

function rejected(header: BatchHeader | null, errors: ImportError[], errorCount = errors.length): ImportReport {
  return report('rejected', header, { errors, errorCount });
}

async function existingBatch(db: Database, header: BatchHeader): Promise<{ content_sha256: string; statements: number; lines: number } | undefined> {
  const { rows } = await db.query<{ content_sha256: string; statements: number; lines: number }>(
    `SELECT content_sha256, statements, lines FROM import_batch WHERE sender_id = $1 AND batch_number = $2`,
    [header.senderId, header.batchNumber],
  );
  return rows[0];
}

function alreadyImported(header: BatchHeader, found: { content_sha256: string; statements: number; lines: number }, sha256: string): ImportReport {
  if (found.content_sha256 === sha256) return report('duplicate', header, { decomptes: found.statements, lines: found.lines });
  return rejected(header, [{
    line: 1,
    code: 'BATCH_NUMBER_REUSED',
    message: `Le lot ${header.batchNumber} de l’émetteur ${header.senderId} a déjà été importé avec un contenu différent : rien n’a été écrit.`,
    record: '',
  }]);
}

/** Imports one lot. Never throws for bad content: the report says rejected, with every error found. */
export async function importBatch(db: Database, input: ImportInput): Promise<ImportReport> {
  const hash = createHash('sha256');
  const outcome = await readDcpt1(input.content, {
    today: input.today,
    onBytes: (chunk) => hash.update(chunk),
    onLines: (done) => input.onProgress?.({ phase: 'read', done, total: null }),
  });
  if (!outcome.ok) return rejected(outcome.header, outcome.errors, outcome.errorCount);
  const batch = outcome.batch;
  const { header } = batch;
  const sha256 = hash.digest('hex');

  const organisation = await db.query<{ id: string }>(`SELECT id FROM organisation WHERE amc_number = $1`, [header.amcNumber]);
  if (!organisation.rows[0]) {
    return rejected(header, [{ line: 1, code: 'UNKNOWN_AMC', message: `Le numéro AMC ${header.amcNumber} de l’en-tête n’est pas celui de la mutuelle : lot refusé.`, record: '' }]);
  }
  const found = await existingBatch(db, header);
  if (found) return alreadyImported(header, found, sha256);

  try {
    return await db.transaction(async (tx) => {
      await lockClaimsWriting(tx);
      return await writeBatch(tx, batch, organisation.rows[0]!.id, sha256, input);
    });
  } catch (error) {
    if (error instanceof ConcurrentImportError) {
      const again = await existingBatch(db, header);
      if (again) return alreadyImported(header, again, sha256);
    }
    if (isUniqueViolation(error, 'statement_source_statement_number_key')) {
      return rejected(header, await statementsAlreadyImported(db, batch));
    }
    throw error;
  }
}

class ConcurrentImportError extends Error {}

function isUniqueViolation(error: unknown, constraint: string): boolean {
  const e = error as { code?: string; constraint?: string; message?: string };
  return e?.code === '23505' && (e.constraint === constraint || (e.message ?? '').includes(constraint));
}

async function statementsAlreadyImported(db: Database, batch: ParsedBatch): Promise<ImportError[]> {
  const numbers = batch.statements.map((s) => statementNumber(batch.header, s));
  const { rows } = await db.query<{ statement_number: string }>(`SELECT statement_number FROM statement WHERE source = 'NOEMIE' AND statement_number = ANY($1::text[])`, [numbers]);
  const taken = new Set(rows.map((r) => r.statement_number));
  return batch.statements
    .filter((s) => taken.has(statementNumber(batch.header, s)))
    .map((s) => ({ line: s.fileLine, code: 'STATEMENT_ALREADY_IMPORTED', message: `Le décompte ${s.statementId} a déjà été importé par un autre lot : lot refusé.`, record: '' }));
}

const UNMATCHED_COLUMNS = [
  'id', 'batch_id', 'statement_number', 'line_number', 'insured_nir_hmac', 'insured_nir_enc', 'birth_date', 'birth_rank', 'care_date', 'charged_cents', 'record', 'received_at',
] as const;

/** What the « à rapprocher » queue keeps of a line: every field but the NIRs (kept encrypted beside it). */
export function unmatchedRecord(statement: StatementRecord, lineIndex: number): object {
  const { beneficiary, lines, insuredNir: _insuredNir, ...rest } = statement;
  const { act, ...line } = lines[lineIndex]!;
  return { statement: rest, beneficiary: { birthDate: beneficiary.birthDate, birthRank: beneficiary.birthRank, quality: beneficiary.quality }, line: { ...line, system: act.system, code: act.code } };
}

async function writeBatch(tx: Transaction, batch: ParsedBatch, organisationId: string, sha256: string, input: ImportInput): Promise<ImportReport> {
  const { header } = batch;
  const totalLines = batch.lineCount;
  input.onProgress?.({ phase: 'write', done: 0, total: totalLines });
  const batchId = randomUUID();
  const inserted = await tx.query(
    `INSERT INTO import_batch (id, sender_id, batch_number, amc_number, created_at_source, content_sha256, file_name, statements, lines, unmatched_lines,
                               charged_cents, base_cents, amo_cents, imported_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10, $11, $12, $13)
     ON CONFLICT (sender_id, batch_number) DO NOTHING RETURNING id`,
    [batchId, header.senderId, header.batchNumber, header.amcNumber, `${header.createdAt}Z`, sha256, input.fileName, batch.statements.length, totalLines,
      batch.trailer.chargedCents, batch.trailer.baseCents, batch.trailer.amoCents, input.now.toISOString()],
  );
  if (inserted.rowCount === 0) throw new ConcurrentImportError();

  // Matching: NIR of the ouvrant droit (blind index) + birth date + rang, within the mutuelle.
  const hmacByNir = new Map<string, string>();
  for (const s of batch.statements) if (!hmacByNir.has(s.insuredNir)) hmacByNir.set(s.insuredNir, blindIndex(input.keys.blindIndexKey, s.insuredNir));
  const { rows } = await tx.query<{ id: string; member_id: string; insured_nir_hmac: string; birth_date: string; birth_rank: number }>(
    `SELECT b.id, b.member_id, b.insured_nir_hmac, b.birth_date, b.birth_rank
       FROM beneficiary b JOIN member m ON m.id = b.member_id
      WHERE m.organisation_id = $1 AND b.insured_nir_hmac = ANY($2::text[])`,
    [organisationId, [...new Set(hmacByNir.values())]],
  );
  const beneficiaries = new Map(rows.map((r) => [`${r.insured_nir_hmac}|${r.birth_date}|${r.birth_rank}`, r]));
  const matched: MatchedStatement[] = [];
  const unmatched: StatementRecord[] = [];
  for (const statement of batch.statements) {
    const key = `${hmacByNir.get(statement.insuredNir)}|${statement.beneficiary.birthDate}|${statement.beneficiary.birthRank}`;
    const beneficiary = beneficiaries.get(key);
    if (beneficiary) {
      matched.push({ statement, statementNumber: statementNumber(header, statement), batchId, memberId: beneficiary.member_id, beneficiaryId: beneficiary.id });
    } else {
      unmatched.push(statement);
    }
  }

  const stored = await storeStatements(tx, matched, { now: input.now, onProgress: (done) => input.onProgress?.({ phase: 'write', done, total: totalLines }) });

  const now = input.now.toISOString();
  function* unmatchedRows(): Generator<string> {
    for (const statement of unmatched) {
      const nirHmac = hmacByNir.get(statement.insuredNir)!;
      const nirEnc = encryptField(input.keys.dataEncryptionKey, statement.insuredNir);
      for (let i = 0; i < statement.lines.length; i++) {
        const line = statement.lines[i]!;
        yield copyRow([
          randomUUID(), batchId, statementNumber(header, statement), line.lineNumber, nirHmac, nirEnc, statement.beneficiary.birthDate, statement.beneficiary.birthRank,
          line.careDate, line.chargedCents, JSON.stringify(unmatchedRecord(statement, i)), now,
        ]);
      }
    }
  }
  await tx.copyFrom('unmatched_claim_line', UNMATCHED_COLUMNS, unmatchedRows());
  const unmatchedLines = unmatched.reduce((n, s) => n + s.lines.length, 0);
  await tx.query(`UPDATE import_batch SET unmatched_lines = $2 WHERE id = $1`, [batchId, unmatchedLines]);
  await tx.query(
    `INSERT INTO audit_log (occurred_at, actor_type, action, subject_type, subject_id, details) VALUES ($1, 'system', 'import.batch', 'import_batch', $2, $3)`,
    [now, batchId, JSON.stringify({ sender: header.senderId, lot: header.batchNumber, statements: batch.statements.length, lines: totalLines, unmatched: unmatchedLines, rejected: stored.rejected })],
  );
  input.onProgress?.({ phase: 'write', done: totalLines, total: totalLines });
  input.logger.info({ sender: header.senderId, lot: header.batchNumber, statements: batch.statements.length, lines: totalLines, unmatchedLines, rejectedLines: stored.rejected }, 'DCPT1 lot imported');
  return report('imported', header, {
    decomptes: batch.statements.length,
    lines: totalLines,
    matchedLines: stored.lines - stored.rejected,
    unmatchedLines,
    rejectedLines: stored.rejected,
    amcCents: stored.amcCents,
  });
}
