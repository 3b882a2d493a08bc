import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { LOGIN_LIMITS } from '../../domain/auth/lockout.ts';
import { ACCESS_CODE_ARGON2 } from '../../platform/access-code-hash.ts';
import { SESSION_LIMITS } from '../../platform/http/sessions.ts';
import { LOGIN_CHALLENGE_LIMITS } from './login-challenge.ts';
import { NEW_DEVICE_LIMITS } from './new-device.ts';
import { RECOVERY_LIMITS } from './recovery-common.ts';

const settings: Record<string, unknown> = { LOGIN_LIMITS, LOGIN_CHALLENGE_LIMITS, NEW_DEVICE_LIMITS, RECOVERY_LIMITS, ACCESS_CODE_ARGON2, SESSION_LIMITS };

test('AUTH-03 the deviation record for the short code documents the values the code uses (no drift)', () => {
  const doc = readFileSync('docs/security/short-access-code.md', 'utf8');
  const rows = [...doc.matchAll(/^\| `([A-Z_0-9]+(?:\.[A-Za-z0-9]+)+)` \| (\d+) \|$/gm)];
  expect(rows.length).toBeGreaterThanOrEqual(20);
  for (const [, path, value] of rows) {
    const actual = path!.split('.').reduce<unknown>((object, key) => (object as Record<string, unknown>)?.[key], settings);
    expect(actual, path).toBe(Number(value));
  }
});
