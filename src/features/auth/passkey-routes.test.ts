/**
 * Passkeys over HTTP (issue 4): option endpoints (member session and CSRF required), single-use challenges bound to the
 * session or to the login cookie and expiring after 5 minutes (injected clock), registration and login with a software
 * authenticator (P-256, "none" attestation, built here with node:crypto), the counter check, the member lock, and the
 * object-level check on removal.
 */
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { insertHousehold } from '../../db/repositories/household.ts';
import { insertOrganisation } from '../../db/repositories/organisation.ts';
import { computeNirKey } from '../../domain/identity/nir.ts';
import { decryptField } from '../../platform/crypto.ts';
import type { Feature } from '../../platform/http/server.ts';
import { createTestApp, testClock, testConfig, type TestApp } from '../../../test/app.ts';
import { createTestDatabase, testDriver, type TestDatabase } from '../../../test/db.ts';
import { PASSKEY_LOGIN_FAILED } from './passkey-routes.ts';

const secrets = testConfig().secrets;
const MINUTE = 60_000;
const ORIGIN = 'https://espace.test';
const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

const clock = testClock('2026-03-12T10:00:00Z');
let db: TestDatabase;
let t: TestApp;
let organisationId: string;
let serial = 0;

/** Test-only: opens a member session as the login does. */
const sessionStarter: Feature = (app, { sessions, db: database }) => {
  app.post('/test/passkey-session/:memberId', { config: { csrf: false } }, async (request, reply) => {
    await database.transaction((tx) => sessions.start(tx, reply, request, 'member', (request.params as { memberId: string }).memberId));
    return { ok: true };
  });
};

beforeAll(async () => {
  db = await createTestDatabase();
  organisationId = (
    await insertOrganisation(db, {
      name: 'Mutuelle Test', amcNumber: '987654321', addressLine1: '1 rue du Test', addressLine2: null, postalCode: '69003', city: 'Lyon', phone: '04 00 00 00 00', professionalPhone: null, email: null,
    })
  ).id;
  t = await createTestApp({ name: 'passkey-routes', clock: clock.now, db, extraFeatures: [sessionStarter] });
});
afterAll(async () => {
  await t?.close();
  await db?.close();
});

async function createMember(): Promise<{ memberId: string; email: string }> {
  serial += 1;
  const body = `1780269${String(700 + (serial % 200)).padStart(3, '0')}${String(100 + Math.floor(Math.random() * 800)).padStart(3, '0')}`;
  const nir = body + computeNirKey(body);
  const email = `cle${serial}-${Date.now()}@exemple.test`;
  const { memberId } = await db.transaction((tx) =>
    insertHousehold(tx, { dataEncryptionKey: secrets.dataEncryptionKey, blindIndexKey: secrets.blindIndexKey }, {
      organisationId,
      memberNumber: `PK${String(serial).padStart(4, '0')}${Math.floor(Math.random() * 1e5)}`,
      nir,
      beneficiaries: [{ relationship: 'SELF', lastName: 'Martin', firstName: 'Julien', sex: 'M', birthDate: '1978-02-14', birthRank: 1, insuredNir: nir, ownNir: nir, amoFund: '069', noemie: 'ACTIVE' }],
      contracts: [],
      rights: [],
      email: { address: email, verified: true },
      phones: [],
      address: { recipient: 'JULIEN MARTIN', streetNumber: '5', street: 'rue des Acacias', complement: null, postalCode: '69003', city: 'Lyon', country: 'FR' },
      bankAccount: null,
      createdAt: new Date('2020-01-01T09:00:00Z'),
    }),
  );
  await db.query(`INSERT INTO member_credential (member_id, code_hash, code_set_at) VALUES ($1, $2, $3)`, [
    memberId, '$argon2id$v=19$m=1024,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$' + 'A'.repeat(43), new Date('2026-01-01T00:00:00Z'),
  ]);
  return { memberId, email };
}

type Response = Awaited<ReturnType<TestApp['app']['inject']>>;

class Browser {
  cookies: Record<string, string> = {};
  csrf = '';
  remember(response: Response) {
    for (const c of response.cookies as { name: string; value: string; maxAge?: number }[]) {
      if (c.value === '' || c.maxAge === 0) delete this.cookies[c.name];
      else this.cookies[c.name] = c.value;
    }
    const token = /data-csrf="([^"]+)"|name="_csrf" value="([^"]+)"/.exec(response.body);
    if (token) this.csrf = token[1] ?? token[2]!;
  }
  header = () => Object.entries(this.cookies).map(([k, v]) => `${k}=${v}`).join('; ');
  async get(url: string) {
    const response = await t.app.inject({ method: 'GET', url, headers: { cookie: this.header(), 'user-agent': UA } });
    this.remember(response);
    return response;
  }
  async json(url: string, body?: unknown, csrf: string | null = this.csrf) {
    const response = await t.app.inject({
      method: 'POST', url,
      headers: { cookie: this.header(), 'user-agent': UA, accept: 'application/json', ...(csrf !== null ? { 'x-csrf-token': csrf } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { payload: JSON.stringify(body) } : {}),
    });
    this.remember(response);
    return response;
  }
  async form(url: string, form: Record<string, string>) {
    const response = await t.app.inject({
      method: 'POST', url, headers: { cookie: this.header(), 'user-agent': UA, 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ _csrf: this.csrf, ...form }).toString(),
    });
    this.remember(response);
    return response;
  }
  /** A member session, and the CSRF token of the passkeys page. */
  async logIn(memberId: string) {
    this.remember(await t.app.inject({ method: 'POST', url: `/test/passkey-session/${memberId}`, headers: { cookie: this.header() } }));
    const page = await this.get('/profil/securite/cles-d-acces');
    expect(page.statusCode).toBe(200);
    return this;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// A software authenticator: P-256 key, "none" attestation, user present and verified.

function cbor(value: unknown): Buffer {
  const head = (major: number, n: number) =>
    n < 24 ? Buffer.from([(major << 5) | n]) : n < 256 ? Buffer.from([(major << 5) | 24, n]) : Buffer.from([(major << 5) | 25, n >> 8, n & 255]);
  if (typeof value === 'number') return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (typeof value === 'string') return Buffer.concat([head(3, Buffer.byteLength(value)), Buffer.from(value)]);
  if (Buffer.isBuffer(value)) return Buffer.concat([head(2, value.length), value]);
  if (value instanceof Map) return Buffer.concat([head(5, value.size), ...[...value].flatMap(([k, v]) => [cbor(k), cbor(v)])]);
  throw new Error('cbor: unsupported');
}

const b64url = (b: Buffer) => b.toString('base64url');
const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest();

class SoftAuthenticator {
  readonly id = randomBytes(32);
  readonly privateKey: KeyObject;
  readonly cose: Buffer;
  counter = 0;
  constructor() {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.privateKey = privateKey;
    const jwk = publicKey.export({ format: 'jwk' }) as { x: string; y: string };
    this.cose = cbor(new Map<number, unknown>([[1, 2], [3, -7], [-1, 1], [-2, Buffer.from(jwk.x, 'base64url')], [-3, Buffer.from(jwk.y, 'base64url')]]));
  }
  get credentialId() {
    return b64url(this.id);
  }
  private authData(flags: number, extra: Buffer[] = [], rpId = 'espace.test') {
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(this.counter);
    return Buffer.concat([sha256(rpId), Buffer.from([flags]), counter, ...extra]);
  }
  register(challenge: string, origin = ORIGIN) {
    const clientData = Buffer.from(JSON.stringify({ type: 'webauthn.create', challenge, origin, crossOrigin: false }));
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(this.id.length);
    const authData = this.authData(0x45, [Buffer.alloc(16), idLength, this.id, this.cose]);
    const attestationObject = cbor(new Map<string, unknown>([['fmt', 'none'], ['attStmt', new Map()], ['authData', authData]]));
    return {
      id: this.credentialId, rawId: this.credentialId, type: 'public-key',
      response: { clientDataJSON: b64url(clientData), attestationObject: b64url(attestationObject), transports: ['internal'] },
      clientExtensionResults: {}, authenticatorAttachment: 'platform',
    };
  }
  assert(challenge: string, options: { counter?: number } = {}) {
    this.counter = options.counter ?? this.counter + 1;
    const clientData = Buffer.from(JSON.stringify({ type: 'webauthn.get', challenge, origin: ORIGIN, crossOrigin: false }));
    const authData = this.authData(0x05);
    const signature = sign('sha256', Buffer.concat([authData, sha256(clientData)]), this.privateKey);
    return {
      id: this.credentialId, rawId: this.credentialId, type: 'public-key',
      response: { clientDataJSON: b64url(clientData), authenticatorData: b64url(authData), signature: b64url(signature) },
      clientExtensionResults: {}, authenticatorAttachment: 'platform',
    };
  }
}

async function auditOf(memberId: string | null, prefix = 'auth.passkey') {
  const { rows } = await db.query<{ action: string; details: { reason?: string } }>(
    `SELECT action, details FROM audit_log WHERE ($1::text IS NULL OR subject_id = $1) AND action LIKE $2 ORDER BY id`,
    [memberId, `${prefix}%`],
  );
  return rows.map((r) => (r.details.reason ? `${r.action}:${r.details.reason}` : r.action));
}

async function mailsTo(to: string) {
  const { rows } = await db.query<{ data: { sealed?: string; to?: string; subject?: string; text?: string } }>(`SELECT data FROM pgboss.job WHERE name = 'send-email' ORDER BY created_on, id`);
  return rows
    .map((r) => (r.data.sealed ? (JSON.parse(decryptField(secrets.dataEncryptionKey, r.data.sealed)) as { to: string; subject: string; text: string }) : r.data))
    .filter((m) => m.to === to);
}

/** A member with a registered software passkey. */
async function memberWithPasskey() {
  const member = await createMember();
  const browser = await new Browser().logIn(member.memberId);
  const key = new SoftAuthenticator();
  const options = (await browser.json('/profil/securite/cles-d-acces/options')).json() as { challenge: string };
  const registered = await browser.json('/profil/securite/cles-d-acces', key.register(options.challenge));
  expect(registered.statusCode).toBe(200);
  return { ...member, key };
}

async function passkeyLogin(browser: Browser, build: (challenge: string) => unknown) {
  if (!browser.csrf) await browser.get('/connexion');
  const options = await browser.json('/connexion/cle/options');
  expect(options.statusCode).toBe(200);
  return browser.json('/connexion/cle', build((options.json() as { challenge: string }).challenge));
}

describe(`passkeys over HTTP (${testDriver()})`, () => {
  test('registration options need a member session (401) and the CSRF token (403); user verification required, resident key preferred, own passkeys excluded', async () => {
    const anonymous = new Browser();
    await anonymous.get('/connexion');
    expect((await anonymous.json('/profil/securite/cles-d-acces/options')).statusCode).toBe(401);
    expect((await anonymous.get('/profil/securite/cles-d-acces')).headers.location).toBe('/connexion?next=%2Fprofil%2Fsecurite%2Fcles-d-acces');

    const { memberId, key } = await memberWithPasskey();
    const browser = await new Browser().logIn(memberId);
    expect((await browser.json('/profil/securite/cles-d-acces/options', undefined, null)).statusCode).toBe(403);
    expect((await browser.json('/profil/securite/cles-d-acces/options', undefined, 'x'.repeat(43))).statusCode).toBe(403);
    const response = await browser.json('/profil/securite/cles-d-acces/options');
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    const options = response.json() as Record<string, unknown> & { rp: { id: string; name: string }; user: { name: string }; challenge: string };
    expect(options.rp).toEqual({ id: 'espace.test', name: 'Mutuelle Test' });
    expect(options.user.name).toBe('Julien');
    expect(options.authenticatorSelection).toMatchObject({ residentKey: 'preferred', userVerification: 'required' });
    expect(options.excludeCredentials).toEqual([{ id: key.credentialId, type: 'public-key', transports: ['internal'] }]);
    const { rows } = await db.query<{ purpose: string; member_id: string; created_at: Date; expires_at: Date }>(`SELECT purpose, member_id, created_at, expires_at FROM webauthn_challenge WHERE challenge = $1`, [options.challenge]);
    expect(rows[0]).toMatchObject({ purpose: 'REGISTER', member_id: memberId });
    expect(new Date(rows[0]!.expires_at).getTime() - new Date(rows[0]!.created_at).getTime()).toBe(5 * MINUTE);
  });

  test('registration stores the key, audits it and mails a notice; its challenge is single use, bound to the session and expires after 5 minutes', async () => {
    const member = await createMember();
    const browser = await new Browser().logIn(member.memberId);
    const key = new SoftAuthenticator();

    // Another session of the same member cannot answer this session's challenge.
    const first = (await browser.json('/profil/securite/cles-d-acces/options')).json() as { challenge: string };
    const other = await new Browser().logIn(member.memberId);
    expect((await other.json('/profil/securite/cles-d-acces', key.register(first.challenge))).statusCode).toBe(400);
    // Expired after 5 minutes.
    const late = (await browser.json('/profil/securite/cles-d-acces/options')).json() as { challenge: string };
    clock.advance(5 * MINUTE);
    expect((await browser.json('/profil/securite/cles-d-acces', key.register(late.challenge))).statusCode).toBe(400);
    // A wrong origin consumes the challenge: the same challenge is then refused even with a right answer.
    const once = (await browser.json('/profil/securite/cles-d-acces/options')).json() as { challenge: string };
    expect((await browser.json('/profil/securite/cles-d-acces', key.register(once.challenge, 'https://evil.test'))).statusCode).toBe(400);
    const replay = await browser.json('/profil/securite/cles-d-acces', key.register(once.challenge));
    expect(replay.statusCode).toBe(400);
    expect(replay.json()).toEqual({ error: { code: 'VALIDATION', message: 'La clé d’accès n’a pas pu être ajoutée. Réessayez depuis cette page.' } });
    expect(await auditOf(member.memberId)).toEqual([
      'auth.passkey.registration.failure:CHALLENGE', 'auth.passkey.registration.failure:CHALLENGE', 'auth.passkey.registration.failure:VERIFICATION', 'auth.passkey.registration.failure:CHALLENGE',
    ]);

    const fresh = (await browser.json('/profil/securite/cles-d-acces/options')).json() as { challenge: string };
    const ok = await browser.json('/profil/securite/cles-d-acces', key.register(fresh.challenge));
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ redirect: '/profil/securite/cles-d-acces?ajout=1' });
    const { rows } = await db.query<{ member_id: string; counter: string; transports: string[]; label: string }>(`SELECT member_id, counter, transports, label FROM webauthn_credential WHERE id = $1`, [key.credentialId]);
    expect(rows[0]).toMatchObject({ member_id: member.memberId, transports: ['internal'], label: 'Chrome sur Linux' });
    expect((await auditOf(member.memberId)).at(-1)).toBe('auth.passkey.registered');
    const mails = await mailsTo(member.email);
    expect(mails.map((m) => m.subject)).toEqual(['Nouvelle clé d’accès ajoutée à votre espace adhérent']);
    expect(mails[0]!.text).toContain('https://espace.test/profil/securite/cles-d-acces');
    const page = await browser.get('/profil/securite/cles-d-acces?ajout=1');
    expect(page.body).toContain('La clé d’accès a été ajoutée');
    expect(page.body).toMatch(/<div class="passkey-action" data-passkey="register" data-csrf="[^"]+" hidden/);
    expect(page.body).toContain('<script type="module" src="/static/passkey.js"></script>');
  });

  test('passkey login: CSRF required, discoverable options and an opaque cookie; the session opens without the emailed code', async () => {
    const member = await memberWithPasskey();
    const browser = new Browser();
    await browser.get('/connexion');
    expect((await browser.json('/connexion/cle/options', undefined, null)).statusCode).toBe(403);
    const options = await browser.json('/connexion/cle/options');
    const body = options.json() as Record<string, unknown>;
    expect(body).toMatchObject({ rpId: 'espace.test', userVerification: 'required' });
    expect(body.allowCredentials ?? []).toEqual([]);
    expect(browser.cookies['__Host-espace-cle']).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const login = await browser.json('/connexion/cle', member.key.assert(body.challenge as string));
    expect(login.statusCode).toBe(200);
    expect(login.json()).toEqual({ redirect: '/espace' });
    expect(browser.cookies['__Host-espace-session']).toBeDefined();
    expect(browser.cookies['__Host-espace-cle']).toBeUndefined();
    expect((await browser.get('/espace')).statusCode).toBe(200);
    expect(await auditOf(member.memberId)).toEqual(['auth.passkey.registered', 'auth.passkey.login']);
    const { rows } = await db.query<{ counter: string }>(`SELECT counter FROM webauthn_credential WHERE id = $1`, [member.key.credentialId]);
    expect(Number(rows[0]!.counter)).toBe(1);
  });

  test('passkey login failures get one generic answer and are audited: replayed or expired challenge, no cookie, unknown key, counter that did not grow', async () => {
    const member = await memberWithPasskey();
    const generic = { error: { code: 'UNAUTHENTICATED', message: PASSKEY_LOGIN_FAILED } };
    const expectFailure = (response: Response) => {
      expect(response.statusCode).toBe(401);
      expect(response.json()).toEqual(generic);
      expect(response.cookies.some((c) => c.name === '__Host-espace-session' && c.value !== '')).toBe(false);
    };

    // Single use: the first answer (a stranger's key) consumes the challenge; the right key cannot reuse it.
    const browser = new Browser();
    await browser.get('/connexion');
    const { challenge } = (await browser.json('/connexion/cle/options')).json() as { challenge: string };
    const cookie = browser.cookies['__Host-espace-cle']!;
    expectFailure(await browser.json('/connexion/cle', new SoftAuthenticator().assert(challenge)));
    browser.cookies['__Host-espace-cle'] = cookie;
    expectFailure(await browser.json('/connexion/cle', member.key.assert(challenge)));
    // Expiry: 5 minutes.
    expectFailure(
      await passkeyLogin(browser, (c) => {
        clock.advance(5 * MINUTE);
        return member.key.assert(c);
      }),
    );
    // The challenge is bound to the cookie of the browser that asked for it.
    const asker = new Browser();
    await asker.get('/connexion');
    const asked = (await asker.json('/connexion/cle/options')).json() as { challenge: string };
    const thief = new Browser();
    await thief.get('/connexion');
    expectFailure(await thief.json('/connexion/cle', member.key.assert(asked.challenge)));
    // A counter that did not grow (a cloned authenticator).
    expect((await passkeyLogin(new Browser(), (c) => member.key.assert(c))).statusCode).toBe(200);
    expectFailure(await passkeyLogin(new Browser(), (c) => member.key.assert(c, { counter: member.key.counter })));
    // Malformed.
    expectFailure(await passkeyLogin(new Browser(), () => ({ id: 'x' })));

    // Before the key is known (challenge refused, unknown key, malformed), the failure names no member.
    expect((await auditOf(member.memberId)).filter((a) => a.startsWith('auth.passkey.failure'))).toEqual(['auth.passkey.failure:COUNTER']);
    const anonymous = await db.query<{ reason: string; n: number }>(
      `SELECT details->>'reason' AS reason, count(*)::int AS n FROM audit_log WHERE action = 'auth.passkey.failure' AND subject_id IS NULL GROUP BY 1`,
    );
    const byReason = Object.fromEntries(anonymous.rows.map((r) => [r.reason, r.n]));
    expect(byReason.UNKNOWN_CREDENTIAL).toBeGreaterThanOrEqual(1);
    expect(byReason.CHALLENGE).toBeGreaterThanOrEqual(3);
    expect(byReason.MALFORMED).toBeGreaterThanOrEqual(1);

    // Still fine with a fresh challenge and a counter that grew.
    expect((await passkeyLogin(new Browser(), (c) => member.key.assert(c))).statusCode).toBe(200);
  });

  test('a locked member cannot log in with a passkey either (temporary lock or lock until reset)', async () => {
    const member = await memberWithPasskey();
    await db.query(`UPDATE member_credential SET locked_until = $2 WHERE member_id = $1`, [member.memberId, new Date(clock.now().getTime() + 15 * MINUTE)]);
    expect((await passkeyLogin(new Browser(), (c) => member.key.assert(c))).statusCode).toBe(401);
    await db.query(`UPDATE member_credential SET locked_until = NULL, locked_until_reset = true WHERE member_id = $1`, [member.memberId]);
    expect((await passkeyLogin(new Browser(), (c) => member.key.assert(c))).statusCode).toBe(401);
    expect((await auditOf(member.memberId)).filter((a) => a.startsWith('auth.passkey.failure'))).toEqual(['auth.passkey.failure:LOCKED', 'auth.passkey.failure:LOCKED']);
    await db.query(`UPDATE member_credential SET locked_until_reset = false WHERE member_id = $1`, [member.memberId]);
    expect((await passkeyLogin(new Browser(), (c) => member.key.assert(c))).statusCode).toBe(200);
  });

  test('AC-02 removal: the page lists the member’s passkeys; another member’s passkey is not found (404); a removed key no longer logs in', async () => {
    const owner = await memberWithPasskey();
    const stranger = await createMember();
    const other = await new Browser().logIn(stranger.memberId);
    expect(other.csrf).not.toBe('');
    expect((await other.form('/profil/securite/cles-d-acces/retirer', { id: owner.key.credentialId })).statusCode).toBe(404);
    expect((await other.form('/profil/securite/cles-d-acces/retirer', { id: 'inconnue' })).statusCode).toBe(404);

    const browser = await new Browser().logIn(owner.memberId);
    const page = await browser.get('/profil/securite/cles-d-acces');
    expect(page.body).toContain(`<input type="hidden" name="id" value="${owner.key.credentialId}"/>`);
    expect(page.body).toContain('Chrome sur Linux');
    const removed = await browser.form('/profil/securite/cles-d-acces/retirer', { id: owner.key.credentialId });
    expect(removed.statusCode).toBe(303);
    expect(removed.headers.location).toBe('/profil/securite/cles-d-acces?retire=1');
    expect((await browser.get('/profil/securite/cles-d-acces?retire=1')).body).toContain('Aucune clé d’accès n’est enregistrée.');
    expect((await browser.form('/profil/securite/cles-d-acces/retirer', { id: owner.key.credentialId })).statusCode).toBe(404);
    expect((await passkeyLogin(new Browser(), (c) => owner.key.assert(c))).statusCode).toBe(401);
    expect(await auditOf(owner.memberId, 'auth.passkey.removed')).toEqual(['auth.passkey.removed']);
  });

  test('API passkey login: /api/v1/auth/passkey/options then /passkey/login open the session (the page’s use case); every failure is 401 PASSKEY_LOGIN_FAILED', async () => {
    const member = await memberWithPasskey();
    const client = new Browser();
    const state = async () => (await client.get('/api/v1/auth/session')).json() as { authenticated: boolean; csrfToken: string };
    client.csrf = (await state()).csrfToken;
    expect((await client.json('/api/v1/auth/passkey/options', {}, null)).statusCode).toBe(403);
    expect((await client.json('/api/v1/auth/passkey/options', { extra: 1 })).statusCode).toBe(400);
    const failed = { error: { code: 'PASSKEY_LOGIN_FAILED', message: PASSKEY_LOGIN_FAILED } };

    // Unknown key, then a replay of a consumed challenge: the same 401.
    let options = await client.json('/api/v1/auth/passkey/options', {});
    expect(options.statusCode).toBe(200);
    expect(options.headers['cache-control']).toBe('no-store');
    expect(options.json()).toMatchObject({ rpId: 'espace.test', userVerification: 'required' });
    const stranger = new SoftAuthenticator();
    const unknown = await client.json('/api/v1/auth/passkey/login', stranger.assert((options.json() as { challenge: string }).challenge));
    expect([unknown.statusCode, unknown.json()]).toEqual([401, failed]);

    options = await client.json('/api/v1/auth/passkey/options', {});
    const challenge = (options.json() as { challenge: string }).challenge;
    const login = await client.json('/api/v1/auth/passkey/login', member.key.assert(challenge));
    expect([login.statusCode, login.json()]).toEqual([200, { status: 'AUTHENTICATED' }]);
    expect(login.headers['cache-control']).toBe('no-store');
    expect((await state()).authenticated).toBe(true);
    client.csrf = (await state()).csrfToken;
    const replay = await client.json('/api/v1/auth/passkey/login', member.key.assert(challenge));
    expect([replay.statusCode, replay.json()]).toEqual([401, failed]);

    const { rows } = await db.query<{ action: string; details: { channel?: string; reason?: string } }>(
      `SELECT action, details FROM audit_log WHERE action IN ('auth.passkey.login', 'auth.passkey.failure') AND details->>'channel' = 'API' ORDER BY id`,
    );
    expect(rows.map((r) => (r.details.reason ? `${r.action}:${r.details.reason}` : r.action))).toEqual(['auth.passkey.failure:UNKNOWN_CREDENTIAL', 'auth.passkey.login', 'auth.passkey.failure:CHALLENGE']);
  });

  test('the login page offers the passkey button only to scripts (hidden in the HTML)', async () => {
    const page = await new Browser().get('/connexion');
    expect(page.body).toMatch(/<div class="passkey-action" data-passkey="login" data-csrf="[^"]+" hidden><p><button type="button" class="button" data-passkey-button="true">Se connecter avec une clé d’accès<\/button>/);
  });
});
