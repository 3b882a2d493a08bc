import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { insertHousehold, type NewHousehold } from '../../db/repositories/household.ts';
import { insertOrganisation } from '../../db/repositories/organisation.ts';
import { computeNirKey } from '../../domain/identity/nir.ts';
import { hashAccessCode, type Argon2Params } from '../../platform/access-code-hash.ts';
import { createTestApp, testClock, testConfig, type TestApp } from '../../../test/app.ts';
import { createTestDatabase, testDriver, type TestDatabase } from '../../../test/db.ts';
import { LOGIN_FAILED_MESSAGE } from './verify-login.ts';
import { answerOf } from './login-challenge-test-kit.ts';
import { safeNext } from './member-area.ts';
import { queuedEmails } from '../../../test/mail-jobs.ts';

const secrets = testConfig().secrets;
const keys = { dataEncryptionKey: secrets.dataEncryptionKey, blindIndexKey: secrets.blindIndexKey };
const CHEAP: Argon2Params = { memoryCost: 1024, timeCost: 1, parallelism: 1 };
const MINUTE = 60_000;
const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

const clock = testClock('2026-03-12T10:00:00Z');
let db: TestDatabase;
let t: TestApp;
let organisationId: string;
let serial = 0;

beforeAll(async () => {
  db = await createTestDatabase();
  organisationId = (
    await insertOrganisation(db, {
      name: 'Mutuelle Test', amcNumber: '987654321', addressLine1: '1 rue du Test', addressLine2: null, postalCode: '69003', city: 'Lyon', phone: '04 00 00 00 00', professionalPhone: null, email: null,
    })
  ).id;
  t = await createTestApp({ name: 'login-routes', clock: clock.now, db });
});
afterAll(async () => {
  await t?.close();
  await db?.close();
});

function newNir(): string {
  serial += 1;
  const body = `1780269${String(100 + (serial % 900)).padStart(3, '0')}${String(Math.floor(serial / 900) + 100).padStart(3, '0')}`;
  return body + computeNirKey(body);
}
const newIp = () => {
  serial += 1;
  return `10.9.${(serial >> 8) & 255}.${serial & 255}`;
};

type Member = { memberId: string; nir: string; code: string; email: string | null };

async function createMember(options: { email?: 'verified' | 'unverified' | null; code?: string | null; activationCode?: string } = {}): Promise<Member> {
  const nir = newNir();
  serial += 1;
  const email = options.email === undefined ? 'verified' : options.email;
  const address = email ? `membre${serial}@exemple.test` : null;
  const household: NewHousehold = {
    organisationId,
    memberNumber: `L${String(serial).padStart(7, '0')}`,
    nir,
    beneficiaries: [{ relationship: 'SELF', lastName: 'Martin', firstName: 'Julien', sex: 'M', birthDate: '1978-02-14', birthRank: 1, insuredNir: nir, ownNir: nir, amoFund: '069', noemie: 'ACTIVE' }],
    contracts: [],
    rights: [],
    email: address ? { address, verified: email === 'verified' } : null,
    phones: [],
    address: { recipient: 'JULIEN MARTIN', streetNumber: '5', street: 'rue des Acacias', complement: null, postalCode: '69003', city: 'Lyon', country: 'FR' },
    bankAccount: null,
    createdAt: new Date('2020-01-01T09:00:00Z'),
  };
  const { memberId } = await db.transaction((tx) => insertHousehold(tx, keys, household));
  // A verified address confirmed recently: the email check after login (session-routes.ts) stays out of the way here.
  await db.query('UPDATE email_address SET last_confirmed_at = $2 WHERE member_id = $1', [memberId, clock.now()]);
  const code = options.code === undefined ? '739184' : options.code;
  if (code !== null) {
    await db.query(`INSERT INTO member_credential (member_id, code_hash, code_set_at) VALUES ($1, $2, $3)`, [memberId, await hashAccessCode(code, secrets.codePepper, CHEAP), new Date('2026-01-01T00:00:00Z')]);
  }
  if (options.activationCode) {
    await db.query(`INSERT INTO activation_code (member_id, code_hash, created_at, expires_at) VALUES ($1, $2, $3, $4)`, [
      memberId, await hashAccessCode(options.activationCode, secrets.codePepper, CHEAP), clock.now(), new Date(clock.now().getTime() + 30 * 24 * 60 * MINUTE),
    ]);
  }
  return { memberId, nir, code: code ?? '', email: address };
}

type Response = Awaited<ReturnType<TestApp['app']['inject']>>;

/** A browser: its cookies, its IP, the CSRF token of the last page it loaded. */
class Browser {
  cookies: Record<string, string> = {};
  csrf = '';
  constructor(readonly ip = newIp()) {}
  header() {
    return Object.entries(this.cookies).map(([k, v]) => `${k}=${v}`).join('; ');
  }
  remember(response: Response) {
    for (const c of response.cookies as { name: string; value: string; maxAge?: number; expires?: Date }[]) {
      const expired = c.value === '' || c.maxAge === 0 || (c.expires !== undefined && c.expires.getTime() < Date.now());
      if (expired) delete this.cookies[c.name];
      else this.cookies[c.name] = c.value;
    }
    const token = /name="_csrf" value="([^"]+)"/.exec(response.body)?.[1];
    if (token) this.csrf = token;
  }
  async get(url: string) {
    const response = await t.app.inject({ method: 'GET', url, headers: { cookie: this.header(), 'user-agent': UA }, remoteAddress: this.ip });
    this.remember(response);
    return response;
  }
  async post(url: string, form: Record<string, string>) {
    if (!this.csrf) await this.get('/connexion');
    const response = await t.app.inject({
      method: 'POST', url, headers: { cookie: this.header(), 'user-agent': UA, 'content-type': 'application/x-www-form-urlencoded' }, remoteAddress: this.ip,
      payload: new URLSearchParams({ _csrf: this.csrf, ...form }).toString(),
    });
    this.remember(response);
    return response;
  }
  async login(member: Pick<Member, 'nir' | 'code'>, extra: Record<string, string> = {}) {
    const page = await this.get('/connexion');
    // A member already logged in is sent to their space: the form's token is then the one of that page.
    if (page.statusCode === 303) await this.get(page.headers.location as string);
    // Like a person, it answers the THR-03 question when the page asks one (login-challenge.test.ts).
    const question = /<label for="challengeAnswer">Question de sécurité : ([^<]+)<\/label>/.exec(page.body)?.[1];
    const token = /name="challengeToken" value="([^"]+)"/.exec(page.body)?.[1];
    const challenge: Record<string, string> = question && token ? { challengeToken: token, challengeAnswer: answerOf(question) } : {};
    return this.post('/connexion', { nir: member.nir, code: member.code, ...challenge, ...extra });
  }
}

/** The newest new-device code emailed to this address, read from the mail job payload. */
async function emailedCode(to: string): Promise<string> {
  const newest = (await queuedEmails(db, to)).filter((m) => m.subject === 'Votre code de confirmation').at(-1);
  const code = /saisissez ce code sur la page ouverte : (\d{6})/.exec(newest?.text ?? '')?.[1];
  if (!code) throw new Error(`no code mailed to ${to}`);
  return code;
}

async function mailsTo(to: string) {
  return queuedEmails(db, to);
}

async function auditActions(memberId: string) {
  const { rows } = await db.query<{ action: string }>(`SELECT action FROM audit_log WHERE subject_id = $1 ORDER BY id`, [memberId]);
  return rows.map((r) => r.action);
}

/** Logs in from a new browser and confirms it with the emailed code: the browser then has a session and a trusted-device cookie. */
async function loginFromNewDevice(member: Member, browser = new Browser()) {
  const login = await browser.login(member);
  expect(login.statusCode).toBe(303);
  expect(login.headers.location).toBe('/connexion/appareil');
  await browser.get('/connexion/appareil');
  const confirm = await browser.post('/connexion/appareil', { code: await emailedCode(member.email!) });
  expect(confirm.statusCode).toBe(303);
  await browser.get('/espace');
  return { browser, confirm };
}

describe(`member login over HTTP (${testDriver()})`, () => {
  test('the login page: labelled fields with hints, the right autocomplete and keyboards, the forgotten-code link, a CSRF field', async () => {
    const response = await new Browser().get('/connexion');
    expect(response.statusCode).toBe(200);
    const html = response.body;
    expect(html).toContain('<h1 id="titre-connexion">Connexion à votre espace</h1>');
    expect(html).toMatch(/<label for="nir">Numéro de Sécurité sociale<\/label>/);
    expect(html).toMatch(/<input id="nir" name="nir" aria-describedby="nir-aide" type="text"[^>]*autocomplete="username"/);
    expect(html).not.toMatch(/id="nir"[^>]*inputmode/);
    expect(html).toMatch(/<input id="code" name="code" aria-describedby="code-aide" type="password" inputmode="numeric" autocomplete="current-password"/);
    expect(html).toContain('href="/code-oublie"');
    expect(html).toContain("<a href=\"/code-oublie\">Code d'accès oublié ?</a>");
    expect(html).toMatch(/name="_csrf" value="[A-Za-z0-9_-]{43}"/);
    expect(html).not.toContain('error-summary');
  });

  test('VAL-01 a malformed NIR or a wrong key gets a 400 with the French message on the field, before any lookup', async () => {
    const browser = new Browser();
    const badKey = newNir().slice(0, 13) + '00';
    const response = await browser.login({ nir: badKey, code: '12' });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('<title>Erreur : Connexion');
    expect(response.body).toMatch(/<div class="error-summary" role="alert" aria-labelledby="titre-erreurs" tabindex="-1" autofocus/);
    expect(response.body).toContain('<a href="#nir">La clé du NIR ne correspond pas : vérifiez chacun des chiffres saisis.</a>');
    expect(response.body).toContain('<a href="#code">Le code d’accès comporte exactement 6 chiffres.</a>');
    expect(response.body).toMatch(/<input id="nir" name="nir" aria-describedby="nir-aide nir-erreur" aria-invalid="true"/);
    expect(response.body).toMatch(/<input id="code" name="code" aria-describedby="code-aide code-erreur" aria-invalid="true"/);
    expect(response.body).toContain(`value="${badKey}"`);
    const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM login_attempt WHERE ip = $1`, [browser.ip]);
    expect(rows[0]!.n).toBe(0);
    const empty = await browser.post('/connexion', { nir: '', code: '' });
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('Saisissez votre numéro de Sécurité sociale.');
  });

  test('AUTH-05 a login from a new device asks for the emailed code, then opens the session and remembers the device', async () => {
    const member = await createMember();
    const browser = new Browser();
    const spaced = member.nir.replace(/^(\d)(\d{2})(\d{2})(\d{2})(\d{3})(\d{3})(\d{2})$/, '$1 $2 $3 $4 $5 $6 $7');
    const login = await browser.login({ nir: spaced, code: member.code });
    expect(login.statusCode).toBe(303);
    expect(login.headers.location).toBe('/connexion/appareil');
    expect(browser.cookies['__Host-espace-session']).toBeUndefined();
    expect(browser.cookies['__Host-espace-connexion']).toBeDefined();
    // No session yet.
    expect((await browser.get('/espace')).headers.location).toBe('/connexion?next=%2Fespace');

    const check = await browser.get('/connexion/appareil');
    expect(check.statusCode).toBe(200);
    expect(check.body).toContain('Confirmer ce nouvel appareil');
    expect(check.body).toContain(`m•••@exemple.test`);
    expect(check.body).toMatch(/<input id="code" name="code" aria-describedby="code-aide" type="text" inputmode="numeric" autocomplete="one-time-code"/);

    const code = await emailedCode(member.email!);
    const [mail] = await mailsTo(member.email!);
    for (const part of [mail!.text, mail!.html, mail!.subject]) {
      expect(part).not.toContain(member.nir);
      expect(part).not.toContain(member.code);
    }
    const { rows: stored } = await db.query(`SELECT * FROM one_time_code WHERE member_id = $1`, [member.memberId]);
    expect(stored).toHaveLength(1);
    expect(JSON.stringify(stored)).not.toContain(code);

    const confirm = await browser.post('/connexion/appareil', { code: ` ${code.slice(0, 3)} ${code.slice(3)} ` });
    expect(confirm.statusCode).toBe(303);
    expect(confirm.headers.location).toBe('/espace');
    expect(browser.cookies['__Host-espace-connexion']).toBeUndefined();
    const device = browser.cookies['__Host-espace-appareil']!;
    expect(device).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const setDevice = ([] as string[]).concat(confirm.headers['set-cookie'] ?? []).find((c) => c.startsWith('__Host-espace-appareil='))!;
    expect(setDevice).toContain('Max-Age=7776000');
    expect(setDevice).toMatch(/Path=\/;.*HttpOnly.*Secure.*SameSite=Lax|Path=\//);
    const { rows: devices } = await db.query<{ token_hash: string; user_agent_label: string; expires_at: Date }>(`SELECT token_hash, user_agent_label, expires_at FROM trusted_device WHERE member_id = $1`, [member.memberId]);
    expect(devices).toHaveLength(1);
    expect(devices[0]!.token_hash).not.toBe(device);
    expect(devices[0]!.user_agent_label).toBe('Chrome sur Linux');
    expect(new Date(devices[0]!.expires_at).getTime()).toBe(clock.now().getTime() + 90 * 24 * 60 * MINUTE);

    const home = await browser.get('/espace');
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain('Bonjour Julien');
    expect(home.body).toContain('href="/profil/securite/appareils"');
    expect(home.body).toMatch(/<form method="post" action="\/deconnexion"/);
    // AUTH-06: one notice for the new device.
    expect((await mailsTo(member.email!)).map((m) => m.subject)).toEqual(['Votre code de confirmation', 'Nouvel appareil connecté à votre espace adhérent']);
  });

  test('AUTH-05 a trusted device skips the emailed code; another browser still needs it', async () => {
    const member = await createMember();
    const { browser } = await loginFromNewDevice(member);
    await browser.post('/deconnexion', {});
    expect(browser.cookies['__Host-espace-session']).toBeUndefined();
    clock.advance(MINUTE);
    const again = await browser.login(member);
    expect(again.statusCode).toBe(303);
    expect(again.headers.location).toBe('/espace');
    expect((await browser.get('/espace')).body).toContain('Bonjour Julien');
    expect((await mailsTo(member.email!)).filter((m) => m.subject === 'Votre code de confirmation')).toHaveLength(1);
    const { rows } = await db.query<{ last_used_at: Date }>(`SELECT last_used_at FROM trusted_device WHERE member_id = $1`, [member.memberId]);
    expect(new Date(rows[0]!.last_used_at).getTime()).toBe(clock.now().getTime());

    const other = new Browser();
    // Another member's device cookie does not count for this member.
    other.cookies['__Host-espace-appareil'] = browser.cookies['__Host-espace-appareil']!;
    const otherMember = await createMember();
    expect((await other.login(otherMember)).headers.location).toBe('/connexion/appareil');
  });

  test('AUTH-05 the emailed code works once, only for its own attempt, and not after 10 minutes', async () => {
    const member = await createMember();
    // Attempt A and attempt B, from two browsers.
    const a = new Browser();
    const b = new Browser();
    await a.login(member);
    const codeA = await emailedCode(member.email!);
    clock.advance(1000);
    await b.login(member);
    const codeB = await emailedCode(member.email!);
    expect(codeB).not.toBe(codeA);
    await b.get('/connexion/appareil');
    // A's code for B's attempt is refused.
    const cross = await b.post('/connexion/appareil', { code: codeA });
    expect(cross.statusCode).toBe(400);
    expect(cross.body).toContain('Code incorrect');
    expect(cross.body).toContain('il vous reste 4 essais');
    // Valid at 599 s.
    clock.advance(599_000 - 1000);
    await a.get('/connexion/appareil');
    const pendingA = a.cookies['__Host-espace-connexion']!;
    const ok = await a.post('/connexion/appareil', { code: codeA });
    expect(ok.headers.location).toBe('/espace');
    // Replay: the same pending cookie and code again.
    const replay = new Browser();
    replay.cookies['__Host-espace-connexion'] = pendingA;
    await replay.get('/connexion');
    const replayed = await replay.post('/connexion/appareil', { code: codeA });
    expect(replayed.statusCode).toBe(303);
    expect(replayed.headers.location).toBe('/connexion?motif=expire');
    expect(replay.cookies['__Host-espace-session']).toBeUndefined();
    // B's attempt is 600 s old (+1 s): expired, even with its right code.
    clock.advance(2000);
    const late = await b.post('/connexion/appareil', { code: codeB });
    expect(late.headers.location).toBe('/connexion?motif=expire');
    expect(b.cookies['__Host-espace-session']).toBeUndefined();
    const page = await b.get('/connexion?motif=expire');
    expect(page.body).toContain('Le délai pour confirmer cet appareil est dépassé');
  });

  test('AUTH-05 five wrong codes void the attempt, the right code then fails too', async () => {
    const member = await createMember();
    const browser = new Browser();
    await browser.login(member);
    const code = await emailedCode(member.email!);
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 1; i <= 4; i++) {
      const response = await browser.post('/connexion/appareil', { code: wrong });
      expect(response.statusCode).toBe(400);
      expect(response.body).toContain(5 - i === 1 ? 'il vous reste 1 essai' : `il vous reste ${5 - i} essais`);
      expect(response.body).toMatch(/<input id="code" name="code" aria-describedby="code-aide code-erreur" aria-invalid="true"/);
    }
    const pending = browser.cookies['__Host-espace-connexion']!;
    const fifth = await browser.post('/connexion/appareil', { code: wrong });
    expect(fifth.headers.location).toBe('/connexion?motif=annule');
    expect(browser.cookies['__Host-espace-connexion']).toBeUndefined();
    expect((await browser.get('/connexion?motif=annule')).body).toContain('la confirmation de cet appareil est annulée');
    // The voided attempt's right code, with its (copied) cookie: refused.
    const copy = new Browser();
    copy.cookies['__Host-espace-connexion'] = pending;
    await copy.get('/connexion');
    expect((await copy.post('/connexion/appareil', { code })).headers.location).toBe('/connexion?motif=expire');
    expect(copy.cookies['__Host-espace-session']).toBeUndefined();
    const { rows } = await db.query<{ attempts: number; max_attempts: number; used_at: Date | null }>(`SELECT attempts, max_attempts, used_at FROM one_time_code WHERE member_id = $1`, [member.memberId]);
    expect(rows).toEqual([{ attempts: 5, max_attempts: 5, used_at: null }]);
    expect(await auditActions(member.memberId)).toEqual(['auth.login.success', 'auth.device.challenge', ...Array(4).fill('auth.device.challenge.failure'), 'auth.device.challenge.voided']);
    // A new login gets a new code; a malformed answer is refused without counting.
    const again = new Browser();
    expect((await again.login(member)).headers.location).toBe('/connexion/appareil');
    const malformed = await again.post('/connexion/appareil', { code: '12' });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.body).toContain('Le code de confirmation comporte exactement 6 chiffres.');
    expect((await again.post('/connexion/appareil', { code: await emailedCode(member.email!) })).headers.location).toBe('/espace');
  });

  test('AUTH-05 a member without a verified email confirms with the code of the newest activation letter', async () => {
    const member = await createMember({ email: 'unverified', activationCode: 'ABCD2345' });
    const browser = new Browser();
    await browser.login(member);
    const page = await browser.get('/connexion/appareil');
    expect(page.body).toContain('code d’activation à 8 caractères de votre dernier courrier');
    expect(await mailsTo(member.email!)).toEqual([]);
    const wrong = await browser.post('/connexion/appareil', { code: 'ABCD2346' });
    expect(wrong.statusCode).toBe(400);
    const { rows } = await db.query<{ wrong_attempts: number }>(`SELECT wrong_attempts FROM activation_code WHERE member_id = $1`, [member.memberId]);
    expect(rows[0]!.wrong_attempts).toBe(1);
    const right = await browser.post('/connexion/appareil', { code: 'abcd 2345' });
    expect(right.headers.location).toBe('/espace/verifier-email'); // its address is unverified: asked about after login
    expect(await auditActions(member.memberId)).toContain('auth.device.new');
  });

  test('AUTH-05 a member with neither email nor activation letter is told to ask for a letter or to call', async () => {
    const member = await createMember({ email: null });
    const browser = new Browser();
    expect((await browser.login(member)).headers.location).toBe('/connexion/appareil');
    const page = await browser.get('/connexion/appareil');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('appelez-nous au <a href="tel:0400000000">04 00 00 00 00</a>');
    expect(page.body).not.toContain('action="/connexion/appareil"');
    const post = await browser.post('/connexion/appareil', { code: '123456' });
    expect(post.headers.location).toBe('/connexion?motif=expire');
    expect(browser.cookies['__Host-espace-session']).toBeUndefined();
  });

  test('ENUM-01 unknown NIR, wrong code, locked account and account without email or code get byte-identical answers', async () => {
    const withEmail = await createMember();
    const noEmail = await createMember({ email: null });
    const noCode = await createMember({ code: null });
    const locked = await createMember();
    for (let i = 0; i < 3; i++) await new Browser().login({ nir: locked.nir, code: '000001' });
    const { rows: lockedState } = await db.query<{ locked_until: Date | null }>(`SELECT locked_until FROM member_credential WHERE member_id = $1`, [locked.memberId]);
    expect(lockedState[0]!.locked_until).not.toBeNull();
    const browser = new Browser();
    await browser.get('/connexion');
    const cases = [
      { nir: newNir(), code: '482915' },
      { nir: withEmail.nir, code: '000002' },
      { nir: locked.nir, code: locked.code },
      { nir: noEmail.nir, code: '000003' },
      { nir: noCode.nir, code: '482915' },
    ];
    const answers: { status: number; headers: Record<string, unknown>; body: string }[] = [];
    for (const c of cases) {
      const token = browser.csrf;
      const response = await t.app.inject({
        // Each case from an IP of its own: only the account differs (the IP's THR-03 state would otherwise change).
        method: 'POST', url: '/connexion', remoteAddress: newIp(),
        headers: { cookie: browser.header(), 'user-agent': UA, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ _csrf: token, nir: c.nir, code: c.code }).toString(),
      });
      const { date: _date, ...headers } = response.headers;
      // The CSRF token and the NIR typed (shown again in its field) are the only variable parts.
      const body = response.body.replaceAll(token, '<csrf>').replaceAll(c.nir, '<nir>');
      answers.push({ status: response.statusCode, headers, body });
    }
    expect(answers[0]!.status).toBe(401);
    expect(answers[0]!.body).toContain(LOGIN_FAILED_MESSAGE.replaceAll('’', '’'));
    expect(answers[0]!.headers['set-cookie']).toBeUndefined();
    for (const answer of answers.slice(1)) expect(answer).toEqual(answers[0]);
  });

  test('THR-03 too many failures from one IP: a 429 page that says so, whatever the account, question answered or not', async () => {
    const member = await createMember();
    const browser = new Browser();
    for (let i = 0; i < 10; i++) expect((await browser.login({ nir: newNir(), code: '482915' })).statusCode).toBe(401);
    const refused = await browser.login(member);
    expect(refused.statusCode).toBe(429);
    expect(refused.body).toContain('Trop de tentatives de connexion');
    expect(browser.cookies['__Host-espace-session']).toBeUndefined();
  });

  test('THR-01 the 3rd failure sends a lock notice by email, without NIR or code', async () => {
    const member = await createMember();
    for (let i = 0; i < 3; i++) expect((await new Browser().login({ nir: member.nir, code: `00000${i}` })).statusCode).toBe(401);
    const mails = await mailsTo(member.email!);
    expect(mails.map((m) => m.subject)).toEqual(['Accès à votre espace adhérent suspendu']);
    expect(mails[0]!.text).toContain('suspendu pendant 15 minutes');
    expect(mails[0]!.text).toContain('https://espace.test/code-oublie');
    for (const secret of [member.nir, member.code, '000000', '000001', '000002']) expect(JSON.stringify(mails)).not.toContain(secret);
  });

  test('SES-01 the session id changes at login; the previous one dies', async () => {
    const member = await createMember();
    const { browser } = await loginFromNewDevice(member);
    const first = browser.cookies['__Host-espace-session']!;
    expect(first).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const again = await browser.login(member);
    expect(again.headers.location).toBe('/espace');
    const second = browser.cookies['__Host-espace-session']!;
    expect(second).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(second).not.toBe(first);
    const stale = new Browser();
    stale.cookies['__Host-espace-session'] = first;
    expect((await stale.get('/espace')).statusCode).toBe(303);
    expect((await browser.get('/espace')).statusCode).toBe(200);
  });

  test('WEB-05 open-redirect attempts land on the member home, never elsewhere; a member-area path is kept', async () => {
    for (const next of ['//evil.test', 'https:evil', 'https://evil.test/espace', '/\\evil.test', '/espace/../..', '/espace//evil.test', '/espacefoo', ' /espace', '/espace\r\nX: y']) {
      expect(safeNext(next), next).toBeNull();
    }
    expect(safeNext('/profil/securite/appareils')).toBe('/profil/securite/appareils');
    expect(safeNext('/remboursements?annee=2025')).toBe('/remboursements?annee=2025');
    expect(safeNext('/remboursementsfoo')).toBeNull();
    const member = await createMember();
    const { browser } = await loginFromNewDevice(member);
    for (const next of ['//evil.test', 'https:evil', '/\\evil.test']) {
      const response = await browser.login(member, { next });
      expect(response.headers.location, next).toBe('/espace');
    }
    expect((await browser.login(member, { next: '/profil/securite/appareils' })).headers.location).toBe('/profil/securite/appareils');
    const page = await new Browser().get('/connexion?next=//evil.test');
    expect(page.body).not.toContain('evil.test');
    // The next page survives the new-device step.
    const fresh = new Browser();
    await fresh.get('/connexion?next=%2Fprofil%2Fsecurite%2Fappareils');
    await fresh.post('/connexion', { nir: member.nir, code: member.code, next: '/profil/securite/appareils' });
    const done = await fresh.post('/connexion/appareil', { code: await emailedCode(member.email!) });
    expect(done.headers.location).toBe('/profil/securite/appareils');
  });

  test('a member page without a session sends to the login page, which comes back', async () => {
    const response = await new Browser().get('/profil/securite/appareils');
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/connexion?next=%2Fprofil%2Fsecurite%2Fappareils');
  });

  test('AC-02 devices: listed with their label and dates, revocable by their owner only (another member’s id → 404)', async () => {
    const member = await createMember();
    const other = await createMember();
    const { browser } = await loginFromNewDevice(member);
    const { browser: otherBrowser } = await loginFromNewDevice(other);
    const list = await browser.get('/profil/securite/appareils');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('Chrome sur Linux (cet appareil)');
    expect(list.body).toContain('12 mars 2026');
    const { rows } = await db.query<{ id: string; member_id: string }>(`SELECT id, member_id FROM trusted_device WHERE member_id = ANY($1::uuid[])`, [[member.memberId, other.memberId]]);
    const mine = rows.find((r) => r.member_id === member.memberId)!.id;
    const theirs = rows.find((r) => r.member_id === other.memberId)!.id;
    const foreign = await browser.post(`/profil/securite/appareils/${theirs}/retirer`, {});
    expect(foreign.statusCode).toBe(404);
    expect((await browser.post('/profil/securite/appareils/not-a-uuid/retirer', {})).statusCode).toBe(404);
    expect((await browser.post('/profil/securite/appareils/00000000-0000-4000-8000-000000000000/retirer', {})).statusCode).toBe(404);
    const { rows: still } = await db.query<{ revoked_at: Date | null }>(`SELECT revoked_at FROM trusted_device WHERE id = $1`, [theirs]);
    expect(still[0]!.revoked_at).toBeNull();
    // Anonymous: no revocation either.
    const anonymous = new Browser();
    await anonymous.get('/connexion');
    expect((await anonymous.post(`/profil/securite/appareils/${mine}/retirer`, {})).headers.location).toBe('/connexion');

    await browser.get('/profil/securite/appareils');
    const revoke = await browser.post(`/profil/securite/appareils/${mine}/retirer`, {});
    expect(revoke.statusCode).toBe(303);
    expect(revoke.headers.location).toBe('/profil/securite/appareils?retire=1');
    expect(browser.cookies['__Host-espace-appareil']).toBeUndefined();
    expect((await browser.get('/profil/securite/appareils?retire=1')).body).toContain('L’appareil a été retiré');
    expect((await browser.post(`/profil/securite/appareils/${mine}/retirer`, {})).statusCode).toBe(404);
    // Revoked: the next login asks for a code again.
    expect((await browser.login(member)).headers.location).toBe('/connexion/appareil');
    expect((await otherBrowser.get('/profil/securite/appareils')).body).toContain('(cet appareil)');
  });

  test('SES-03 logout ends the session on the server and says so on the home page', async () => {
    const member = await createMember();
    const { browser } = await loginFromNewDevice(member);
    const session = browser.cookies['__Host-espace-session']!;
    await browser.get('/espace');
    const logout = await browser.post('/deconnexion', {});
    expect(logout.statusCode).toBe(303);
    expect(logout.headers.location).toBe('/?deconnexion=1');
    expect(logout.headers['clear-site-data']).toBe('"cache", "storage"');
    expect(browser.cookies['__Host-espace-session']).toBeUndefined();
    expect(browser.cookies['__Host-espace-appareil']).toBeDefined();
    expect((await browser.get('/?deconnexion=1')).body).toContain('Vous êtes déconnecté.');
    const copied = new Browser();
    copied.cookies['__Host-espace-session'] = session;
    expect((await copied.get('/espace')).headers.location).toBe('/connexion?next=%2Fespace');
  });

  test('LOG-01 the new-device flow, a revocation and a logout write audit rows, never the code, the token or the NIR', async () => {
    const member = await createMember({ code: '604817' });
    const browser = new Browser();
    await browser.login(member);
    const otp = await emailedCode(member.email!);
    await browser.post('/connexion/appareil', { code: otp === '000000' ? '111111' : '000000' });
    await browser.post('/connexion/appareil', { code: otp });
    const device = browser.cookies['__Host-espace-appareil']!;
    const session = browser.cookies['__Host-espace-session']!;
    const { rows: devices } = await db.query<{ id: string }>(`SELECT id FROM trusted_device WHERE member_id = $1`, [member.memberId]);
    await browser.get('/profil/securite/appareils');
    await browser.post(`/profil/securite/appareils/${devices[0]!.id}/retirer`, {});
    await browser.post('/deconnexion', {});
    expect(await auditActions(member.memberId)).toEqual([
      'auth.login.success', 'auth.device.challenge', 'auth.device.challenge.failure', 'auth.device.new', 'auth.session.start', 'auth.device.revoked', 'auth.logout',
    ]);
    const { rows } = await db.query<{ action: string; actor_type: string; actor_id: string | null; ip: string; occurred_at: Date; details: Record<string, unknown> }>(
      `SELECT action, actor_type, actor_id, ip, occurred_at, details FROM audit_log WHERE subject_id = $1 ORDER BY id`,
      [member.memberId],
    );
    for (const row of rows) {
      expect(row.ip).toBe(browser.ip);
      expect(new Date(row.occurred_at).getTime()).toBe(clock.now().getTime());
    }
    expect(rows.find((r) => r.action === 'auth.device.new')).toMatchObject({ actor_type: 'member', actor_id: member.memberId, details: { method: 'EMAIL', deviceId: devices[0]!.id } });
    expect(rows.find((r) => r.action === 'auth.logout')).toMatchObject({ actor_type: 'member', actor_id: member.memberId });
    const dump = JSON.stringify(rows);
    for (const secret of [otp, member.code, member.nir, device, session]) expect(dump).not.toContain(secret);
  });
});
