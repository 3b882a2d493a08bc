/**
 * /activation (issue 4 « First access » and forgot code by letter; RST-04, RST-06, ENUM-01): the NIR, the 8-character
 * code of the letter and the new code twice. The NIR alone proves nothing (RST-06): the letter's code does.
 *
 * Order: input checks that need no lookup (the new code is checked against the rules that use no personal data) →
 * per-IP limit → the newest usable activation code of the account, its row locked, verified (argon2) → only then the
 * household rules (birth dates, NIR), so that a refusal never tells a stranger a birth date. Unknown NIR, wrong code,
 * expired or voided code all get the same answer; 5 wrong codes void it.
 */
import { parseNir } from '../../domain/identity/nir.ts';
import { hashAccessCode, verifyAccessCode, verifyAgainstDummy } from '../../platform/access-code-hash.ts';
import { blindIndex } from '../../platform/crypto.ts';
import type { Queryable } from '../../db/database.ts';
import { applyNewCode, audit, checkNewCode, loadMemberContext, normaliseActivationCode, RECOVERY_LIMITS, type NewCodeErrors, type RecoveryDeps } from './recovery-common.ts';

export const ACTIVATION_FAILED_MESSAGE =
  'Numéro de Sécurité sociale ou code d’activation incorrect, ou code expiré. Après 5 erreurs, le code d’activation n’est plus valable : demandez-en un nouveau avec « code oublié ».';
export const ACTIVATION_THROTTLED_MESSAGE = 'Trop de tentatives depuis votre réseau. Patientez quelques minutes avant de réessayer.';
export const ACTIVATION_CODE_FORMAT_MESSAGE = 'Le code d’activation comporte 8 caractères (chiffres et lettres), tel qu’il est imprimé sur votre courrier.';

export type ActivateAccountInput = { nir: string; activationCode: string; code: string; confirmation: string; ip: string; now: Date };

export type ActivationErrors = { nir?: string; activationCode?: string } & NewCodeErrors;

export type ActivateAccountOutcome =
  | { kind: 'VALIDATION'; errors: ActivationErrors }
  | { kind: 'THROTTLED' }
  | { kind: 'INVALID' }
  | { kind: 'REFUSED'; errors: NewCodeErrors }
  | { kind: 'DONE'; memberId: string };

type CodeRow = { id: string; code_hash: string; wrong_attempts: number };

export async function activateAccount(deps: RecoveryDeps, input: ActivateAccountInput, endSessions: (tx: Queryable, memberId: string) => Promise<number>): Promise<ActivateAccountOutcome> {
  const limits = deps.limits ?? RECOVERY_LIMITS;
  const { now, ip } = input;
  const nir = parseNir(input.nir);
  const activationCode = normaliseActivationCode(input.activationCode);
  const errors: ActivationErrors = {
    ...(nir.ok ? {} : { nir: nir.error.message }),
    ...(activationCode ? {} : { activationCode: ACTIVATION_CODE_FORMAT_MESSAGE }),
    ...checkNewCode(input.code, input.confirmation, null),
  };
  if (!nir.ok || !activationCode || Object.keys(errors).length > 0) {
    await audit(deps.db, { at: now, ip, actorType: 'anonymous', actorId: null, action: 'auth.activation.rejected', subjectId: null, details: { fields: Object.keys(errors) } });
    return { kind: 'VALIDATION', errors };
  }
  const nirHmac = blindIndex(deps.keys.blindIndexKey, nir.value.value);

  const decided = await deps.db.transaction(async (tx): Promise<{ outcome: ActivateAccountOutcome; dummy: boolean }> => {
    await tx.query('SELECT pg_advisory_xact_lock(727005, hashtext($1))', [ip]);
    const record = (outcome: 'SUCCESS' | 'FAILURE', memberId: string | null) =>
      tx.query(`INSERT INTO recovery_attempt (kind, ip, nir_hmac, member_id, outcome, attempted_at) VALUES ('ACTIVATION', $1, $2, $3, $4, $5)`, [ip, nirHmac, memberId, outcome, now]);
    const log = (action: string, memberId: string | null, details: Record<string, unknown>) =>
      audit(tx, { at: now, ip, actorType: 'anonymous', actorId: null, action, subjectId: memberId, details });

    const { rows: perIp } = await tx.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM recovery_attempt WHERE kind = 'ACTIVATION' AND ip = $1 AND outcome = 'FAILURE' AND attempted_at > $2`,
      [ip, new Date(now.getTime() - limits.ipActivationFailureWindowMs)],
    );
    if (perIp[0]!.n >= limits.ipActivationFailuresPerWindow) {
      await log('auth.activation.throttled', null, { limit: 'IP_FAILURES' });
      return { outcome: { kind: 'THROTTLED' }, dummy: false };
    }

    const { rows: members } = await tx.query<{ id: string }>(`SELECT id FROM member WHERE nir_hmac = $1 AND status = 'ACTIVE'`, [nirHmac]);
    const memberId = members[0]?.id ?? null;
    const { rows: codes } = memberId
      ? await tx.query<CodeRow>(
          `SELECT id, code_hash, wrong_attempts FROM activation_code
            WHERE member_id = $1 AND used_at IS NULL AND voided_at IS NULL AND expires_at > $2
            ORDER BY created_at DESC LIMIT 1 FOR UPDATE`,
          [memberId, now],
        )
      : { rows: [] as CodeRow[] };
    const code = codes[0];
    if (!memberId || !code) {
      await record('FAILURE', memberId);
      await log('auth.activation.failure', memberId, { reason: memberId ? 'NO_USABLE_CODE' : 'UNKNOWN_ACCOUNT' });
      return { outcome: { kind: 'INVALID' }, dummy: true };
    }
    if (!(await verifyAccessCode(code.code_hash, activationCode, deps.pepper))) {
      const wrong = code.wrong_attempts + 1;
      const voided = wrong >= limits.activationMaxWrongAttempts;
      await tx.query(`UPDATE activation_code SET wrong_attempts = $2, voided_at = CASE WHEN $3::boolean THEN $4 ELSE voided_at END WHERE id = $1`, [code.id, wrong, voided, now]);
      await record('FAILURE', memberId);
      await log(voided ? 'auth.activation.voided' : 'auth.activation.failure', memberId, { reason: 'WRONG_CODE', activationCodeId: code.id, wrongAttempts: wrong });
      return { outcome: { kind: 'INVALID' }, dummy: false };
    }

    // The letter's code is right: the member may now hear why a code is refused.
    const member = (await loadMemberContext(tx, memberId, deps.keys))!;
    const refused = checkNewCode(input.code, input.confirmation, member.policy);
    if (refused) {
      await log('auth.activation.code_refused', memberId, { activationCodeId: code.id, reason: Object.keys(refused) });
      return { outcome: { kind: 'REFUSED', errors: refused }, dummy: false };
    }
    const codeHash = await hashAccessCode(input.code, deps.pepper);
    await tx.query(`UPDATE activation_code SET used_at = $2 WHERE id = $1`, [code.id, now]);
    await record('SUCCESS', memberId);
    await applyNewCode(tx, deps, { member, codeHash, at: now, ip, via: 'ACTIVATION', endSessions: (q) => endSessions(q, memberId) });
    return { outcome: { kind: 'DONE', memberId }, dummy: false };
  });
  // ENUM-02: no account or no code costs what a verification costs.
  if (decided.dummy) await verifyAgainstDummy(activationCode, deps.pepper);
  return decided.outcome;
}
