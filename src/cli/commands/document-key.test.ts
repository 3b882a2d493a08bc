import { createPrivateKey } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { testConfig } from '../../../test/app.ts';
import { documentSignerFor, verifyDocumentCode } from '../../features/verification/verification-code.ts';
import { CLAIMS } from '../../features/verification/verification-test-kit.ts';
import { documentKeyCommand } from './document-key.ts';

function run(args: string[]) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const code = documentKeyCommand(args, { stdout, stderr, now: new Date('2026-11-27T10:00:00Z') });
  return { code, out: String(stdout.read() ?? ''), err: String(stderr.read() ?? '') };
}

describe('espace document-key', () => {
  test('prints one private P-256 JWK that the configuration accepts and that signs verifiable codes', () => {
    const { code, out, err } = run([]);
    expect(code).toBe(0);
    const jwk = JSON.parse(out) as { kid: string; kty: string; crv: string; d: string };
    expect(jwk).toMatchObject({ kty: 'EC', crv: 'P-256', kid: expect.stringMatching(/^2026-11-[0-9a-f]{6}$/) as string });
    expect(() => createPrivateKey({ key: jwk, format: 'jwk' })).not.toThrow();
    expect(err).toContain(`DOCUMENT_SIGNING_KEY_ID=${jwk.kid}`);
    const config = testConfig({ DOCUMENT_SIGNING_KEYS: `[${out.trim()}]` });
    expect(verifyDocumentCode(config, documentSignerFor(config).sign(CLAIMS), '2026-03-12').status).toBe('authentic');
  });

  test('--kid names the key; a bad option prints the usage and exits 2', () => {
    expect(JSON.parse(run(['--kid', 'mutuelle-2027']).out)).toMatchObject({ kid: 'mutuelle-2027' });
    for (const args of [['--kid'], ['--kid', 'avec espace'], ['--autre']]) {
      const { code, out, err } = run(args);
      expect(code).toBe(2);
      expect(out).toBe('');
      expect(err).toContain('Usage : espace document-key');
    }
  });
});
