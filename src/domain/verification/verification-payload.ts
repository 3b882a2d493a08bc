import { decode, Tag } from 'cbor2';
import { parseIsoDate } from '../dates.ts';
import { CborTagged, encodeCbor, type CborValue } from './cbor-encode.ts';

/** Context prefix of every code (« Espace Adhérent », format 1): tells our codes apart from other systems' QR codes. */
export const CODE_PREFIX = 'EA1:';
/** Longer input is refused before any decoding (a real code is about 300 characters). */
export const MAX_CODE_LENGTH = 2048;

export type VerificationDocumentType = 'CARTE_TP' | 'ATTESTATION_DROITS';

export type VerificationClaims = {
  documentType: VerificationDocumentType;
  memberNumber: string;
  beneficiaries: { initials: string; birthDate: string /* YYYY-MM-DD */ }[];
  validFrom: string; // YYYY-MM-DD
  validUntil: string; // YYYY-MM-DD
  issuedAt: string; // ISO 8601 date-time
  documentHash: string; // base64url SHA-256 of the document's canonical facts, computed by the documents feature
};

/** What a code carries once decoded: the claims, who issued them and with which key. */
export type DecodedPayload = VerificationClaims & { issuer: string; keyId: string };

// Integer map keys and type numbers keep the payload small (the QR must stay readable on a card); never renumber them.
const DOCUMENT_TYPES: Record<VerificationDocumentType, number> = { CARTE_TP: 1, ATTESTATION_DROITS: 2 };
const KEY = { issuer: 1, documentType: 2, memberNumber: 3, beneficiaries: 4, validFrom: 5, validUntil: 6, issuedAt: 7, documentHash: 8 } as const;
const COSE_ALG = 1;
const COSE_KID = 4;
const COSE_ES256 = -7;
const COSE_SIGN1_TAG = 18;
const DAY_MS = 86_400_000;
const HASH_BYTES = 32;
const MAX_BENEFICIARIES = 12;

export type DecodeFailure = 'MALFORMED' | 'UNSUPPORTED_ALGORITHM';

/** The parts of a COSE_Sign1 (RFC 9052) code, before its signature is checked. */
export type SignedEnvelope = { keyId: string; protectedHeader: Uint8Array; payload: Uint8Array; signature: Uint8Array };

/** The CBOR bytes of the claims (the COSE payload). Throws RangeError on claims that cannot be encoded (bad date, hash, type). */
export function encodeClaims(claims: VerificationClaims, issuer: string): Uint8Array {
  const hash = Buffer.from(claims.documentHash, 'base64url');
  if (hash.length !== HASH_BYTES || hash.toString('base64url') !== claims.documentHash) throw new RangeError('documentHash: base64url SHA-256 (32 bytes) expected');
  const type = DOCUMENT_TYPES[claims.documentType];
  if (type === undefined) throw new RangeError(`documentType: unknown ${String(claims.documentType)}`);
  const issuedAt = Date.parse(claims.issuedAt);
  if (Number.isNaN(issuedAt)) throw new RangeError(`issuedAt: not an ISO date-time: ${claims.issuedAt}`);
  if (claims.beneficiaries.length > MAX_BENEFICIARIES) throw new RangeError(`beneficiaries: ${MAX_BENEFICIARIES} at most`);
  return encodeCbor(
    new Map<number, CborValue>([
      [KEY.issuer, issuer],
      [KEY.documentType, type],
      [KEY.memberNumber, claims.memberNumber],
      [KEY.beneficiaries, claims.beneficiaries.map((b) => [b.initials, dayNumber(b.birthDate)])],
      [KEY.validFrom, dayNumber(claims.validFrom)],
      [KEY.validUntil, dayNumber(claims.validUntil)],
      [KEY.issuedAt, Math.floor(issuedAt / 1000)],
      [KEY.documentHash, hash],
    ]),
  );
}

export function encodeProtectedHeader(keyId: string): Uint8Array {
  return encodeCbor(new Map<number, CborValue>([[COSE_ALG, COSE_ES256], [COSE_KID, new TextEncoder().encode(keyId)]]));
}

/** The bytes ES256 signs: COSE's Sig_structure for a Sign1 with no external data. */
export function toBeSigned(protectedHeader: Uint8Array, payload: Uint8Array): Uint8Array {
  return encodeCbor(['Signature1', protectedHeader, new Uint8Array(0), payload]);
}

/** The printed code: prefix + base64url of the tagged COSE_Sign1. */
export function formatCode(protectedHeader: Uint8Array, payload: Uint8Array, signature: Uint8Array): string {
  const sign1 = encodeCbor(new CborTagged(COSE_SIGN1_TAG, [protectedHeader, new Map(), payload, signature]));
  return CODE_PREFIX + Buffer.from(sign1).toString('base64url');
}

/** Splits a code into its COSE parts; never throws. */
export function parseCode(code: string): { ok: true; value: SignedEnvelope } | { ok: false; error: DecodeFailure } {
  if (code.length > MAX_CODE_LENGTH || !code.startsWith(CODE_PREFIX)) return { ok: false, error: 'MALFORMED' };
  const body = code.slice(CODE_PREFIX.length);
  if (!/^[A-Za-z0-9_-]+$/.test(body)) return { ok: false, error: 'MALFORMED' };
  const sign1 = strictDecode(Buffer.from(body, 'base64url'));
  if (!(sign1 instanceof Tag) || Number(sign1.tag) !== COSE_SIGN1_TAG || !Array.isArray(sign1.contents) || sign1.contents.length !== 4) return { ok: false, error: 'MALFORMED' };
  const [protectedHeader, unprotected, payload, signature] = sign1.contents as unknown[];
  if (!(protectedHeader instanceof Uint8Array) || !(payload instanceof Uint8Array) || !(signature instanceof Uint8Array)) return { ok: false, error: 'MALFORMED' };
  if (!(unprotected instanceof Map) || unprotected.size !== 0) return { ok: false, error: 'MALFORMED' };
  const header = strictDecode(protectedHeader);
  if (!(header instanceof Map) || header.size !== 2) return { ok: false, error: 'MALFORMED' };
  if (header.get(COSE_ALG) !== COSE_ES256) return { ok: false, error: 'UNSUPPORTED_ALGORITHM' };
  const kid = header.get(COSE_KID);
  if (!(kid instanceof Uint8Array) || kid.length === 0 || kid.length > 32) return { ok: false, error: 'MALFORMED' };
  return { ok: true, value: { keyId: Buffer.from(kid).toString('latin1'), protectedHeader, payload, signature } };
}

/** The claims of a payload whose signature has been checked; null when its shape is wrong. */
export function decodeClaims(payload: Uint8Array, keyId: string): DecodedPayload | null {
  const map = strictDecode(payload);
  if (!(map instanceof Map) || map.size !== 8) return null;
  const issuer = map.get(KEY.issuer);
  const type = map.get(KEY.documentType);
  const memberNumber = map.get(KEY.memberNumber);
  const beneficiaries = map.get(KEY.beneficiaries);
  const validFrom = isoDay(map.get(KEY.validFrom));
  const validUntil = isoDay(map.get(KEY.validUntil));
  const issuedAt = map.get(KEY.issuedAt);
  const hash = map.get(KEY.documentHash);
  const documentType = (Object.keys(DOCUMENT_TYPES) as VerificationDocumentType[]).find((t) => DOCUMENT_TYPES[t] === type);
  if (typeof issuer !== 'string' || typeof memberNumber !== 'string' || !documentType || !validFrom || !validUntil) return null;
  if (!Number.isSafeInteger(issuedAt) || !(hash instanceof Uint8Array) || hash.length !== HASH_BYTES || !Array.isArray(beneficiaries)) return null;
  const decodedBeneficiaries: VerificationClaims['beneficiaries'] = [];
  for (const b of beneficiaries as unknown[]) {
    if (!Array.isArray(b) || b.length !== 2 || typeof b[0] !== 'string') return null;
    const birthDate = isoDay(b[1]);
    if (!birthDate) return null;
    decodedBeneficiaries.push({ initials: b[0], birthDate });
  }
  const issued = new Date((issuedAt as number) * 1000);
  if (Number.isNaN(issued.getTime())) return null;
  return {
    issuer,
    keyId,
    documentType,
    memberNumber,
    beneficiaries: decodedBeneficiaries,
    validFrom,
    validUntil,
    issuedAt: issued.toISOString().replace('.000Z', 'Z'),
    documentHash: Buffer.from(hash).toString('base64url'),
  };
}

// Only plain CBOR: no tag other than COSE's 18 is interpreted, duplicate keys are refused, and any error means "malformed".
function strictDecode(bytes: Uint8Array): unknown {
  try {
    return decode(bytes, { ignoreGlobalTags: true, rejectDuplicateKeys: true, preferMap: true, rejectUndefined: true, rejectStreaming: true });
  } catch {
    return undefined;
  }
}

// Dates travel as days since 1970-01-01 (RFC 8943's convention): 3 bytes instead of 11.
function dayNumber(date: string): number {
  const parts = parseIsoDate(date);
  if (!parts) throw new RangeError(`not an ISO date (YYYY-MM-DD): ${date}`);
  return Date.UTC(parts.year, parts.month - 1, parts.day) / DAY_MS;
}

function isoDay(value: unknown): string | null {
  // Years 1800 to 2200: enough for birth dates and validity, and keeps Date arithmetic exact.
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < -62_000 || value > 84_000) return null;
  return new Date(value * DAY_MS).toISOString().slice(0, 10);
}
