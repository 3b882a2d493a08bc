/**
 * Acceptance 3 of issue 4 (FRD-07, VAL-06): the auth emails go through a real SMTP conversation. An in-process
 * smtp-server receives what the send-email job hands to nodemailer for a new-device login, a lock, a forgotten code
 * by email and a code change; no message carries a NIR, an IBAN, an access code or a health-data word, and the only
 * code a message may carry is the new-device one-time code itself.
 */
import type { AddressInfo } from 'node:net';
import { isValidIBAN } from 'ibantools';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { insertOrganisation } from '../../db/repositories/organisation.ts';
import { isValidNir } from '../../domain/identity/nir.ts';
import { parseEml } from '../../platform/mail.ts';
import { createTestApp, testConfig, type TestApp } from '../../../test/app.ts';
import { createTestDatabase, testDriver, type TestDatabase } from '../../../test/db.ts';
import { waitFor } from '../../../test/wait.ts';
import { API_PREFIX } from './api-schemas.ts';
import { createHouseholdMember, newIp, TEST_IBAN, type TestMember } from './recovery-test-kit.ts';

const secrets = testConfig().secrets;
const keys = { dataEncryptionKey: secrets.dataEncryptionKey, blindIndexKey: secrets.blindIndexKey };
const CODE = '739184';
const NEW_CODE = '408271';

type Received = { from: string; to: string[]; raw: string; subject: string; text: string; html: string };
const received: Received[] = [];

const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  onData(stream, session, callback) {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const { headers, text, html } = parseEml(raw);
      received.push({
        from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
        to: session.envelope.rcptTo.map((r) => r.address),
        raw,
        subject: headers.get('subject') ?? '',
        text,
        html,
      });
      callback();
    });
  },
});

let db: TestDatabase;
let t: TestApp;
let organisationId: string;

beforeAll(async () => {
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const port = (smtp.server.address() as AddressInfo).port;
  db = await createTestDatabase();
  organisationId = (
    await insertOrganisation(db, {
      name: 'Mutuelle Test', amcNumber: '987654321', addressLine1: '1 rue du Test', addressLine2: null, postalCode: '69003', city: 'Lyon', phone: '04 00 00 00 00', professionalPhone: null, email: null,
    })
  ).id;
  t = await createTestApp({ name: 'auth-mail-smtp', db, env: { SMTP_URL: `smtp://127.0.0.1:${port}` } });
  await t.jobs.startWorkers();
});
afterAll(async () => {
  await t?.close();
  await db?.close();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

/** A JSON client of the auth API (cookies kept, CSRF token from GET /session). */
class Client {
  cookies: Record<string, string> = {};
  csrf = '';
  readonly ip = newIp();
  header() {
    return Object.entries(this.cookies).map(([k, v]) => `${k}=${v}`).join('; ');
  }
  remember(response: Awaited<ReturnType<TestApp['app']['inject']>>) {
    for (const c of response.cookies as { name: string; value: string; maxAge?: number }[]) {
      if (c.value === '' || c.maxAge === 0) delete this.cookies[c.name];
      else this.cookies[c.name] = c.value;
    }
  }
  async refreshCsrf() {
    const response = await t.app.inject({ method: 'GET', url: `${API_PREFIX}/session`, headers: { cookie: this.header() }, remoteAddress: this.ip });
    this.remember(response);
    this.csrf = (response.json() as { csrfToken: string }).csrfToken;
  }
  async post(url: string, payload: Record<string, string>, form = false) {
    await this.refreshCsrf();
    const response = await t.app.inject({
      method: 'POST', url, remoteAddress: this.ip,
      headers: { cookie: this.header(), 'x-csrf-token': this.csrf, 'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json' },
      payload: form ? new URLSearchParams({ _csrf: this.csrf, ...payload }).toString() : JSON.stringify(payload),
    });
    this.remember(response);
    return response;
  }
}

const mailsTo = (address: string) => received.filter((m) => m.to.includes(address));
const awaitMail = (address: string, subject: RegExp) =>
  waitFor(`an email "${subject.source}" to ${address}`, async () => mailsTo(address).find((m) => subject.test(m.subject)), 30_000);

/** Words that would reveal health data (care, conditions, reimbursements). */
const HEALTH_WORDS = [
  /\bALD\b/, /affection de longue durée/i, /patholog/i, /maladie/i, /diagnostic/i, /ordonnance/i, /médicament/i, /traitement/i, /hospitalis/i,
  /consultation/i, /remboursement/i, /optique/i, /dentaire/i, /kiné/i, /pharmac/i, /grossesse/i, /invalidité/i, /handicap/i, /\bsoins?\b/i,
];

/** What a message must never contain, with the one-time code it may carry (if any). */
function leaks(message: Received, secretsOfTest: { codes: string[]; allowedOtp: string | null }): string[] {
  const found: string[] = [];
  for (const [part, content] of [['subject', message.subject], ['text', message.text], ['html', message.html]] as const) {
    const withoutUrls = content.replace(/https?:\/\/[^\s"<]+/g, ' ');
    for (const run of content.match(/\d+/g) ?? []) {
      for (let i = 0; i + 15 <= run.length; i++) if (isValidNir(run.slice(i, i + 15))) found.push(`${part}: NIR`);
    }
    // NIRs written with spaces (1 85 01 69 …) count too.
    for (const spaced of content.match(/\b[12](?:[\s.\u00A0]?\d){14}\b/g) ?? []) if (isValidNir(spaced.replace(/\D/g, ''))) found.push(`${part}: spaced NIR`);
    for (const candidate of content.replace(/\s+/g, '').match(/[A-Z]{2}\d{2}[A-Z0-9]{11,30}/g) ?? []) {
      for (let len = 15; len <= candidate.length; len++) if (isValidIBAN(candidate.slice(0, len))) found.push(`${part}: IBAN`);
    }
    if (content.includes(TEST_IBAN)) found.push(`${part}: test IBAN`);
    for (const code of secretsOfTest.codes) if (content.includes(code)) found.push(`${part}: access code`);
    for (const six of withoutUrls.match(/(?<!\d)\d{6}(?!\d)/g) ?? []) if (six !== secretsOfTest.allowedOtp) found.push(`${part}: a 6-digit code ${six}`);
    for (const word of HEALTH_WORDS) if (word.test(content)) found.push(`${part}: health word ${word.source}`);
  }
  return found;
}

async function member(): Promise<TestMember & { email: string }> {
  const m = await createHouseholdMember(db, keys, { organisationId, email: 'verified', code: CODE, pepper: secrets.codePepper });
  return { ...m, email: m.email! };
}

describe(`auth emails over real SMTP (${testDriver()})`, () => {
  test('the leak check itself flags a NIR (plain or spaced), an IBAN, an access code, a stray 6-digit code and a health word', () => {
    const nir = '285016912345678'.slice(0, 13);
    const valid = `${nir}${String(97 - (Number(nir) % 97)).padStart(2, '0')}`;
    const spaced = valid.replace(/^(\d)(\d{2})(\d{2})(\d{2})(\d{3})(\d{3})(\d{2})$/, '$1 $2 $3 $4 $5 $6 $7');
    const message = (text: string): Received => ({ from: 'a@b', to: ['c@d'], raw: '', subject: 'x', text, html: '' });
    expect(leaks(message(`n° ${valid}`), { codes: [], allowedOtp: null })).toContain('text: NIR');
    expect(leaks(message(`n° ${spaced}`), { codes: [], allowedOtp: null })).toContain('text: spaced NIR');
    expect(leaks(message(`IBAN ${TEST_IBAN}`), { codes: [], allowedOtp: null })).toContain('text: IBAN');
    expect(leaks(message(`code ${CODE}`), { codes: [CODE], allowedOtp: null })).toContain('text: access code');
    expect(leaks(message('code 123456'), { codes: [], allowedOtp: '654321' })).toContain('text: a 6-digit code 123456');
    expect(leaks(message('code 654321'), { codes: [], allowedOtp: '654321' })).toEqual([]);
    expect(leaks(message('vos soins dentaires'), { codes: [], allowedOtp: null }).length).toBeGreaterThan(0);
  });

  test('FRD-07 new-device login, lock, forgotten code and code change: each email arrives over SMTP, without NIR, IBAN, code or health data', async () => {
    // 1. New-device login: the one-time code, then the new-device notice.
    const alice = await member();
    const client = new Client();
    const login = await client.post(`${API_PREFIX}/login`, { nir: alice.nir, code: CODE });
    expect(login.json()).toMatchObject({ status: 'DEVICE_CHECK_REQUIRED', method: 'EMAIL' });
    const otpMail = await awaitMail(alice.email, /code de confirmation/);
    const otp = /(?<!\d)(\d{6})(?!\d)/.exec(otpMail.text)![1]!;
    const check = await client.post(`${API_PREFIX}/device-check`, { code: otp });
    expect(check.json()).toEqual({ status: 'AUTHENTICATED' });
    await awaitMail(alice.email, /Nouvel appareil/);

    // 2. Code change (page form, same session): the notice.
    const change = await client.post('/profil/securite/code', { current: CODE, code: NEW_CODE, confirmation: NEW_CODE }, true);
    expect(change.statusCode).toBe(303);
    await awaitMail(alice.email, /code d’accès a été modifié/);

    // 3. Lock after 3 wrong codes: the lock notice.
    const bob = await member();
    const attacker = new Client();
    for (let i = 0; i < 3; i++) expect((await attacker.post(`${API_PREFIX}/login`, { nir: bob.nir, code: '000000' })).statusCode).toBe(401);
    await awaitMail(bob.email, /suspendu/);

    // 4. Forgotten code by email: the reset link.
    const reset = await new Client().post(`${API_PREFIX}/code-reset-requests`, { nir: bob.nir });
    expect(reset.statusCode).toBe(202);
    await awaitMail(bob.email, /nouveau code/);

    const all = [...mailsTo(alice.email), ...mailsTo(bob.email)];
    expect(all.map((m) => m.subject).sort()).toEqual(
      expect.arrayContaining([otpMail.subject, 'Nouvel appareil connecté à votre espace adhérent', 'Votre code d’accès a été modifié', 'Accès à votre espace adhérent suspendu', 'Choisissez un nouveau code d’accès']),
    );
    expect(all.length).toBeGreaterThanOrEqual(5);
    for (const message of all) {
      expect(message.from).toMatch(/@/);
      expect(message.raw).toMatch(/^Message-ID: <[^>]+>/im);
      expect(leaks(message, { codes: [CODE, NEW_CODE], allowedOtp: message === otpMail ? otp : null }), message.subject).toEqual([]);
      // The NIRs of this test, in any spacing, appear nowhere in the raw message either.
      for (const nir of [alice.nir, bob.nir]) expect(message.raw.replace(/\s|=\r?\n/g, '')).not.toContain(nir);
    }
    expect(otpMail.text).toContain(otp);
  });
});
