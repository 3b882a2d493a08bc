import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { testConfig } from '../../../test/app.ts';
import { decodeClaims, formatCode, parseCode } from '../../domain/verification/verification-payload.ts';
import { generateDocumentSigningKey, type DocumentSigningJwk } from '../../platform/config.ts';
import { documentSignerFor, publicJwks, verificationQr, verificationUrl, verifyDocumentCode } from './verification-code.ts';
import { CLAIMS } from './verification-test-kit.ts';

const keysEnv = (keys: DocumentSigningJwk[], active?: string, revoked?: string[]) => ({
  DOCUMENT_SIGNING_KEYS: JSON.stringify(keys),
  ...(active ? { DOCUMENT_SIGNING_KEY_ID: active } : {}),
  ...(revoked ? { DOCUMENT_REVOKED_KEY_IDS: revoked.join(',') } : {}),
});
const withoutPrivatePart = ({ d: _d, ...rest }: DocumentSigningJwk): DocumentSigningJwk => rest;

describe('signed verification codes', () => {
  const config = testConfig();
  const signer = documentSignerFor(config);

  test('round trip: a signed code verifies and gives back every claim, the issuer and the key id', () => {
    const code = signer.sign(CLAIMS);
    expect(code).toMatch(/^EA1:[A-Za-z0-9_-]+$/);
    const outcome = verifyDocumentCode(config, code, '2026-03-12');
    expect(outcome).toEqual({ status: 'authentic', reason: 'VALID', fields: { ...CLAIMS, issuer: 'https://espace.test', keyId: 'test-1' } });
  });

  test('the code stays compact: four beneficiaries fit in under 300 characters', () => {
    const code = signer.sign({ ...CLAIMS, beneficiaries: [...CLAIMS.beneficiaries, { initials: 'A. D.', birthDate: '2018-11-02' }] });
    expect(code.length).toBeLessThan(300);
  });

  test('issuedAt is kept to the second (milliseconds are dropped)', () => {
    const outcome = verifyDocumentCode(config, signer.sign({ ...CLAIMS, issuedAt: '2026-03-12T10:00:00.987+01:00' }), '2026-03-12');
    expect(outcome.fields?.issuedAt).toBe('2026-03-12T09:00:00Z');
  });

  test('a tampered payload (another member number, same signature) is not authentic', () => {
    const parsed = parseCode(signer.sign(CLAIMS));
    if (!parsed.ok) throw new Error('unparsable code');
    const { protectedHeader, payload, signature } = parsed.value;
    // The payload's CBOR text "0012345678" becomes "0012345679": still well-formed, no longer what was signed.
    const forged = Buffer.from(payload);
    const at = forged.indexOf(Buffer.from('0012345678')) + 9;
    forged[at] = '9'.charCodeAt(0);
    expect(decodeClaims(forged, 'test-1')?.memberNumber).toBe('0012345679');
    const outcome = verifyDocumentCode(config, formatCode(protectedHeader, forged, signature), '2026-03-12');
    expect(outcome).toEqual({ status: 'not_authentic', reason: 'BAD_SIGNATURE', fields: null });
  });

  test('a code signed with a key the portal does not know is not authentic (other key id: unknown; same key id: bad signature)', () => {
    const stranger = testConfig(keysEnv([generateDocumentSigningKey('pirate-1')]));
    expect(verifyDocumentCode(config, documentSignerFor(stranger).sign(CLAIMS), '2026-03-12')).toMatchObject({ status: 'not_authentic', reason: 'UNKNOWN_KEY' });
    const impostor = testConfig(keysEnv([generateDocumentSigningKey('test-1')]));
    expect(verifyDocumentCode(config, documentSignerFor(impostor).sign(CLAIMS), '2026-03-12')).toMatchObject({ status: 'not_authentic', reason: 'BAD_SIGNATURE' });
  });

  test('rotation: the new key signs, codes of the old key id still verify, also once its private part is gone', () => {
    const [k1, k2] = [generateDocumentSigningKey('2026-01'), generateDocumentSigningKey('2027-01')];
    const before = testConfig(keysEnv([k1]));
    const oldCode = documentSignerFor(before).sign(CLAIMS);
    const after = testConfig(keysEnv([k1, k2], '2027-01'));
    const newCode = documentSignerFor(after).sign(CLAIMS);
    expect(verifyDocumentCode(after, newCode, '2026-03-12').fields?.keyId).toBe('2027-01');
    expect(verifyDocumentCode(after, oldCode, '2026-03-12')).toMatchObject({ status: 'authentic', fields: { keyId: '2026-01' } });
    const retired = testConfig(keysEnv([withoutPrivatePart(k1), k2]));
    expect(verifyDocumentCode(retired, oldCode, '2026-03-12')).toMatchObject({ status: 'authentic', fields: { keyId: '2026-01' } });
    expect(publicJwks(retired).keys.map((k) => k.kid)).toEqual(['2026-01', '2027-01']);
  });

  test('a revoked key id no longer verifies, and leaves the published keys', () => {
    const [k1, k2] = [generateDocumentSigningKey('2026-01'), generateDocumentSigningKey('2027-01')];
    const oldCode = documentSignerFor(testConfig(keysEnv([k1]))).sign(CLAIMS);
    const revoked = testConfig(keysEnv([k1, k2], '2027-01', ['2026-01']));
    expect(verifyDocumentCode(revoked, oldCode, '2026-03-12')).toEqual({ status: 'not_authentic', reason: 'REVOKED_KEY', fields: null });
    expect(publicJwks(revoked).keys.map((k) => k.kid)).toEqual(['2027-01']);
    expect(publicJwks(revoked).keys[0]).not.toHaveProperty('d');
    // A forgery naming the revoked key is a bad signature, not « révoquée » (which would say the mutuelle signed it).
    const forged = documentSignerFor(testConfig(keysEnv([generateDocumentSigningKey('2026-01')]))).sign(CLAIMS);
    expect(verifyDocumentCode(revoked, forged, '2026-03-12')).toMatchObject({ status: 'not_authentic', reason: 'BAD_SIGNATURE' });
  });

  test('expired: the signature is good but validUntil is past (the last day is still valid)', () => {
    const code = signer.sign(CLAIMS);
    expect(verifyDocumentCode(config, code, '2026-12-31').status).toBe('authentic');
    expect(verifyDocumentCode(config, code, '2027-01-01')).toMatchObject({ status: 'expired', reason: 'EXPIRED', fields: { memberNumber: '0012345678' } });
  });

  test('the /verifier URL a QR code holds verifies like the bare code', () => {
    const code = signer.sign(CLAIMS);
    expect(verificationUrl(code)).toBe(`https://espace.test/verifier?code=${code}`);
    expect(verifyDocumentCode(config, verificationUrl(code), '2026-03-12').status).toBe('authentic');
    expect(verifyDocumentCode(config, `  ${code}\n`, '2026-03-12').status).toBe('authentic');
  });

  test('malformed codes: other prefix, bad alphabet, truncated, empty, another system’s QR', () => {
    const code = signer.sign(CLAIMS);
    for (const bad of ['', 'EA1:', 'HC1:6BFOXN', code.replace('EA1:', 'EA2:'), `${code}é`, code.slice(0, 60), 'https://exemple.fr/?q=1', 'https://[']) {
      expect(verifyDocumentCode(config, bad, '2026-03-12'), bad).toMatchObject({ status: 'not_authentic', reason: 'MALFORMED' });
    }
  });

  test('signing refuses claims that cannot be encoded rather than printing a code that never verifies', () => {
    expect(() => signer.sign({ ...CLAIMS, validUntil: '2026-02-30' })).toThrow(RangeError);
    expect(() => signer.sign({ ...CLAIMS, documentHash: 'abc' })).toThrow(RangeError);
    expect(() => signer.sign({ ...CLAIMS, issuedAt: 'hier' })).toThrow(RangeError);
  });

  test('QR code: zbarimg reads the PNG, the text is the /verifier URL, and it verifies; the SVG is markup', async () => {
    const code = signer.sign(CLAIMS);
    const { svg, png } = await verificationQr(code);
    expect(svg).toMatch(/^<svg[^>]*viewBox/);
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'espace-qr-')), 'qr.png');
    writeFileSync(file, png);
    const scanned = execFileSync('zbarimg', ['--quiet', '--raw', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    expect(scanned).toBe(verificationUrl(code));
    expect(verifyDocumentCode(config, scanned, '2026-03-12')).toMatchObject({ status: 'authentic', fields: { memberNumber: '0012345678' } });
  });
});
