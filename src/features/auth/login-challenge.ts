/**
 * THR-03 (issue 4): the login challenge and the global failure-rate alarm, self-hosted, no third-party service.
 *
 * The challenge is a question in French words (« Combien font quatre plus sept ? »), answered in digits in an ordinary
 * labelled field: no JavaScript, no image, readable by screen readers. It travels signed in the form (nonce, expiry,
 * client IP, HMAC of the answer under SESSION_SECRET); a submitted challenge is spent (its nonce stored in
 * login_challenge, 0012) whether the answer was right or not, so a solved one serves once. It is a speed bump for
 * untargeted automation, not a wall: the hard per-IP limits (verify-login.ts) stay the control that counts.
 *
 * It is asked when the client IP passes a soft threshold (LOGIN_CHALLENGE_LIMITS) or while the alarm is raised. The
 * alarm is raised by the watch-login-failures job when the failed logins of the last 5 minutes reach 3× their
 * baseline (the mean per 5 minutes over the previous 24 h, never below a floor): an audit row, an error log line for
 * the operators, and the challenge for everyone until the rate falls back.
 */
import { createHmac, randomBytes, randomInt } from 'node:crypto';
import { z } from 'zod';
import type { Database, Queryable } from '../../db/database.ts';
import { safeEqual } from '../../platform/crypto.ts';
import { defineJob } from '../../platform/jobs.ts';
import type { Logger } from '../../platform/logger.ts';

export const LOGIN_CHALLENGE_LIMITS = {
  /** Per client IP: the challenge from the 4th failure in a rolling hour (the hard limit is 10 a minute)… */
  ipFailuresBeforeChallenge: 3,
  ipChallengeWindowMs: 3_600_000,
  /** …or from the 11th distinct NIR in 24 h (the hard limit is 50). */
  ipDistinctNirsBeforeChallenge: 10,
  /** A challenge shown in a form is valid 10 minutes. */
  challengeTtlMs: 10 * 60_000,
  /** Alarm: failures of the last 5 minutes ≥ 3 × the baseline… */
  alarmWindowMs: 5 * 60_000,
  alarmFactor: 3,
  /** …where the baseline is the mean per 5 minutes over the previous 24 h, and at least 10 (a quiet night never alarms). */
  alarmBaselineWindowMs: 24 * 3_600_000,
  alarmBaselineFloor: 10,
  /** A raised alarm stays 15 minutes after the last check that found the rate high. */
  alarmHoldMs: 15 * 60_000,
} as const;

const NUMBERS = ['zéro', 'un', 'deux', 'trois', 'quatre', 'cinq', 'six', 'sept', 'huit', 'neuf', 'dix'];

export type LoginChallenge = { token: string; question: string };

const mac = (secret: Buffer, body: string) => createHmac('sha256', secret).update(`login-challenge\u0000${body}`).digest('base64url');

/** A new question for this client IP; the answer is only in the token's MAC. */
export function newLoginChallenge(secret: Buffer, ip: string, now: Date): LoginChallenge {
  const a = randomInt(1, 11);
  const b = randomInt(1, 11);
  const plus = randomInt(2) === 0;
  // A subtraction never goes below zero.
  const [x, y] = plus || a >= b ? [a, b] : [b, a];
  const answer = plus ? x + y : x - y;
  const nonce = randomBytes(16).toString('base64url');
  const expiresAt = now.getTime() + LOGIN_CHALLENGE_LIMITS.challengeTtlMs;
  const body = `${nonce}.${expiresAt}`;
  return {
    token: `${body}.${mac(secret, `${body}\u0000${ip}\u0000${answer}`)}`,
    question: `Combien font ${NUMBERS[x]} ${plus ? 'plus' : 'moins'} ${NUMBERS[y]} ?`,
  };
}

export type ChallengeAnswer = { token: string; answer: string };

/**
 * Whether `answer` solves the token for this IP; in the caller's transaction. The nonce is spent in any case (a wrong
 * answer gets a new question), and a token already spent, expired, forged or for another IP is refused.
 */
export async function checkLoginChallenge(tx: Queryable, secret: Buffer, input: ChallengeAnswer & { ip: string; now: Date }): Promise<boolean> {
  const parts = input.token.split('.');
  if (parts.length !== 3) return false;
  const [nonce, expiry, signature] = parts as [string, string, string];
  const expiresAt = Number(expiry);
  if (!/^[A-Za-z0-9_-]{22}$/.test(nonce) || !Number.isSafeInteger(expiresAt) || expiresAt <= input.now.getTime()) return false;
  const { rowCount } = await tx.query(`INSERT INTO login_challenge (nonce, ip, used_at, expires_at) VALUES ($1, $2, $3, $4) ON CONFLICT (nonce) DO NOTHING`, [
    nonce, input.ip.slice(0, 64), input.now, new Date(expiresAt),
  ]);
  if (rowCount !== 1) return false;
  const answer = input.answer.trim();
  if (!/^[0-9]{1,2}$/.test(answer)) return false;
  return safeEqual(signature, mac(secret, `${nonce}.${expiry}\u0000${input.ip}\u0000${Number(answer)}`));
}

export type ChallengeReason = 'IP_FAILURES' | 'IP_DISTINCT_NIRS' | 'ALARM';

/** Whether a login from this IP must answer the challenge now (the counters come from verify-login.ts's query). */
export function challengeReason(counters: { failuresInHour: number; distinctNirs: number; nirAlreadySeen: boolean; alarm: boolean }): ChallengeReason | null {
  if (counters.alarm) return 'ALARM';
  if (counters.failuresInHour >= LOGIN_CHALLENGE_LIMITS.ipFailuresBeforeChallenge) return 'IP_FAILURES';
  if (!counters.nirAlreadySeen && counters.distinctNirs >= LOGIN_CHALLENGE_LIMITS.ipDistinctNirsBeforeChallenge) return 'IP_DISTINCT_NIRS';
  return null;
}

export async function alarmActive(q: Queryable, now: Date): Promise<boolean> {
  const { rows } = await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM auth_alarm WHERE kind = 'LOGIN_FAILURE_RATE' AND active_until > $1`, [now]);
  return rows[0]!.n > 0;
}

/** The login page asks the question up front when a login from this IP would need it (one query). */
export async function loginChallengeRequired(q: Queryable, ip: string, now: Date): Promise<boolean> {
  const limits = LOGIN_CHALLENGE_LIMITS;
  const { rows } = await q.query<{ failures: number; distinct_nirs: number; alarm: boolean }>(
    `SELECT (SELECT count(*)::int FROM login_attempt WHERE ip = $1 AND outcome <> 'SUCCESS' AND attempted_at > $2) AS failures,
            (SELECT count(DISTINCT nir_hmac)::int FROM login_attempt WHERE ip = $1 AND attempted_at > $3) AS distinct_nirs,
            EXISTS (SELECT 1 FROM auth_alarm WHERE kind = 'LOGIN_FAILURE_RATE' AND active_until > $4) AS alarm`,
    [ip, new Date(now.getTime() - limits.ipChallengeWindowMs), new Date(now.getTime() - 24 * 3_600_000), now],
  );
  const r = rows[0]!;
  return challengeReason({ failuresInHour: r.failures, distinctNirs: r.distinct_nirs, nirAlreadySeen: false, alarm: r.alarm }) !== null;
}

export type AlarmCheck = { failures: number; baseline: number; raised: boolean; active: boolean };

/**
 * Compares the failed logins of the last 5 minutes with 3 × their baseline; raises the alarm (audit row, returned
 * `raised`) or keeps it up while the rate stays high. Run every minute by the job; tests call it with their clock.
 */
export async function checkFailureRate(db: Database, now: Date): Promise<AlarmCheck> {
  const l = LOGIN_CHALLENGE_LIMITS;
  const windowStart = new Date(now.getTime() - l.alarmWindowMs);
  const baselineStart = new Date(windowStart.getTime() - l.alarmBaselineWindowMs);
  return db.transaction(async (tx) => {
    // One checker at a time across instances.
    await tx.query('SELECT pg_advisory_xact_lock(727003, 1)');
    const { rows } = await tx.query<{ recent: number; before: number }>(
      `SELECT count(*) FILTER (WHERE attempted_at > $1)::int AS recent, count(*) FILTER (WHERE attempted_at <= $1)::int AS before
         FROM login_attempt WHERE outcome IN ('FAILURE', 'LOCKED') AND attempted_at > $2 AND attempted_at <= $3`,
      [windowStart, baselineStart, now],
    );
    const { recent, before } = rows[0]!;
    const baseline = Math.max(l.alarmBaselineFloor, before / (l.alarmBaselineWindowMs / l.alarmWindowMs));
    const high = recent >= l.alarmFactor * baseline;
    const activeUntil = new Date(now.getTime() + l.alarmHoldMs);
    if (!high) return { failures: recent, baseline, raised: false, active: await alarmActive(tx, now) };
    const extended = await tx.query(`UPDATE auth_alarm SET active_until = $2, failures = greatest(failures, $3) WHERE kind = 'LOGIN_FAILURE_RATE' AND active_until > $1`, [
      now, activeUntil, recent,
    ]);
    if ((extended.rowCount ?? 0) > 0) return { failures: recent, baseline, raised: false, active: true };
    await tx.query(`INSERT INTO auth_alarm (kind, raised_at, active_until, failures, baseline) VALUES ('LOGIN_FAILURE_RATE', $1, $2, $3, $4)`, [now, activeUntil, recent, baseline]);
    await tx.query(
      `INSERT INTO audit_log (occurred_at, actor_type, actor_id, action, subject_type, subject_id, ip, details) VALUES ($1, 'system', NULL, 'auth.alarm.raised', NULL, NULL, NULL, $2)`,
      [now, JSON.stringify({ kind: 'LOGIN_FAILURE_RATE', failures: recent, baseline, windowMinutes: l.alarmWindowMs / 60_000 })],
    );
    return { failures: recent, baseline, raised: true, active: true };
  });
}

export function createFailureRateJob(db: Database, options: { logger: Logger; clock: () => Date }) {
  return defineJob({
    name: 'watch-login-failures',
    payload: z.object({}),
    cron: '* * * * *',
    retry: { limit: 0, delaySeconds: 60, backoff: false },
    handler: async () => {
      const check = await checkFailureRate(db, options.clock());
      // The operators' alarm: an error line their log system pages on (docs/operations.md).
      if (check.raised) options.logger.error({ alarm: 'LOGIN_FAILURE_RATE', failures: check.failures, baseline: check.baseline }, 'abnormal rate of failed logins: login challenge on for everyone');
    },
  });
}
