/**
 * Re-entering the access code inside a session (step-up: code change AUTH-07, IBAN change FRD-01): the same
 * verification and lock rules as the login (THR-01/02). The code is verified under the credential's row lock; a wrong
 * one counts as a failure towards the lock, so that a stolen session cannot be used to guess the code.
 */
import type { Queryable } from '../../db/database.ts';
import { afterFailure, isLocked, LOGIN_LIMITS, type LockKind } from '../../domain/auth/lockout.ts';
import { verifyAccessCode } from '../../platform/access-code-hash.ts';
import { audit, DAY_MS } from './recovery-common.ts';

export type ReverifyOutcome =
  | { kind: 'RIGHT'; codeHash: string }
  | { kind: 'WRONG' }
  /** `lockedNow`: this very answer locked the account (the caller sends the lock notice, THR-04). */
  | { kind: 'LOCKED'; lockedNow: LockKind | null };

type CredentialRow = { code_hash: string; consecutive_failures: number; locked_until: Date | string | null; locked_until_reset: boolean };

/**
 * In the caller's transaction. `purpose` names the step-up in the audit rows (`auth.code.change_failed`…): every
 * wrong or locked answer writes one; the right answer writes none (the caller audits what it then does).
 */
export async function reverifyCode(
  tx: Queryable,
  input: { memberId: string; code: string; pepper: Buffer; now: Date; ip: string; failedAction: string },
): Promise<ReverifyOutcome> {
  const { memberId, now, ip } = input;
  const log = (action: string, details: Record<string, unknown>) => audit(tx, { at: now, ip, actorType: 'member', actorId: memberId, action, subjectId: memberId, details });
  const { rows } = await tx.query<CredentialRow>(
    `SELECT code_hash, consecutive_failures, locked_until, locked_until_reset FROM member_credential WHERE member_id = $1 FOR UPDATE`,
    [memberId],
  );
  const credential = rows[0];
  if (!credential) {
    await log(input.failedAction, { reason: 'NO_CREDENTIAL' });
    return { kind: 'WRONG' };
  }
  const state = { consecutiveFailures: credential.consecutive_failures, lockedUntil: credential.locked_until ? new Date(credential.locked_until) : null, lockedUntilReset: credential.locked_until_reset };
  if (isLocked(state, now)) {
    await log(input.failedAction, { reason: 'LOCKED' });
    return { kind: 'LOCKED', lockedNow: null };
  }
  if (await verifyAccessCode(credential.code_hash, input.code, input.pepper)) {
    await tx.query(`UPDATE member_credential SET consecutive_failures = 0, updated_at = $2 WHERE member_id = $1 AND consecutive_failures > 0`, [memberId, now]);
    return { kind: 'RIGHT', codeHash: credential.code_hash };
  }
  const { rows: window } = await tx.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM login_attempt WHERE member_id = $1 AND outcome = 'FAILURE' AND attempted_at > $2`,
    [memberId, new Date(now.getTime() - DAY_MS)],
  );
  const next = afterFailure(state, window[0]!.n + 1, now, LOGIN_LIMITS);
  await tx.query(
    `UPDATE member_credential SET consecutive_failures = $2, locked_until = $3, locked_until_reset = $4, last_failure_at = $5, updated_at = $5,
            locked_at = CASE WHEN $6::boolean THEN $5 ELSE locked_at END
      WHERE member_id = $1`,
    [memberId, next.consecutiveFailures, next.lockedUntil, next.lockedUntilReset, now, next.lock !== null],
  );
  await log(next.lock ? 'auth.lock' : input.failedAction, { reason: 'WRONG_CURRENT_CODE', consecutiveFailures: next.consecutiveFailures, lock: next.lock });
  return next.lock ? { kind: 'LOCKED', lockedNow: next.lock } : { kind: 'WRONG' };
}
