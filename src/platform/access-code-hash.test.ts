import { describe, expect, test } from 'vitest';
import { ACCESS_CODE_ARGON2, accessCodeVerifier, hashAccessCode, needsRehash, verifyAccessCode, verifyAgainstDummy } from './access-code-hash.ts';

const pepper = Buffer.alloc(32, 0x22);
const otherPepper = Buffer.alloc(32, 0x23);
// Cheap parameters for the behaviour tests; the real ones are exercised once below.
const cheap = { memoryCost: 1024, timeCost: 1, parallelism: 1 };

describe('access-code hashing (AUTH-01)', () => {
  test('AUTH-01 uses argon2id with the OWASP parameters, a fresh 128-bit salt, and verifies with the real cost', async () => {
    const hash = await hashAccessCode('482915', pepper);
    expect(hash.startsWith('$argon2id$v=19$m=19456,t=2,p=1$')).toBe(true);
    const salt = hash.split('$')[4]!;
    expect(Buffer.from(salt, 'base64').length).toBeGreaterThanOrEqual(16);
    expect(hash).not.toContain('482915');
    expect(await verifyAccessCode(hash, '482915', pepper)).toBe(true);
    expect(await verifyAccessCode(hash, '482916', pepper)).toBe(false);
    expect(needsRehash(hash)).toBe(false);
    expect(ACCESS_CODE_ARGON2).toEqual({ memoryCost: 19_456, timeCost: 2, parallelism: 1 });
  });

  test('AUTH-01 two hashes of one code differ (per-hash salt)', async () => {
    const [a, b] = await Promise.all([hashAccessCode('482915', pepper, cheap), hashAccessCode('482915', pepper, cheap)]);
    expect(a).not.toBe(b);
    expect(await verifyAccessCode(a, '482915', pepper)).toBe(true);
    expect(await verifyAccessCode(b, '482915', pepper)).toBe(true);
  });

  test('AUTH-01 verification fails when the pepper is wrong', async () => {
    const hash = await hashAccessCode('482915', pepper, cheap);
    expect(await verifyAccessCode(hash, '482915', otherPepper)).toBe(false);
  });

  test('a malformed or foreign stored hash fails closed', async () => {
    for (const stored of ['', '482915', '$argon2i$v=19$m=1024,t=1,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2g', '$2b$10$abcdefghijklmnopqrstuv']) {
      expect(await verifyAccessCode(stored, '482915', pepper)).toBe(false);
    }
    expect(needsRehash('$2b$10$x')).toBe(true);
  });

  test('needsRehash tells hashes made with other parameters', async () => {
    const hash = await hashAccessCode('482915', pepper, cheap);
    expect(needsRehash(hash)).toBe(true);
    expect(needsRehash(hash, cheap)).toBe(false);
  });

  test('ENUM-02 the dummy verification always answers false, for any code', async () => {
    expect(await verifyAgainstDummy('482915', pepper, cheap)).toBe(false);
    expect(await verifyAgainstDummy('000000', pepper, cheap)).toBe(false);
    const verifier = accessCodeVerifier(pepper, cheap);
    expect(await verifier.verifyAgainstDummy('482915')).toBe(false);
  });
});
