/**
 * Changing the bank account reimbursements are paid to (issue 8, FRD-01…06, docs/decisions/014-iban-change.md).
 *
 * 1. requestBankChange: the new IBAN, BIC and holder are checked (domain functions, VAL-02), then, in one transaction,
 *    the access code is verified as at login (reverify-code.ts) and the guards run. If the member cannot complete the
 *    change alone — 7 days after a code reset, an email change or a first new-device login (FRD-04), a second change
 *    within 30 days (FRD-06), or an IBAN already on 2 other households (FRD-05) — the request goes to the advisor queue
 *    (status REVIEW, an advisor_review row) and the notices go out. Otherwise a one-time code is sent by email (6
 *    digits, 10 minutes) or, without a verified email, by letter (8 characters, 30 days), bound to the exact details.
 * 2. confirmBankChange: the code is checked against the details the confirmation form shows and posts (what you see is
 *    what you sign): a code issued for IBAN X never confirms IBAN Y; 3 wrong codes void the request. A right code
 *    creates the new account PENDING, in force 72 hours later (FRD-03), and sends the notices (FRD-02): email to the
 *    current address and to the previous one if it changed in the last 30 days, letter to the postal address, each with
 *    the « ce n'est pas moi » code.
 * 3. cancelBankChange (the member, logged in) and cancelByNotMeCode (anyone holding the notice's code): until the new
 *    account is in force, the change is cancelled; the previous account never stopped being the one paid.
 * 4. activateDueAccounts (a job): PENDING accounts whose time has come become ACTIVE, the previous one REPLACED. The
 *    payment run does not wait for it: it pays the account in force at its own time (db/repositories/bank-accounts.ts).
 */
import { createHash, createHmac, randomInt } from 'node:crypto';
import type { Queryable } from '../../db/database.ts';
import { accountInForceAt, insertAccount, sealIban } from '../../db/repositories/bank-accounts.ts';
import { currentEmail, emailHistory } from '../../db/repositories/contacts.ts';
import { formatIban, parseBic, parseIban } from '../../domain/identity/iban.ts';
import { decryptField, safeEqual } from '../../platform/crypto.ts';
import { AppError, type FieldErrors } from '../../platform/errors.ts';
import { queueLetter } from '../letters/queue-letter.ts';
import { ACTIVATION_ALPHABET, newActivationCode, normaliseActivationCode } from '../auth/recovery-common.ts';
import { reverifyCode } from '../auth/reverify-code.ts';
import { sendSecurityNotice } from '../auth/security-notices.ts';
import { checkUpload, type IncomingFile } from '../uploads/check-upload.ts';
import { storeFiles } from '../uploads/file-store.ts';
import { bankCodeLetter, bankCodeMail, bankNoticeLetter, bankNoticeMail, type BankNotice } from './profile-mails.ts';
import { recordStep, type ProfileDeps } from './profile-common.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** The figures of FRD-01…06 (proposed figures of security.md), quoted by ADR 014 and the tests. */
export const BANK_CHANGE_LIMITS = {
  /** FRD-03: a confirmed account is paid only after 72 hours without cancellation. */
  coolingOffMs: 72 * HOUR_MS,
  /** FRD-01 / AUTH-03: the emailed code lives 10 minutes… */
  emailCodeTtlMs: 10 * 60_000,
  /** …a letter's code 30 days (RST-04's figure for letters). */
  letterCodeTtlMs: 30 * DAY_MS,
  /** FRD-01: the third wrong code voids the request. */
  maxCodeAttempts: 3,
  /** FRD-04: no self-service change within 7 days of a code reset, an email change or a first new-device login. */
  takeoverGuardMs: 7 * DAY_MS,
  /** FRD-06: at most one self-service change confirmed in 30 days. */
  frequencyWindowMs: 30 * DAY_MS,
  selfServiceChangesPerWindow: 1,
  /** FRD-05: an IBAN already in force on this many other households sends the request to review. */
  sharedIbanOtherHouseholds: 2,
  /** FRD-02: the previous email is told too when the email changed in the last 30 days. */
  previousEmailWindowMs: 30 * DAY_MS,
} as const;

export type ReviewReason = 'RECENT_CODE_RESET' | 'RECENT_EMAIL_CHANGE' | 'RECENT_NEW_DEVICE' | 'SECOND_CHANGE_IN_30_DAYS' | 'SHARED_IBAN';

export const REVIEW_REASON_LABELS: Record<ReviewReason, string> = {
  RECENT_CODE_RESET: 'votre code d’accès a été réinitialisé il y a moins de 7 jours',
  RECENT_EMAIL_CHANGE: 'votre adresse email a changé il y a moins de 7 jours',
  RECENT_NEW_DEVICE: 'un nouvel appareil s’est connecté à votre espace il y a moins de 7 jours',
  SECOND_CHANGE_IN_30_DAYS: 'vos coordonnées bancaires ont déjà été modifiées il y a moins de 30 jours',
  SHARED_IBAN: 'ce compte est déjà enregistré pour d’autres adhérents',
};

export const HOLDER_MAX = 70;

// ---------------------------------------------------------------------------------------------------------------
// The details, as shown and as bound.

export type BankDetailsInput = { iban: string; bic: string; holderName: string };
export type BankDetails = { iban: string; bic: string | null; holderName: string };

/** Checks the details (VAL-02); field errors keyed by the form's names (iban, bic, titulaire). */
export function parseBankDetails(input: BankDetailsInput): { ok: true; value: BankDetails } | { ok: false; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const iban = parseIban(input.iban);
  if (!iban.ok) errors.iban = iban.error.message;
  let bic: string | null = null;
  if (input.bic.trim() !== '') {
    const parsed = parseBic(input.bic);
    if (parsed.ok) bic = parsed.value.value;
    else errors.bic = parsed.error.message;
  }
  const holderName = input.holderName.replace(/\s+/g, ' ').trim();
  if (/\p{Cc}/u.test(input.holderName)) errors.titulaire = 'Le nom du titulaire tient sur une ligne.';
  else if (holderName.length < 2 || !/\p{L}/u.test(holderName)) errors.titulaire = 'Indiquez le nom du titulaire du compte, tel qu’il figure sur votre RIB.';
  else if (holderName.length > HOLDER_MAX) errors.titulaire = `${HOLDER_MAX} caractères au plus (limite des virements SEPA).`;
  if (Object.keys(errors).length > 0 || !iban.ok) return { ok: false, errors };
  return { ok: true, value: { iban: iban.value.value, bic, holderName } };
}

/** SHA-256 of the details exactly as confirmed: what a code is bound to (FRD-01). */
export function payloadHash(d: BankDetails): string {
  return createHash('sha256').update(['bank-account-change', d.iban, d.bic ?? '', d.holderName].join('\u0000')).digest('base64url');
}

const codeHash = (pepper: Buffer, changeId: string, payload: string, code: string) =>
  createHmac('sha256', pepper).update(`one-time-code\u0000IBAN\u0000${changeId}\u0000${payload}\u0000${code}`).digest('base64url');

const cancelHash = (pepper: Buffer, code: string) => createHmac('sha256', pepper).update(`bank-change-cancel\u0000${code}`).digest('base64url');

/** 16 characters of Crockford's base32 (80 bits): typed from a letter, never guessed. */
function newCancelCode(): string {
  return Array.from({ length: 16 }, () => ACTIVATION_ALPHABET[randomInt(ACTIVATION_ALPHABET.length)]).join('');
}

/** The cancel code as typed (spaces, dashes, lower case, O for 0, I/L for 1 forgiven), or null. */
export function normaliseCancelCode(typed: string): string | null {
  const code = typed.replace(/[\s\-\u00A0\u202F]/g, '').toUpperCase().replace(/O/g, '0').replace(/[IL]/g, '1');
  return code.length === 16 && [...code].every((c) => ACTIVATION_ALPHABET.includes(c)) ? code : null;
}

// ---------------------------------------------------------------------------------------------------------------
// The guards (FRD-04, FRD-05, FRD-06).

export async function reviewReasons(q: Queryable, input: { memberId: string; ibanHmac: string; now: Date }): Promise<ReviewReason[]> {
  const since = new Date(input.now.getTime() - BANK_CHANGE_LIMITS.takeoverGuardMs);
  const { rows } = await q.query<{ code_reset: boolean; email_change: boolean; new_device: boolean; recent_changes: number; other_households: number }>(
    `SELECT EXISTS (SELECT 1 FROM audit_log WHERE subject_type = 'member' AND subject_id = $5 AND occurred_at > $2
                      AND action IN ('auth.reset.completed', 'auth.activation.completed')) AS code_reset,
            EXISTS (SELECT 1 FROM email_change WHERE member_id = $1 AND beneficiary_id IS NULL AND confirmed_at > $2) AS email_change,
            EXISTS (SELECT 1 FROM trusted_device WHERE member_id = $1 AND created_at > $2) AS new_device,
            (SELECT count(*)::int FROM bank_account_change WHERE member_id = $1 AND confirmed_at > $3) AS recent_changes,
            (SELECT count(DISTINCT member_id)::int FROM (
               SELECT member_id FROM bank_account WHERE iban_hmac = $4 AND status IN ('ACTIVE', 'PENDING')
               UNION SELECT member_id FROM bank_account_change WHERE iban_hmac = $4 AND status = 'REVIEW') holders
              WHERE member_id <> $1) AS other_households`,
    [input.memberId, since, new Date(input.now.getTime() - BANK_CHANGE_LIMITS.frequencyWindowMs), input.ibanHmac, input.memberId],
  );
  const r = rows[0]!;
  const reasons: ReviewReason[] = [];
  if (r.code_reset) reasons.push('RECENT_CODE_RESET');
  if (r.email_change) reasons.push('RECENT_EMAIL_CHANGE');
  if (r.new_device) reasons.push('RECENT_NEW_DEVICE');
  if (r.recent_changes >= BANK_CHANGE_LIMITS.selfServiceChangesPerWindow) reasons.push('SECOND_CHANGE_IN_30_DAYS');
  if (r.other_households >= BANK_CHANGE_LIMITS.sharedIbanOtherHouseholds) reasons.push('SHARED_IBAN');
  return reasons;
}

// ---------------------------------------------------------------------------------------------------------------
// 1. The request.

export type RequestBankChangeInput = BankDetailsInput & { memberId: string; accessCode: string; rib: IncomingFile | null; now: Date; ip: string };

export type RequestBankChangeOutcome =
  | { kind: 'CODE_SENT'; changeId: string; channel: 'EMAIL' | 'LETTER' }
  | { kind: 'REVIEW'; changeId: string; reasons: ReviewReason[] }
  /** The access code was wrong once too often: the account is locked as after failed logins (THR-01). */
  | { kind: 'LOCKED' };

export const ACCESS_CODE_WRONG = 'Le code d’accès est incorrect. Après 3 erreurs, l’accès à votre espace est suspendu 15 minutes.';
export const ACCESS_CODE_LOCKED = 'Trop de codes d’accès incorrects : l’accès à votre espace est suspendu. Réessayez plus tard, ou utilisez « code oublié ».';

/** VALIDATION errors carry the form's field names: iban, bic, titulaire, code, rib. */
export async function requestBankChange(deps: ProfileDeps, input: RequestBankChangeInput): Promise<RequestBankChangeOutcome> {
  const { memberId, now, ip } = input;
  const details = parseBankDetails(input);
  const errors: FieldErrors = details.ok ? {} : { ...details.errors };
  if (!/^[0-9]{6}$/.test(input.accessCode)) errors.code = 'Saisissez votre code d’accès : 6 chiffres.';
  let rib = null;
  if (input.rib) {
    const checked = await checkUpload(input.rib, deps.uploads);
    if (checked.ok) rib = checked.file;
    else errors.rib = checked.problem.message;
  }
  const key = deps.keys.dataEncryptionKey;
  if (details.ok && !errors.iban) {
    const current = await accountInForceAt(deps.db, key, memberId, now);
    const currentIban = current ? await currentIbanOf(deps.db, key, current.id) : null;
    if (currentIban === details.value.iban) errors.iban = 'C’est déjà le compte sur lequel nous versons vos remboursements.';
  }
  if (!details.ok || Object.keys(errors).length > 0) throw new AppError('VALIDATION', undefined, errors);
  const value = details.value;

  // A wrong code must commit its failure count (THR-01) before the refusal is thrown.
  const outcome = await deps.db.transaction(async (tx): Promise<RequestBankChangeOutcome | { kind: 'WRONG_CODE' }> => {
    await tx.query('SELECT 1 FROM member WHERE id = $1 FOR UPDATE', [memberId]);
    const verified = await reverifyCode(tx, { memberId, code: input.accessCode, pepper: deps.pepper, now, ip, failedAction: 'bank.change.code_reentry_failed' });
    if (verified.kind === 'LOCKED') {
      if (verified.lockedNow) await sendSecurityNotice(tx, noticeDeps(deps), memberId, { kind: 'LOCK', lock: verified.lockedNow }, now);
      return { kind: 'LOCKED' };
    }
    if (verified.kind === 'WRONG') return { kind: 'WRONG_CODE' };

    const open = await openChange(tx, memberId, now);
    if (open?.status === 'REVIEW') throw new AppError('CONFLICT', 'Une demande de modification est déjà en cours d’examen par un conseiller : il vous contactera. Vous pouvez l’annuler sur cette page.');
    if (open?.status === 'CONFIRMED') throw new AppError('CONFLICT', 'Un changement de compte est déjà en cours : attendez qu’il prenne effet, ou annulez-le, avant d’en demander un autre.');
    if (open?.status === 'AWAITING_CODE') await endChange(tx, open.id, 'VOIDED', 'SUPERSEDED', now);

    const sealed = sealIban(deps.keys, value.iban);
    const reasons = await reviewReasons(tx, { memberId, ibanHmac: sealed.hmac, now });
    const previous = await accountInForceAt(tx, key, memberId, now);
    const ribId = rib ? (await storeFiles(tx, key, memberId, [rib], now))[0]! : null;
    const email = reasons.length === 0 ? await currentEmail(tx, key, memberId, { verified: true }) : null;
    const channel = reasons.length > 0 ? null : email ? 'EMAIL' : 'LETTER';
    const cancelCode = reasons.length > 0 ? newCancelCode() : null;
    const { rows } = await tx.query<{ id: string }>(
      `INSERT INTO bank_account_change (member_id, status, iban_enc, iban_hmac, iban_masked, country, bic, holder_name, payload_hash, code_channel, rib_file_id,
                                        previous_account_id, cancel_code_hash, review_reasons, requested_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id`,
      [memberId, reasons.length > 0 ? 'REVIEW' : 'AWAITING_CODE', sealed.enc, sealed.hmac, sealed.masked, sealed.country, value.bic, value.holderName, payloadHash(value),
        channel, ribId, previous?.id ?? null, cancelCode ? cancelHash(deps.pepper, cancelCode) : null, reasons, now],
    );
    const changeId = rows[0]!.id;
    const step = (action: string, details: Record<string, unknown>, kind: 'BANK_CHANGE_REQUESTED' | 'BANK_CHANGE_IN_REVIEW') =>
      recordStep(tx, { at: now, ip, actor: { type: 'member', id: memberId }, memberId, action, details: { changeId, ...details }, event: { kind, subjectType: 'bank_account_change', subjectId: changeId } });

    if (reasons.length > 0) {
      await tx.query(`INSERT INTO advisor_review (member_id, kind, subject_id, reasons, created_at) VALUES ($1, 'BANK_ACCOUNT_CHANGE', $2, $3, $4)`, [memberId, changeId, reasons, now]);
      await sendNotices(tx, deps, memberId, { changeId, maskedNew: sealed.masked, maskedOld: previous?.maskedIban ?? null, at: now, effectiveAt: null, cancelCode: cancelCode! });
      await step('bank.change.review', { reasons, rib: ribId !== null }, 'BANK_CHANGE_IN_REVIEW');
      return { kind: 'REVIEW', changeId, reasons };
    }
    if (channel === 'EMAIL') {
      const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
      await insertCode(tx, deps.pepper, { memberId, changeId, payload: payloadHash(value), code, now, ttlMs: BANK_CHANGE_LIMITS.emailCodeTtlMs });
      await deps.jobs.enqueue(tx, deps.jobDefinitions.sendEmail, bankCodeMail({ ...mailCommon(deps), to: email!.address, code, maskedIban: sealed.masked, changeId }));
    } else {
      const code = newActivationCode();
      const validUntil = new Date(now.getTime() + BANK_CHANGE_LIMITS.letterCodeTtlMs);
      await insertCode(tx, deps.pepper, { memberId, changeId, payload: payloadHash(value), code, now, ttlMs: BANK_CHANGE_LIMITS.letterCodeTtlMs });
      await queueLetter(tx, deps.jobs, deps.jobDefinitions.generateLetter, {
        memberId, kind: 'SECURITY_NOTICE', content: bankCodeLetter({ ...mailCommon(deps), code, maskedIban: sealed.masked, validUntil }), idempotencyKey: `bank-change-code:${changeId}`, at: now,
      });
    }
    await step('bank.change.requested', { channel, rib: ribId !== null }, 'BANK_CHANGE_REQUESTED');
    return { kind: 'CODE_SENT', changeId, channel: channel! };
  });
  if (outcome.kind === 'WRONG_CODE') throw new AppError('VALIDATION', undefined, { code: ACCESS_CODE_WRONG });
  return outcome;
}

async function currentIbanOf(q: Queryable, key: ProfileDeps['keys']['dataEncryptionKey'], accountId: string): Promise<string> {
  const { rows } = await q.query<{ iban_enc: string }>('SELECT iban_enc FROM bank_account WHERE id = $1', [accountId]);
  return decryptField(key, rows[0]!.iban_enc);
}

async function insertCode(tx: Queryable, pepper: Buffer, c: { memberId: string; changeId: string; payload: string; code: string; now: Date; ttlMs: number }): Promise<void> {
  await tx.query(
    `INSERT INTO one_time_code (purpose, member_id, code_hash, bound_to, created_at, expires_at, max_attempts) VALUES ('IBAN', $1, $2, $3, $4, $5, $6)`,
    [c.memberId, codeHash(pepper, c.changeId, c.payload, c.code), c.changeId, c.now, new Date(c.now.getTime() + c.ttlMs), BANK_CHANGE_LIMITS.maxCodeAttempts],
  );
}

const mailCommon = (deps: ProfileDeps) => ({ organisationName: deps.organisation.name, phone: deps.organisation.phone, publicUrl: deps.publicUrl });

const noticeDeps = (deps: ProfileDeps) => ({ config: { secrets: { dataEncryptionKey: deps.keys.dataEncryptionKey } }, jobs: deps.jobs, jobDefinitions: deps.jobDefinitions, mailCommon: mailCommon(deps) });

/**
 * FRD-02: the addresses the notices go to — the current verified email and, if the email changed in the last 30 days,
 * the one in use before (the oldest replaced in that window): a thief who changed the email is still heard of.
 */
export async function noticeAddresses(q: Queryable, key: ProfileDeps['keys']['dataEncryptionKey'], memberId: string, now: Date): Promise<string[]> {
  const since = now.getTime() - BANK_CHANGE_LIMITS.previousEmailWindowMs;
  const household = (await emailHistory(q, key, memberId)).filter((e) => e.beneficiaryId === null);
  const current = household.find((e) => e.replacedAt === null && e.verifiedAt !== null);
  const previous = household.filter((e) => e.replacedAt !== null && e.replacedAt.getTime() > since).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())[0];
  const seen = new Set<string>();
  return [previous?.address, current?.address].filter((a): a is string => !!a && !seen.has(a.toLowerCase()) && !!seen.add(a.toLowerCase()));
}

async function sendNotices(tx: Queryable, deps: ProfileDeps, memberId: string, notice: BankNotice): Promise<{ emails: number; letter: boolean }> {
  const addresses = await noticeAddresses(tx, deps.keys.dataEncryptionKey, memberId, notice.at);
  for (const [slot, to] of addresses.entries()) await deps.jobs.enqueue(tx, deps.jobDefinitions.sendEmail, bankNoticeMail({ ...mailCommon(deps), ...notice, to, slot }));
  let letter = true;
  try {
    await queueLetter(tx, deps.jobs, deps.jobDefinitions.generateLetter, {
      memberId, kind: 'SECURITY_NOTICE', content: bankNoticeLetter({ ...mailCommon(deps), ...notice }), idempotencyKey: `bank-change-notice:${notice.changeId}`, at: notice.at,
    });
  } catch (error) {
    // No postal address on file: nothing can be posted; the audit row says so.
    if ((error as { code?: string }).code !== 'CONFLICT') throw error;
    letter = false;
  }
  return { emails: addresses.length, letter };
}

// ---------------------------------------------------------------------------------------------------------------
// The member's changes, as the pages and the API show them.

type ChangeRow = {
  id: string; member_id: string; status: 'AWAITING_CODE' | 'CONFIRMED' | 'REVIEW' | 'CANCELLED' | 'VOIDED'; iban_enc: string; iban_masked: string; bic: string | null;
  holder_name: string; payload_hash: string; code_channel: 'EMAIL' | 'LETTER' | null; bank_account_id: string | null; previous_account_id: string | null;
  review_reasons: string[]; requested_at: Date; confirmed_at: Date | null; effective_at: Date | null;
};

const CHANGE_COLUMNS = `id, member_id, status, iban_enc, iban_masked, bic, holder_name, payload_hash, code_channel, bank_account_id, previous_account_id, review_reasons,
  requested_at, confirmed_at, effective_at`;

/** The request in progress: awaiting its code, in review, or confirmed and still in its cooling-off at `now`. */
async function openChange(q: Queryable, memberId: string, now: Date, lock = false): Promise<ChangeRow | null> {
  const { rows } = await q.query<ChangeRow>(
    `SELECT ${CHANGE_COLUMNS} FROM bank_account_change
      WHERE member_id = $1 AND (status IN ('AWAITING_CODE', 'REVIEW') OR (status = 'CONFIRMED' AND effective_at > $2))
      ORDER BY requested_at DESC LIMIT 1${lock ? ' FOR UPDATE' : ''}`,
    [memberId, now],
  );
  return rows[0] ?? null;
}

async function endChange(tx: Queryable, changeId: string, status: 'CANCELLED' | 'VOIDED', reason: 'NOT_ME' | 'MEMBER' | 'WRONG_CODES' | 'EXPIRED' | 'SUPERSEDED', now: Date): Promise<void> {
  const { rows } = await tx.query<{ bank_account_id: string | null }>(
    `UPDATE bank_account_change SET status = $2, end_reason = $3, ended_at = $4 WHERE id = $1 RETURNING bank_account_id`,
    [changeId, status, reason, now],
  );
  if (rows[0]?.bank_account_id) await tx.query(`UPDATE bank_account SET status = 'CANCELLED', replaced_at = $2 WHERE id = $1 AND status = 'PENDING'`, [rows[0].bank_account_id, now]);
  await tx.query(`UPDATE one_time_code SET used_at = $2 WHERE purpose = 'IBAN' AND bound_to = $1 AND used_at IS NULL`, [changeId, now]);
  await tx.query(`UPDATE advisor_review SET status = 'WITHDRAWN', decided_at = $2, decided_by = $3 WHERE kind = 'BANK_ACCOUNT_CHANGE' AND subject_id = $1 AND status = 'OPEN'`, [
    changeId, now, reason === 'NOT_ME' ? 'not-me-code' : 'member',
  ]);
}

export type ChangeView = {
  id: string;
  status: 'AWAITING_CODE' | 'COOLING_OFF' | 'REVIEW';
  maskedIban: string;
  bic: string | null;
  holderName: string;
  requestedAt: Date;
  channel: 'EMAIL' | 'LETTER' | null;
  /** COOLING_OFF: when the new account is used for payments. */
  effectiveAt: Date | null;
  /** AWAITING_CODE: until when the code can be typed, and how many tries are left. */
  codeExpiresAt: Date | null;
  attemptsLeft: number | null;
  reasons: ReviewReason[];
};

export async function currentChange(deps: Pick<ProfileDeps, 'db'>, memberId: string, now: Date): Promise<ChangeView | null> {
  const row = await openChange(deps.db, memberId, now);
  if (!row) return null;
  let codeExpiresAt: Date | null = null;
  let attemptsLeft: number | null = null;
  if (row.status === 'AWAITING_CODE') {
    const code = await liveCode(deps.db, row.id, false);
    codeExpiresAt = code ? new Date(code.expires_at) : null;
    attemptsLeft = code ? code.max_attempts - code.attempts : 0;
  }
  return {
    id: row.id, status: row.status === 'CONFIRMED' ? 'COOLING_OFF' : (row.status as 'AWAITING_CODE' | 'REVIEW'), maskedIban: row.iban_masked, bic: row.bic, holderName: row.holder_name,
    requestedAt: new Date(row.requested_at), channel: row.code_channel, effectiveAt: row.effective_at ? new Date(row.effective_at) : null, codeExpiresAt, attemptsLeft,
    reasons: row.review_reasons as ReviewReason[],
  };
}

/** The confirmation page: the exact details the code will be checked against (the full IBAN: the member typed it and must check it). */
export async function changeToConfirm(deps: Pick<ProfileDeps, 'db' | 'keys'>, memberId: string, now: Date): Promise<(ChangeView & { details: BankDetails; formattedIban: string }) | null> {
  const view = await currentChange(deps, memberId, now);
  if (!view || view.status !== 'AWAITING_CODE') return null;
  const { rows } = await deps.db.query<{ iban_enc: string }>('SELECT iban_enc FROM bank_account_change WHERE id = $1', [view.id]);
  const iban = decryptField(deps.keys.dataEncryptionKey, rows[0]!.iban_enc);
  return { ...view, details: { iban, bic: view.bic, holderName: view.holderName }, formattedIban: formatIban(iban) };
}

type CodeRow = { id: string; code_hash: string; expires_at: Date; attempts: number; max_attempts: number };

async function liveCode(q: Queryable, changeId: string, lock: boolean): Promise<CodeRow | null> {
  const { rows } = await q.query<CodeRow>(
    `SELECT id, code_hash, expires_at, attempts, max_attempts FROM one_time_code WHERE purpose = 'IBAN' AND bound_to = $1 AND used_at IS NULL
      ORDER BY created_at DESC LIMIT 1${lock ? ' FOR UPDATE' : ''}`,
    [changeId],
  );
  return rows[0] ?? null;
}

// ---------------------------------------------------------------------------------------------------------------
// 2. The confirmation.

export type ConfirmBankChangeInput = BankDetailsInput & { memberId: string; changeId: string; code: string; now: Date; ip: string };

export type ConfirmBankChangeOutcome =
  | { kind: 'CONFIRMED'; effectiveAt: Date; notices: { emails: number; letter: boolean } }
  | { kind: 'WRONG'; attemptsLeft: number }
  /** No request awaiting a code any more: voided now (third wrong code, expired), or earlier. */
  | { kind: 'VOID'; reason: 'WRONG_CODES' | 'EXPIRED' | 'GONE' };

export async function confirmBankChange(deps: ProfileDeps, input: ConfirmBankChangeInput): Promise<ConfirmBankChangeOutcome> {
  const { memberId, changeId, now, ip } = input;
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(changeId)) throw new AppError('NOT_FOUND');
  const posted = parseBankDetails(input);
  return deps.db.transaction(async (tx): Promise<ConfirmBankChangeOutcome> => {
    const { rows } = await tx.query<ChangeRow>(`SELECT ${CHANGE_COLUMNS} FROM bank_account_change WHERE id = $1 AND member_id = $2 FOR UPDATE`, [changeId, memberId]);
    const change = rows[0];
    // AC-02: another household's request is simply not found.
    if (!change) throw new AppError('NOT_FOUND');
    const step = (action: string, details: Record<string, unknown>, kind?: 'BANK_CHANGE_CONFIRMED' | 'BANK_CHANGE_VOIDED') =>
      recordStep(tx, { at: now, ip, actor: { type: 'member', id: memberId }, memberId, action, details: { changeId, ...details }, ...(kind ? { event: { kind, subjectType: 'bank_account_change', subjectId: changeId } } : {}) });
    if (change.status !== 'AWAITING_CODE') return { kind: 'VOID', reason: 'GONE' };
    const code = await liveCode(tx, changeId, true);
    if (!code || new Date(code.expires_at).getTime() <= now.getTime()) {
      await endChange(tx, changeId, 'VOIDED', 'EXPIRED', now);
      await step('bank.change.voided', { reason: 'EXPIRED' }, 'BANK_CHANGE_VOIDED');
      return { kind: 'VOID', reason: 'EXPIRED' };
    }
    const typed = change.code_channel === 'LETTER' ? normaliseActivationCode(input.code) : input.code.replace(/[\s\u00A0\u202F]/g, '');
    // What you see is what you sign: the code is checked with the details this very form posted.
    const postedPayload = posted.ok ? payloadHash(posted.value) : '';
    const right = typed !== null && posted.ok && safeEqual(codeHash(deps.pepper, changeId, postedPayload, typed), code.code_hash);
    if (!right) {
      const attempts = code.attempts + 1;
      await tx.query('UPDATE one_time_code SET attempts = $2 WHERE id = $1', [code.id, attempts]);
      const detailsMatch = postedPayload === change.payload_hash;
      if (attempts >= code.max_attempts) {
        await endChange(tx, changeId, 'VOIDED', 'WRONG_CODES', now);
        await step('bank.change.voided', { reason: 'WRONG_CODES', detailsMatch }, 'BANK_CHANGE_VOIDED');
        return { kind: 'VOID', reason: 'WRONG_CODES' };
      }
      await step('bank.change.code_failed', { attempts, detailsMatch });
      return { kind: 'WRONG', attemptsLeft: code.max_attempts - attempts };
    }
    await tx.query('UPDATE one_time_code SET used_at = $2, attempts = attempts + 1 WHERE id = $1', [code.id, now]);
    const details = posted.value;
    const effectiveAt = new Date(now.getTime() + BANK_CHANGE_LIMITS.coolingOffMs);
    const accountId = await insertAccount(tx, { memberId, iban: sealIban(deps.keys, details.iban), bic: details.bic, holderName: details.holderName, status: 'PENDING', effectiveAt, createdAt: now });
    const cancelCode = newCancelCode();
    await tx.query(
      `UPDATE bank_account_change SET status = 'CONFIRMED', confirmed_at = $2, effective_at = $3, bank_account_id = $4, cancel_code_hash = $5 WHERE id = $1`,
      [changeId, now, effectiveAt, accountId, cancelHash(deps.pepper, cancelCode)],
    );
    const previous = change.previous_account_id ? await tx.query<{ iban_masked: string | null }>('SELECT iban_masked FROM bank_account WHERE id = $1', [change.previous_account_id]) : null;
    const notices = await sendNotices(tx, deps, memberId, { changeId, maskedNew: change.iban_masked, maskedOld: previous?.rows[0]?.iban_masked ?? null, at: now, effectiveAt, cancelCode });
    await step('bank.change.confirmed', { accountId, effectiveAt: effectiveAt.toISOString(), noticeEmails: notices.emails, noticeLetter: notices.letter }, 'BANK_CHANGE_CONFIRMED');
    return { kind: 'CONFIRMED', effectiveAt, notices };
  });
}

// ---------------------------------------------------------------------------------------------------------------
// 3. Cancelling.

/** The member cancels their own request in progress (awaiting its code, in review, or in its cooling-off). */
export async function cancelBankChange(deps: Pick<ProfileDeps, 'db'>, input: { memberId: string; changeId: string; now: Date; ip: string }): Promise<void> {
  const { memberId, now } = input;
  await deps.db.transaction(async (tx) => {
    const open = await openChange(tx, memberId, now, true);
    if (!open || open.id !== input.changeId) throw new AppError('NOT_FOUND');
    await endChange(tx, open.id, 'CANCELLED', 'MEMBER', now);
    await recordStep(tx, {
      at: now, ip: input.ip, actor: { type: 'member', id: memberId }, memberId, action: 'bank.change.cancelled', details: { changeId: open.id, by: 'MEMBER', was: open.status },
      event: { kind: 'BANK_CHANGE_CANCELLED', subjectType: 'bank_account_change', subjectId: open.id },
    });
  });
}

/**
 * « Ce n'est pas moi » (FRD-02): the code of a notice cancels its change while the new account is not in force yet.
 * Whoever made the change may still hold a session: every session of the member ends (`endSessions`).
 */
export async function cancelByNotMeCode(
  deps: Pick<ProfileDeps, 'db' | 'pepper'>,
  input: { code: string; now: Date; ip: string },
  endSessions: (tx: Queryable, memberId: string) => Promise<number>,
): Promise<{ maskedIban: string } | null> {
  const code = normaliseCancelCode(input.code);
  if (!code) return null;
  const { now } = input;
  return deps.db.transaction(async (tx) => {
    const { rows } = await tx.query<ChangeRow>(`SELECT ${CHANGE_COLUMNS} FROM bank_account_change WHERE cancel_code_hash = $1 FOR UPDATE`, [cancelHash(deps.pepper, code)]);
    const change = rows[0];
    const cancellable = change && (change.status === 'REVIEW' || (change.status === 'CONFIRMED' && new Date(change.effective_at!).getTime() > now.getTime()));
    if (!change || !cancellable) {
      if (change) {
        await recordStep(tx, { at: now, ip: input.ip, actor: { type: 'anonymous', id: null }, memberId: change.member_id, action: 'bank.change.cancel_refused', details: { changeId: change.id, status: change.status } });
      }
      return null;
    }
    await endChange(tx, change.id, 'CANCELLED', 'NOT_ME', now);
    const sessionsEnded = await endSessions(tx, change.member_id);
    await recordStep(tx, {
      at: now, ip: input.ip, actor: { type: 'anonymous', id: null }, memberId: change.member_id, action: 'bank.change.cancelled', details: { changeId: change.id, by: 'NOT_ME', was: change.status, sessionsEnded },
      event: { kind: 'BANK_CHANGE_CANCELLED', subjectType: 'bank_account_change', subjectId: change.id },
    });
    return { maskedIban: change.iban_masked };
  });
}

// ---------------------------------------------------------------------------------------------------------------
// 4. The accounts whose cooling-off ended.

export async function activateDueAccounts(db: ProfileDeps['db'], now: Date): Promise<number> {
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<{ id: string; member_id: string; effective_at: Date }>(
      `SELECT id, member_id, effective_at FROM bank_account WHERE status = 'PENDING' AND effective_at <= $1 ORDER BY effective_at FOR UPDATE SKIP LOCKED`,
      [now],
    );
    for (const account of rows) {
      await tx.query(`UPDATE bank_account SET status = 'REPLACED', replaced_at = $3 WHERE member_id = $1 AND status = 'ACTIVE' AND id <> $2`, [account.member_id, account.id, account.effective_at]);
      await tx.query(`UPDATE bank_account SET status = 'ACTIVE' WHERE id = $1`, [account.id]);
      await recordStep(tx, {
        at: now, ip: null, actor: { type: 'system', id: 'activate-bank-accounts' }, memberId: account.member_id, action: 'bank.account.active',
        details: { accountId: account.id, effectiveAt: new Date(account.effective_at).toISOString() },
        event: { kind: 'BANK_ACCOUNT_ACTIVE', subjectType: 'bank_account', subjectId: account.id },
      });
    }
    return rows.length;
  });
}
