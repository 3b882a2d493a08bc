import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The AES-256 key of the sealed fields (DATA-02). Config builds it from DATA_ENCRYPTION_KEY (the Buffer itself, which
 * seals) and DATA_ENCRYPTION_RETIRED_KEYS (keys of an earlier rotation, which still open what they sealed). Any plain
 * 32-byte Buffer works too (tests, benchmarks): it simply has no retired keys.
 */
export type DataKey = Buffer & { readonly retired?: readonly Buffer[] };

export function dataKey(active: Buffer, retired: readonly Buffer[] = []): DataKey {
  return Object.assign(Buffer.from(active), { retired: retired.map((k) => Buffer.from(k)) });
}

/**
 * A sealed value that does not open: altered ciphertext, tag or iv (the AES-GCM check fails), a key that is not
 * configured, or not our format. Never a partial or garbled plaintext (DATA-02).
 */
export class DecryptionError extends Error {
  readonly code = 'DECRYPTION_FAILED';
  constructor(readonly reason: 'FORMAT' | 'AUTHENTICATION' | 'UNKNOWN_KEY', detail?: string) {
    super(
      detail ??
        (reason === 'FORMAT'
          ? 'Encrypted value has an unknown format'
          : reason === 'AUTHENTICATION'
            ? 'Encrypted value failed authentication: it was altered, or sealed with another key'
            : 'Encrypted value sealed with an unknown key'),
    );
    this.name = 'DecryptionError';
  }
}

const keyIds = new WeakMap<Buffer, string>();

/** A key's id, written with everything it seals: 8 base64url characters of an HMAC of a fixed label, never the key. */
export function keyId(key: Buffer): string {
  let id = keyIds.get(key);
  if (!id) {
    id = createHmac('sha256', key).update('espace-adherent data key id').digest('base64url').slice(0, 8);
    keyIds.set(key, id);
  }
  return id;
}

function keysOf(key: DataKey): Buffer[] {
  return [key, ...(key.retired ?? [])];
}

function keyWithId(key: DataKey, id: string): Buffer {
  const found = keysOf(key).find((k) => keyId(k) === id);
  if (!found) throw new DecryptionError('UNKNOWN_KEY', `Encrypted value sealed with an unknown key (id ${id}): add that key to DATA_ENCRYPTION_RETIRED_KEYS`);
  return found;
}

function open(key: Buffer, iv: Buffer, tag: Buffer, data: Buffer): Buffer {
  // A truncated tag would weaken the check: GCM's 16 bytes or nothing.
  if (iv.length !== 12 || tag.length !== 16) throw new DecryptionError('FORMAT');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(data), decipher.final()]);
  } catch {
    // GCM: one changed bit anywhere (iv, tag or data), or the wrong key, and nothing is returned.
    throw new DecryptionError('AUTHENTICATION');
  }
}

/** Field-level encryption (AES-256-GCM, DATA-02): `v2.<key id>.<iv>.<tag>.<ciphertext>` in base64url. */
export function encryptField(key: DataKey, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v2', keyId(key), iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), data.toString('base64url')].join('.');
}

/** Opens a sealed field with the key it names; throws when the value was altered or its key is unknown. */
export function decryptField(key: DataKey, sealed: string): string {
  const parts = sealed.split('.');
  if (parts[0] === 'v2' && parts.length === 5) {
    const [, id, iv, tag, data] = parts as [string, string, string, string, string];
    return open(keyWithId(key, id), Buffer.from(iv, 'base64url'), Buffer.from(tag, 'base64url'), Buffer.from(data, 'base64url')).toString('utf8');
  }
  // v1 (before key ids): the active key, then the retired ones, until one authenticates it.
  if (parts[0] === 'v1' && parts.length === 4) {
    const [, iv, tag, data] = parts as [string, string, string, string];
    return openWithAnyKey(key, (k) => open(k, Buffer.from(iv, 'base64url'), Buffer.from(tag, 'base64url'), Buffer.from(data, 'base64url'))).toString('utf8');
  }
  throw new DecryptionError('FORMAT');
}

function openWithAnyKey(key: DataKey, attempt: (k: Buffer) => Buffer): Buffer {
  let failure: unknown;
  for (const k of keysOf(key)) {
    try {
      return attempt(k);
    } catch (error) {
      failure = error;
    }
  }
  throw failure;
}

/** Whether a sealed field is already under the active key (`espace rekey` seals the others again). */
export function sealedWithActiveKey(key: DataKey, sealed: string): boolean {
  return sealed.startsWith(`v2.${keyId(key)}.`);
}

// Bytes (uploaded files): version 2 | key id (6 bytes) | iv (12) | tag (16) | ciphertext. Version 1 had no key id.
const BYTES_V1 = 1;
const BYTES_V2 = 2;
const keyIdBytes = (key: Buffer) => Buffer.from(keyId(key), 'base64url');

export function sealBytes(key: DataKey, plain: Buffer): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([Buffer.from([BYTES_V2]), keyIdBytes(key), iv, cipher.getAuthTag(), data]);
}

export function openBytes(key: DataKey, sealed: Buffer): Buffer {
  if (sealed[0] === BYTES_V2 && sealed.length >= 35) {
    const k = keyWithId(key, sealed.subarray(1, 7).toString('base64url'));
    return open(k, sealed.subarray(7, 19), sealed.subarray(19, 35), sealed.subarray(35));
  }
  if (sealed[0] === BYTES_V1 && sealed.length >= 29) return openWithAnyKey(key, (k) => open(k, sealed.subarray(1, 13), sealed.subarray(13, 29), sealed.subarray(29)));
  throw new DecryptionError('FORMAT');
}

export function bytesSealedWithActiveKey(key: DataKey, sealed: Buffer): boolean {
  return sealed[0] === BYTES_V2 && sealed.subarray(1, 7).equals(keyIdBytes(key));
}

/** Keyed blind index (DATA-03): equality search on a NIR, an IBAN or an email without storing it in clear. */
export function blindIndex(key: Buffer, value: string): string {
  return createHmac('sha256', key).update(value).digest('base64url');
}

export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
