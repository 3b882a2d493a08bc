/**
 * `espace pay` and the daily payment job: the mutuelle part owed to members (LIQUIDATED lines, not tiers payant)
 * becomes one SEPA credit transfer per member and day, gathered in one pain.001 file for the bank
 * (docs/formats/pain001.md).
 *
 * The file and the database agree: the file is written (and synced) under a temporary name inside the transaction,
 * renamed to its final name only after the commit, and deleted if the transaction fails. A crash between the commit
 * and the rename leaves the temporary file, which the next run finishes publishing (its payment_file row exists) or
 * deletes (it does not).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { isIsoDate } from '../../domain/dates.ts';
import { isValidIban } from '../../domain/identity/iban.ts';
import { buildPain001, isSepaBic, remittanceText, sepaText, SEPA_NAME_MAX, type CreditTransfer } from '../../domain/payments/pain001.ts';
import type { Database, Queryable } from '../../db/database.ts';
import { accountInForce } from '../../db/repositories/bank-accounts.ts';
import { decryptField } from '../../platform/crypto.ts';
import type { Logger } from '../../platform/logger.ts';

export type Debtor = { name: string; iban: string; bic: string };

export type RunPaymentsOptions = {
  /** Payment date and requested execution date, 'YYYY-MM-DD'. */
  today: string;
  now: Date;
  /** Where the pain.001 files go (config.paymentsDir, `<DATA_DIR>/payments` by default). */
  paymentsDir: string;
  /** The mutuelle's account (config.paymentsDebtor). */
  debtor: Debtor;
  keys: { dataEncryptionKey: Buffer };
  logger: Logger;
};

export type RunPaymentsSummary = {
  /** Transfers made (one per member). */
  payments: number;
  /** Lines paid by those transfers. */
  lines: number;
  totalCents: number;
  /** The pain.001 file written in paymentsDir, or null when there was nothing to transfer. */
  fileName: string | null;
  /** Members owed money with no bank account in force that can be paid (none, or unusable): their lines stay LIQUIDATED. */
  membersWithoutAccount: number;
  /** Members already paid on this date: their newer lines stay LIQUIDATED for the next day's run. */
  membersDeferred: number;
  /** Lines whose mutuelle part is 0: marked PAID without a transfer. */
  linesWithoutTransfer: number;
};

export const PAYMENT_EVENT_KIND = 'REIMBURSEMENT_PAID';
// One run at a time across instances (the migrations use 727 001).
const PAYMENTS_LOCK = 727_011;
const FILE_PATTERN = /^SCT-\d{4}-\d{2}-\d{2}-[A-Za-z0-9-]+\.xml$/;

/** 'SCT-2026-11-26-PAY20261126-9F3A1C2B7D4E.xml' */
export const paymentFileName = (executionDate: string, messageId: string) => `SCT-${executionDate}-${messageId}.xml`;
const temporaryName = (fileName: string) => `.${fileName}.tmp`;

type LineRow = { id: string; member_id: string; amc_cents: number };
type MemberRow = {
  id: string;
  member_number: string;
  account_id: string | null;
  iban_enc: string | null;
  bic: string | null;
  holder_name: string | null;
  paid_today: boolean;
};
type PlannedPayment = { id: string; memberId: string; bankAccountId: string; endToEndId: string; amountCents: number; lineIds: string[]; transfer: CreditTransfer };

export async function runPayments(db: Database, options: RunPaymentsOptions): Promise<RunPaymentsSummary> {
  const { today, now, paymentsDir, logger } = options;
  if (!isIsoDate(today)) throw new RangeError(`today must be YYYY-MM-DD, got '${today}'`);
  const log = logger.child({ component: 'payments' });
  // The files hold clear IBANs: the folder is the service's alone.
  await mkdir(paymentsDir, { recursive: true, mode: 0o700 });

  // Set once the file is on disk under its temporary name.
  const written: { temporary?: string; final?: string } = {};
  let summary: RunPaymentsSummary;
  try {
    summary = await db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [PAYMENTS_LOCK]);
      await finishInterruptedRuns(tx, paymentsDir, log);

      // Lines another transaction is changing (a correction, a rejection) are skipped: they wait for the next run.
      const { rows: lines } = await tx.query<LineRow>(
        `SELECT c.id, c.member_id, c.amc_cents
           FROM claim_line c
          WHERE c.status = 'LIQUIDATED' AND c.payment_id IS NULL AND NOT c.third_party_payment
          ORDER BY c.member_id, c.care_date, c.id
          FOR UPDATE OF c SKIP LOCKED`,
      );
      const zeroLineIds = lines.filter((l) => l.amc_cents === 0).map((l) => l.id);
      const owed = new Map<string, LineRow[]>();
      for (const line of lines) {
        if (line.amc_cents === 0) continue;
        const memberLines = owed.get(line.member_id);
        if (memberLines) memberLines.push(line);
        else owed.set(line.member_id, [line]);
      }

      // FRD-03: the account in force now — during a change's 72-hour cooling-off, still the previous one.
      const { rows: members } = await tx.query<MemberRow>(
        `SELECT m.id, m.member_number, a.id AS account_id, a.iban_enc, a.bic, a.holder_name,
                EXISTS (SELECT 1 FROM payment p WHERE p.member_id = m.id AND p.payment_date = $2) AS paid_today
           FROM member m
           LEFT JOIN LATERAL (${accountInForce('m.id', '$3')}) a ON true
          WHERE m.id = ANY($1::uuid[])
          ORDER BY m.member_number`,
        [[...owed.keys()], today, now],
      );
      const planned: PlannedPayment[] = [];
      const withoutAccount: { memberNumber: string; reason: 'NO_ACTIVE_ACCOUNT' | 'UNUSABLE_ACCOUNT' }[] = [];
      const deferred: string[] = [];
      for (const member of members) {
        const memberLines = owed.get(member.id)!;
        if (member.paid_today) {
          deferred.push(member.member_number);
          continue;
        }
        const creditor = member.account_id ? creditorOf(member, options.keys.dataEncryptionKey) : null;
        if (!member.account_id || !creditor) {
          withoutAccount.push({ memberNumber: member.member_number, reason: member.account_id ? 'UNUSABLE_ACCOUNT' : 'NO_ACTIVE_ACCOUNT' });
          continue;
        }
        const amountCents = memberLines.reduce((sum, l) => sum + l.amc_cents, 0);
        const endToEndId = `RMB-${today.replace(/-/g, '')}-${member.member_number}`;
        planned.push({
          id: randomUUID(),
          memberId: member.id,
          bankAccountId: member.account_id,
          endToEndId,
          amountCents,
          lineIds: memberLines.map((l) => l.id),
          transfer: { endToEndId, amountCents, creditor, remittance: remittanceText(member.member_number, today) },
        });
      }

      let fileName: string | null = null;
      if (planned.length > 0) {
        // Lower-case hex: an upper-case run such as AB12CDEF3456 is shaped like an IBAN, and the log scrubber masks it.
        const messageId = `PAY${today.replace(/-/g, '')}-${randomBytes(6).toString('hex')}`;
        const pain = buildPain001({ messageId, createdAt: now, executionDate: today, debtor: options.debtor, transfers: planned.map((p) => p.transfer) });
        fileName = paymentFileName(today, messageId);
        const temporary = path.join(paymentsDir, temporaryName(fileName));
        written.temporary = temporary;
        await writeSynced(temporary, pain.xml);
        written.final = path.join(paymentsDir, fileName);

        const { rows: file } = await tx.query<{ id: string }>(
          `INSERT INTO payment_file (message_id, execution_date, file_name, transfers, total_cents, created_at)
           VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
          [messageId, today, fileName, pain.transactions, pain.controlSumCents, now],
        );
        await tx.query(
          `INSERT INTO payment (id, member_id, bank_account_id, payment_file_id, payment_date, amount_cents, end_to_end_id, created_at)
           SELECT u.id, u.member_id, u.bank_account_id, $4, $5, u.amount_cents, u.end_to_end_id, $6
             FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $7::bigint[], $8::text[]) AS u(id, member_id, bank_account_id, amount_cents, end_to_end_id)`,
          [planned.map((p) => p.id), planned.map((p) => p.memberId), planned.map((p) => p.bankAccountId), file[0]!.id, today, now, planned.map((p) => p.amountCents), planned.map((p) => p.endToEndId)],
        );
        const lineIds = planned.flatMap((p) => p.lineIds);
        const paymentIds = planned.flatMap((p) => p.lineIds.map(() => p.id));
        await tx.query(
          `UPDATE claim_line c SET status = 'PAID', paid_at = $3, payment_id = u.payment_id
             FROM unnest($1::uuid[], $2::uuid[]) AS u(line_id, payment_id)
            WHERE c.id = u.line_id`,
          [lineIds, paymentIds, today],
        );
        // The notification issue fans these out (email, push); written here so a payment is never told twice or missed.
        await tx.query(
          `INSERT INTO member_event (member_id, kind, subject_type, subject_id, occurred_at)
           SELECT u.member_id, $3, 'payment', u.payment_id::text, $4 FROM unnest($1::uuid[], $2::uuid[]) AS u(member_id, payment_id)`,
          [planned.map((p) => p.memberId), planned.map((p) => p.id), PAYMENT_EVENT_KIND, now],
        );
      }
      if (zeroLineIds.length > 0) {
        await tx.query(`UPDATE claim_line SET status = 'PAID', paid_at = $2 WHERE id = ANY($1::uuid[])`, [zeroLineIds, today]);
      }
      const paidLineIds = [...planned.flatMap((p) => p.lineIds), ...zeroLineIds];
      if (paidLineIds.length > 0) {
        await tx.query(`INSERT INTO claim_line_status (claim_line_id, status, changed_at) SELECT unnest($1::uuid[]), 'PAID', $2`, [paidLineIds, now]);
      }

      if (withoutAccount.length > 0) {
        // Member numbers only: never an IBAN or a NIR in the logs.
        log.warn({ today, count: withoutAccount.length, members: withoutAccount.slice(0, 100) }, 'members owed a reimbursement have no bank account that can be paid: their lines wait');
      }
      if (deferred.length > 0) {
        log.info({ today, count: deferred.length, members: deferred.slice(0, 100) }, 'members already paid today: their new lines wait for the next run');
      }
      return {
        payments: planned.length,
        lines: planned.reduce((n, p) => n + p.lineIds.length, 0),
        totalCents: planned.reduce((n, p) => n + p.amountCents, 0),
        fileName,
        membersWithoutAccount: withoutAccount.length,
        membersDeferred: deferred.length,
        linesWithoutTransfer: zeroLineIds.length,
      };
    });
  } catch (error) {
    // Rolled back: the bank must never get a file the database does not record.
    if (written.temporary) await rm(written.temporary, { force: true });
    throw error;
  }
  if (written.temporary && written.final) await publish({ temporary: written.temporary, final: written.final });
  log.info({ today, ...summary }, 'payments run');
  return summary;
}

/** The member's account as a SEPA creditor, or null when its IBAN cannot be opened or is not valid. */
function creditorOf(member: MemberRow, key: Buffer): CreditTransfer['creditor'] | null {
  let iban: string;
  try {
    iban = decryptField(key, member.iban_enc!);
  } catch {
    return null;
  }
  const name = sepaText(member.holder_name ?? '', SEPA_NAME_MAX) || `Adherent ${member.member_number}`;
  // The BIC is optional for SEPA accounts: one the bank's schema would refuse is left out rather than block the file.
  const bic = member.bic && isSepaBic(member.bic) ? member.bic : null;
  return isValidIban(iban) ? { name, iban, bic } : null;
}

async function writeSynced(file: string, content: string): Promise<void> {
  const handle = await open(file, 'w', 0o600);
  try {
    await handle.writeFile(content, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** After the commit: the temporary file takes its final name (another run may have done it already, see below). */
async function publish({ temporary, final }: { temporary: string; final: string }): Promise<void> {
  try {
    await rename(temporary, final);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || !(await stat(final).catch(() => null))) throw error;
  }
  await syncDirectory(path.dirname(final));
}

/**
 * Temporary files left by a run that stopped between its commit and its rename (or before its rollback was cleaned
 * up). Called under the payments lock, so no other run is between writing its file and committing.
 */
async function finishInterruptedRuns(tx: Queryable, dir: string, log: Logger): Promise<void> {
  for (const entry of await readdir(dir)) {
    const match = /^\.(.+)\.tmp$/.exec(entry);
    const fileName = match?.[1];
    if (!fileName || !FILE_PATTERN.test(fileName)) continue;
    const { rows } = await tx.query('SELECT 1 FROM payment_file WHERE file_name = $1', [fileName]);
    if (rows.length > 0) {
      await publish({ temporary: path.join(dir, entry), final: path.join(dir, fileName) });
      log.warn({ fileName }, 'payment file of an interrupted run published');
    } else {
      await rm(path.join(dir, entry), { force: true });
      log.warn({ fileName }, 'payment file of a run that did not commit removed');
    }
  }
}
