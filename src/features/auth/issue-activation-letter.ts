/**
 * An activation-code letter (RST-04, issue 4 « First access »): 8 characters of Crockford base32 (40 bits), valid
 * 30 days, voided after 5 wrong tries, stored as an argon2id hash (pepper outside the database); the code itself only
 * exists sealed in the letter row until the PDF is printed. A new letter voids the codes of earlier ones.
 *
 * Used by the forgot-code request for members without a verified email, and exposed for the import and the advisors
 * (members created there get their first code this way).
 */
import { randomUUID } from 'node:crypto';
import type { Queryable } from '../../db/database.ts';
import { hashAccessCode } from '../../platform/access-code-hash.ts';
import { queueLetter } from '../letters/queue-letter.ts';
import { audit, newActivationCode, RECOVERY_LIMITS, type RecoveryDeps } from './recovery-common.ts';

export type IssueActivationLetterDeps = Pick<RecoveryDeps, 'jobs' | 'jobDefinitions' | 'publicUrl' | 'pepper' | 'limits'> & { clock: () => Date };

export type IssueActivationLetterOptions = {
  /** ACTIVATION_CODE for a first access (default), CODE_RESET for a forgotten code. */
  kind?: 'ACTIVATION_CODE' | 'CODE_RESET';
  /** Who asked, for the audit: the import, an advisor, the member through « code oublié ». */
  requestedBy?: { actorType: 'system' | 'advisor' | 'anonymous'; actorId: string | null; ip: string | null };
};

export type IssuedActivationLetter = { letterId: string; activationCodeId: string; expiresAt: Date };

/**
 * In the caller's transaction: queues the letter (its PDF is made after commit) and stores the code's hash. Throws
 * AppError CONFLICT (nothing written) when no postal address is known.
 */
export async function issueActivationLetter(tx: Queryable, deps: IssueActivationLetterDeps, memberId: string, options: IssueActivationLetterOptions = {}): Promise<IssuedActivationLetter> {
  const limits = deps.limits ?? RECOVERY_LIMITS;
  const at = deps.clock();
  const code = newActivationCode();
  const codeHash = await hashAccessCode(code, deps.pepper);
  const expiresAt = new Date(at.getTime() + limits.activationCodeTtlMs);
  const activationCodeId = randomUUID();
  const kind = options.kind ?? 'ACTIVATION_CODE';
  const letter = await queueLetter(tx, deps.jobs, deps.jobDefinitions.generateLetter, {
    memberId,
    kind,
    content: { code, activationUrl: `${deps.publicUrl}/activation`, validityDays: Math.round(limits.activationCodeTtlMs / 86_400_000) },
    idempotencyKey: `activation-code:${activationCodeId}`,
    at,
  });
  await tx.query(`UPDATE activation_code SET voided_at = $2 WHERE member_id = $1 AND used_at IS NULL AND voided_at IS NULL`, [memberId, at]);
  await tx.query(`INSERT INTO activation_code (id, member_id, code_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`, [
    activationCodeId, memberId, codeHash, at, expiresAt,
  ]);
  const by = options.requestedBy ?? { actorType: 'system' as const, actorId: null, ip: null };
  await audit(tx, {
    at, ip: by.ip, actorType: by.actorType, actorId: by.actorId, subjectId: memberId, action: 'auth.activation.letter_queued',
    details: { kind, letterId: letter.letterId, activationCodeId, expiresAt: expiresAt.toISOString() },
  });
  return { letterId: letter.letterId, activationCodeId, expiresAt };
}
