/**
 * Choosing a new code from an emailed link (RST-01, RST-03, SES-06, AUTH-02, AUTH-06). The link's token is checked
 * when the page opens (without being used), then used once, under a row lock, when the new code is stored.
 */
import type { Queryable } from '../../db/database.ts';
import { hashAccessCode } from '../../platform/access-code-hash.ts';
import { applyNewCode, audit, checkNewCode, loadMemberContext, sha256, type NewCodeErrors, type RecoveryDeps } from './recovery-common.ts';
import { findUsableResetToken } from './request-code-reset.ts';

export type ResetLinkState = 'USABLE' | 'UNKNOWN' | 'EXPIRED' | 'USED' | 'VOIDED';

async function linkState(q: Queryable, token: string, now: Date): Promise<{ state: ResetLinkState; memberId: string | null }> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return { state: 'UNKNOWN', memberId: null };
  const { rows } = await q.query<{ member_id: string; used_at: Date | null; voided_at: Date | null; expires_at: Date | string }>(
    `SELECT member_id, used_at, voided_at, expires_at FROM reset_token WHERE token_hash = $1`,
    [sha256(token)],
  );
  const row = rows[0];
  if (!row) return { state: 'UNKNOWN', memberId: null };
  const state: ResetLinkState = row.used_at ? 'USED' : row.voided_at ? 'VOIDED' : new Date(row.expires_at).getTime() <= now.getTime() ? 'EXPIRED' : 'USABLE';
  return { state, memberId: row.member_id };
}

/** Opening the link: whether the form may be shown. An unusable link is audited (never the token: LOG-02). */
export async function checkResetLink(deps: Pick<RecoveryDeps, 'db'>, input: { token: string; ip: string; now: Date }): Promise<boolean> {
  const { state, memberId } = await linkState(deps.db, input.token, input.now);
  if (state === 'USABLE') return true;
  await audit(deps.db, { at: input.now, ip: input.ip, actorType: 'anonymous', actorId: null, action: 'auth.reset.link_refused', subjectId: memberId, details: { reason: state } });
  return false;
}

export type ResetCodeInput = { token: string; code: string; confirmation: string; ip: string; now: Date };

export type ResetCodeOutcome = { kind: 'INVALID_LINK' } | { kind: 'REFUSED'; errors: NewCodeErrors } | { kind: 'DONE'; memberId: string };

export async function resetCode(deps: RecoveryDeps, input: ResetCodeInput, endSessions: (tx: Queryable, memberId: string) => Promise<number>): Promise<ResetCodeOutcome> {
  const { now, ip } = input;
  const usable = await findUsableResetToken(deps.db, input.token, now);
  if (!usable) {
    await checkResetLink(deps, input);
    return { kind: 'INVALID_LINK' };
  }
  const member = await loadMemberContext(deps.db, usable.memberId, deps.keys);
  if (!member) return { kind: 'INVALID_LINK' };
  // The link authenticates the member: the policy may use the household's birth dates and the NIR.
  const errors = checkNewCode(input.code, input.confirmation, member.policy);
  if (errors) return { kind: 'REFUSED', errors };
  const codeHash = await hashAccessCode(input.code, deps.pepper);

  return deps.db.transaction(async (tx): Promise<ResetCodeOutcome> => {
    // Used once: two submissions racing on one link get one success.
    const { rows } = await tx.query<{ id: string }>(
      `SELECT id FROM reset_token WHERE id = $1 AND used_at IS NULL AND voided_at IS NULL AND expires_at > $2 FOR UPDATE`,
      [usable.id, now],
    );
    if (!rows[0]) return { kind: 'INVALID_LINK' };
    await tx.query(`UPDATE reset_token SET used_at = $2 WHERE id = $1`, [usable.id, now]);
    await applyNewCode(tx, deps, { member, codeHash, at: now, ip, via: 'RESET_LINK', endSessions: (q) => endSessions(q, member.memberId) });
    return { kind: 'DONE', memberId: member.memberId };
  });
}
