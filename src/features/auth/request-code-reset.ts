/**
 * « Vous avez oublié votre code d'accès ou vous souhaitez l'obtenir ? » (issue 4; RST-01, RST-04, RST-05, ENUM-01/02).
 * The member gives the NIR and nothing else. With a verified email on file, an email carries a single-use link valid
 * 30 minutes; otherwise an activation-code letter is queued. Whatever happens (unknown NIR, email, letter, letter
 * already on its way, throttled), the caller answers the same, and every path costs one argon2 evaluation.
 */
import type { Queryable } from '../../db/database.ts';
import { parseNir, type NirErrorCode } from '../../domain/identity/nir.ts';
import { verifyAgainstDummy } from '../../platform/access-code-hash.ts';
import { blindIndex, randomToken } from '../../platform/crypto.ts';
import { AppError } from '../../platform/errors.ts';
import { issueActivationLetter } from './issue-activation-letter.ts';
import { audit, DAY_MS, HOUR_MS, loadMemberContext, RECOVERY_LIMITS, sha256, type RecoveryDeps } from './recovery-common.ts';
import { resetLinkEmail } from './recovery-emails.tsx';

/** The one answer of the forgot-code form (ENUM-01). */
export const RESET_REQUESTED_MESSAGE = 'Si ce numéro correspond à un compte, vous recevrez un email dans les minutes qui suivent, ou un courrier sous 8 jours.';

export type RequestCodeResetInput = { nir: string; ip: string; now: Date };

export type RequestCodeResetOutcome = { kind: 'VALIDATION'; reason: NirErrorCode; message: string } | { kind: 'ACCEPTED' };

/** What happened, for the audit and the tests only: never shown. */
type Decision = 'EMAIL' | 'LETTER' | 'UNKNOWN_ACCOUNT' | 'LETTER_PENDING' | 'NO_POSTAL_ADDRESS' | 'IP_LIMIT' | 'ACCOUNT_LIMIT';

export async function requestCodeReset(deps: RecoveryDeps, input: RequestCodeResetInput): Promise<RequestCodeResetOutcome> {
  const limits = deps.limits ?? RECOVERY_LIMITS;
  const { now, ip } = input;
  const nir = parseNir(input.nir);
  if (!nir.ok) {
    await audit(deps.db, { at: now, ip, actorType: 'anonymous', actorId: null, action: 'auth.reset.rejected', subjectId: null, details: { reason: nir.error.code } });
    return { kind: 'VALIDATION', reason: nir.error.code, message: nir.error.message };
  }
  const nirHmac = blindIndex(deps.keys.blindIndexKey, nir.value.value);

  const decision = await deps.db.transaction(async (tx): Promise<Decision> => {
    // One request at a time per IP, then per NIR (always in this order): check-then-insert is atomic.
    await tx.query('SELECT pg_advisory_xact_lock(727003, hashtext($1))', [ip]);
    await tx.query('SELECT pg_advisory_xact_lock(727004, hashtext($1))', [nirHmac]);
    const record = (outcome: 'EMAIL' | 'LETTER' | 'NOTHING' | 'THROTTLED', memberId: string | null) =>
      tx.query(`INSERT INTO recovery_attempt (kind, ip, nir_hmac, member_id, outcome, attempted_at) VALUES ('RESET_REQUEST', $1, $2, $3, $4, $5)`, [
        ip, nirHmac, memberId, outcome, now,
      ]);
    const log = (action: string, memberId: string | null, details: Record<string, unknown>) =>
      audit(tx, { at: now, ip, actorType: 'anonymous', actorId: null, action, subjectId: memberId, details });

    const { rows: perIp } = await tx.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM recovery_attempt WHERE kind = 'RESET_REQUEST' AND ip = $1 AND attempted_at > $2`,
      [ip, new Date(now.getTime() - HOUR_MS)],
    );
    if (perIp[0]!.n >= limits.ipResetRequestsPerHour) {
      await record('THROTTLED', null);
      await log('auth.reset.throttled', null, { limit: 'IP_REQUESTS_PER_HOUR' });
      return 'IP_LIMIT';
    }

    const { rows: members } = await tx.query<{ id: string }>(`SELECT id FROM member WHERE nir_hmac = $1 AND status = 'ACTIVE'`, [nirHmac]);
    const member = members[0] ? await loadMemberContext(tx, members[0].id, deps.keys) : null;
    if (!member) {
      await record('NOTHING', null);
      await log('auth.reset.requested', null, { outcome: 'UNKNOWN_ACCOUNT' });
      return 'UNKNOWN_ACCOUNT';
    }
    const memberId = member.memberId;

    if (member.verifiedEmail) {
      const { rows: sent } = await tx.query<{ hour: number; day: number }>(
        `SELECT count(*) FILTER (WHERE attempted_at > $3)::int AS hour, count(*)::int AS day
           FROM recovery_attempt WHERE kind = 'RESET_REQUEST' AND nir_hmac = $1 AND outcome = 'EMAIL' AND attempted_at > $2`,
        [nirHmac, new Date(now.getTime() - DAY_MS), new Date(now.getTime() - HOUR_MS)],
      );
      const { hour, day } = sent[0]!;
      if (hour >= limits.resetEmailsPerHour || day >= limits.resetEmailsPerDay) {
        await record('THROTTLED', memberId);
        await log('auth.reset.throttled', memberId, { limit: hour >= limits.resetEmailsPerHour ? 'ACCOUNT_EMAILS_PER_HOUR' : 'ACCOUNT_EMAILS_PER_DAY' });
        return 'ACCOUNT_LIMIT';
      }
      // RST-01: 256 random bits, only the SHA-256 stored, the newest link only.
      const token = randomToken(32);
      const expiresAt = new Date(now.getTime() + limits.resetLinkTtlMs);
      await tx.query(`UPDATE reset_token SET voided_at = $2 WHERE member_id = $1 AND used_at IS NULL AND voided_at IS NULL`, [memberId, now]);
      const { rows: inserted } = await tx.query<{ id: string }>(
        `INSERT INTO reset_token (member_id, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4) RETURNING id`,
        [memberId, sha256(token), now, expiresAt],
      );
      const link = `${deps.publicUrl}/code-oublie/nouveau?jeton=${token}`;
      const mail = resetLinkEmail({ firstName: member.firstName, lastName: member.lastName, link, validityMinutes: Math.round(limits.resetLinkTtlMs / 60_000) });
      await deps.jobs.enqueue(tx, deps.jobDefinitions.sendEmail, { to: member.verifiedEmail, ...mail, idempotencyKey: `reset-link:${inserted[0]!.id}` });
      await record('EMAIL', memberId);
      await log('auth.reset.requested', memberId, { outcome: 'EMAIL', resetTokenId: inserted[0]!.id, expiresAt: expiresAt.toISOString() });
      return 'EMAIL';
    }

    // No verified email: a letter, unless one is still on its way (a new one would void its code).
    const { rows: pending } = await tx.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM activation_code WHERE member_id = $1 AND used_at IS NULL AND voided_at IS NULL AND expires_at > $2 AND created_at > $3`,
      [memberId, now, new Date(now.getTime() - limits.resetLetterIntervalMs)],
    );
    if (pending[0]!.n > 0) {
      await record('NOTHING', memberId);
      await log('auth.reset.requested', memberId, { outcome: 'LETTER_PENDING' });
      return 'LETTER_PENDING';
    }
    try {
      await issueActivationLetter(tx, { ...deps, clock: () => now }, memberId, {
        kind: member.hasCredential ? 'CODE_RESET' : 'ACTIVATION_CODE',
        requestedBy: { actorType: 'anonymous', actorId: null, ip },
      });
    } catch (error) {
      if (!(error instanceof AppError && error.code === 'CONFLICT')) throw error;
      await record('NOTHING', memberId);
      await log('auth.reset.requested', memberId, { outcome: 'NO_POSTAL_ADDRESS' });
      return 'NO_POSTAL_ADDRESS';
    }
    await record('LETTER', memberId);
    await log('auth.reset.requested', memberId, { outcome: 'LETTER' });
    return 'LETTER';
  });

  // ENUM-02: the letter path hashed a code; every other path spends the same on a dummy evaluation.
  if (decision !== 'LETTER') await verifyAgainstDummy('00000000', deps.pepper);
  return { kind: 'ACCEPTED' };
}

/** For the routes and tests: whether a reset token (as received) is currently usable, without using it. */
export async function findUsableResetToken(q: Queryable, token: string, now: Date): Promise<{ id: string; memberId: string } | null> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
  const { rows } = await q.query<{ id: string; member_id: string }>(
    `SELECT id, member_id FROM reset_token WHERE token_hash = $1 AND used_at IS NULL AND voided_at IS NULL AND expires_at > $2`,
    [sha256(token), now],
  );
  return rows[0] ? { id: rows[0].id, memberId: rows[0].member_id } : null;
}
