import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { insertHousehold, type NewHousehold } from '../../db/repositories/household.ts';
import { insertOrganisation } from '../../db/repositories/organisation.ts';
import { computeNirKey, parseNir } from '../../domain/identity/nir.ts';
import { accessCodeVerifier, hashAccessCode, type AccessCodeVerifier, type Argon2Params } from '../../platform/access-code-hash.ts';
import { createTestDatabase, testDriver, type TestDatabase } from '../../../test/db.ts';
import { testConfig } from '../../../test/app.ts';
import { solvedChallenge } from './login-challenge-test-kit.ts';
import { LOGIN_FAILED_MESSAGE, LOGIN_LIMITS, verifyLogin, type VerifyLoginOutcome } from './verify-login.ts';

const secrets = testConfig().secrets;
const keys = { dataEncryptionKey: secrets.dataEncryptionKey, blindIndexKey: secrets.blindIndexKey };
const pepper = secrets.codePepper;
// Cheap argon2 for the behaviour tests; the timing test uses the real parameters.
const CHEAP: Argon2Params = { memoryCost: 1024, timeCost: 1, parallelism: 1 };
const MINUTE = 60_000;
/** Repeated failures from one IP pass the THR-03 question (login-challenge.test.ts): these tests answer it. */
const solved = <T extends { ip: string; now: Date }>(input: T) => ({ ...input, challenge: solvedChallenge(pepper, input.ip, input.now) });

let db: TestDatabase;
let organisationId: string;
let serial = 0;

beforeAll(async () => {
  db = await createTestDatabase();
  const organisation = await insertOrganisation(db, {
    name: 'Mutuelle Test', amcNumber: '987654321', addressLine1: '1 rue du Test', addressLine2: null, postalCode: '69003', city: 'Lyon', phone: '04 00 00 00 00', professionalPhone: null, email: null,
  });
  organisationId = organisation.id;
});
afterAll(async () => db.close());

/** A fresh NIR for each call, valid key included. */
function newNir(): string {
  serial += 1;
  const body = `2850175${String(100 + (serial % 900)).padStart(3, '0')}${String(Math.floor(serial / 900) + 100).padStart(3, '0')}`;
  return body + computeNirKey(body);
}

/** A distinct client IP for each call, so that tests on accounts do not trip the per-IP limits. */
const newIp = () => {
  serial += 1;
  return `10.${(serial >> 16) & 255}.${(serial >> 8) & 255}.${serial & 255}`;
};

type Member = { memberId: string; nir: string; code: string };

async function createMember(options: { code?: string | null; params?: Argon2Params; now?: Date } = {}): Promise<Member> {
  const nir = newNir();
  const code = options.code === undefined ? '482915' : options.code;
  serial += 1;
  const household: NewHousehold = {
    organisationId,
    memberNumber: `T${String(serial).padStart(7, '0')}`,
    nir,
    beneficiaries: [{ relationship: 'SELF', lastName: 'Durand', firstName: 'Claire', sex: 'F', birthDate: '1985-01-10', birthRank: 1, insuredNir: nir, ownNir: nir, amoFund: '069', noemie: 'ACTIVE' }],
    contracts: [],
    rights: [],
    email: null,
    phones: [],
    address: { recipient: 'CLAIRE DURAND', streetNumber: '3', street: 'rue des Lilas', complement: null, postalCode: '69003', city: 'Lyon', country: 'FR' },
    bankAccount: null,
    createdAt: new Date('2020-01-01T09:00:00Z'),
  };
  const { memberId } = await db.transaction((tx) => insertHousehold(tx, keys, household));
  if (code !== null) {
    await db.query(`INSERT INTO member_credential (member_id, code_hash, code_set_at) VALUES ($1, $2, $3)`, [
      memberId, await hashAccessCode(code, pepper, options.params ?? CHEAP), options.now ?? new Date('2026-01-01T00:00:00Z'),
    ]);
  }
  return { memberId, nir, code: code ?? '' };
}

/** The real verifier (cheap parameters unless told), counting real and dummy evaluations. */
function countingVerifier(params: Argon2Params = CHEAP): AccessCodeVerifier & { real: number; dummy: number } {
  const inner = accessCodeVerifier(pepper, params);
  const counter = {
    real: 0,
    dummy: 0,
    verify: async (hash: string, code: string) => {
      counter.real += 1;
      return inner.verify(hash, code);
    },
    verifyAgainstDummy: async (code: string) => {
      counter.dummy += 1;
      return inner.verifyAgainstDummy(code);
    },
  };
  return counter;
}

const deps = (verifier: AccessCodeVerifier) => ({ keys, pepper, verifier });

async function auditRows(subjectId: string) {
  const { rows } = await db.query<{ action: string; actor_type: string; actor_id: string | null; ip: string; details: Record<string, unknown>; occurred_at: Date }>(
    `SELECT action, actor_type, actor_id, ip, details, occurred_at FROM audit_log WHERE subject_id = $1 ORDER BY id`,
    [subjectId],
  );
  return rows;
}

describe(`verifyLogin (${testDriver()})`, () => {
  test('AUTH-01 the right code logs in; the stored credential and attempt rows hold no code', async () => {
    const member = await createMember();
    const verifier = countingVerifier();
    const now = new Date('2026-03-12T10:00:00Z');
    const outcome = await verifyLogin(db, { nir: member.nir, code: member.code, ip: newIp(), now }, deps(verifier));
    expect(outcome).toEqual({ kind: 'SUCCESS', memberId: member.memberId, attemptId: expect.any(String) });
    expect(verifier.real).toBe(1);
    const { rows } = await db.query(`SELECT c.*, a.* FROM member_credential c JOIN login_attempt a ON a.member_id = c.member_id WHERE c.member_id = $1`, [member.memberId]);
    const dump = JSON.stringify(rows);
    expect(dump).not.toContain(member.code);
    expect(dump).not.toContain(member.nir);
  });

  test('the NIR may be typed with spaces', async () => {
    const member = await createMember();
    const spaced = member.nir.replace(/^(\d)(\d{2})(\d{2})(\d{2})(\d{3})(\d{3})(\d{2})$/, '$1 $2 $3 $4 $5 $6 $7');
    const outcome = await verifyLogin(db, { nir: spaced, code: member.code, ip: newIp(), now: new Date('2026-03-12T10:00:00Z') }, deps(countingVerifier()));
    expect(outcome.kind).toBe('SUCCESS');
  });

  test('a malformed NIR or code is answered in French before any lookup or attempt', async () => {
    const verifier = countingVerifier();
    const ip = newIp();
    const now = new Date('2026-03-12T10:00:00Z');
    const badKey = newNir().slice(0, 13) + '00';
    const wrongKey = parseNir(badKey);
    const outcome = await verifyLogin(db, { nir: badKey, code: '482915', ip, now }, deps(verifier));
    expect(outcome).toEqual({ kind: 'VALIDATION', field: 'nir', reason: wrongKey.ok ? 'none' : wrongKey.error.code, message: wrongKey.ok ? '' : wrongKey.error.message });
    expect(await verifyLogin(db, { nir: '1234', code: '482915', ip, now }, deps(verifier))).toMatchObject({ kind: 'VALIDATION', field: 'nir', reason: 'NIR_LENGTH' });
    const member = await createMember();
    expect(await verifyLogin(db, { nir: member.nir, code: '48291', ip, now }, deps(verifier))).toEqual({
      kind: 'VALIDATION', field: 'code', reason: 'CODE_FORMAT', message: 'Le code d’accès comporte exactement 6 chiffres.',
    });
    expect(verifier.real + verifier.dummy).toBe(0);
    const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM login_attempt WHERE ip = $1`, [ip]);
    expect(rows[0]!.n).toBe(0);
    const { rows: audits } = await db.query<{ action: string; details: Record<string, unknown> }>(`SELECT action, details FROM audit_log WHERE ip = $1 ORDER BY id`, [ip]);
    expect(audits.map((a) => a.action)).toEqual(['auth.login.rejected', 'auth.login.rejected', 'auth.login.rejected']);
    expect(audits.map((a) => a.details.reason)).toEqual(['NIR_KEY', 'NIR_LENGTH', 'CODE_FORMAT']);
  });

  test('THR-01 locks for 15 minutes after 3 consecutive failures; the right code is refused meanwhile and accepted after', async () => {
    const member = await createMember();
    const verifier = countingVerifier();
    const t0 = new Date('2026-03-12T10:00:00Z').getTime();
    const at = (ms: number) => new Date(t0 + ms);
    const outcomes: VerifyLoginOutcome[] = [];
    for (let i = 0; i < 3; i++) outcomes.push(await verifyLogin(db, { nir: member.nir, code: '000001', ip: newIp(), now: at(i * 1000) }, deps(verifier)));
    expect(outcomes.slice(0, 2)).toEqual([{ kind: 'INVALID', lockedNow: null }, { kind: 'INVALID', lockedNow: null }]);
    expect(outcomes[2]).toEqual({ kind: 'INVALID', lockedNow: { memberId: member.memberId, kind: 'TEMPORARY', lockedUntil: at(2000 + 15 * MINUTE) } });
    // The right code during the lock: refused, with no real verification.
    expect(await verifyLogin(db, { nir: member.nir, code: member.code, ip: newIp(), now: at(2000 + 15 * MINUTE - 1) }, deps(verifier))).toEqual({ kind: 'LOCKED', lockedNow: null });
    expect(verifier.real).toBe(3);
    expect(verifier.dummy).toBe(1);
    // The clock moves past the lock: the right code works and clears the counter.
    expect(await verifyLogin(db, { nir: member.nir, code: member.code, ip: newIp(), now: at(2000 + 15 * MINUTE) }, deps(verifier))).toMatchObject({ kind: 'SUCCESS' });
    const { rows } = await db.query<{ consecutive_failures: number; locked_until: Date | null }>(`SELECT consecutive_failures, locked_until FROM member_credential WHERE member_id = $1`, [member.memberId]);
    expect(rows[0]).toEqual({ consecutive_failures: 0, locked_until: null });
    expect((await auditRows(member.memberId)).map((r) => r.action)).toEqual([
      'auth.login.failure', 'auth.login.failure', 'auth.lock', 'auth.login.failure', 'auth.login.success',
    ]);
  });

  test('THR-01 10 consecutive failures lock until a reset, whatever the clock does after', async () => {
    const member = await createMember();
    const verifier = countingVerifier();
    let t = new Date('2026-03-12T10:00:00Z').getTime();
    const locks: (string | null)[] = [];
    for (let i = 1; i <= 10; i++) {
      const outcome = await verifyLogin(db, { nir: member.nir, code: '000001', ip: newIp(), now: new Date(t) }, deps(verifier));
      expect(outcome.kind).toBe('INVALID');
      locks.push(outcome.kind === 'INVALID' ? (outcome.lockedNow?.kind ?? null) : 'unexpected');
      t += i % 3 === 0 ? 15 * MINUTE : 1000;
    }
    expect(locks).toEqual([null, null, 'TEMPORARY', null, null, 'TEMPORARY', null, null, 'TEMPORARY', 'UNTIL_RESET']);
    const later = new Date(t + 30 * 24 * 60 * MINUTE);
    expect(await verifyLogin(db, { nir: member.nir, code: member.code, ip: newIp(), now: later }, deps(verifier))).toEqual({ kind: 'LOCKED', lockedNow: null });
    expect(verifier.real).toBe(10);
  });

  test('THR-01 25 failures in 24 h lock until a reset, even with successes in between', async () => {
    const member = await createMember();
    const verifier = countingVerifier();
    const ip = newIp();
    let t = new Date('2026-03-12T00:00:00Z').getTime();
    const next = () => new Date((t += 2 * MINUTE));
    for (let cycle = 0; cycle < 12; cycle++) {
      expect((await verifyLogin(db, solved({ nir: member.nir, code: '000001', ip, now: next() }), deps(verifier))).kind).toBe('INVALID');
      expect((await verifyLogin(db, solved({ nir: member.nir, code: '000002', ip, now: next() }), deps(verifier))).kind).toBe('INVALID');
      expect((await verifyLogin(db, solved({ nir: member.nir, code: member.code, ip, now: next() }), deps(verifier))).kind).toBe('SUCCESS');
    }
    const outcome = await verifyLogin(db, solved({ nir: member.nir, code: '000003', ip, now: next() }), deps(verifier));
    expect(outcome).toEqual({ kind: 'INVALID', lockedNow: { memberId: member.memberId, kind: 'UNTIL_RESET', lockedUntil: null } });
    expect((await verifyLogin(db, solved({ nir: member.nir, code: member.code, ip, now: next() }), deps(verifier))).kind).toBe('LOCKED');
    const lockRow = (await auditRows(member.memberId)).find((r) => r.action === 'auth.lock')!;
    expect(lockRow.details).toMatchObject({ lock: 'UNTIL_RESET', failuresIn24h: 25, consecutiveFailures: 1 });
  });

  test('THR-02 200 parallel wrong attempts on one account evaluate at most 3 verifications', async () => {
    const member = await createMember();
    const verifier = countingVerifier();
    const now = new Date('2026-03-12T10:00:00Z');
    const outcomes = await Promise.all(
      Array.from({ length: 200 }, (_, i) => verifyLogin(db, { nir: member.nir, code: String(100_000 + i), ip: newIp(), now }, deps(verifier))),
    );
    expect(verifier.real).toBe(3);
    expect(verifier.dummy).toBe(197);
    expect(outcomes.filter((o) => o.kind === 'INVALID')).toHaveLength(3);
    expect(outcomes.filter((o) => o.kind === 'LOCKED')).toHaveLength(197);
    expect(outcomes.filter((o) => o.kind === 'INVALID' && o.lockedNow?.kind === 'TEMPORARY')).toHaveLength(1);
    const { rows } = await db.query<{ consecutive_failures: number }>(`SELECT consecutive_failures FROM member_credential WHERE member_id = $1`, [member.memberId]);
    expect(rows[0]!.consecutive_failures).toBe(3);
    expect(await auditRows(member.memberId)).toHaveLength(200);
  });

  test('ENUM-01 unknown NIR, member without a code and wrong code give the same outcome; a locked account differs only in kind', async () => {
    const member = await createMember();
    const noCode = await createMember({ code: null });
    const verifier = countingVerifier();
    const now = new Date('2026-03-12T10:00:00Z');
    const unknown = await verifyLogin(db, { nir: newNir(), code: '482915', ip: newIp(), now }, deps(verifier));
    const withoutCode = await verifyLogin(db, { nir: noCode.nir, code: '482915', ip: newIp(), now }, deps(verifier));
    const wrong = await verifyLogin(db, { nir: member.nir, code: '000001', ip: newIp(), now }, deps(verifier));
    expect(unknown).toEqual({ kind: 'INVALID', lockedNow: null });
    expect(withoutCode).toEqual(unknown);
    expect(wrong).toEqual(unknown);
    for (let i = 0; i < 2; i++) await verifyLogin(db, { nir: member.nir, code: '000001', ip: newIp(), now }, deps(verifier));
    const locked = await verifyLogin(db, { nir: member.nir, code: member.code, ip: newIp(), now }, deps(verifier));
    expect(locked).toEqual({ kind: 'LOCKED', lockedNow: null });
    expect(Object.keys(locked).sort()).toEqual(Object.keys(unknown).sort());
    // One argon2 evaluation on every path: real for the wrong codes, dummy for unknown, no code and locked.
    expect(verifier.real + verifier.dummy).toBe(6);
    expect(verifier.dummy).toBe(3);
    expect(LOGIN_FAILED_MESSAGE).toMatch(/incorrect/);
  });

  test('THR-03 after 10 failures from one IP in a minute, the 11th attempt is refused, even with a right code, until the minute has passed', async () => {
    const member = await createMember();
    const verifier = countingVerifier();
    const ip = newIp();
    const t0 = new Date('2026-03-12T10:00:00Z').getTime();
    for (let i = 0; i < LOGIN_LIMITS.ipFailuresPerWindow; i++) {
      expect((await verifyLogin(db, solved({ nir: newNir(), code: '482915', ip, now: new Date(t0 + i * 1000) }), deps(verifier))).kind).toBe('INVALID');
    }
    const before = verifier.real + verifier.dummy;
    const refused = await verifyLogin(db, solved({ nir: member.nir, code: member.code, ip, now: new Date(t0 + 10_000) }), deps(verifier));
    expect(refused).toEqual({ kind: 'THROTTLED', reason: 'IP_FAILURES', message: expect.stringMatching(/Trop de tentatives/) });
    expect(verifier.real + verifier.dummy).toBe(before);
    // Another IP is not affected; the same IP is free again once the first failure leaves the window.
    expect((await verifyLogin(db, solved({ nir: member.nir, code: member.code, ip: newIp(), now: new Date(t0 + 10_000) }), deps(verifier))).kind).toBe('SUCCESS');
    expect((await verifyLogin(db, solved({ nir: member.nir, code: member.code, ip, now: new Date(t0 + MINUTE + 1) }), deps(verifier))).kind).toBe('SUCCESS');
  });

  test('THR-03 parallel bursts from one IP cannot overshoot the failure limit', async () => {
    const verifier = countingVerifier();
    const ip = newIp();
    const now = new Date('2026-03-12T10:00:00Z');
    const outcomes = await Promise.all(Array.from({ length: 40 }, () => verifyLogin(db, solved({ nir: newNir(), code: '482915', ip, now }), deps(verifier))));
    expect(outcomes.filter((o) => o.kind === 'INVALID')).toHaveLength(LOGIN_LIMITS.ipFailuresPerWindow);
    expect(outcomes.filter((o) => o.kind === 'THROTTLED')).toHaveLength(40 - LOGIN_LIMITS.ipFailuresPerWindow);
  });

  test('THR-03 a 51st distinct NIR from one IP within 24 h is refused; NIRs already tried still pass', async () => {
    const member = await createMember();
    const verifier = countingVerifier();
    const ip = newIp();
    let t = new Date('2026-03-12T00:00:00Z').getTime();
    expect((await verifyLogin(db, solved({ nir: member.nir, code: member.code, ip, now: new Date(t) }), deps(verifier))).kind).toBe('SUCCESS');
    for (let i = 1; i < LOGIN_LIMITS.ipDistinctNirsPerWindow; i++) {
      t += 10_000; // 6 a minute: under the failure limit
      expect((await verifyLogin(db, solved({ nir: newNir(), code: '482915', ip, now: new Date(t) }), deps(verifier))).kind).toBe('INVALID');
    }
    t += 10_000;
    expect(await verifyLogin(db, solved({ nir: newNir(), code: '482915', ip, now: new Date(t) }), deps(verifier))).toMatchObject({ kind: 'THROTTLED', reason: 'IP_DISTINCT_NIRS' });
    expect((await verifyLogin(db, solved({ nir: member.nir, code: member.code, ip, now: new Date(t) }), deps(verifier))).kind).toBe('SUCCESS');
    const nextDay = new Date(t + 24 * 60 * MINUTE);
    expect((await verifyLogin(db, solved({ nir: newNir(), code: '482915', ip, now: nextDay }), deps(verifier))).kind).toBe('INVALID');
  });

  test('LOG-01 every outcome writes exactly one audit row with who, what, when and where, never the code or the NIR', async () => {
    const member = await createMember({ code: '739184' });
    const verifier = countingVerifier();
    const ip = newIp();
    const t0 = new Date('2026-03-12T10:00:00Z').getTime();
    const count = async () => (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE ip = $1`, [ip])).rows[0]!.n;
    const calls: [string, string, number][] = [
      [member.nir, '739184', 0],
      [member.nir, '000001', 1],
      [member.nir, '000002', 2],
      [member.nir, '000003', 3],
      [member.nir, '739184', 4],
      [member.nir, '7391', 5],
      ['2 85 01', '739184', 6],
    ];
    for (const [nir, code, i] of calls) {
      const before = await count();
      await verifyLogin(db, solved({ nir, code, ip, now: new Date(t0 + i * 1000) }), deps(verifier));
      expect(await count()).toBe(before + 1);
    }
    const { rows } = await db.query<{ action: string; actor_type: string; occurred_at: Date; ip: string }>(`SELECT * FROM audit_log WHERE ip = $1 ORDER BY id`, [ip]);
    expect(rows.map((r) => r.action)).toEqual([
      'auth.login.success', 'auth.login.failure', 'auth.login.failure', 'auth.lock', 'auth.login.failure', 'auth.login.rejected', 'auth.login.rejected',
    ]);
    expect(rows.map((r) => new Date(r.occurred_at).getTime())).toEqual(calls.map(([, , i]) => t0 + i * 1000));
    expect(rows[0]).toMatchObject({ actor_type: 'member', ip });
    const dump = JSON.stringify(rows);
    for (const secret of ['739184', '000001', '000002', '000003', member.nir, member.nir.slice(0, 13)]) expect(dump).not.toContain(secret);
  });

  test('THR-01 the audit of a lock says which lock and until when', async () => {
    const member = await createMember();
    const now = new Date('2026-03-12T10:00:00Z');
    for (let i = 0; i < 3; i++) await verifyLogin(db, { nir: member.nir, code: '000001', ip: newIp(), now }, deps(countingVerifier()));
    const lock = (await auditRows(member.memberId)).find((r) => r.action === 'auth.lock')!;
    expect(lock.details).toMatchObject({ reason: 'WRONG_CODE', lock: 'TEMPORARY', lockedUntil: new Date(now.getTime() + 15 * MINUTE).toISOString(), consecutiveFailures: 3 });
  });
});

describe('member auth schema (AUTH-01, RST-01)', () => {
  test('a clear code, token or OTP does not fit any column', async () => {
    const member = await createMember({ code: null });
    const now = new Date('2026-03-12T10:00:00Z');
    const later = new Date('2026-03-12T10:10:00Z');
    await expect(db.query(`INSERT INTO member_credential (member_id, code_hash, code_set_at) VALUES ($1, '482915', $2)`, [member.memberId, now])).rejects.toThrow();
    await expect(db.query(`INSERT INTO reset_token (member_id, token_hash, created_at, expires_at) VALUES ($1, '482915', $2, $3)`, [member.memberId, now, later])).rejects.toThrow();
    await expect(
      db.query(`INSERT INTO one_time_code (purpose, member_id, code_hash, bound_to, created_at, expires_at) VALUES ('NEW_DEVICE', $1, '482915', $2, $3, $4)`, [member.memberId, randomUUID(), now, later]),
    ).rejects.toThrow();
    await expect(db.query(`INSERT INTO activation_code (member_id, code_hash, created_at, expires_at) VALUES ($1, 'ABCD2345', $2, $3)`, [member.memberId, now, later])).rejects.toThrow();
    await expect(
      db.query(`INSERT INTO trusted_device (member_id, token_hash, created_at, expires_at) VALUES ($1, 'short-token', $2, $3)`, [member.memberId, now, later]),
    ).rejects.toThrow();
  });

  test('no auth column is named like a clear secret', async () => {
    const { rows } = await db.query<{ table_name: string; column_name: string }>(
      `SELECT table_name, column_name FROM information_schema.columns
        WHERE table_schema = 'public' AND table_name IN ('member_credential', 'login_attempt', 'trusted_device', 'one_time_code', 'reset_token', 'activation_code', 'webauthn_credential')
          AND (column_name LIKE '%code%' OR column_name LIKE '%token%' OR column_name LIKE '%otp%')`,
    );
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(`${row.table_name}.${row.column_name}`).toMatch(/_hash$|_at$/);
  });
});
