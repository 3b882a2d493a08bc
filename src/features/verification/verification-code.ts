import { createPrivateKey, createPublicKey, sign as signBytes, verify as verifyBytes, type KeyObject } from 'node:crypto';
import QRCode from 'qrcode';
import type { Config, DocumentSigningConfig } from '../../platform/config.ts';
import {
  decodeClaims,
  encodeClaims,
  encodeProtectedHeader,
  formatCode,
  parseCode,
  toBeSigned,
  type DecodedPayload,
  type VerificationClaims,
  type VerificationDocumentType,
} from '../../domain/verification/verification-payload.ts';

export type { VerificationClaims, VerificationDocumentType };

export interface DocumentSigner {
  /**
   * The compact signed code to print in the QR code (ES256, current key id).
   * Throws RangeError on claims that cannot be encoded (impossible date, hash not 32 bytes of base64url, over 12 beneficiaries).
   */
  sign(claims: VerificationClaims): string;
}

/** Why a code is or is not authentic: stable codes, shown in French by the page and returned by the API. */
export type VerificationReason = 'VALID' | 'EXPIRED' | 'MALFORMED' | 'UNSUPPORTED_ALGORITHM' | 'UNKNOWN_KEY' | 'REVOKED_KEY' | 'BAD_SIGNATURE';

export type VerificationOutcome =
  | { status: 'authentic' | 'expired'; reason: 'VALID' | 'EXPIRED'; fields: DecodedPayload }
  | { status: 'not_authentic'; reason: Exclude<VerificationReason, 'VALID' | 'EXPIRED'>; fields: null };

type KeyRing = { issuer: string; activeKeyId: string; signingKey: KeyObject; verifyingKeys: Map<string, KeyObject>; revoked: Set<string> };

function keyRingOf(settings: DocumentSigningConfig): KeyRing {
  const active = settings.keys.find((k) => k.kid === settings.activeKeyId && k.d);
  if (!active) throw new Error(`no private key for the active key id ${settings.activeKeyId}`);
  return {
    issuer: settings.issuer,
    activeKeyId: settings.activeKeyId,
    signingKey: createPrivateKey({ key: active, format: 'jwk' }),
    verifyingKeys: new Map(settings.keys.map((k) => [k.kid, createPublicKey({ key: { kty: k.kty, crv: k.crv, x: k.x, y: k.y }, format: 'jwk' })])),
    revoked: new Set(settings.revokedKeyIds),
  };
}

const rings = new WeakMap<DocumentSigningConfig, KeyRing>();
function ringFor(config: Pick<Config, 'documentSigning'>): KeyRing {
  let ring = rings.get(config.documentSigning);
  if (!ring) rings.set(config.documentSigning, (ring = keyRingOf(config.documentSigning)));
  return ring;
}

/** The signer of this configuration's active key, built once per configuration (routes, use cases and jobs all receive `config`). */
export function documentSignerFor(config: Pick<Config, 'documentSigning'>): DocumentSigner {
  const ring = ringFor(config);
  return {
    sign(claims) {
      const protectedHeader = encodeProtectedHeader(ring.activeKeyId);
      const payload = encodeClaims(claims, ring.issuer);
      // ieee-p1363: the raw 64-byte r‖s signature COSE and JOSE use, not DER.
      const signature = signBytes('sha256', toBeSigned(protectedHeader, payload), { key: ring.signingKey, dsaEncoding: 'ieee-p1363' });
      return formatCode(protectedHeader, payload, signature);
    },
  };
}

/**
 * Checks a code (or the /verifier URL a QR code holds) against this configuration's keys; never throws.
 * `today` is the mutuelle's calendar date (YYYY-MM-DD, Europe/Paris): a document is expired the day after validUntil.
 * The issuer is shown, not checked: a signature by one of our keys proves the document, and a new PUBLIC_URL must not void printed cards.
 */
export function verifyDocumentCode(config: Pick<Config, 'documentSigning'>, input: string, today: string): VerificationOutcome {
  const ring = ringFor(config);
  const parsed = parseCode(codeOf(input));
  if (!parsed.ok) return { status: 'not_authentic', reason: parsed.error, fields: null };
  const { keyId, protectedHeader, payload, signature } = parsed.value;
  const key = ring.verifyingKeys.get(keyId);
  if (!key) return { status: 'not_authentic', reason: 'UNKNOWN_KEY', fields: null };
  if (signature.length !== 64 || !verifyBytes('sha256', toBeSigned(protectedHeader, payload), { key, dsaEncoding: 'ieee-p1363' }, signature)) {
    return { status: 'not_authentic', reason: 'BAD_SIGNATURE', fields: null };
  }
  // Checked after the signature, so that « révoquée » is said only of codes that key really signed, not of forgeries naming it.
  if (ring.revoked.has(keyId)) return { status: 'not_authentic', reason: 'REVOKED_KEY', fields: null };
  const fields = decodeClaims(payload, keyId);
  if (!fields) return { status: 'not_authentic', reason: 'MALFORMED', fields: null };
  return today > fields.validUntil ? { status: 'expired', reason: 'EXPIRED', fields } : { status: 'authentic', reason: 'VALID', fields };
}

/** The public keys that verify codes, revoked ones left out (GET /.well-known/jwks.json). */
export function publicJwks(config: Pick<Config, 'documentSigning'>) {
  const { keys, revokedKeyIds } = config.documentSigning;
  return { keys: keys.filter((k) => !revokedKeyIds.includes(k.kid)).map((k) => ({ kty: k.kty, crv: k.crv, kid: k.kid, x: k.x, y: k.y, alg: 'ES256' as const, use: 'sig' as const })) };
}

/** The code inside what was scanned or pasted: the bare code, or the `code` parameter of a /verifier URL. */
export function codeOf(input: string): string {
  const text = input.trim();
  if (!/^https?:\/\//i.test(text)) return text;
  try {
    return new URL(text).searchParams.get('code') ?? '';
  } catch {
    return '';
  }
}

/** What the QR code holds: the issuer's /verifier URL with the code, so that a phone's camera opens the answer. */
export function verificationUrl(code: string): string {
  const parsed = parseCode(code);
  const issuer = parsed.ok ? decodeClaims(parsed.value.payload, parsed.value.keyId)?.issuer : undefined;
  if (!issuer) throw new RangeError('not a verification code');
  // The code's alphabet (A-Z a-z 0-9 - _ and the prefix's ':') needs no escaping in a query string.
  return `${issuer}/verifier?code=${code}`;
}

/** The QR code of a signed code, for a PDF (pdfkit) or an HTML page: SVG markup and/or PNG bytes. */
export async function verificationQr(code: string): Promise<{ svg: string; png: Buffer }> {
  const text = verificationUrl(code);
  // Level M (15 % recovery) keeps the symbol small enough for a card; margin 4 is the quiet zone the standard asks for.
  const options = { errorCorrectionLevel: 'M', margin: 4 } as const;
  const [svg, png] = await Promise.all([QRCode.toString(text, { ...options, type: 'svg' }), QRCode.toBuffer(text, { ...options, type: 'png', scale: 4 })]);
  return { svg, png };
}
