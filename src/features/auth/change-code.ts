/**
 * A logged-in member changes the access code (AUTH-07, AUTH-02, SES-06, AUTH-06): the current code is required and
 * verified as at login (reverify-code.ts: row lock, a wrong code counts towards the lock, THR-01). On success every other session of the member ends, this one stays.
 */
import type { Queryable } from '../../db/database.ts';
import { hashAccessCode } from '../../platform/access-code-hash.ts';
import { applyNewCode, checkNewCode, loadMemberContext, type NewCodeErrors, type RecoveryDeps } from './recovery-common.ts';
import { reverifyCode } from './reverify-code.ts';

export const CURRENT_CODE_WRONG_MESSAGE = 'Le code d’accès actuel est incorrect. Après 3 erreurs, la modification est suspendue 15 minutes.';
export const CURRENT_CODE_FORMAT_MESSAGE = 'Saisissez votre code d’accès actuel : 6 chiffres.';
export const CHANGE_LOCKED_MESSAGE = 'Trop de codes actuels incorrects : la modification est suspendue. Réessayez plus tard, ou utilisez « code oublié ».';
export const SAME_CODE_MESSAGE = 'Choisissez un code différent de votre code actuel.';

export type ChangeCodeInput = { memberId: string; current: string; code: string; confirmation: string; ip: string; now: Date };

export type ChangeCodeErrors = { current?: string } & NewCodeErrors;

export type ChangeCodeOutcome = { kind: 'REFUSED'; errors: ChangeCodeErrors } | { kind: 'LOCKED' } | { kind: 'DONE'; sessionsEnded: number };

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
    const verified = await reverifyCode(tx, { memberId, code: input.current, pepper: deps.pepper, now, ip, failedAction: 'auth.code.change_failed' });
    if (verified.kind === 'LOCKED') return { kind: 'LOCKED' };
    if (verified.kind === 'WRONG') return { kind: 'REFUSED', errors: { current: CURRENT_CODE_WRONG_MESSAGE } };
    if (input.code === input.current) return { kind: 'REFUSED', errors: { code: SAME_CODE_MESSAGE } };
    const codeHash = await hashAccessCode(input.code, deps.pepper);
    const { sessionsEnded } = await applyNewCode(tx, deps, { member, codeHash, at: now, ip, via: 'CHANGE', endSessions: endOtherSessions });
    return { kind: 'DONE', sessionsEnded };
  });
}
