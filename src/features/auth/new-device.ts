/**
 * New-device check and trusted devices (issue 4, AUTH-05, LOG-01).
 *
 * After a right NIR + code from a browser without a valid `__Host-espace-appareil` cookie, no session opens yet: a
 * challenge is stored as a `one_time_code` row (purpose NEW_DEVICE, bound to the login attempt id, 10 minutes, 5
 * tries) and the browser keeps only a signed `__Host-espace-connexion` cookie naming the attempt. A member with a
 * verified email gets a 6-digit code by email (HMAC-SHA-256 under the pepper in the row, the code only in the mail
 * job); a member without one types the code of their newest, unused activation letter (activation_code, argon2id; the
 * answer spends it), and the row then only holds the challenge's state (its hash is of a random secret nobody knows).
 *
 * A right answer marks the row used, remembers the browser (a random 256-bit token in the cookie, its SHA-256 in
 * trusted_device, 90 days) and lets the caller open the session in the same transaction.
 */
import { createHash, createHmac, randomBytes, randomInt } from 'node:crypto';
import type { Queryable } from '../../db/database.ts';
import { verifyAccessCode } from '../../platform/access-code-hash.ts';
import { currentEmail } from '../../db/repositories/contacts.ts';
import { randomToken, safeEqual, type DataKey } from '../../platform/crypto.ts';

export const NEW_DEVICE_LIMITS = {
  /** AUTH-05: the emailed code lives 10 minutes (valid at 599 s, refused at 600 s). */
  otpTtlMs: 10 * 60_000,
  /** Wrong answers before the challenge is void (the member logs in again for a new code). */
  maxAttempts: 5,
  /** At most this many challenges per member per hour, so a known code cannot flood the mailbox. */
  challengesPerHour: 5,
  /** The pending-login cookie outlives the code a little, so that an expired code gets a clear message. */
  pendingCookieMs: 15 * 60_000,
  trustedDeviceMs: 90 * 24 * 3_600_000,
  /** An activation code is voided after 5 wrong tries (RST-04), whichever page they were typed on. */
  activationMaxWrongAttempts: 5,
} as const;

export const DEVICE_COOKIE = '__Host-espace-appareil';
export const PENDING_COOKIE = '__Host-espace-connexion';
export const COOKIE_OPTIONS = { path: '/', httpOnly: true, secure: true, sameSite: 'lax' } as const;

export type ChallengeMethod = 'EMAIL' | 'LETTER';

// ---------------------------------------------------------------------------------------------------------------
// Audit (LOG-01): who, what, when, where; never a code, token or NIR.

export type AuditEntry = {
  now: Date;
  ip: string;
  actorType: 'member' | 'anonymous';
  actorId: string | null;
  action: string;
  memberId: string | null;
  details: Record<string, unknown>;
};

export async function writeAudit(q: Queryable, a: AuditEntry): Promise<void> {
  await q.query(
    `INSERT INTO audit_log (occurred_at, actor_type, actor_id, action, subject_type, subject_id, ip, details)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [a.now, a.actorType, a.actorId, a.action, a.memberId ? 'member' : null, a.memberId, a.ip, JSON.stringify(a.details)],
  );
}

// ---------------------------------------------------------------------------------------------------------------
// The pending login, in a signed cookie: `<attempt id>.<method>.<expiry ms>.<base64url next>.<hmac>`.

export type PendingLogin = { attemptId: string; method: ChallengeMethod | 'NONE' | 'LIMIT'; expiresAt: number; next: string };

const PENDING_METHODS = new Set(['EMAIL', 'LETTER', 'NONE', 'LIMIT']);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const pendingMac = (secret: Buffer, body: string) => createHmac('sha256', secret).update(`pending-login\u0000${body}`).digest('base64url');

export function signPending(secret: Buffer, pending: PendingLogin): string {
  const body = [pending.attemptId, pending.method, String(pending.expiresAt), Buffer.from(pending.next).toString('base64url')].join('.');
  return `${body}.${pendingMac(secret, body)}`;
}

/** The pending login when the cookie is ours, untouched and not expired; null otherwise. */
export function readPending(secret: Buffer, value: string | undefined, now: Date): PendingLogin | null {
  if (!value || value.length > 600) return null;
  const parts = value.split('.');
  if (parts.length !== 5) return null;
  const [attemptId, method, expiry, next, mac] = parts as [string, string, string, string, string];
  if (!safeEqual(mac, pendingMac(secret, parts.slice(0, 4).join('.')))) return null;
  const expiresAt = Number(expiry);
  if (!UUID.test(attemptId) || !PENDING_METHODS.has(method) || !Number.isSafeInteger(expiresAt) || expiresAt <= now.getTime()) return null;
  return { attemptId, method: method as PendingLogin['method'], expiresAt, next: Buffer.from(next, 'base64url').toString('utf8') };
}

// ---------------------------------------------------------------------------------------------------------------
// Trusted devices.

export const tokenHash = (token: string) => createHash('sha256').update(token).digest('base64url');

/** The trusted device this browser's cookie names for this member, if still valid; touches last_used_at. */
export async function useTrustedDevice(tx: Queryable, memberId: string, token: string | undefined, now: Date): Promise<string | null> {
  if (!token || !/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
  const { rows } = await tx.query<{ id: string }>(
    `UPDATE trusted_device SET last_used_at = $3
      WHERE token_hash = $1 AND member_id = $2 AND revoked_at IS NULL AND expires_at > $3
      RETURNING id`,
    [tokenHash(token), memberId, now],
  );
  return rows[0]?.id ?? null;
}

export async function rememberDevice(tx: Queryable, memberId: string, userAgent: string | undefined, now: Date): Promise<{ deviceId: string; token: string; expiresAt: Date }> {
  const token = randomToken(32);
  const expiresAt = new Date(now.getTime() + NEW_DEVICE_LIMITS.trustedDeviceMs);
  const { rows } = await tx.query<{ id: string }>(
    `INSERT INTO trusted_device (member_id, token_hash, user_agent_label, created_at, last_used_at, expires_at)
     VALUES ($1, $2, $3, $4, $4, $5) RETURNING id`,
    [memberId, tokenHash(token), deviceLabel(userAgent), now, expiresAt],
  );
  return { deviceId: rows[0]!.id, token, expiresAt };
}

export type TrustedDevice = { id: string; label: string; createdAt: Date; lastUsedAt: Date | null; current: boolean };

export async function listTrustedDevices(q: Queryable, memberId: string, currentToken: string | undefined, now: Date): Promise<TrustedDevice[]> {
  const current = currentToken ? tokenHash(currentToken) : null;
  const { rows } = await q.query<{ id: string; user_agent_label: string | null; created_at: Date; last_used_at: Date | null; token_hash: string }>(
    `SELECT id, user_agent_label, created_at, last_used_at, token_hash FROM trusted_device
      WHERE member_id = $1 AND revoked_at IS NULL AND expires_at > $2 ORDER BY created_at DESC, id`,
    [memberId, now],
  );
  return rows.map((r) => ({
    id: r.id,
    label: r.user_agent_label ?? 'Navigateur inconnu',
    createdAt: new Date(r.created_at),
    lastUsedAt: r.last_used_at ? new Date(r.last_used_at) : null,
    current: current !== null && r.token_hash === current,
  }));
}

/** Object-level check (AC-02): only the member's own, still active device; null means 404. */
export async function revokeTrustedDevice(tx: Queryable, memberId: string, deviceId: string, now: Date): Promise<{ tokenHash: string } | null> {
  const { rows } = await tx.query<{ token_hash: string }>(
    `UPDATE trusted_device SET revoked_at = $3 WHERE id = $1 AND member_id = $2 AND revoked_at IS NULL AND expires_at > $3 RETURNING token_hash`,
    [deviceId, memberId, now],
  );
  return rows[0] ? { tokenHash: rows[0].token_hash } : null;
}

/** « Firefox sur Windows »: enough for the member to recognise a device, nothing more (≤ 200 characters). */
export function deviceLabel(userAgent: string | undefined): string {
  const ua = userAgent ?? '';
  const browser = /Edg(e|A|iOS)?\//.test(ua)
    ? 'Edge'
    : /OPR\/|Opera/.test(ua)
      ? 'Opera'
      : /Firefox\/|FxiOS\//.test(ua)
        ? 'Firefox'
        : /SamsungBrowser\//.test(ua)
          ? 'Samsung Internet'
          : /Chrome\/|CriOS\/|Chromium\//.test(ua)
            ? 'Chrome'
            : /Safari\//.test(ua)
              ? 'Safari'
              : null;
  const system = /iPhone/.test(ua)
    ? 'iPhone'
    : /iPad/.test(ua)
      ? 'iPad'
      : /Android/.test(ua)
        ? 'Android'
        : /Windows/.test(ua)
          ? 'Windows'
          : /Mac OS X|Macintosh/.test(ua)
            ? 'Mac'
            : /CrOS/.test(ua)
              ? 'ChromeOS'
              : /Linux/.test(ua)
                ? 'Linux'
                : null;
  if (browser && system) return `${browser} sur ${system}`;
  return browser ?? (system ? `Navigateur sur ${system}` : 'Navigateur inconnu');
}

// ---------------------------------------------------------------------------------------------------------------
// The challenge.

const otpHash = (pepper: Buffer, attemptId: string, code: string) =>
  createHmac('sha256', pepper).update(`one-time-code\u0000NEW_DEVICE\u0000${attemptId}\u0000${code}`).digest('base64url');

export type IssuedChallenge =
  | { method: 'EMAIL'; code: string; email: string; challengeId: string }
  | { method: 'LETTER'; challengeId: string }
  | { method: 'NONE' }
  | { method: 'LIMIT' };

/** The household's current email when it is verified (sealed in the database: the key opens it). */
export async function verifiedEmailOf(q: Queryable, key: DataKey, memberId: string): Promise<string | null> {
  return (await currentEmail(q, key, memberId, { verified: true }))?.address ?? null;
}

type ActivationRow = { id: string; code_hash: string; wrong_attempts: number };

/**
 * The newest activation letter's code, if still usable: not voided, not expired and never used (RST-04 « one-time »:
 * a code spent on /activation or on a device check is spent; /activation trusts the browser it was typed in).
 */
async function newestActivationCode(tx: Queryable, memberId: string, now: Date, lock: boolean): Promise<ActivationRow | null> {
  const { rows } = await tx.query<ActivationRow & { voided_at: Date | null; used_at: Date | null; expires_at: Date }>(
    `SELECT id, code_hash, wrong_attempts, voided_at, used_at, expires_at FROM activation_code WHERE member_id = $1
      ORDER BY created_at DESC, id DESC LIMIT 1${lock ? ' FOR UPDATE' : ''}`,
    [memberId],
  );
  const row = rows[0];
  if (!row || row.voided_at !== null || row.used_at !== null || new Date(row.expires_at).getTime() <= now.getTime()) return null;
  return row;
}

/** Creates the challenge of one login attempt, in the caller's transaction (the caller enqueues the email). */
export async function issueChallenge(tx: Queryable, input: { memberId: string; attemptId: string; now: Date; pepper: Buffer; dataKey: DataKey }): Promise<IssuedChallenge> {
  const { memberId, attemptId, now, pepper } = input;
  const { rows } = await tx.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM one_time_code WHERE member_id = $1 AND purpose = 'NEW_DEVICE' AND created_at > $2`,
    [memberId, new Date(now.getTime() - 3_600_000)],
  );
  if (rows[0]!.n >= NEW_DEVICE_LIMITS.challengesPerHour) return { method: 'LIMIT' };
  const email = await verifiedEmailOf(tx, input.dataKey, memberId);
  let code: string | null = null;
  if (!email && !(await newestActivationCode(tx, memberId, now, false))) return { method: 'NONE' };
  if (email) code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  const { rows: inserted } = await tx.query<{ id: string }>(
    `INSERT INTO one_time_code (purpose, member_id, code_hash, bound_to, created_at, expires_at, max_attempts)
     VALUES ('NEW_DEVICE', $1, $2, $3, $4, $5, $6) RETURNING id`,
    [
      memberId,
      otpHash(pepper, attemptId, code ?? randomBytes(32).toString('base64url')),
      attemptId,
      now,
      new Date(now.getTime() + NEW_DEVICE_LIMITS.otpTtlMs),
      NEW_DEVICE_LIMITS.maxAttempts,
    ],
  );
  const challengeId = inserted[0]!.id;
  return email && code ? { method: 'EMAIL', code, email, challengeId } : { method: 'LETTER', challengeId };
}

export type ChallengeState = { memberId: string; challengeId: string; attemptsLeft: number };

type ChallengeRow = { id: string; member_id: string; code_hash: string; expires_at: Date; attempts: number; max_attempts: number; used_at: Date | null };

/** The live challenge of this attempt (bound to it: the attempt must be a successful login of the same member). */
export async function findChallenge(q: Queryable, attemptId: string, now: Date, lock = false): Promise<(ChallengeState & { row: ChallengeRow }) | null> {
  const { rows } = await q.query<ChallengeRow>(
    `SELECT c.id, c.member_id, c.code_hash, c.expires_at, c.attempts, c.max_attempts, c.used_at
       FROM one_time_code c JOIN login_attempt a ON a.id::text = c.bound_to AND a.member_id = c.member_id AND a.outcome = 'SUCCESS'
      WHERE c.purpose = 'NEW_DEVICE' AND c.bound_to = $1
      ORDER BY c.created_at DESC LIMIT 1${lock ? ' FOR UPDATE OF c' : ''}`,
    [attemptId],
  );
  const row = rows[0];
  if (!row || row.used_at !== null || row.attempts >= row.max_attempts || new Date(row.expires_at).getTime() <= now.getTime()) return null;
  return { memberId: row.member_id, challengeId: row.id, attemptsLeft: row.max_attempts - row.attempts, row };
}

export type AnswerOutcome =
  | { kind: 'RIGHT'; memberId: string; challengeId: string }
  | { kind: 'WRONG'; memberId: string; attemptsLeft: number }
  | { kind: 'VOID'; memberId: string | null };

/** Normalises what the member typed: 6 digits for an emailed code, 8 characters A–Z 0–9 for a letter's. */
export function normaliseAnswer(method: ChallengeMethod, typed: string): string | null {
  const compact = typed.replace(/[\s.\-\u00A0\u202F]/g, '');
  if (method === 'EMAIL') return /^[0-9]{6}$/.test(compact) ? compact : null;
  // The same forgiving reading as /activation (recovery-common.ts normaliseActivationCode): O reads as 0, I and L as 1.
  const letter = compact.toUpperCase().replace(/O/g, '0').replace(/[IL]/g, '1');
  return /^[0-9A-HJKMNP-TV-Z]{8}$/.test(letter) ? letter : null;
}

/**
 * Checks one answer under the challenge row's lock: single use, 10 minutes, 5 tries. A wrong letter code also counts
 * against the activation code (voided after 5 wrong tries, RST-04). `answer` is already normalised.
 */
export async function answerChallenge(
  tx: Queryable,
  input: { attemptId: string; method: ChallengeMethod; answer: string; now: Date; pepper: Buffer },
): Promise<AnswerOutcome> {
  const { attemptId, method, answer, now, pepper } = input;
  const challenge = await findChallenge(tx, attemptId, now, true);
  if (!challenge) return { kind: 'VOID', memberId: null };
  const { row, memberId } = challenge;
  let right = false;
  let activation: ActivationRow | null = null;
  if (method === 'EMAIL') {
    right = safeEqual(otpHash(pepper, attemptId, answer), row.code_hash);
  } else {
    activation = await newestActivationCode(tx, memberId, now, true);
    right = activation !== null && (await verifyAccessCode(activation.code_hash, answer, pepper));
  }
  if (right) {
    await tx.query(`UPDATE one_time_code SET used_at = $2, attempts = attempts + 1 WHERE id = $1`, [row.id, now]);
    if (activation) await tx.query(`UPDATE activation_code SET used_at = $2 WHERE id = $1`, [activation.id, now]);
    return { kind: 'RIGHT', memberId, challengeId: row.id };
  }
  const attempts = row.attempts + 1;
  await tx.query(`UPDATE one_time_code SET attempts = $2 WHERE id = $1`, [row.id, attempts]);
  if (activation) {
    const wrong = activation.wrong_attempts + 1;
    await tx.query(`UPDATE activation_code SET wrong_attempts = $2, voided_at = CASE WHEN $3::boolean THEN $4 ELSE voided_at END WHERE id = $1`, [
      activation.id, wrong, wrong >= NEW_DEVICE_LIMITS.activationMaxWrongAttempts, now,
    ]);
    if (wrong >= NEW_DEVICE_LIMITS.activationMaxWrongAttempts) return { kind: 'VOID', memberId };
  }
  if (method === 'LETTER' && !activation) return { kind: 'VOID', memberId };
  if (attempts >= row.max_attempts) return { kind: 'VOID', memberId };
  return { kind: 'WRONG', memberId, attemptsLeft: row.max_attempts - attempts };
}
