import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { insertOrganisation } from '../../db/repositories/organisation.ts';
import { createTestApp, testClock, testConfig, type TestApp } from '../../../test/app.ts';
import { createTestDatabase, testDriver, type TestDatabase } from '../../../test/db.ts';
import { API_ROUTES } from '../api-docs.ts';
import { API_PREFIX, AUTH_API_ROUTES } from './api-schemas.ts';
import { createHouseholdMember, newIp, newNir, queuedEmails, type TestMember } from './recovery-test-kit.ts';
import { RESET_REQUESTED_MESSAGE } from './request-code-reset.ts';
import { LOGIN_FAILED_MESSAGE } from './verify-login.ts';
import { answerOf } from './login-challenge-test-kit.ts';

const secrets = testConfig().secrets;
const keys = { dataEncryptionKey: secrets.dataEncryptionKey, blindIndexKey: secrets.blindIndexKey };
const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const CODE = '739184';

const clock = testClock('2026-03-12T10:00:00Z');
let db: TestDatabase;
let t: TestApp;
let organisationId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  organisationId = (
    await insertOrganisation(db, {
      name: 'Mutuelle Test', amcNumber: '987654321', addressLine1: '1 rue du Test', addressLine2: null, postalCode: '69003', city: 'Lyon', phone: '04 00 00 00 00', professionalPhone: null, email: null,
    })
  ).id;
  t = await createTestApp({ name: 'auth-api', clock: clock.now, db });
});
afterAll(async () => {
  await t?.close();
  await db?.close();
});

const member = (email: 'verified' | null = 'verified', code: string | null = CODE) => createHouseholdMember(db, keys, { organisationId, email, code, pepper: secrets.codePepper });

type Response = Awaited<ReturnType<TestApp['app']['inject']>>;

/** A JSON client: keeps its cookies, takes the CSRF token from GET /session. */
class Client {
  cookies: Record<string, string> = {};
  csrf = '';
  constructor(readonly ip = newIp()) {}
  private header() {
    return Object.entries(this.cookies).map(([k, v]) => `${k}=${v}`).join('; ');
  }
  private remember(response: Response) {
    for (const c of response.cookies as { name: string; value: string; maxAge?: number; expires?: Date }[]) {
      const expired = c.value === '' || c.maxAge === 0 || (c.expires !== undefined && c.expires.getTime() < Date.now());
      if (expired) delete this.cookies[c.name];
      else this.cookies[c.name] = c.value;
    }
  }
  async session() {
    const response = await t.app.inject({ method: 'GET', url: `${API_PREFIX}/session`, headers: { cookie: this.header(), 'user-agent': UA }, remoteAddress: this.ip });
    this.remember(response);
    this.csrf = (response.json() as { csrfToken: string }).csrfToken;
    return response;
  }
  async post(path: string, payload: unknown, options: { csrf?: string | null } = {}) {
    if (!this.csrf) await this.session();
    const csrf = options.csrf === undefined ? this.csrf : options.csrf;
    const response = await t.app.inject({
      method: 'POST', url: `${API_PREFIX}${path}`, remoteAddress: this.ip, payload: JSON.stringify(payload),
      headers: { cookie: this.header(), 'user-agent': UA, 'content-type': 'application/json', ...(csrf ? { 'x-csrf-token': csrf } : {}) },
    });
    this.remember(response);
    return response;
  }
}

/** "METHOD /full/path" for every route of Fastify's printed route tree (children print their path relative to their parent). */
function registeredRoutes(tree: string): string[] {
  const stack: string[] = [];
  const routes: string[] = [];
  for (const line of tree.split('\n')) {
    const match = /^([│ ]*)(?:├── |└── )(\S+)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!match) continue;
    const depth = match[1]!.length / 4;
    const path = (stack[depth - 1] ?? '') + match[2]!;
    stack.length = depth;
    stack.push(path);
    for (const method of match[3]?.split(', ') ?? []) if (method !== 'HEAD') routes.push(`${method} ${path}`);
  }
  return routes;
}

async function emailedCode(to: string): Promise<string> {
  const mail = (await queuedEmails(db, to)).filter((m) => m.subject === 'Votre code de confirmation').at(-1);
  const code = /saisissez ce code sur la page ouverte : (\d{6})/.exec(mail?.text ?? '')?.[1];
  if (!code) throw new Error('no code mailed');
  return code;
}

async function loginFromNewDevice(m: TestMember, client = new Client()) {
  const login = await client.post('/login', { nir: m.nir, code: CODE });
  expect(login.statusCode).toBe(200);
  expect(login.json()).toEqual({ status: 'DEVICE_CHECK_REQUIRED', method: 'EMAIL', maskedEmail: expect.stringMatching(/^a•••@demo\.example$/) });
  const check = await client.post('/device-check', { code: await emailedCode(m.email!) });
  expect(check.statusCode).toBe(200);
  expect(check.json()).toEqual({ status: 'AUTHENTICATED' });
  return client;
}

describe(`auth JSON API (${testDriver()})`, () => {
  test('AUTH-05 login from a new device: DEVICE_CHECK_REQUIRED, the emailed code opens the session, the next login skips the check', async () => {
    const m = await member();
    const client = new Client();
    expect((await client.session()).json()).toEqual({ authenticated: false, expiresAt: null, csrfToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
    await loginFromNewDevice(m, client);
    expect(client.cookies['__Host-espace-session']).toBeDefined();
    expect(client.cookies['__Host-espace-appareil']).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const state = (await client.session()).json() as { authenticated: boolean; expiresAt: string };
    expect(state.authenticated).toBe(true);
    expect(new Date(state.expiresAt).getTime()).toBe(clock.now().getTime() + 15 * 60_000);
    // Same trusted device: straight to AUTHENTICATED.
    const again = await client.post('/login', { nir: m.nir, code: CODE });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({ status: 'AUTHENTICATED' });
    await client.session();
    const logout = await client.post('/logout', {});
    expect(logout.statusCode).toBe(204);
    expect(client.cookies['__Host-espace-session']).toBeUndefined();
    expect((await client.session()).json()).toMatchObject({ authenticated: false });
  });

  test('AUTH-05 a wrong device code says how many tries are left; without a pending login it has expired', async () => {
    const m = await member();
    const client = new Client();
    await client.post('/login', { nir: m.nir, code: CODE });
    const right = await emailedCode(m.email!);
    const wrong = right === '000000' ? '111111' : '000000';
    const response = await client.post('/device-check', { code: wrong });
    expect(response.statusCode).toBe(422);
    expect(response.json()).toEqual({ error: { code: 'DEVICE_CODE_INVALID', message: 'Code incorrect.', attemptsLeft: 4 } });
    const stranger = await new Client().post('/device-check', { code: right });
    expect(stranger.statusCode).toBe(401);
    expect(stranger.json().error.code).toBe('DEVICE_CHECK_EXPIRED');
  });

  test('ENUM-01 unknown NIR, wrong code and account without code get the same status and byte-identical body', async () => {
    const withCode = await member();
    const withoutCode = await member('verified', null);
    const answers = await Promise.all([
      new Client().post('/login', { nir: newNir(), code: CODE }),
      new Client().post('/login', { nir: withCode.nir, code: '000000' }),
      new Client().post('/login', { nir: withoutCode.nir, code: CODE }),
    ]);
    for (const a of answers) {
      expect(a.statusCode).toBe(401);
      expect(a.body).toBe(answers[0]!.body);
      expect(a.headers['set-cookie']?.toString() ?? '').not.toContain('__Host-espace-session=');
    }
    expect(answers[0]!.json()).toEqual({ error: { code: 'INVALID_CREDENTIALS', message: LOGIN_FAILED_MESSAGE } });
  });

  test('THR-01 the locked account answers like a wrong code (ENUM-01) and its owner gets a notice', async () => {
    const m = await member();
    const client = new Client();
    for (let i = 0; i < 3; i++) expect((await client.post('/login', { nir: m.nir, code: '000000' })).statusCode).toBe(401);
    // The 4th failure from this client's IP must answer the THR-03 question first (login-challenge.test.ts).
    const asked = await client.post('/login', { nir: m.nir, code: CODE });
    expect(asked.statusCode).toBe(428);
    const { challenge } = (asked.json() as { error: { challenge: { token: string; question: string } } }).error;
    const locked = await client.post('/login', { nir: m.nir, code: CODE, challenge: { token: challenge.token, answer: answerOf(challenge.question) } });
    expect(locked.statusCode).toBe(401);
    expect(locked.json()).toEqual({ error: { code: 'INVALID_CREDENTIALS', message: LOGIN_FAILED_MESSAGE } });
    expect((await queuedEmails(db, m.email!)).map((e) => e.subject)).toContain('Accès à votre espace adhérent suspendu');
  });

  test('SES-05 every POST needs the X-CSRF-Token header; a foreign Origin is refused', async () => {
    const m = await member();
    const client = new Client();
    await client.session();
    for (const csrf of [null, 'x'.repeat(43)]) {
      const response = await client.post('/login', { nir: m.nir, code: CODE }, { csrf });
      expect(response.statusCode).toBe(403);
      expect(response.json().error.code).toBe('CSRF');
    }
    expect((await client.post('/code-reset-requests', { nir: m.nir }, { csrf: null })).statusCode).toBe(403);
    expect((await client.post('/logout', {}, { csrf: null })).statusCode).toBe(403);
    const foreign = await t.app.inject({
      method: 'POST', url: `${API_PREFIX}/login`, payload: { nir: m.nir, code: CODE },
      headers: { cookie: `__Host-espace-csrf=${client.cookies['__Host-espace-csrf']}`, 'x-csrf-token': client.csrf, origin: 'https://evil.test' },
    });
    expect(foreign.statusCode).toBe(403);
  });

  test('VAL-03 unknown JSON keys, wrong types and a malformed NIR get 400 VALIDATION before any lookup', async () => {
    const client = new Client();
    const extra = await client.post('/login', { nir: newNir(), code: CODE, remember: true });
    expect(extra.statusCode).toBe(400);
    expect(extra.json()).toEqual({ error: { code: 'VALIDATION', message: expect.any(String), fields: { remember: 'Champ inconnu.' } } });
    expect((await client.post('/login', { nir: 123, code: CODE })).json().error.code).toBe('VALIDATION');
    expect((await client.post('/code-reset-requests', { nir: newNir(), email: 'a@b.c' })).statusCode).toBe(400);
    expect((await client.post('/device-check', { code: '123456', next: '/x' })).statusCode).toBe(400);
    expect((await client.post('/logout', { all: true })).statusCode).toBe(400);
    const badNir = await client.post('/login', { nir: '1780269123456', code: '12' });
    expect(badNir.statusCode).toBe(400);
    expect(Object.keys(badNir.json().error.fields).sort()).toEqual(['code', 'nir']);
    const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM login_attempt WHERE ip = $1`, [client.ip]);
    expect(rows[0]!.n).toBe(0);
  });

  test('ENUM-01 a code reset request always gets 202 with the same body (email, letter, unknown NIR)', async () => {
    const withEmail = await member();
    const withoutEmail = await member(null);
    const answers = [];
    for (const nir of [withEmail.nir, withoutEmail.nir, newNir()]) answers.push(await new Client().post('/code-reset-requests', { nir }));
    for (const a of answers) {
      expect(a.statusCode).toBe(202);
      expect(a.body).toBe(answers[0]!.body);
    }
    expect(answers[0]!.json()).toEqual({ message: RESET_REQUESTED_MESSAGE });
    expect((await queuedEmails(db, withEmail.email!)).some((e) => e.subject.includes('nouveau code'))).toBe(true);
  });

  test('the OpenAPI document lists exactly the /api/v1 routes registered in Fastify (but itself)', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    expect(response.statusCode).toBe(200);
    const doc = response.json() as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toBe('3.1.0');
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`)).sort();
    const registered = registeredRoutes(t.app.printRoutes({ commonPrefix: false }))
      .filter((r) => r.split(' ')[1]!.startsWith('/api/v1/') && r !== 'GET /api/v1/openapi.json')
      .sort();
    expect(registered.filter((r) => r.includes(`${API_PREFIX}/`)).length).toBeGreaterThanOrEqual(5);
    expect(documented).toEqual(registered);
    expect(API_ROUTES.map((r) => `${r.method} ${r.path}`).sort()).toEqual(registered);
    expect(AUTH_API_ROUTES.every((r) => r.path.startsWith(`${API_PREFIX}/`))).toBe(true);
    // VAL-03 for JSON bodies (a multipart upload, such as the paper claims, has no JSON schema).
    for (const op of Object.values(doc.paths).flatMap((ops) => Object.values(ops)) as { requestBody?: { content: { 'application/json'?: { schema: { additionalProperties?: boolean } } } } }[]) {
      const json = op.requestBody?.content['application/json'];
      if (json) expect(json.schema.additionalProperties).toBe(false);
    }
  });
});
