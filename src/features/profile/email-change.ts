/**
 * Changing an email (issue 8): the new address gets a single-use link (256-bit token, its SHA-256 stored, 24 hours,
 * only the newest valid); until it is opened and confirmed, the current address stays the one the portal writes to.
 * On confirmation the old address gets a notice. A confirmed change of the household's email holds back IBAN changes
 * for 7 days (FRD-04, bank-change.ts). The link page is public (it may be opened on another device): the token is the
 * proof, and it is swapped at once for a POST-only form (as RST-01).
 */
import { currentEmail, endEmail, replaceEmail, sealEmail } from '../../db/repositories/contacts.ts';
import type { Queryable } from '../../db/database.ts';
import { emailIndexForm, maskEmail, parseEmail } from '../../domain/identity/contact.ts';
import { decryptField, randomToken, type DataKey } from '../../platform/crypto.ts';
import { AppError } from '../../platform/errors.ts';
import { sha256 } from '../auth/recovery-common.ts';
import { emailChangedNoticeMail, emailChangeLinkMail } from './profile-mails.ts';
import { beneficiaryOfHousehold, recordStep, type ProfileDeps } from './profile-common.ts';

export const EMAIL_CHANGE_LIMITS = {
  linkTtlMs: 24 * 3_600_000,
  /** Links sent per household in a rolling 24 h (every one lands in someone's mailbox). */
  requestsPerDay: 5,
} as const;

export const EMAIL_CONFIRM_PATH = '/profil/email/confirmer';

/** The change awaiting its link for the household (beneficiaryId null) or a beneficiary, if any. */
export async function pendingEmailChange(q: Queryable, key: DataKey, memberId: string, beneficiaryId: string | null, now: Date): Promise<{ address: string; expiresAt: Date } | null> {
  const { rows } = await q.query<{ address_enc: string; expires_at: Date }>(
    `SELECT address_enc, expires_at FROM email_change
      WHERE member_id = $1 AND beneficiary_id IS NOT DISTINCT FROM $2::uuid AND confirmed_at IS NULL AND voided_at IS NULL AND expires_at > $3
      ORDER BY created_at DESC LIMIT 1`,
    [memberId, beneficiaryId, now],
  );
  return rows[0] ? { address: decryptField(key, rows[0].address_enc), expiresAt: new Date(rows[0].expires_at) } : null;
}

export type RequestEmailChangeInput = { memberId: string; beneficiaryId: string | null; address: string; now: Date; ip: string };

/** Sends the link to the new address (VALIDATION with a French message on the field `email` when it cannot be). */
export async function requestEmailChange(deps: ProfileDeps, input: RequestEmailChangeInput): Promise<{ changeId: string; expiresAt: Date }> {
  const { memberId, now } = input;
  const beneficiaryId = input.beneficiaryId;
  if (beneficiaryId && !(await beneficiaryOfHousehold(deps.db, memberId, beneficiaryId))) throw new AppError('NOT_FOUND');
  const parsed = parseEmail(input.address);
  if (!parsed.ok) throw new AppError('VALIDATION', undefined, { email: parsed.error.message });
  const address = parsed.value;
  const current = await currentEmail(deps.db, deps.keys.dataEncryptionKey, memberId, { beneficiaryId });
  if (current && emailIndexForm(current.address) === emailIndexForm(address)) {
    throw new AppError('VALIDATION', undefined, { email: 'C’est déjà l’adresse enregistrée : indiquez la nouvelle adresse.' });
  }
  return deps.db.transaction(async (tx) => {
    await tx.query('SELECT 1 FROM member WHERE id = $1 FOR UPDATE', [memberId]);
    const { rows: recent } = await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM email_change WHERE member_id = $1 AND created_at > $2`, [
      memberId, new Date(now.getTime() - 24 * 3_600_000),
    ]);
    if (recent[0]!.n >= EMAIL_CHANGE_LIMITS.requestsPerDay) {
      throw new AppError('RATE_LIMITED', 'Vous avez demandé plusieurs liens aujourd’hui : réessayez demain, ou appelez-nous.');
    }
    // Only the newest link is valid.
    await tx.query(`UPDATE email_change SET voided_at = $3 WHERE member_id = $1 AND beneficiary_id IS NOT DISTINCT FROM $2::uuid AND confirmed_at IS NULL AND voided_at IS NULL`, [
      memberId, beneficiaryId, now,
    ]);
    const token = randomToken(32);
    const sealed = sealEmail(deps.keys, address);
    const expiresAt = new Date(now.getTime() + EMAIL_CHANGE_LIMITS.linkTtlMs);
    const { rows } = await tx.query<{ id: string }>(
      `INSERT INTO email_change (member_id, beneficiary_id, address_enc, address_hmac, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
      [memberId, beneficiaryId, sealed.enc, sealed.hmac, sha256(token), now, expiresAt],
    );
    const changeId = rows[0]!.id;
    const link = `${deps.publicUrl}${EMAIL_CONFIRM_PATH}?jeton=${token}`;
    await deps.jobs.enqueue(tx, deps.jobDefinitions.sendEmail, emailChangeLinkMail({ ...mailCommon(deps), to: address, link, expiresAt, changeId }));
    await recordStep(tx, {
      at: now, ip: input.ip, actor: { type: 'member', id: memberId }, memberId, action: 'profile.email.change_requested',
      details: { changeId, ...(beneficiaryId ? { beneficiaryId } : {}) },
      event: { kind: 'EMAIL_CHANGE_REQUESTED', subjectType: 'email_change', subjectId: changeId },
    });
    return { changeId, expiresAt };
  });
}

const mailCommon = (deps: ProfileDeps) => ({ organisationName: deps.organisation.name, phone: deps.organisation.phone, publicUrl: deps.publicUrl });

type ChangeRow = { id: string; member_id: string; beneficiary_id: string | null; address_enc: string; confirmed_at: Date | null; voided_at: Date | null; expires_at: Date };

async function changeOfToken(q: Queryable, token: string, lock: boolean): Promise<ChangeRow | null> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
  const { rows } = await q.query<ChangeRow>(
    `SELECT id, member_id, beneficiary_id, address_enc, confirmed_at, voided_at, expires_at FROM email_change WHERE token_hash = $1${lock ? ' FOR UPDATE' : ''}`,
    [sha256(token)],
  );
  return rows[0] ?? null;
}

const usable = (row: ChangeRow, now: Date): boolean => !row.confirmed_at && !row.voided_at && new Date(row.expires_at).getTime() > now.getTime();

/** Opening the link: the masked new address when it may be confirmed, null otherwise (audited, never the token: LOG-02). */
export async function checkEmailChangeLink(deps: Pick<ProfileDeps, 'db' | 'keys'>, input: { token: string; now: Date; ip: string }): Promise<{ maskedAddress: string } | null> {
  const row = await changeOfToken(deps.db, input.token, false);
  if (row && usable(row, input.now)) return { maskedAddress: maskEmail(decryptField(deps.keys.dataEncryptionKey, row.address_enc)) };
  if (row) {
    const reason = row.confirmed_at ? 'USED' : row.voided_at ? 'VOIDED' : 'EXPIRED';
    await recordStep(deps.db, { at: input.now, ip: input.ip, actor: { type: 'anonymous', id: null }, memberId: row.member_id, action: 'profile.email.link_refused', details: { changeId: row.id, reason } });
  }
  return null;
}

/**
 * The link's form posted: the new address becomes the current one (verified now), the previous one gets a notice, and
 * the link is spent. Two submissions racing on one link give one change.
 */
export async function confirmEmailChange(deps: ProfileDeps, input: { token: string; now: Date; ip: string }): Promise<{ memberId: string } | null> {
  const { now } = input;
  return deps.db.transaction(async (tx) => {
    const row = await changeOfToken(tx, input.token, true);
    if (!row || !usable(row, now)) return null;
    const key = deps.keys.dataEncryptionKey;
    const address = decryptField(key, row.address_enc);
    const previous = await currentEmail(tx, key, row.member_id, { beneficiaryId: row.beneficiary_id });
    const emailId = await replaceEmail(tx, deps.keys, { memberId: row.member_id, beneficiaryId: row.beneficiary_id, address, at: now });
    await tx.query('UPDATE email_change SET confirmed_at = $2, email_address_id = $3 WHERE id = $1', [row.id, now, emailId]);
    if (previous) {
      await deps.jobs.enqueue(tx, deps.jobDefinitions.sendEmail, emailChangedNoticeMail({ ...mailCommon(deps), to: previous.address, maskedNew: maskEmail(address), at: now, changeId: row.id }));
    }
    await recordStep(tx, {
      at: now, ip: input.ip, actor: { type: 'member', id: row.member_id }, memberId: row.member_id, action: 'profile.email.changed',
      details: { changeId: row.id, emailId, noticeToPrevious: previous !== null, ...(row.beneficiary_id ? { beneficiaryId: row.beneficiary_id } : {}) },
      event: { kind: 'EMAIL_CHANGED', subjectType: 'email_change', subjectId: row.id },
    });
    return { memberId: row.member_id };
  });
}

/** A beneficiary goes back to the household's address (their own row stays in the history). */
export async function removeBeneficiaryEmail(deps: Pick<ProfileDeps, 'db'>, input: { memberId: string; beneficiaryId: string; now: Date; ip: string }): Promise<void> {
  if (!(await beneficiaryOfHousehold(deps.db, input.memberId, input.beneficiaryId))) throw new AppError('NOT_FOUND');
  await deps.db.transaction(async (tx) => {
    const removed = await endEmail(tx, { memberId: input.memberId, beneficiaryId: input.beneficiaryId, at: input.now });
    await tx.query(`UPDATE email_change SET voided_at = $3 WHERE member_id = $1 AND beneficiary_id = $2 AND confirmed_at IS NULL AND voided_at IS NULL`, [input.memberId, input.beneficiaryId, input.now]);
    if (removed) {
      await recordStep(tx, {
        at: input.now, ip: input.ip, actor: { type: 'member', id: input.memberId }, memberId: input.memberId, action: 'profile.email.removed',
        details: { beneficiaryId: input.beneficiaryId }, event: { kind: 'EMAIL_CHANGED' },
      });
    }
  });
}
