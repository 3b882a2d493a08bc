/**
 * Member login check, NIR + 6-digit access code (issue 4; AUTH-01, THR-01…03, ENUM-01/02, LOG-01).
 * No HTTP here: the route turns INVALID and LOCKED into the same generic answer.
 *
 * Order: input checks (no lookup) → per-IP limits (THR-03) → account row locked with SELECT … FOR
 * UPDATE, then the argon2 verification while holding it, so parallel requests on one account are
 * evaluated one at a time and at most 3 wrong codes are ever verified before the lock (THR-02).
 * Unknown NIRs and locked accounts run a dummy verification after their transaction (ENUM-02).
 * Every call writes exactly one audit_log row, without the code or the NIR (LOG-01/02).
 */
import { randomUUID } from 'node:crypto';
import type { Database, Queryable } from '../../db/database.ts';
import { afterFailure, ipThrottle, isLocked, LOGIN_LIMITS, type IpThrottle, type LockKind, type LoginLimits } from '../../domain/auth/lockout.ts';
import { parseNir, type NirErrorCode } from '../../domain/identity/nir.ts';
import { accessCodeVerifier, type AccessCodeVerifier } from '../../platform/access-code-hash.ts';
import { blindIndex } from '../../platform/crypto.ts';
import { alarmActive, challengeReason, checkLoginChallenge, LOGIN_CHALLENGE_LIMITS, type ChallengeAnswer, type ChallengeReason } from './login-challenge.ts';

export { LOGIN_LIMITS };

/** The one answer for a wrong code, an unknown NIR and a locked account (ENUM-01). */
export const LOGIN_FAILED_MESSAGE =
  'Numéro de Sécurité sociale ou code d’accès incorrect. Après plusieurs essais, l’accès est suspendu : utilisez « code oublié » pour le retrouver.';
export const LOGIN_THROTTLED_MESSAGE = 'Trop de tentatives de connexion depuis votre réseau. Patientez quelques minutes avant de réessayer.';
export const CODE_FORMAT_MESSAGE = 'Le code d’accès comporte exactement 6 chiffres.';
export const LOGIN_CHALLENGE_MESSAGE = 'Par sécurité, répondez à la question ci-dessous, puis saisissez à nouveau votre code d’accès.';
export const LOGIN_CHALLENGE_WRONG_MESSAGE = 'La réponse à la question de sécurité est incorrecte. Répondez à la nouvelle question, puis saisissez à nouveau votre code d’accès.';

/** `challenge`: the answer to the THR-03 question, when the form carried one (login-challenge.ts). */
export type VerifyLoginInput = {
  nir: string;
  code: string;
  ip: string;
  now: Date;
  challenge?: ChallengeAnswer | null;
  /** « Firefox sur Windows » (deviceLabel of the user agent): kept in the account's audit rows for its access history. */
  device?: string;
};

export type VerifyLoginDeps = {
  keys: { blindIndexKey: Buffer };
  pepper: Buffer;
  /** Defaults to argon2id with the OWASP parameters and `pepper`; tests pass cheaper or counting ones. */
  verifier?: AccessCodeVerifier;
  limits?: LoginLimits;
};

/** Set when this attempt locked the account: the caller sends the notice (email or letter). */
export type LockNotice = { memberId: string; kind: LockKind; lockedUntil: Date | null };

export type VerifyLoginOutcome =
  | { kind: 'VALIDATION'; field: 'nir' | 'code'; reason: NirErrorCode | 'CODE_FORMAT'; message: string }
  | { kind: 'THROTTLED'; reason: IpThrottle; message: string }
  | { kind: 'CHALLENGE'; reason: ChallengeReason; answered: boolean; message: string }
  | { kind: 'SUCCESS'; memberId: string; attemptId: string }
  | { kind: 'INVALID'; lockedNow: LockNotice | null }
  | { kind: 'LOCKED'; lockedNow: null };

type Audit = { actorType: 'member' | 'anonymous'; actorId: string | null; action: string; subjectId: string | null; details: Record<string, unknown> };

async function audit(q: Queryable, input: VerifyLoginInput, a: Audit): Promise<void> {
  await q.query(
    `INSERT INTO audit_log (occurred_at, actor_type, actor_id, action, subject_type, subject_id, ip, details)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [input.now, a.actorType, a.actorId, a.action, a.subjectId ? 'member' : null, a.subjectId, input.ip, JSON.stringify(a.details)],
  );
}

type CredentialRow = { code_hash: string; consecutive_failures: number; locked_until: Date | string | null; locked_until_reset: boolean };

const asDate = (v: Date | string | null): Date | null => (v === null ? null : new Date(v));

export async function verifyLogin(db: Database, input: VerifyLoginInput, deps: VerifyLoginDeps): Promise<VerifyLoginOutcome> {
  const limits = deps.limits ?? LOGIN_LIMITS;
  const verifier = deps.verifier ?? accessCodeVerifier(deps.pepper);
  const now = input.now;

  // 1. Input: a malformed NIR or code is answered at once, without any lookup.
  const nir = parseNir(input.nir);
  type Rejected = Extract<VerifyLoginOutcome, { kind: 'VALIDATION' }>;
  const rejected: Rejected | null = !nir.ok
    ? { kind: 'VALIDATION', field: 'nir', reason: nir.error.code, message: nir.error.message }
    : !/^[0-9]{6}$/.test(input.code)
      ? { kind: 'VALIDATION', field: 'code', reason: 'CODE_FORMAT', message: CODE_FORMAT_MESSAGE }
      : null;
  if (rejected || !nir.ok) {
    const outcome = rejected!;
    await audit(db, input, { actorType: 'anonymous', actorId: null, action: 'auth.login.rejected', subjectId: null, details: { field: outcome.field, reason: outcome.reason } });
    return outcome;
  }
  const nirHmac = blindIndex(deps.keys.blindIndexKey, nir.value.value);

  // 2. THR-03, per client IP. An advisory lock per IP makes check-then-insert atomic; the attempt is
  // recorded PENDING (counted as a failure) before the verification starts. Past the soft thresholds, or while the
  // failure-rate alarm is up, the attempt must carry a solved challenge (login-challenge.ts).
  type IpStep = { throttled: IpThrottle } | { challenge: ChallengeReason; answered: boolean } | { attemptId: string };
  const ipStep = await db.transaction(async (tx): Promise<IpStep> => {
    await tx.query('SELECT pg_advisory_xact_lock(727002, hashtext($1))', [input.ip]);
    const failureSince = new Date(now.getTime() - limits.ipFailureWindowMs);
    const nirSince = new Date(now.getTime() - limits.ipDistinctNirWindowMs);
    const challengeSince = new Date(now.getTime() - LOGIN_CHALLENGE_LIMITS.ipChallengeWindowMs);
    const { rows } = await tx.query<{ failures: number; failures_hour: number; distinct_nirs: number; seen: boolean | null }>(
      `SELECT count(*) FILTER (WHERE outcome <> 'SUCCESS' AND attempted_at > $2)::int AS failures,
              count(*) FILTER (WHERE outcome <> 'SUCCESS' AND attempted_at > $5)::int AS failures_hour,
              count(DISTINCT nir_hmac) FILTER (WHERE attempted_at > $3)::int AS distinct_nirs,
              bool_or(nir_hmac = $4 AND attempted_at > $3) AS seen
         FROM login_attempt WHERE ip = $1 AND attempted_at > least($2, $3, $5)`,
      [input.ip, failureSince, nirSince, nirHmac, challengeSince],
    );
    const counters = rows[0]!;
    const throttled = ipThrottle({ failuresInWindow: counters.failures, distinctNirsInWindow: counters.distinct_nirs, nirAlreadySeen: counters.seen === true }, limits);
    if (throttled) {
      await audit(tx, input, { actorType: 'anonymous', actorId: null, action: 'auth.login.throttled', subjectId: null, details: { limit: throttled } });
      return { throttled };
    }
    const reason = challengeReason({
      failuresInHour: counters.failures_hour, distinctNirs: counters.distinct_nirs, nirAlreadySeen: counters.seen === true, alarm: await alarmActive(tx, now),
    });
    if (reason) {
      const answered = !!input.challenge;
      const solved = answered && (await checkLoginChallenge(tx, deps.pepper, { ...input.challenge!, ip: input.ip, now }));
      if (!solved) {
        await audit(tx, input, { actorType: 'anonymous', actorId: null, action: 'auth.login.challenged', subjectId: null, details: { reason, answered } });
        return { challenge: reason, answered };
      }
    }
    const attemptId = randomUUID();
    await tx.query(`INSERT INTO login_attempt (id, ip, nir_hmac, outcome, attempted_at) VALUES ($1, $2, $3, 'PENDING', $4)`, [attemptId, input.ip, nirHmac, now]);
    return { attemptId };
  });
  if ('throttled' in ipStep) return { kind: 'THROTTLED', reason: ipStep.throttled, message: LOGIN_THROTTLED_MESSAGE };
  if ('challenge' in ipStep) {
    return { kind: 'CHALLENGE', reason: ipStep.challenge, answered: ipStep.answered, message: ipStep.answered ? LOGIN_CHALLENGE_WRONG_MESSAGE : LOGIN_CHALLENGE_MESSAGE };
  }
  const { attemptId } = ipStep;

  // 3. The account, its row locked for the whole evaluation.
  const decided = await db.transaction(async (tx): Promise<{ outcome: VerifyLoginOutcome; dummy: boolean }> => {
    // The ouvrant droit by the household's NIR; else a beneficiary with a login of their own, by their own NIR (ADR 011).
    const { rows: accounts } = await tx.query<{ member_id: string; beneficiary_id: string | null }>(
      `SELECT id AS member_id, NULL::uuid AS beneficiary_id FROM member WHERE nir_hmac = $1 AND status = 'ACTIVE'
       UNION ALL
       SELECT b.member_id, b.id FROM beneficiary b JOIN beneficiary_credential bc ON bc.beneficiary_id = b.id JOIN member m ON m.id = b.member_id
        WHERE b.own_nir_hmac = $1 AND b.relationship <> 'SELF' AND m.status = 'ACTIVE'
       ORDER BY 2 NULLS FIRST LIMIT 1`,
      [nirHmac],
    );
    const memberId = accounts[0]?.member_id ?? null;
    const beneficiaryId = accounts[0]?.beneficiary_id ?? null;
    // Whose code and lock state: the household's, or the beneficiary's own.
    const account = beneficiaryId ? { table: 'beneficiary_credential', key: 'beneficiary_id', id: beneficiaryId } : { table: 'member_credential', key: 'member_id', id: memberId };
    // Whose access history the row belongs to (a beneficiary's own login, ADR 011) and from which device.
    const whose = { ...(beneficiaryId ? { beneficiaryId } : {}), ...(input.device ? { device: input.device.slice(0, 100) } : {}) };
    const settle = (outcome: 'SUCCESS' | 'FAILURE' | 'LOCKED', memberId: string | null) =>
      tx.query(`UPDATE login_attempt SET outcome = $2, member_id = $3, beneficiary_id = $5, decided_at = $4 WHERE id = $1`, [attemptId, outcome, memberId, now, beneficiaryId]);
    const { rows: credentials } = memberId
      ? await tx.query<CredentialRow>(
          `SELECT code_hash, consecutive_failures, locked_until, locked_until_reset FROM ${account.table} WHERE ${account.key} = $1 FOR UPDATE`,
          [account.id],
        )
      : { rows: [] as CredentialRow[] };
    const credential = credentials[0];
    if (!memberId || !credential) {
      await settle('FAILURE', null);
      await audit(tx, input, { actorType: 'anonymous', actorId: null, action: 'auth.login.failure', subjectId: memberId, details: { reason: memberId ? 'NO_CREDENTIAL' : 'UNKNOWN_ACCOUNT', attemptId, ...whose } });
      return { outcome: { kind: 'INVALID', lockedNow: null }, dummy: true };
    }
    const state = { consecutiveFailures: credential.consecutive_failures, lockedUntil: asDate(credential.locked_until), lockedUntilReset: credential.locked_until_reset };
    if (isLocked(state, now)) {
      await settle('LOCKED', memberId);
      await audit(tx, input, { actorType: 'anonymous', actorId: null, action: 'auth.login.failure', subjectId: memberId, details: { reason: 'LOCKED', lock: state.lockedUntilReset ? 'UNTIL_RESET' : 'TEMPORARY', attemptId, ...whose } });
      return { outcome: { kind: 'LOCKED', lockedNow: null }, dummy: true };
    }

    if (await verifier.verify(credential.code_hash, input.code)) {
      await tx.query(
        `UPDATE ${account.table} SET consecutive_failures = 0, locked_until = NULL, last_success_at = $2, updated_at = $2 WHERE ${account.key} = $1`,
        [account.id, now],
      );
      await settle('SUCCESS', memberId);
      await audit(tx, input, { actorType: 'member', actorId: memberId, action: 'auth.login.success', subjectId: memberId, details: { attemptId, ...whose } });
      return { outcome: { kind: 'SUCCESS', memberId, attemptId }, dummy: false };
    }

    const { rows: window } = await tx.query<{ failures: number }>(
      `SELECT count(*)::int AS failures FROM login_attempt WHERE member_id = $1 AND outcome = 'FAILURE' AND attempted_at > $2 AND beneficiary_id IS NOT DISTINCT FROM $3::uuid`,
      [memberId, new Date(now.getTime() - limits.failureWindowMs), beneficiaryId],
    );
    const failuresInWindow = window[0]!.failures + 1;
    const next = afterFailure(state, failuresInWindow, now, limits);
    await tx.query(
      `UPDATE ${account.table}
          SET consecutive_failures = $2, locked_until = $3, locked_until_reset = $4, last_failure_at = $5, updated_at = $5,
              locked_at = CASE WHEN $6::boolean THEN $5 ELSE locked_at END
        WHERE ${account.key} = $1`,
      [account.id, next.consecutiveFailures, next.lockedUntil, next.lockedUntilReset, now, next.lock !== null],
    );
    await settle('FAILURE', memberId);
    const details = { reason: 'WRONG_CODE', consecutiveFailures: next.consecutiveFailures, failuresIn24h: failuresInWindow, attemptId, ...whose };
    if (next.lock) {
      await audit(tx, input, { actorType: 'anonymous', actorId: null, action: 'auth.lock', subjectId: memberId, details: { ...details, lock: next.lock, lockedUntil: next.lockedUntil?.toISOString() ?? null } });
      return { outcome: { kind: 'INVALID', lockedNow: { memberId, kind: next.lock, lockedUntil: next.lockedUntil } }, dummy: false };
    }
    await audit(tx, input, { actorType: 'anonymous', actorId: null, action: 'auth.login.failure', subjectId: memberId, details });
    return { outcome: { kind: 'INVALID', lockedNow: null }, dummy: false };
  });

  // Outside the transaction: a locked account must not hold its row (and a connection) for the dummy run.
  if (decided.dummy) await verifier.verifyAgainstDummy(input.code);
  return decided.outcome;
}
