/**
 * Passkey registration (issue 4) for a member who is logged in: creation options (user verification required,
 * resident key preferred, the member's passkeys excluded), then verification of the authenticator's answer against the
 * single-use challenge bound to the session, and storage of the credential (public key, counter, transports).
 */
import { createHmac } from 'node:crypto';
import type { RegistrationResponseJSON } from '@simplewebauthn/server';
import type { Queryable } from '../../db/database.ts';
import type { SendEmailPayload } from '../../platform/mail-job.ts';
import { consumeChallenge, challengeOf, storeChallenge, webauthn, type RelyingParty } from './passkey-common.ts';

/** A stable, opaque WebAuthn user handle: HMAC of the member id (never the NIR, never the raw id). */
export const userHandleOf = (secret: Buffer, memberId: string) => createHmac('sha256', secret).update(`webauthn-user\u0000${memberId}`).digest();

export async function registrationOptions(
  tx: Queryable,
  input: { rp: RelyingParty; memberId: string; displayName: string; sessionCookie: string; ip: string; now: Date; secret: Buffer },
) {
  const { rows } = await tx.query<{ id: string; transports: string[] }>(`SELECT id, transports FROM webauthn_credential WHERE member_id = $1 AND revoked_at IS NULL`, [input.memberId]);
  const challenge = await storeChallenge(tx, { purpose: 'REGISTER', binding: input.sessionCookie, memberId: input.memberId, ip: input.ip, now: input.now });
  return (await webauthn()).generateRegistrationOptions({
    rpName: input.rp.rpName,
    rpID: input.rp.rpID,
    userName: input.displayName,
    userDisplayName: input.displayName,
    userID: new Uint8Array(userHandleOf(input.secret, input.memberId)),
    challenge: new Uint8Array(Buffer.from(challenge, 'base64url')),
    timeout: 5 * 60_000,
    attestationType: 'none',
    excludeCredentials: rows.map((r) => ({ id: r.id, transports: (r.transports ?? []) as never[] })),
    authenticatorSelection: { residentKey: 'preferred', userVerification: 'required' },
  });
}

export type RegistrationOutcome = { kind: 'REGISTERED'; credentialId: string } | { kind: 'REFUSED'; reason: 'CHALLENGE' | 'VERIFICATION' | 'DUPLICATE' };

export async function registerPasskey(
  tx: Queryable,
  input: { rp: RelyingParty; memberId: string; sessionCookie: string; response: RegistrationResponseJSON; label: string; now: Date },
): Promise<RegistrationOutcome> {
  const challenge = challengeOf(input.response.response?.clientDataJSON);
  if (!(await consumeChallenge(tx, { purpose: 'REGISTER', binding: input.sessionCookie, challenge, memberId: input.memberId, now: input.now }))) {
    return { kind: 'REFUSED', reason: 'CHALLENGE' };
  }
  let verification;
  try {
    verification = await (await webauthn()).verifyRegistrationResponse({
      response: input.response,
      expectedChallenge: challenge!,
      expectedOrigin: input.rp.origin,
      expectedRPID: input.rp.rpID,
      requireUserVerification: true,
    });
  } catch {
    return { kind: 'REFUSED', reason: 'VERIFICATION' };
  }
  if (!verification.verified) return { kind: 'REFUSED', reason: 'VERIFICATION' };
  const { credential, credentialBackedUp, credentialDeviceType } = verification.registrationInfo;
  const { rowCount } = await tx.query(
    `INSERT INTO webauthn_credential (id, member_id, public_key, counter, transports, label, created_at, backed_up, device_type)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING`,
    [credential.id, input.memberId, Buffer.from(credential.publicKey), credential.counter, credential.transports ?? [], input.label.slice(0, 100), input.now, credentialBackedUp, credentialDeviceType],
  );
  if (rowCount !== 1) return { kind: 'REFUSED', reason: 'DUPLICATE' };
  return { kind: 'REGISTERED', credentialId: credential.id };
}

/** FRD-07: no NIR, no code; the notice tells how to remove a passkey the member does not recognise. */
export function passkeyNoticeMail(m: { to: string; organisationName: string; phone: string; publicUrl: string; label: string; credentialId: string }): SendEmailPayload {
  const paragraphs = [
    'Bonjour,',
    `Une clé d’accès (${m.label}) vient d’être ajoutée à votre espace adhérent ${m.organisationName} : elle permet de vous connecter sans saisir votre code.`,
    `Si c’est bien vous, vous n’avez rien à faire. Sinon, retirez-la de la liste « Mes clés d’accès » sur ${m.publicUrl}/profil/securite/cles-d-acces, choisissez un nouveau code d’accès sur ${m.publicUrl}/code-oublie, ou appelez-nous au ${m.phone}.`,
    m.organisationName,
  ];
  const escape = (text: string) => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
  return {
    to: m.to,
    subject: 'Nouvelle clé d’accès ajoutée à votre espace adhérent',
    text: paragraphs.join('\n\n') + '\n',
    html: `<!doctype html><html lang="fr"><body>${paragraphs.map((p) => `<p>${escape(p)}</p>`).join('')}</body></html>`,
    idempotencyKey: `passkey-notice:${m.credentialId.slice(0, 60)}`,
  };
}
