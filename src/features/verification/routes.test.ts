import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestApp, testClock, type TestApp } from '../../../test/app.ts';
import { jwksResponseSchema, verifyResponseSchema } from './api-schemas.ts';
import { documentSignerFor } from './verification-code.ts';
import { CLAIMS } from './verification-test-kit.ts';

let t: TestApp;
const clock = testClock('2026-03-12T10:00:00Z');
beforeAll(async () => {
  t = await createTestApp({ name: 'verification-routes', clock: clock.now });
});
afterAll(async () => t.close());

const api = (code: string) => t.app.inject({ method: 'GET', url: '/api/v1/verify', query: { code } });

describe('public verification routes', () => {
  test('GET /api/v1/verify: authentic, with the facts; no session needed, not cached', async () => {
    const code = documentSignerFor(t.config).sign(CLAIMS);
    const response = await api(code);
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    const body = verifyResponseSchema.parse(response.json());
    expect(body).toMatchObject({
      status: 'authentic', reason: 'VALID',
      fields: { documentType: 'CARTE_TP', documentLabel: 'Carte de tiers payant', memberNumber: '0012345678', validFrom: '2026-01-01', validUntil: '2026-12-31', keyId: 'test-1', issuer: 'https://espace.test' },
    });
    expect(body.fields?.beneficiaries).toEqual(CLAIMS.beneficiaries);
  });

  test('GET /api/v1/verify: expired after validUntil, on the portal’s clock', async () => {
    const code = documentSignerFor(t.config).sign({ ...CLAIMS, validFrom: '2025-01-01', validUntil: '2025-12-31' });
    const body = verifyResponseSchema.parse((await api(code)).json());
    expect(body).toMatchObject({ status: 'expired', reason: 'EXPIRED', message: expect.stringContaining('31/12/2025') as string });
  });

  test('GET /api/v1/verify: a tampered code is not authentic, without facts', async () => {
    const code = documentSignerFor(t.config).sign(CLAIMS);
    const tampered = code.slice(0, 40) + (code[40] === 'A' ? 'B' : 'A') + code.slice(41);
    const body = verifyResponseSchema.parse((await api(tampered)).json());
    expect(body.status).toBe('not_authentic');
    expect(body.fields).toBeNull();
  });

  test('GET /api/v1/verify: no code, two codes, or a code over 4 096 characters → 400 VALIDATION in French', async () => {
    for (const url of ['/api/v1/verify', '/api/v1/verify?code=', '/api/v1/verify?code=a&code=b', `/api/v1/verify?code=${'A'.repeat(4097)}`, '/api/v1/verify?code=a&autre=1']) {
      const response = await t.app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(400);
      expect(response.json()).toMatchObject({ error: { code: 'VALIDATION', message: expect.stringContaining('code') as string } });
    }
  });

  test('/verifier: form without a code; « Document authentique » with the facts in French for a QR code’s URL', async () => {
    const empty = await t.app.inject({ method: 'GET', url: '/verifier' });
    expect(empty.statusCode).toBe(200);
    expect(empty.body).toContain('<form method="get" action="/verifier">');
    expect(empty.body).not.toContain('Document authentique');
    const code = documentSignerFor(t.config).sign(CLAIMS);
    const page = await t.app.inject({ method: 'GET', url: `/verifier?code=${code}` });
    expect(page.statusCode).toBe(200);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.headers['x-robots-tag']).toBe('noindex');
    for (const text of ['Document authentique', 'Carte de tiers payant', '0012345678', 'J. D., né(e) le 12/03/1985', 'M. D., né(e) le 01/07/1958', 'du 01/01/2026 au 31/12/2026', 'Date d’émission', '12/03/2026']) {
      expect(page.body).toContain(text);
    }
  });

  test('/verifier: « Document expiré » and « Document non authentique »; odd input gets an answer, not an error page', async () => {
    const expired = documentSignerFor(t.config).sign({ ...CLAIMS, validUntil: '2026-03-11' });
    expect((await t.app.inject({ method: 'GET', url: `/verifier?code=${expired}` })).body).toContain('Document expiré');
    for (const query of ['code=EA1:nimportequoi', 'code=a&code=b', `code=${'é'.repeat(5000)}`, 'code=%00%FF']) {
      const response = await t.app.inject({ method: 'GET', url: `/verifier?${query}` });
      expect(response.statusCode, query).toBe(200);
      expect(response.body, query).toContain('Document non authentique');
    }
  });

  test('the OpenAPI document describes GET /api/v1/verify as needing no session', async () => {
    const document = (await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json<{ security: unknown[]; paths: Record<string, { get: { security?: unknown[] } }> }>();
    expect(document.security).toEqual([{ session: [] }]);
    expect(document.paths['/api/v1/verify']?.get.security).toEqual([]);
  });

  test('GET /.well-known/jwks.json publishes the public key (no private part)', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
    expect(response.statusCode).toBe(200);
    const jwks = jwksResponseSchema.parse(response.json());
    expect(jwks.keys.map((k) => k.kid)).toEqual(['test-1']);
    expect(response.body).not.toContain('"d"');
  });

  test('REL-08 10 000 fuzzed codes (random text and bytes, mutations of a valid code) never give a 5xx; a mutation is authentic only if it decodes to the same bytes', async () => {
    const code = documentSignerFor(t.config).sign(CLAIMS);
    const body = code.slice(4);
    const original = Buffer.from(body, 'base64url');
    const mutation = fc.oneof(
      fc.tuple(fc.nat(body.length - 1), fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_')).map(([i, c]) => body.slice(0, i) + c + body.slice(i + 1)),
      fc.nat(body.length - 1).map((i) => body.slice(0, i) + body.slice(i + 1)),
      fc.tuple(fc.nat(body.length), fc.string({ minLength: 1, maxLength: 4 })).map(([i, s]) => body.slice(0, i) + s + body.slice(i)),
      fc.nat(body.length).map((n) => body.slice(0, n)),
    ).map((b) => `EA1:${b}`);
    const random = fc.oneof(
      fc.string({ maxLength: 600, unit: 'binary' }),
      fc.string({ minLength: 3000, maxLength: 5000 }),
      fc.uint8Array({ maxLength: 400 }).map((bytes) => `EA1:${Buffer.from(bytes).toString('base64url')}`),
      fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
    );
    await fc.assert(
      fc.asyncProperty(fc.oneof(mutation, random), async (input) => {
        const response = await api(input);
        expect(response.statusCode).toBeLessThan(500);
        if (response.statusCode === 200) {
          const answer = verifyResponseSchema.parse(response.json());
          if (answer.status === 'authentic') expect(Buffer.from(input.trim().slice(4), 'base64url')).toEqual(original);
        } else {
          expect(response.statusCode).toBe(400);
        }
      }),
      { numRuns: 10_000, seed: Number(process.env.FC_SEED ?? 20_261_127) },
    );
    // Ten thousand requests through Fastify take minutes on a busy two-core machine.
  }, 600_000);
});
