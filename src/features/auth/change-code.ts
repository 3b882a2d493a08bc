/**
 * A logged-in member changes the access code (AUTH-07, AUTH-02, SES-06, AUTH-06): the current code is required and
 * verified under the credential's row lock; a wrong current code counts as a failure for the lock (THR-01), so a
 * stolen session cannot be used to guess the code. On success every other session of the member ends, this one stays.
 */
import type { Queryable } from '../../db/database.ts';
import { afterFailure, isLocked, LOGIN_LIMITS } from '../../domain/auth/lockout.ts';
import { hashAccessCode, verifyAccessCode } from '../../platform/access-code-hash.ts';
import { applyNewCode, audit, checkNewCode, DAY_MS, loadMemberContext, type NewCodeErrors, type RecoveryDeps } from './recovery-common.ts';

export const CURRENT_CODE_WRONG_MESSAGE = 'Le code d’accès actuel est incorrect. Après 3 erreurs, la modification est suspendue 15 minutes.';
export const CURRENT_CODE_FORMAT_MESSAGE = 'Saisissez votre code d’accès actuel : 6 chiffres.';
export const CHANGE_LOCKED_MESSAGE = 'Trop de codes actuels incorrects : la modification est suspendue. Réessayez plus tard, ou utilisez « code oublié ».';
export const SAME_CODE_MESSAGE = 'Choisissez un code différent de votre code actuel.';

export type ChangeCodeInput = { memberId: string; current: string; code: string; confirmation: string; ip: string; now: Date };

export type ChangeCodeErrors = { current?: string } & NewCodeErrors;

export type ChangeCodeOutcome = { kind: 'REFUSED'; errors: ChangeCodeErrors } | { kind: 'LOCKED' } | { kind: 'DONE'; sessionsEnded: number };

type CredentialRow = { code_hash: string; consecutive_failures: number; locked_until: Date | string | null; locked_until_reset: boolean };

export async function changeCode(deps: RecoveryDeps, input: ChangeCodeInput, endOtherSessions: (tx: Queryable) => Promise<number>): Promise<ChangeCodeOutcome> {
  const { now, ip, memberId } = input;
  const member = await loadMemberContext(deps.db, memberId, deps.keys);
  if (!member) return { kind: 'REFUSED', errors: { current: CURRENT_CODE_WRONG_MESSAGE } };
  const errors: ChangeCodeErrors = {
    ...(/^[0-9]{6}$/.test(input.current) ? {} : { current: CURRENT_CODE_FORMAT_MESSAGE }),
    ...checkNewCode(input.code, input.confirmation, member.policy),
  };
  if (Object.keys(errors).length > 0) return { kind: 'REFUSED', errors };

  return deps.db.transaction(async (tx): Promise<ChangeCodeOutcome> => {
    const log = (action: string, details: Record<string, unknown>) => audit(tx, { at: now, ip, actorType: 'member', actorId: memberId, action, subjectId: memberId, details });
    const { rows } = await tx.query<CredentialRow>(
      `SELECT code_hash, consecutive_failures, locked_until, locked_until_reset FROM member_credential WHERE member_id = $1 FOR UPDATE`,
      [memberId],
    );
    const credential = rows[0];
    if (!credential) {
      await log('auth.code.change_failed', { reason: 'NO_CREDENTIAL' });
      return { kind: 'REFUSED', errors: { current: CURRENT_CODE_WRONG_MESSAGE } };
    }
    const state = { consecutiveFailures: credential.consecutive_failures, lockedUntil: credential.locked_until ? new Date(credential.locked_until) : null, lockedUntilReset: credential.locked_until_reset };
    if (isLocked(state, now)) {
      await log('auth.code.change_failed', { reason: 'LOCKED' });
      return { kind: 'LOCKED' };
    }
    if (!(await verifyAccessCode(credential.code_hash, input.current, deps.pepper))) {
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
      await log(next.lock ? 'auth.lock' : 'auth.code.change_failed', { reason: 'WRONG_CURRENT_CODE', consecutiveFailures: next.consecutiveFailures, lock: next.lock });
      return next.lock ? { kind: 'LOCKED' } : { kind: 'REFUSED', errors: { current: CURRENT_CODE_WRONG_MESSAGE } };
    }
    if (input.code === input.current) return { kind: 'REFUSED', errors: { code: SAME_CODE_MESSAGE } };
    const codeHash = await hashAccessCode(input.code, deps.pepper);
    const { sessionsEnded } = await applyNewCode(tx, deps, { member, codeHash, at: now, ip, via: 'CHANGE', endSessions: endOtherSessions });
    return { kind: 'DONE', sessionsEnded };
  });
}
