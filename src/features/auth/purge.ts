/**
 * Purge of the short-lived authentication rows (issue 4; LOG-05, DATA-05): throttling counters, challenges, dead
 * sessions and devices. They are working state, not the audit trail: every event they stood for already has its
 * audit_log row, which keeps its own (longer) retention. Figures in AUTH_RETENTION, documented in docs/operations.md.
 */
import { z } from 'zod';
import type { Database } from '../../db/database.ts';
import { defineJob } from '../../platform/jobs.ts';
import { SESSION_LIMITS } from '../../platform/http/sessions.ts';
import type { Logger } from '../../platform/logger.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export const AUTH_RETENTION = {
  /** login_attempt feeds 24-hour windows (25 failures per account, 50 NIRs per IP): kept twice that. */
  loginAttemptMs: 2 * DAY,
  /** recovery_attempt feeds windows of at most 24 hours (10 reset emails per day). */
  recoveryAttemptMs: 2 * DAY,
  /** Passkey challenges, new-device codes, reset links and login challenges: a day past their expiry (support cases). */
  expiredChallengeMs: DAY,
  /** A session row is dead once idle or past its absolute end; kept a day for « Mes sessions » support questions. */
  deadSessionMs: DAY,
  /** A trusted device expired or revoked: 30 days, so that « Mes appareils » questions can still be answered. */
  deadDeviceMs: 30 * DAY,
} as const;

export type PurgeCounts = Record<'loginAttempt' | 'recoveryAttempt' | 'webauthnChallenge' | 'oneTimeCode' | 'resetToken' | 'loginChallenge' | 'session' | 'trustedDevice', number>;

/** Deletes what is past its retention at `now`; each table in its own short statement (no long lock). */
export async function purgeAuthData(db: Database, now: Date): Promise<PurgeCounts> {
  const before = (ms: number) => new Date(now.getTime() - ms);
  const run = async (sql: string, params: unknown[]) => (await db.query(sql, params)).rowCount ?? 0;
  const r = AUTH_RETENTION;
  return {
    loginAttempt: await run(`DELETE FROM login_attempt WHERE attempted_at < $1`, [before(r.loginAttemptMs)]),
    recoveryAttempt: await run(`DELETE FROM recovery_attempt WHERE attempted_at < $1`, [before(r.recoveryAttemptMs)]),
    webauthnChallenge: await run(`DELETE FROM webauthn_challenge WHERE expires_at < $1`, [before(r.expiredChallengeMs)]),
    oneTimeCode: await run(`DELETE FROM one_time_code WHERE expires_at < $1`, [before(r.expiredChallengeMs)]),
    resetToken: await run(`DELETE FROM reset_token WHERE expires_at < $1`, [before(r.expiredChallengeMs)]),
    loginChallenge: await run(`DELETE FROM login_challenge WHERE expires_at < $1`, [before(r.expiredChallengeMs)]),
    session: await run(
      `DELETE FROM session
        WHERE absolute_expires_at < $1
           OR (kind = 'member' AND last_seen_at < $2) OR (kind = 'advisor' AND last_seen_at < $3)`,
      [before(r.deadSessionMs), before(r.deadSessionMs + SESSION_LIMITS.member.idleMs), before(r.deadSessionMs + SESSION_LIMITS.advisor.idleMs)],
    ),
    trustedDevice: await run(`DELETE FROM trusted_device WHERE expires_at < $1 OR revoked_at < $1`, [before(r.deadDeviceMs)]),
  };
}

export function createAuthPurgeJob(db: Database, options: { logger: Logger; clock: () => Date }) {
  return defineJob({
    name: 'purge-auth-data',
    payload: z.object({}),
    // Hourly: the tables stay small under a spraying attack, and a missed run costs nothing.
    cron: '17 * * * *',
    retry: { limit: 0, delaySeconds: 60, backoff: false },
    handler: async () => {
      const counts = await purgeAuthData(db, options.clock());
      options.logger.info({ purged: counts }, 'auth data purged');
    },
  });
}
