/**
 * Login throttling rules (THR-01, THR-03), pure: the use case loads the counters, these functions
 * decide, the use case stores. All figures live in LOGIN_LIMITS, which the ADR 005 and the tests quote.
 */

export const LOGIN_LIMITS = {
  /** THR-01 / CNIL 2022-100 case 3: a 15-minute lock after every 3rd consecutive failure. */
  temporaryLockAfterConsecutiveFailures: 3,
  temporaryLockMs: 15 * 60_000,
  /** ANS EXI 25: lock until a reset after ≤ 10 consecutive failures… */
  lockUntilResetAfterConsecutiveFailures: 10,
  /** …or ≤ 25 failures in a rolling 24 h, whatever succeeded in between. */
  lockUntilResetAfterFailuresInWindow: 25,
  failureWindowMs: 24 * 60 * 60_000,
  /** THR-03 (proposed figures): per client IP, at most 10 failed logins in a rolling minute… */
  ipFailuresPerWindow: 10,
  ipFailureWindowMs: 60_000,
  /** …and at most 50 distinct NIRs tried in a rolling 24 h (NIRs already tried from the IP stay allowed). */
  ipDistinctNirsPerWindow: 50,
  ipDistinctNirWindowMs: 24 * 60 * 60_000,
} as const;

export type LoginLimits = { readonly [K in keyof typeof LOGIN_LIMITS]: number };

export type CredentialLockState = {
  consecutiveFailures: number;
  lockedUntil: Date | null;
  lockedUntilReset: boolean;
};

export type LockKind = 'TEMPORARY' | 'UNTIL_RESET';

/** Whether a login attempt may be evaluated at all now. */
export function isLocked(state: CredentialLockState, now: Date): boolean {
  return state.lockedUntilReset || (state.lockedUntil !== null && state.lockedUntil.getTime() > now.getTime());
}

export type AfterFailure = CredentialLockState & { lock: LockKind | null };

/**
 * The state after one more wrong code. `failuresInWindow` counts the failures of the rolling window
 * including this one. The consecutive counter survives temporary locks (3 → lock, 6 → lock, 9 → lock,
 * 10 → lock until reset); only a success or a reset clears it.
 */
export function afterFailure(state: CredentialLockState, failuresInWindow: number, now: Date, limits: LoginLimits = LOGIN_LIMITS): AfterFailure {
  const consecutiveFailures = state.consecutiveFailures + 1;
  if (consecutiveFailures >= limits.lockUntilResetAfterConsecutiveFailures || failuresInWindow >= limits.lockUntilResetAfterFailuresInWindow) {
    return { consecutiveFailures, lockedUntil: null, lockedUntilReset: true, lock: 'UNTIL_RESET' };
  }
  if (consecutiveFailures % limits.temporaryLockAfterConsecutiveFailures === 0) {
    return { consecutiveFailures, lockedUntil: new Date(now.getTime() + limits.temporaryLockMs), lockedUntilReset: false, lock: 'TEMPORARY' };
  }
  return { consecutiveFailures, lockedUntil: state.lockedUntil, lockedUntilReset: state.lockedUntilReset, lock: null };
}

export type IpCounters = { failuresInWindow: number; distinctNirsInWindow: number; nirAlreadySeen: boolean };
export type IpThrottle = 'IP_FAILURES' | 'IP_DISTINCT_NIRS';

/** THR-03: whether a new attempt from this IP is refused before any lookup. */
export function ipThrottle(counters: IpCounters, limits: LoginLimits = LOGIN_LIMITS): IpThrottle | null {
  if (counters.failuresInWindow >= limits.ipFailuresPerWindow) return 'IP_FAILURES';
  if (!counters.nirAlreadySeen && counters.distinctNirsInWindow >= limits.ipDistinctNirsPerWindow) return 'IP_DISTINCT_NIRS';
  return null;
}
