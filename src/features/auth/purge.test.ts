/**
 * LOG-05 / DATA-05: the purge-auth-data job removes the authentication rows past their retention (AUTH_RETENTION) and
 * keeps the live ones, on fixtures placed around each limit.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestDatabase, testDriver, type TestDatabase } from '../../../test/db.ts';
import { insertOrganisation } from '../../db/repositories/organisation.ts';
import { testConfig, testLogger } from '../../../test/app.ts';
import { createHouseholdMember, newIp } from './recovery-test-kit.ts';
import { AUTH_RETENTION, createAuthPurgeJob, purgeAuthData } from './purge.ts';
import { SESSION_LIMITS } from '../../platform/http/sessions.ts';

const NOW = new Date('2026-03-12T10:00:00Z');
const ago = (ms: number) => new Date(NOW.getTime() - ms);
const SECOND = 1000;
const DAY = 24 * 3_600_000;
const token = () => randomUUID().replace(/-/g, '').padEnd(43, 'A');

let db: TestDatabase;
let memberId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  const organisationId = (
    await insertOrganisation(db, {
      name: 'Mutuelle Test', amcNumber: '987654321', addressLine1: '1 rue du Test', addressLine2: null, postalCode: '69003', city: 'Lyon', phone: '04 00 00 00 00', professionalPhone: null, email: null,
    })
  ).id;
  const secrets = testConfig().secrets;
  memberId = (await createHouseholdMember(db, { dataEncryptionKey: secrets.dataEncryptionKey, blindIndexKey: secrets.blindIndexKey }, { organisationId })).memberId;
});
afterAll(async () => db?.close());

/** One row just past its limit ('old') and one just inside it ('live') for every table; returns the ids by label. */
async function fixtures(): Promise<Record<string, string>> {
  const ids: Record<string, string> = {};
  const r = AUTH_RETENTION;
  for (const [label, at] of [['old', ago(r.loginAttemptMs + SECOND)], ['live', ago(r.loginAttemptMs - SECOND)]] as const) {
    ids[`login_attempt.${label}`] = randomUUID();
    await db.query(`INSERT INTO login_attempt (id, ip, nir_hmac, outcome, attempted_at) VALUES ($1, $2, 'x', 'FAILURE', $3)`, [ids[`login_attempt.${label}`], newIp(), at]);
    ids[`recovery_attempt.${label}`] = randomUUID();
    await db.query(`INSERT INTO recovery_attempt (id, kind, ip, nir_hmac, outcome, attempted_at) VALUES ($1, 'ACTIVATION', $2, 'x', 'FAILURE', $3)`, [ids[`recovery_attempt.${label}`], newIp(), at]);
  }
  for (const [label, expires] of [['old', ago(r.expiredChallengeMs + SECOND)], ['live', ago(r.expiredChallengeMs - SECOND)]] as const) {
    const created = new Date(expires.getTime() - 5 * 60_000);
    ids[`webauthn_challenge.${label}`] = randomUUID();
    await db.query(`INSERT INTO webauthn_challenge (id, purpose, challenge, bound_to, member_id, ip, created_at, expires_at) VALUES ($1, 'LOGIN', $2, $3, NULL, '10.0.0.1', $4, $5)`, [
      ids[`webauthn_challenge.${label}`], token(), token(), created, expires,
    ]);
    ids[`one_time_code.${label}`] = randomUUID();
    await db.query(`INSERT INTO one_time_code (id, purpose, member_id, code_hash, bound_to, created_at, expires_at) VALUES ($1, 'NEW_DEVICE', $2, $3, 'x', $4, $5)`, [
      ids[`one_time_code.${label}`], memberId, token(), created, expires,
    ]);
    ids[`reset_token.${label}`] = randomUUID();
    await db.query(`INSERT INTO reset_token (id, member_id, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`, [ids[`reset_token.${label}`], memberId, token(), created, expires]);
    ids[`login_challenge.${label}`] = randomUUID().replace(/-/g, '').slice(0, 22);
    await db.query(`INSERT INTO login_challenge (nonce, ip, used_at, expires_at) VALUES ($1, '10.0.0.1', $2, $3)`, [ids[`login_challenge.${label}`], created, expires]);
  }
  // Sessions: dead by idleness, dead by the absolute limit, and a live one that has been open for 3 hours.
  const sessions: [string, Date, Date][] = [
    ['idle.old', ago(r.deadSessionMs + SESSION_LIMITS.member.idleMs + SECOND), new Date(NOW.getTime() + DAY)],
    ['idle.live', ago(r.deadSessionMs + SESSION_LIMITS.member.idleMs - SECOND), new Date(NOW.getTime() + DAY)],
    ['absolute.old', NOW, ago(r.deadSessionMs + SECOND)],
    ['absolute.live', NOW, ago(r.deadSessionMs - SECOND)],
    ['open.live', ago(60_000), new Date(NOW.getTime() + 3_600_000)],
  ];
  for (const [label, lastSeen, absolute] of sessions) {
    ids[`session.${label}`] = token();
    await db.query(`INSERT INTO session (id_hash, kind, subject_id, created_at, last_seen_at, absolute_expires_at) VALUES ($1, 'member', $2, $3, $4, $5)`, [
      ids[`session.${label}`], memberId, ago(4 * 3_600_000), lastSeen, absolute,
    ]);
  }
  // Trusted devices: expired or revoked 30 days ago (gone) or just less (kept), and a valid one.
  const devices: [string, Date, Date | null][] = [
    ['expired.old', ago(r.deadDeviceMs + SECOND), null],
    ['expired.live', ago(r.deadDeviceMs - SECOND), null],
    ['revoked.old', new Date(NOW.getTime() + DAY), ago(r.deadDeviceMs + SECOND)],
    ['revoked.live', new Date(NOW.getTime() + DAY), ago(r.deadDeviceMs - SECOND)],
    ['valid.live', new Date(NOW.getTime() + 80 * DAY), null],
  ];
  for (const [label, expires, revoked] of devices) {
    ids[`trusted_device.${label}`] = randomUUID();
    await db.query(`INSERT INTO trusted_device (id, member_id, token_hash, created_at, expires_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6)`, [
      ids[`trusted_device.${label}`], memberId, token(), new Date(expires.getTime() - 90 * DAY), expires, revoked,
    ]);
  }
  return ids;
}

const KEY: Record<string, string> = {
  login_attempt: 'id', recovery_attempt: 'id', webauthn_challenge: 'id', one_time_code: 'id', reset_token: 'id', login_challenge: 'nonce', session: 'id_hash', trusted_device: 'id',
};

async function exists(label: string, id: string): Promise<boolean> {
  const table = label.split('.')[0]!;
  const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE ${KEY[table]}::text = $1`, [id]);
  return rows[0]!.n === 1;
}

describe(`purge of authentication data (${testDriver()})`, () => {
  test('LOG-05 DATA-05 rows past their retention go, live rows stay, on every table', async () => {
    const ids = await fixtures();
    const counts = await purgeAuthData(db, NOW);
    for (const [label, id] of Object.entries(ids)) expect([label, await exists(label, id)]).toEqual([label, label.endsWith('.live')]);
    expect(counts).toMatchObject({ loginAttempt: expect.any(Number), session: expect.any(Number) });
    expect(Object.values(counts).every((n) => n >= 1)).toBe(true);
    // A second run finds nothing more.
    expect(Object.values(await purgeAuthData(db, NOW)).every((n) => n === 0)).toBe(true);
  });

  test('the job runs hourly under pg-boss and purges with its clock', async () => {
    const job = createAuthPurgeJob(db, { logger: testLogger('purge'), clock: () => new Date(NOW.getTime() + 400 * DAY) });
    expect(job).toMatchObject({ name: 'purge-auth-data', cron: '17 * * * *' });
    await job.handler({}, { jobId: 'test', log: testLogger('purge') });
    const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM trusted_device WHERE member_id = $1`, [memberId]);
    expect(rows[0]!.n).toBe(0);
  });
});
