/**
 * Passkey login (issue 4): discoverable credentials (no NIR typed), user verification required, signature and
 * counter checked by @simplewebauthn/server against the stored public key. A passkey is a device-bound key unlocked
 * by the device's PIN or biometrics, so the login skips the emailed new-device code.
 *
 * Lock: a passkey never bypasses the member lock; while member_credential is locked (locked_until in the future, or
 * locked until reset), passkey logins fail too, with the same generic answer.
 */
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import type { Queryable } from '../../db/database.ts';
import { challengeOf, consumeChallenge, storeChallenge, webauthn, type RelyingParty } from './passkey-common.ts';

export async function loginOptions(tx: Queryable, input: { rp: RelyingParty; cookie: string; ip: string; now: Date }) {
  const challenge = await storeChallenge(tx, { purpose: 'LOGIN', binding: input.cookie, memberId: null, ip: input.ip, now: input.now });
  return (await webauthn()).generateAuthenticationOptions({ rpID: input.rp.rpID, challenge: new Uint8Array(Buffer.from(challenge, 'base64url')), timeout: 5 * 60_000, userVerification: 'required', allowCredentials: [] });
}

export type PasskeyLoginOutcome =
  | { kind: 'SUCCESS'; memberId: string; credentialId: string }
  | { kind: 'FAILURE'; memberId: string | null; reason: 'CHALLENGE' | 'UNKNOWN_CREDENTIAL' | 'VERIFICATION' | 'COUNTER' | 'LOCKED' };

type CredentialRow = { id: string; member_id: string; public_key: Uint8Array; counter: string | number; transports: string[] };

export async function loginWithPasskey(tx: Queryable, input: { rp: RelyingParty; cookie: string | undefined; response: AuthenticationResponseJSON; now: Date }): Promise<PasskeyLoginOutcome> {
  const { response, now } = input;
  const challenge = challengeOf(response.response?.clientDataJSON);
  if (!(await consumeChallenge(tx, { purpose: 'LOGIN', binding: input.cookie, challenge, now }))) return { kind: 'FAILURE', memberId: null, reason: 'CHALLENGE' };
  const id = typeof response.id === 'string' && /^[A-Za-z0-9_-]{16,1400}$/.test(response.id) ? response.id : null;
  const { rows } = id
    ? await tx.query<CredentialRow>(`SELECT id, member_id, public_key, counter, transports FROM webauthn_credential WHERE id = $1 AND revoked_at IS NULL FOR UPDATE`, [id])
    : { rows: [] as CredentialRow[] };
  const row = rows[0];
  if (!row) return { kind: 'FAILURE', memberId: null, reason: 'UNKNOWN_CREDENTIAL' };
  const memberId = row.member_id;
  let verification;
  try {
    verification = await (await webauthn()).verifyAuthenticationResponse({
      response,
      expectedChallenge: challenge!,
      expectedOrigin: input.rp.origin,
      expectedRPID: input.rp.rpID,
      requireUserVerification: true,
      credential: { id: row.id, publicKey: new Uint8Array(row.public_key), counter: Number(row.counter), transports: (row.transports ?? []) as never[] },
    });
  } catch (error) {
    // The library throws on a counter that did not grow (a cloned authenticator) and on malformed answers.
    return { kind: 'FAILURE', memberId, reason: /counter/i.test(String((error as Error).message)) ? 'COUNTER' : 'VERIFICATION' };
  }
  if (!verification.verified) return { kind: 'FAILURE', memberId, reason: 'VERIFICATION' };
  const lock = await tx.query<{ locked: boolean }>(
    `SELECT (locked_until_reset OR (locked_until IS NOT NULL AND locked_until > $2)) AS locked FROM member_credential WHERE member_id = $1`,
    [memberId, now],
  );
  if (lock.rows[0]?.locked) return { kind: 'FAILURE', memberId, reason: 'LOCKED' };
  await tx.query(`UPDATE webauthn_credential SET counter = $2, last_used_at = $3 WHERE id = $1`, [row.id, verification.authenticationInfo.newCounter, now]);
  return { kind: 'SUCCESS', memberId, credentialId: row.id };
}
