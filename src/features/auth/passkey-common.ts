/**
 * Passkeys (WebAuthn, issue 4): the relying party and the challenge store shared by registration and login.
 *
 * A challenge is a random 256-bit base64url string kept in webauthn_challenge (migration 0005): 5 minutes, single use
 * (the first answer consumes it, right or wrong), bound either to the member's session (registration) or to an opaque
 * cookie (login); both bindings are stored as SHA-256 digests.
 */
import type { Queryable } from '../../db/database.ts';
import { randomToken } from '../../platform/crypto.ts';
import { tokenHash } from './new-device.ts';

export const PASSKEY_LIMITS = {
  challengeTtlMs: 5 * 60_000,
  /** Anonymous login options per IP in 5 minutes: each one is a row, so an unbounded loop must not fill the table. */
  loginOptionsPerIp: 30,
} as const;

/** The opaque cookie that names a passkey login in progress (its SHA-256 is the challenge's binding). */
export const PASSKEY_LOGIN_COOKIE = '__Host-espace-cle';

export type RelyingParty = { rpID: string; rpName: string; origin: string };

/** rpID is the public URL's host name (localhost in the browser tests), the expected origin its origin. */
export function relyingParty(publicUrl: string, organisationName: string): RelyingParty {
  const url = new URL(publicUrl);
  return { rpID: url.hostname, rpName: organisationName, origin: url.origin };
}

export type ChallengePurpose = 'REGISTER' | 'LOGIN';

export async function storeChallenge(
  tx: Queryable,
  input: { purpose: ChallengePurpose; binding: string; memberId: string | null; ip: string; now: Date },
): Promise<string> {
  const challenge = randomToken(32);
  await tx.query(
    `INSERT INTO webauthn_challenge (purpose, challenge, bound_to, member_id, ip, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [input.purpose, challenge, tokenHash(input.binding), input.memberId, input.ip.slice(0, 64), input.now, new Date(input.now.getTime() + PASSKEY_LIMITS.challengeTtlMs)],
  );
  return challenge;
}

/**
 * Consumes the challenge the browser signed, if it is ours, for this purpose and binding, unused and not expired; null
 * otherwise. One UPDATE, so two concurrent answers cannot both use it.
 */
export async function consumeChallenge(
  tx: Queryable,
  input: { purpose: ChallengePurpose; binding: string | undefined; challenge: string | null; memberId?: string; now: Date },
): Promise<boolean> {
  if (!input.binding || !input.challenge || !/^[A-Za-z0-9_-]{43}$/.test(input.challenge)) return false;
  const { rows } = await tx.query<{ id: string }>(
    `UPDATE webauthn_challenge SET used_at = $4
      WHERE challenge = $1 AND purpose = $2 AND bound_to = $3 AND used_at IS NULL AND expires_at > $4
        AND member_id IS NOT DISTINCT FROM $5
      RETURNING id`,
    [input.challenge, input.purpose, tokenHash(input.binding), input.now, input.memberId ?? null],
  );
  return rows.length === 1;
}

export async function recentLoginOptions(q: Queryable, ip: string, now: Date): Promise<number> {
  const { rows } = await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM webauthn_challenge WHERE purpose = 'LOGIN' AND ip = $1 AND created_at > $2`, [
    ip.slice(0, 64), new Date(now.getTime() - PASSKEY_LIMITS.challengeTtlMs),
  ]);
  return rows[0]!.n;
}

/** The challenge inside a response's clientDataJSON (the library checks it again against the one we consumed). */
export function challengeOf(clientDataJSON: unknown): string | null {
  if (typeof clientDataJSON !== 'string' || clientDataJSON.length > 4000) return null;
  try {
    const data = JSON.parse(Buffer.from(clientDataJSON, 'base64url').toString('utf8')) as { challenge?: unknown };
    return typeof data.challenge === 'string' ? data.challenge : null;
  } catch {
    return null;
  }
}

export type StoredPasskey = { id: string; label: string; createdAt: Date; lastUsedAt: Date | null; transports: string[] };

export async function listPasskeys(q: Queryable, memberId: string): Promise<StoredPasskey[]> {
  const { rows } = await q.query<{ id: string; label: string | null; created_at: Date; last_used_at: Date | null; transports: string[] }>(
    `SELECT id, label, created_at, last_used_at, transports FROM webauthn_credential WHERE member_id = $1 AND revoked_at IS NULL ORDER BY created_at DESC, id`,
    [memberId],
  );
  return rows.map((r) => ({
    id: r.id,
    label: r.label ?? 'Clé d’accès',
    createdAt: new Date(r.created_at),
    lastUsedAt: r.last_used_at ? new Date(r.last_used_at) : null,
    transports: r.transports ?? [],
  }));
}

/** Object-level check (AC-02): only the member's own active passkey; false means 404. */
export async function removePasskey(tx: Queryable, memberId: string, credentialId: string, now: Date): Promise<boolean> {
  const { rowCount } = await tx.query(`UPDATE webauthn_credential SET revoked_at = $3 WHERE id = $1 AND member_id = $2 AND revoked_at IS NULL`, [credentialId, memberId, now]);
  return rowCount === 1;
}

/** @simplewebauthn/server is loaded on first use: importing it costs about 0.5 s of every start-up. */
export const webauthn = () => import('@simplewebauthn/server');
