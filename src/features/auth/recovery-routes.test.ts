import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestApp, testClock, type TestApp } from '../../../test/app.ts';
import { testDriver } from '../../../test/db.ts';
import { insertOrganisation } from '../../db/repositories/organisation.ts';
import { ACCESS_CODE_MESSAGES } from '../../domain/auth/access-code-policy.ts';
import { generateLetter, lettersDir } from '../letters/generate-letter-job.ts';
import { groupCode } from '../letters/letter-model.ts';
import { ACTIVATION_FAILED_MESSAGE } from './activate-account.ts';
import { CURRENT_CODE_WRONG_MESSAGE } from './change-code.ts';
import { issueActivationLetter } from './issue-activation-letter.ts';
import { normaliseActivationCode, RECOVERY_LIMITS } from './recovery-common.ts';
import {
  CHILD_BIRTH_DATE, createHouseholdMember, lettersOf, newIp, newNir, queuedEmails, resetLinkFor, sealedActivationCode, sessionProbe, TEST_IBAN, type TestMember,
} from './recovery-test-kit.ts';
import { RESET_REQUESTED_MESSAGE } from './request-code-reset.ts';
import { verifyLogin } from './verify-login.ts';

const clock = testClock('2026-11-26T09:00:00Z');
const MINUTE = 60_000;
const OLD_CODE = '482915';
const NEW_CODE = '730518';
const OTHER_CODE = '604937';
/** Every secret code the tests type: none may appear in an email (FRD-07). */
const TYPED_CODES = new Set([OLD_CODE, NEW_CODE, OTHER_CODE]);
const activationCodesSeen = new Set<string>();

let t: TestApp;
let organisationId: string;
let dataDir: string;

beforeAll(async () => {
  t = await createTestApp({ name: 'recovery', clock: clock.now, extraFeatures: [sessionProbe] });
  const organisation = await insertOrganisation(t.db, {
    name: 'Mutuelle des Tilleuls', amcNumber: '123456789', addressLine1: '12 rue des Tilleuls', addressLine2: null, postalCode: '69003', city: 'Lyon', phone: '04 72 00 00 00', professionalPhone: null, email: null,
  });
  organisationId = organisation.id;
  dataDir = mkdtempSync(path.join(tmpdir(), 'espace-recovery-'));
});
afterAll(async () => {
  await t?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const keys = () => ({ dataEncryptionKey: t.config.secrets.dataEncryptionKey, blindIndexKey: t.config.secrets.blindIndexKey });
const member = (email: 'verified' | 'unverified' | null, code: string | null = OLD_CODE) =>
  createHouseholdMember(t.db, keys(), { organisationId, email, code, pepper: t.config.secrets.codePepper });

/** A browser: its cookies, and the CSRF token of the last page it loaded. */
class Browser {
  cookies: Record<string, string> = {};
  csrf = '';
  constructor(readonly ip = newIp()) {}
  header(): string {
    return Object.entries(this.cookies).map(([k, v]) => `${k}=${v}`).join('; ');
  }
  remember(response: LightMyRequestResponse): void {
    for (const c of response.cookies) {
      if (c.value === '' || (c.expires && c.expires.getTime() < Date.now())) delete this.cookies[c.name];
      else this.cookies[c.name] = c.value;
    }
    const token = /name="_csrf" value="([^"]+)"/.exec(response.body)?.[1];
    if (token) this.csrf = token;
  }
  async get(url: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const response = await t.app.inject({ method: 'GET', url, headers: { cookie: this.header(), ...headers }, remoteAddress: this.ip });
    this.remember(response);
    return response;
  }
  async post(url: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const response = await t.app.inject({
      method: 'POST', url, remoteAddress: this.ip,
      headers: { cookie: this.header(), 'content-type': 'application/x-www-form-urlencoded', ...headers },
      payload: new URLSearchParams({ _csrf: this.csrf, ...form }).toString(),
    });
    this.remember(response);
    return response;
  }
  /** Logs this browser in as `memberId` (what the login feature will do), then reloads a page for a session-bound token. */
  async logIn(memberId: string, page = '/profil/securite/code'): Promise<void> {
    const response = await t.app.inject({ method: 'POST', url: `/test/session/${memberId}`, headers: { cookie: this.header() }, remoteAddress: this.ip });
    expect(response.statusCode).toBe(200);
    this.remember(response);
    await this.get(page);
  }
  async whoami(): Promise<string | null> {
    return (await this.get('/test/whoami')).json<{ memberId: string | null }>().memberId;
  }
}

async function forgot(nir: string, browser = new Browser(), headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  await browser.get('/code-oublie');
  return browser.post('/code-oublie', { nir }, headers);
}

const loginWith = (m: TestMember, code: string) =>
  verifyLogin(t.db, { nir: m.nir, code, ip: newIp(), now: clock.now() }, { keys: keys(), pepper: t.config.secrets.codePepper });

async function chooseCodeFromLink(link: string, code: string, confirmation = code, browser = new Browser()) {
  const url = new URL(link);
  const swapped = await browser.get(url.pathname + url.search);
  if (swapped.statusCode !== 303) return swapped;
  const page = await browser.get('/code-oublie/nouveau');
  if (page.statusCode !== 200) return page;
  return browser.post('/code-oublie/nouveau', { jeton: url.searchParams.get('jeton')!, code, confirmation });
}

async function newestActivationCode(memberId: string): Promise<string> {
  const letters = (await lettersOf(t.db, memberId)).filter((l) => l.kind !== 'SECURITY_NOTICE');
  const code = sealedActivationCode(letters.at(-1)!, t.config.secrets.dataEncryptionKey);
  activationCodesSeen.add(code);
  return code;
}

const activate = (m: TestMember, activationCode: string, code = NEW_CODE, browser = new Browser()) =>
  browser.get('/activation').then(() => browser.post('/activation', { nir: m.nir, activationCode, code, confirmation: code }));

const sessionsOf = async (memberId: string) =>
  (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM session WHERE kind = 'member' AND subject_id = $1`, [memberId])).rows[0]!.n;

describe(`forgot code (${testDriver()})`, () => {
  test('ENUM-01 unknown NIR, member with email, without email and with an unverified email get byte-identical answers', async () => {
    const withEmail = await member('verified');
    const withoutEmail = await member(null);
    const unverified = await member('unverified');
    const cases = [newNir(), withEmail.nir, withoutEmail.nir, unverified.nir];
    const browser = new Browser();
    await browser.get('/code-oublie');
    const answers = [];
    for (const nir of cases) answers.push(await browser.post('/code-oublie', { nir }));
    const shape = (r: LightMyRequestResponse) => ({ status: r.statusCode, body: r.body, headers: { ...r.headers, date: undefined } });
    for (const answer of answers) expect(shape(answer)).toEqual(shape(answers[0]!));
    expect(answers[0]!.statusCode).toBe(303);
    expect(answers[0]!.headers.location).toBe('/code-oublie/demande-enregistree');
    const page = await browser.get('/code-oublie/demande-enregistree');
    expect(page.body).toContain(RESET_REQUESTED_MESSAGE);
    // What did happen behind the same answer.
    expect(await resetLinkFor(t.db, withEmail.email!)).toMatch(/^https:\/\/espace\.test\/code-oublie\/nouveau\?jeton=/);
    expect((await lettersOf(t.db, withoutEmail.memberId)).map((l) => l.kind)).toEqual(['CODE_RESET']);
    expect((await lettersOf(t.db, unverified.memberId)).map((l) => l.kind)).toEqual(['CODE_RESET']);
  });

  test('a malformed NIR is answered at once with a French error, before any lookup', async () => {
    const response = await forgot('1234');
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('Erreur :');
    expect(response.body).toContain('aria-invalid="true"');
  });

  test('RST-01 the emailed link works once; the database keeps only its SHA-256; SES-06 every session ends; THR-04 the lock is cleared', async () => {
    const m = await member('verified');
    const a = new Browser();
    const b = new Browser();
    await a.logIn(m.memberId);
    await b.logIn(m.memberId);
    expect(await sessionsOf(m.memberId)).toBe(2);
    await t.db.query(`UPDATE member_credential SET consecutive_failures = 10, locked_until_reset = true WHERE member_id = $1`, [m.memberId]);

    expect((await forgot(m.nir)).statusCode).toBe(303);
    const link = (await resetLinkFor(t.db, m.email!))!;
    const token = new URL(link).searchParams.get('jeton')!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/); // 256 bits
    const dump = JSON.stringify((await t.db.query(`SELECT * FROM reset_token`)).rows) + JSON.stringify((await t.db.query(`SELECT * FROM audit_log`)).rows);
    expect(dump).not.toContain(token);

    const browser = new Browser();
    // RST-01/02: the link's answer sends no Referer and swaps the URL for one without the token.
    const swapped = await browser.get(new URL(link).pathname + new URL(link).search);
    expect(swapped.statusCode).toBe(303);
    expect(swapped.headers.location).toBe('/code-oublie/nouveau');
    expect(swapped.headers['referrer-policy']).toBe('strict-origin');
    const form = await browser.get('/code-oublie/nouveau');
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain(`name="jeton" value="${token}"`);
    expect(form.body).toContain('action="/code-oublie/nouveau"');
    const done = await browser.post('/code-oublie/nouveau', { jeton: token, code: NEW_CODE, confirmation: NEW_CODE });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe('/code-oublie/code-enregistre');
    expect(done.headers['set-cookie']).toContain('__Host-espace-reinitialisation=;');
    expect((await browser.get('/code-oublie/code-enregistre')).body).toContain('Votre code d’accès est enregistré');

    expect((await loginWith(m, NEW_CODE)).kind).toBe('SUCCESS');
    expect((await loginWith(m, OLD_CODE)).kind).toBe('INVALID');
    // SES-06 / RST-03: the old cookies are worthless.
    expect(await sessionsOf(m.memberId)).toBe(0);
    expect(await a.whoami()).toBeNull();
    expect(await b.whoami()).toBeNull();
    // Used once.
    const reused = await chooseCodeFromLink(link, OTHER_CODE);
    expect(reused.statusCode).toBe(410);
    expect(reused.headers['referrer-policy']).toBe('no-referrer');
    expect((await browser.post('/code-oublie/nouveau', { jeton: token, code: OTHER_CODE, confirmation: OTHER_CODE })).statusCode).toBe(410);
    expect((await loginWith(m, NEW_CODE)).kind).toBe('SUCCESS');
    // AUTH-06: the notice.
    const notices = (await queuedEmails(t.db, m.email!)).filter((mail) => mail.subject === 'Votre code d’accès a été modifié');
    expect(notices).toHaveLength(1);
    const { rows: audits } = await t.db.query<{ action: string }>(`SELECT action FROM audit_log WHERE subject_id = $1 ORDER BY id`, [m.memberId]);
    expect(audits.map((r) => r.action)).toEqual(expect.arrayContaining(['auth.reset.requested', 'auth.reset.completed', 'auth.reset.link_refused']));
  });

  test('RST-01 a link is refused 30 minutes after it was sent, and works just before', async () => {
    const m = await member('verified');
    await forgot(m.nir);
    const early = (await resetLinkFor(t.db, m.email!))!;
    clock.advance(30 * MINUTE - 1_000);
    const url = new URL(early);
    expect((await new Browser().get(url.pathname + url.search)).statusCode).toBe(303);

    const late = await member('verified');
    await forgot(late.nir);
    const link = (await resetLinkFor(t.db, late.email!))!;
    const browser = new Browser();
    const lateUrl = new URL(link);
    expect((await browser.get(lateUrl.pathname + lateUrl.search)).statusCode).toBe(303);
    expect((await browser.get('/code-oublie/nouveau')).statusCode).toBe(200);
    clock.advance(30 * MINUTE + 1_000);
    expect((await new Browser().get(lateUrl.pathname + lateUrl.search)).statusCode).toBe(410);
    // A form opened in time and posted too late is refused too.
    const posted = await browser.post('/code-oublie/nouveau', { jeton: lateUrl.searchParams.get('jeton')!, code: NEW_CODE, confirmation: NEW_CODE });
    expect(posted.statusCode).toBe(410);
    expect(posted.body).toContain('Ce lien n’est plus valable');
    expect((await loginWith(late, OLD_CODE)).kind).toBe('SUCCESS');
  });

  test('RST-01 a second request voids the first link', async () => {
    const m = await member('verified');
    await forgot(m.nir);
    const first = (await resetLinkFor(t.db, m.email!))!;
    clock.advance(MINUTE);
    await forgot(m.nir);
    const second = (await resetLinkFor(t.db, m.email!))!;
    expect(second).not.toBe(first);
    expect((await chooseCodeFromLink(first, NEW_CODE)).statusCode).toBe(410);
    expect((await chooseCodeFromLink(second, NEW_CODE)).statusCode).toBe(303);
  });

  test('RST-02 a `Host: evil.test` header never reaches a mailed link', async () => {
    const m = await member('verified');
    const response = await forgot(m.nir, new Browser(), { host: 'evil.test', 'x-forwarded-host': 'evil.test' });
    expect(response.statusCode).toBe(303);
    const mails = await queuedEmails(t.db, m.email!);
    expect(mails.length).toBeGreaterThan(0);
    for (const mail of mails) {
      expect(mail.text + mail.html).not.toContain('evil.test');
      expect(mail.text).toContain('https://espace.test/code-oublie/nouveau?jeton=');
    }
  });

  test('AUTH-02 weak codes are refused with their reason; the link stays usable', async () => {
    const m = await member('verified');
    await forgot(m.nir);
    const link = (await resetLinkFor(t.db, m.email!))!;
    const childBirth = CHILD_BIRTH_DATE.replace(/^\d\d(\d\d)-(\d\d)-(\d\d)$/, '$3$2$1'); // DDMMYY of the child
    const cases: [string, string][] = [
      ['123456', ACCESS_CODE_MESSAGES.CODE_SEQUENCE],
      ['777777', ACCESS_CODE_MESSAGES.CODE_SAME_DIGIT],
      ['100185', ACCESS_CODE_MESSAGES.CODE_BIRTH_DATE],
      [childBirth, ACCESS_CODE_MESSAGES.CODE_BIRTH_DATE],
      [m.nir.slice(3, 9), ACCESS_CODE_MESSAGES.CODE_NIR],
      ['12a456', ACCESS_CODE_MESSAGES.CODE_FORMAT],
    ];
    for (const [code, message] of cases) {
      const response = await chooseCodeFromLink(link, code);
      expect(response.statusCode, code).toBe(400);
      expect(response.body, code).toContain(message);
      expect(response.body).toContain('<title>Erreur : ');
    }
    const mismatch = await chooseCodeFromLink(link, NEW_CODE, OTHER_CODE);
    expect(mismatch.statusCode).toBe(400);
    expect(mismatch.body).toContain('Les deux codes saisis sont différents');
    expect((await chooseCodeFromLink(link, NEW_CODE)).statusCode).toBe(303);
  });

  test('RST-05 at most 3 emails an hour per account, always the same answer; per IP at most 20 requests an hour', async () => {
    const m = await member('verified');
    const before = (await queuedEmails(t.db, m.email!)).length;
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push(await forgot(m.nir));
    for (const a of answers) expect([a.statusCode, a.headers.location]).toEqual([303, '/code-oublie/demande-enregistree']);
    expect((await queuedEmails(t.db, m.email!)).length - before).toBe(RECOVERY_LIMITS.resetEmailsPerHour);
    clock.advance(61 * MINUTE);
    await forgot(m.nir);
    expect((await queuedEmails(t.db, m.email!)).length - before).toBe(RECOVERY_LIMITS.resetEmailsPerHour + 1);

    const browser = new Browser();
    const target = await member('verified');
    const { computeNirKey } = await import('../../domain/identity/nir.ts');
    for (let i = 0; i < RECOVERY_LIMITS.ipResetRequestsPerHour; i++) {
      const body = `1990175${String(100 + i).padStart(3, '0')}123`;
      expect((await forgot(body + computeNirKey(body), browser)).statusCode).toBe(303);
    }
    const throttled = await forgot(target.nir, browser);
    expect([throttled.statusCode, throttled.headers.location]).toEqual([303, '/code-oublie/demande-enregistree']);
    expect(await queuedEmails(t.db, target.email!)).toEqual([]);
    expect((await forgot(target.nir, new Browser())).statusCode).toBe(303);
    expect(await queuedEmails(t.db, target.email!)).toHaveLength(1);
  });
});

describe(`activation by letter (${testDriver()})`, () => {
  test('RST-04 the letter (PDF read with pdftotext) carries a code that activates the account; verifyLogin then accepts the new code', async () => {
    const m = await member(null);
    expect((await forgot(m.nir)).statusCode).toBe(303);
    const [letter] = await lettersOf(t.db, m.memberId);
    expect(letter!.kind).toBe('CODE_RESET');
    expect(await generateLetter({ db: t.db, dataDir, clock: clock.now, dataEncryptionKey: t.config.secrets.dataEncryptionKey }, letter!.id)).toBe('generated');
    const text = execFileSync('/usr/bin/pdftotext', ['-enc', 'UTF-8', path.join(lettersDir(dataDir), letter!.file_name), '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    expect(text).toContain('https://espace.test/activation');
    // The code is printed large, between these two sentences (pdftotext may space its glyphs out).
    const printed = /Voici votre code d’activation\.(.*?)Ce code est valable/.exec(text)?.[1] ?? '';
    const code = normaliseActivationCode(printed)!;
    expect(code).toMatch(/^[0-9A-Z]{8}$/);
    expect(groupCode(code)).toMatch(/^.{4} .{4}$/);
    activationCodesSeen.add(code);
    // Nothing in the database or the audit holds it in clear.
    const dump = JSON.stringify((await t.db.query(`SELECT * FROM activation_code WHERE member_id = $1`, [m.memberId])).rows) + JSON.stringify((await t.db.query(`SELECT * FROM audit_log`)).rows);
    expect(dump).not.toContain(code);

    const browser = new Browser();
    await browser.logIn(m.memberId);
    const done = await activate(m, groupCode(code).toLowerCase());
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe('/code-oublie/code-enregistre');
    expect((await loginWith(m, NEW_CODE)).kind).toBe('SUCCESS');
    expect(await browser.whoami()).toBeNull();
    // Used once.
    expect((await activate(m, code, OTHER_CODE)).body).toContain(ACTIVATION_FAILED_MESSAGE.slice(0, 40));
    // AUTH-06 without email: a security notice letter.
    expect((await lettersOf(t.db, m.memberId)).map((l) => l.kind).sort()).toEqual(['CODE_RESET', 'SECURITY_NOTICE']);
  });

  test('RST-04 5 wrong activation codes void it: the right code is then refused with the same answer', async () => {
    const m = await member(null);
    await forgot(m.nir);
    const code = await newestActivationCode(m.memberId);
    const wrong = code.startsWith('Z') ? `Y${code.slice(1)}` : `Z${code.slice(1)}`;
    const browser = new Browser();
    const answers = [];
    for (let i = 0; i < RECOVERY_LIMITS.activationMaxWrongAttempts; i++) answers.push(await activate(m, wrong, NEW_CODE, browser));
    const refused = await activate(m, code, NEW_CODE, browser);
    for (const a of [...answers, refused]) {
      expect(a.statusCode).toBe(400);
      expect(a.body).toContain('code d’activation incorrect');
    }
    expect((await loginWith(m, OLD_CODE)).kind).toBe('SUCCESS');
    const { rows } = await t.db.query<{ wrong_attempts: number; voided: boolean }>(`SELECT wrong_attempts, voided_at IS NOT NULL AS voided FROM activation_code WHERE member_id = $1`, [m.memberId]);
    expect(rows).toEqual([{ wrong_attempts: 5, voided: true }]);
    // A letter is not sent again while the promise « sous 8 jours » runs… unless the code was voided: then a new one goes.
    await forgot(m.nir);
    expect((await lettersOf(t.db, m.memberId)).filter((l) => l.kind === 'CODE_RESET')).toHaveLength(2);
  });

  test('RST-04 an activation code expires after 30 days; a second request within 8 days sends no second letter', async () => {
    const m = await member(null);
    await forgot(m.nir);
    const code = await newestActivationCode(m.memberId);
    clock.advance(MINUTE);
    await forgot(m.nir);
    expect(await lettersOf(t.db, m.memberId)).toHaveLength(1);
    clock.advance(30 * 24 * 60 * MINUTE);
    expect((await activate(m, code)).body).toContain('code d’activation incorrect');
    expect((await loginWith(m, OLD_CODE)).kind).toBe('SUCCESS');
  });

  test('ENUM-01 an unknown NIR, a wrong code and a weak new code with a wrong activation code get the same answer (no birth date told)', async () => {
    const m = await member(null);
    await forgot(m.nir);
    const code = await newestActivationCode(m.memberId);
    const wrong = code.startsWith('Z') ? `Y${code.slice(1)}` : `Z${code.slice(1)}`;
    const other = await member(null, null);
    const a = await activate(m, wrong, '100185');
    const b = await activate(other, wrong, '100185');
    const body = (r: LightMyRequestResponse) => r.body.replace(/name="_csrf" value="[^"]+"/, '').replace(/value="\d{15}"/, '');
    expect(a.statusCode).toBe(b.statusCode);
    expect(body(a)).toBe(body(b));
    expect(a.body).not.toContain(ACCESS_CODE_MESSAGES.CODE_BIRTH_DATE);
    // With the right activation code, the reason is given and the letter's code stays valid.
    const weak = await activate(m, code, '100185');
    expect(weak.statusCode).toBe(400);
    expect(weak.body).toContain(ACCESS_CODE_MESSAGES.CODE_BIRTH_DATE);
    expect((await activate(m, code, '123456')).body).toContain(ACCESS_CODE_MESSAGES.CODE_SEQUENCE);
    expect((await activate(m, code)).statusCode).toBe(303);
  });

  test('first access: issueActivationLetter for a member created without a code, then /activation creates the credential', async () => {
    const m = await member(null, null);
    const issued = await t.db.transaction((tx) => issueActivationLetter(tx, { jobs: t.jobs, jobDefinitions: t.jobDefinitions, publicUrl: t.config.publicUrl, pepper: t.config.secrets.codePepper, clock: clock.now }, m.memberId));
    expect(issued.expiresAt.getTime() - clock.now().getTime()).toBe(30 * 24 * 60 * MINUTE);
    expect((await lettersOf(t.db, m.memberId)).map((l) => l.kind)).toEqual(['ACTIVATION_CODE']);
    expect((await loginWith(m, NEW_CODE)).kind).toBe('INVALID');
    const code = await newestActivationCode(m.memberId);
    expect((await activate(m, code)).statusCode).toBe(303);
    expect((await loginWith(m, NEW_CODE)).kind).toBe('SUCCESS');
    const { rows } = await t.db.query<{ code_hash: string }>(`SELECT code_hash FROM member_credential WHERE member_id = $1`, [m.memberId]);
    expect(rows[0]!.code_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });
});

describe(`changing the code (${testDriver()})`, () => {
  test('the page needs a member session', async () => {
    const response = await new Browser().get('/profil/securite/code');
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/connexion');
  });

  test('AUTH-07 the current code is required; SES-06 a change ends the other session and keeps this one; AUTH-06 notice', async () => {
    const m = await member('verified');
    const mine = new Browser();
    const other = new Browser();
    await mine.logIn(m.memberId);
    await other.logIn(m.memberId);
    const missing = await mine.post('/profil/securite/code', { current: '', code: NEW_CODE, confirmation: NEW_CODE });
    expect(missing.statusCode).toBe(400);
    const wrong = await mine.post('/profil/securite/code', { current: OTHER_CODE, code: NEW_CODE, confirmation: NEW_CODE });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain(CURRENT_CODE_WRONG_MESSAGE.slice(0, 30));
    const weak = await mine.post('/profil/securite/code', { current: OLD_CODE, code: '100185', confirmation: '100185' });
    expect(weak.body).toContain(ACCESS_CODE_MESSAGES.CODE_BIRTH_DATE);
    const done = await mine.post('/profil/securite/code', { current: OLD_CODE, code: NEW_CODE, confirmation: NEW_CODE });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe('/profil/securite/code?modifie=1');
    expect((await mine.get('/profil/securite/code?modifie=1')).body).toContain('Votre code d’accès a été modifié.');
    expect(await mine.whoami()).toBe(m.memberId);
    expect(await other.whoami()).toBeNull();
    expect(await sessionsOf(m.memberId)).toBe(1);
    expect((await loginWith(m, NEW_CODE)).kind).toBe('SUCCESS');
    expect((await queuedEmails(t.db, m.email!)).map((mail) => mail.subject)).toEqual(['Votre code d’accès a été modifié']);
  });

  test('THR-01 three wrong current codes lock the change (and the login) for 15 minutes', async () => {
    const m = await member('verified');
    const browser = new Browser();
    await browser.logIn(m.memberId);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await browser.post('/profil/securite/code', { current: OTHER_CODE, code: NEW_CODE, confirmation: NEW_CODE })).statusCode);
    expect(statuses).toEqual([400, 400, 423]);
    expect((await browser.post('/profil/securite/code', { current: OLD_CODE, code: NEW_CODE, confirmation: NEW_CODE })).statusCode).toBe(423);
    expect((await loginWith(m, OLD_CODE)).kind).toBe('LOCKED');
  });

  test('a cross-site post is refused (SES-05)', async () => {
    const m = await member('verified');
    const browser = new Browser();
    await browser.logIn(m.memberId);
    const response = await browser.post('/profil/securite/code', { current: OLD_CODE, code: NEW_CODE, confirmation: NEW_CODE }, { origin: 'https://evil.test' });
    expect(response.statusCode).toBe(403);
  });
});

describe('FRD-07 the emails sent by these flows', () => {
  test('hold no NIR, no IBAN and no code other than the link token', async () => {
    const mails = await queuedEmails(t.db);
    expect(mails.length).toBeGreaterThan(10);
    const { findSensitive } = await import('../../../test/log-scan.ts');
    for (const mail of mails) {
      const content = `${mail.subject}\n${mail.text}\n${mail.html}`;
      expect(findSensitive(content), mail.subject).toEqual([]);
      expect(content).not.toContain(TEST_IBAN);
      expect(content).not.toMatch(/\b\d{15}\b/);
      expect(content).not.toMatch(/FR\d{2}[0-9A-Z]{23}/);
      for (const code of [...TYPED_CODES, ...activationCodesSeen]) expect(content.replace(/jeton=[A-Za-z0-9_-]+/g, ''), mail.subject).not.toContain(code);
    }
  });
});
