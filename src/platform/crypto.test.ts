import { createCipheriv, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { bytesSealedWithActiveKey, dataKey, decryptField, encryptField, keyId, openBytes, sealBytes, sealedWithActiveKey } from './crypto.ts';

const OLD = randomBytes(32);
const NEW = randomBytes(32);

/** The same sealed value with one bit changed at `position` of its decoded bytes (iv, tag or ciphertext). */
function flipped(sealed: string, part: 2 | 3 | 4, position: number): string {
  const parts = sealed.split('.');
  const bytes = Buffer.from(parts[part]!, 'base64url');
  bytes[position % bytes.length]! ^= 0x01;
  parts[part] = bytes.toString('base64url');
  return parts.join('.');
}

describe('sealed fields (DATA-02)', () => {
  test('a value comes back as it went in, and the sealed form names its key but never the key', () => {
    const sealed = encryptField(NEW, 'FR7630006000011234567890189');
    expect(sealed).toMatch(/^v2\.[A-Za-z0-9_-]{8}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(sealed.split('.')[1]).toBe(keyId(NEW));
    expect(sealed).not.toContain('FR76');
    expect(decryptField(NEW, sealed)).toBe('FR7630006000011234567890189');
  });

  test('DATA-02 flipping one byte of the iv, the tag or the ciphertext makes decryption fail loudly', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 80 }), fc.constantFrom(2 as const, 3 as const, 4 as const), fc.nat(), (text, part, position) => {
        const sealed = encryptField(NEW, text);
        expect(() => decryptField(NEW, flipped(sealed, part, position))).toThrow(/failed authentication/);
      }),
      { numRuns: 1_000 },
    );
  });

  test('DATA-02 one byte flipped in sealed bytes (an uploaded file) fails too', () => {
    const sealed = sealBytes(NEW, Buffer.from('%PDF-1.7 a file'));
    for (let position = 7; position < sealed.length; position++) {
      const altered = Buffer.from(sealed);
      altered[position]! ^= 0x80;
      expect(() => openBytes(NEW, altered)).toThrow(/failed authentication/);
    }
  });

  test('key rotation: the new key seals, the retired one still opens what it sealed, an unknown key is named', () => {
    const before = encryptField(OLD, 'claire.durand@exemple.fr');
    const beforeBytes = sealBytes(OLD, Buffer.from('bytes'));
    const rotated = dataKey(NEW, [OLD]);
    expect(decryptField(rotated, before)).toBe('claire.durand@exemple.fr');
    expect(openBytes(rotated, beforeBytes).toString()).toBe('bytes');
    expect(sealedWithActiveKey(rotated, before)).toBe(false);
    expect(bytesSealedWithActiveKey(rotated, beforeBytes)).toBe(false);
    const after = encryptField(rotated, 'claire.durand@exemple.fr');
    expect(sealedWithActiveKey(rotated, after)).toBe(true);
    expect(bytesSealedWithActiveKey(rotated, sealBytes(rotated, Buffer.from('x')))).toBe(true);
    expect(decryptField(NEW, after)).toBe('claire.durand@exemple.fr');
    expect(() => decryptField(NEW, before)).toThrow(`unknown key (id ${keyId(OLD)})`);
  });

  test('values sealed before key ids (v1) still open, with the active or a retired key', () => {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', OLD, iv);
    const data = Buffer.concat([cipher.update('185017505612324', 'utf8'), cipher.final()]);
    const v1 = ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), data.toString('base64url')].join('.');
    expect(decryptField(OLD, v1)).toBe('185017505612324');
    expect(decryptField(dataKey(NEW, [OLD]), v1)).toBe('185017505612324');
    expect(() => decryptField(NEW, v1)).toThrow(/failed authentication/);
    expect(() => decryptField(NEW, 'v3.x.y')).toThrow(/unknown format/);
  });
});
