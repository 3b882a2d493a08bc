import { describe, expect, test } from 'vitest';
import { afterFailure, ipThrottle, isLocked, LOGIN_LIMITS, type CredentialLockState } from './lockout.ts';

const now = new Date('2026-03-12T10:00:00Z');
const fresh: CredentialLockState = { consecutiveFailures: 0, lockedUntil: null, lockedUntilReset: false };

describe('lockout rules', () => {
  test('AUTH-03 the figures are the documented ones (ADR 005)', () => {
    expect(LOGIN_LIMITS).toEqual({
      temporaryLockAfterConsecutiveFailures: 3,
      temporaryLockMs: 900_000,
      lockUntilResetAfterConsecutiveFailures: 10,
      lockUntilResetAfterFailuresInWindow: 25,
      failureWindowMs: 86_400_000,
      ipFailuresPerWindow: 10,
      ipFailureWindowMs: 60_000,
      ipDistinctNirsPerWindow: 50,
      ipDistinctNirWindowMs: 86_400_000,
    });
  });

  test('THR-01 the 3rd, 6th and 9th consecutive failures lock for 15 minutes, the 10th until a reset', () => {
    let state = fresh;
    const locks: (string | null)[] = [];
    for (let i = 1; i <= 10; i++) {
      const next = afterFailure(state, i, now);
      locks.push(next.lock);
      state = next;
    }
    expect(locks).toEqual([null, null, 'TEMPORARY', null, null, 'TEMPORARY', null, null, 'TEMPORARY', 'UNTIL_RESET']);
    expect(state.lockedUntilReset).toBe(true);
  });

  test('THR-01 a temporary lock ends after 15 minutes', () => {
    const locked = afterFailure({ ...fresh, consecutiveFailures: 2 }, 3, now);
    expect(locked.lockedUntil).toEqual(new Date(now.getTime() + 15 * 60_000));
    expect(isLocked(locked, new Date(now.getTime() + 15 * 60_000 - 1))).toBe(true);
    expect(isLocked(locked, new Date(now.getTime() + 15 * 60_000))).toBe(false);
    expect(isLocked({ ...fresh, lockedUntilReset: true }, new Date('2099-01-01'))).toBe(true);
  });

  test('THR-01 the 25th failure in 24 h locks until a reset even when the consecutive count is low', () => {
    expect(afterFailure(fresh, 24, now).lock).toBeNull();
    expect(afterFailure(fresh, 25, now).lock).toBe('UNTIL_RESET');
  });

  test('THR-03 an IP is refused after 10 failures, and a 51st distinct NIR is refused while known ones pass', () => {
    expect(ipThrottle({ failuresInWindow: 9, distinctNirsInWindow: 0, nirAlreadySeen: false })).toBeNull();
    expect(ipThrottle({ failuresInWindow: 10, distinctNirsInWindow: 0, nirAlreadySeen: true })).toBe('IP_FAILURES');
    expect(ipThrottle({ failuresInWindow: 0, distinctNirsInWindow: 50, nirAlreadySeen: false })).toBe('IP_DISTINCT_NIRS');
    expect(ipThrottle({ failuresInWindow: 0, distinctNirsInWindow: 50, nirAlreadySeen: true })).toBeNull();
  });
});
