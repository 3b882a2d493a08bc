/**
 * Access-code storage (AUTH-01): argon2id with the OWASP parameters (m=19456 KiB, t=2, p=1), a
 * random 128-bit salt per hash, and the server-side pepper (CODE_PEPPER, kept outside the database).
 *
 * The pepper goes in as argon2's own `secret` input (the K parameter of RFC 9106 §3.1): the
 * algorithm keys itself, so no home-made HMAC-then-hash construction is needed.
 *
 * Verification recomputes the raw hash with the stored salt and parameters and compares with
 * `timingSafeEqual`, so the comparison is constant-time by construction, whatever the library does.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { hash, hashRaw, type Algorithm } from '@node-rs/argon2';

export type Argon2Params = { memoryCost: number; timeCost: number; parallelism: number };

/** OWASP Password Storage Cheat Sheet, argon2id first option. */
export const ACCESS_CODE_ARGON2: Readonly<Argon2Params> = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };

// `Algorithm` is an ambient const enum the module syntax cannot reach: 2 is Argon2id, 1 is version 0x13.
const ARGON2ID = 2 as Algorithm;
const OUTPUT_BYTES = 32;
const SALT_BYTES = 16;
const PHC = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

type Parsed = Argon2Params & { salt: Buffer; digest: Buffer };

function parse(stored: string): Parsed | null {
  const m = PHC.exec(stored);
  if (!m) return null;
  return { memoryCost: Number(m[1]), timeCost: Number(m[2]), parallelism: Number(m[3]), salt: Buffer.from(m[4]!, 'base64'), digest: Buffer.from(m[5]!, 'base64') };
}

/** PHC string `$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`; neither the code nor the pepper can be read back. */
export function hashAccessCode(code: string, pepper: Buffer, params: Argon2Params = ACCESS_CODE_ARGON2): Promise<string> {
  return hash(code, { ...params, algorithm: ARGON2ID, outputLen: OUTPUT_BYTES, salt: randomBytes(SALT_BYTES), secret: pepper });
}

async function digestOf(code: string, pepper: Buffer, p: Argon2Params, salt: Buffer, outputLen: number): Promise<Buffer> {
  return hashRaw(code, { memoryCost: p.memoryCost, timeCost: p.timeCost, parallelism: p.parallelism, algorithm: ARGON2ID, outputLen, salt, secret: pepper });
}

/** True when `code` matches the stored hash under this pepper. A malformed stored hash fails closed, at the cost of a dummy run. */
export async function verifyAccessCode(storedHash: string, code: string, pepper: Buffer): Promise<boolean> {
  const parsed = parse(storedHash);
  if (!parsed || parsed.salt.length < 8 || parsed.digest.length < 16) {
    return verifyAgainstDummy(code, pepper);
  }
  const candidate = await digestOf(code, pepper, parsed, parsed.salt, parsed.digest.length);
  return timingSafeEqual(candidate, parsed.digest);
}

const dummies = new Map<string, Promise<Parsed>>();

function dummyFor(params: Argon2Params): Promise<Parsed> {
  const key = `${params.memoryCost},${params.timeCost},${params.parallelism}`;
  let dummy = dummies.get(key);
  if (!dummy) {
    // A hash of a random code under a random key: no input can ever match it.
    dummy = hashAccessCode(randomBytes(16).toString('hex'), randomBytes(32), params).then((h) => parse(h)!);
    dummies.set(key, dummy);
  }
  return dummy;
}

/**
 * Costs what a real verification costs, and always answers false: run for unknown NIRs and locked
 * accounts so that the response time does not tell them apart (ENUM-02).
 */
export async function verifyAgainstDummy(code: string, pepper: Buffer, params: Argon2Params = ACCESS_CODE_ARGON2): Promise<false> {
  const dummy = await dummyFor(params);
  const candidate = await digestOf(code, pepper, dummy, dummy.salt, dummy.digest.length);
  timingSafeEqual(candidate, dummy.digest);
  return false;
}

/** True when the stored hash was made with other parameters than `params` (rehash it at the next successful login). */
export function needsRehash(storedHash: string, params: Argon2Params = ACCESS_CODE_ARGON2): boolean {
  const parsed = parse(storedHash);
  return !parsed || parsed.memoryCost !== params.memoryCost || parsed.timeCost !== params.timeCost || parsed.parallelism !== params.parallelism;
}

/** What the login use case needs; tests wrap it to count verifications (THR-02). */
export type AccessCodeVerifier = {
  verify(storedHash: string, code: string): Promise<boolean>;
  verifyAgainstDummy(code: string): Promise<false>;
};

export function accessCodeVerifier(pepper: Buffer, params: Argon2Params = ACCESS_CODE_ARGON2): AccessCodeVerifier {
  return {
    verify: (storedHash, code) => verifyAccessCode(storedHash, code, pepper),
    verifyAgainstDummy: (code) => verifyAgainstDummy(code, pepper, params),
  };
}
