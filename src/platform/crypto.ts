import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Field-level encryption (AES-256-GCM, DATA-02): `v1.<iv>.<tag>.<ciphertext>` in base64url. */
export function encryptField(key: Buffer, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), data.toString('base64url')].join('.');
}

/**
 * A sealed value that does not open: altered ciphertext or tag (the AES-GCM check fails), a wrong key, or not our
 * format. Never a partial or garbled plaintext (DATA-02).
 */
export class DecryptionError extends Error {
  readonly code = 'DECRYPTION_FAILED';
  constructor(readonly reason: 'FORMAT' | 'AUTHENTICATION') {
    super(reason === 'FORMAT' ? 'Encrypted field has an unknown format' : 'Encrypted field failed authentication (altered data or wrong key)');
    this.name = 'DecryptionError';
  }
}

export function decryptField(key: Buffer, sealed: string): string {
  const [version, iv, tag, data, extra] = sealed.split('.');
  if (version !== 'v1' || !iv || !tag || data === undefined || extra !== undefined) throw new DecryptionError('FORMAT');
  const tagBytes = Buffer.from(tag, 'base64url');
  // A truncated tag would weaken the check: GCM's 16 bytes or nothing.
  if (tagBytes.length !== 16) throw new DecryptionError('FORMAT');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(tagBytes);
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new DecryptionError('AUTHENTICATION');
  }
}

/** Keyed blind index (DATA-03): equality search on a NIR or IBAN without storing it in clear. */
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
