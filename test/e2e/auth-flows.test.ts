/**
 * Auth flows in Chromium on a server whose clock the test moves (issue 4 acceptance 1): lock after 3 wrong codes and
 * unlock after 15 minutes; forgot code by letter end to end (PDF read with pdftotext); the sessions page and the email
 * check page without axe-core violations; the expiry warning of public/session-warning.js.
 *
 * The shared harness builds its app on the wall clock, so this file starts its own server the same way (localhost
 * origin, database of its own) with a testClock.
 */
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { insertOrganisation } from '../../src/db/repositories/organisation.ts';
import { normaliseActivationCode } from '../../src/features/auth/recovery-common.ts';
import { createHouseholdMember, lettersOf, queuedEmails, type TestMember } from '../../src/features/auth/recovery-test-kit.ts';
import { generateLetter, lettersDir } from '../../src/features/letters/generate-letter-job.ts';
import { createTestApp, testClock, type TestApp } from '../app.ts';
import { createTestDatabase, type TestDatabase } from '../db.ts';
import { CHROMIUM_ARGS, checkAccessibility, E2E_ORGANISATION, formatViolations } from './harness.ts';
import { answerOf } from '../../src/features/auth/login-challenge-test-kit.ts';

const CODE = '482915';
const NEW_CODE = '730518';
const MINUTE = 60_000;

const clock = testClock(new Date().toISOString());
let db: TestDatabase;
let app: TestApp;
let browser: Browser;
let baseUrl: string;
let organisationId: string;
const contexts: { close(): Promise<void> }[] = [];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

beforeAll(async () => {
  db = await createTestDatabase();
  organisationId = (await insertOrganisation(db, E2E_ORGANISATION)).id;
  const port = await freePort();
  baseUrl = `http://localhost:${port}`;
  app = await createTestApp({ name: 'e2e-auth-flows', db, clock: clock.now, env: { PUBLIC_URL: baseUrl, HOST: '127.0.0.1', PORT: String(port) } });
  await app.app.listen({ host: '127.0.0.1', port });
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
  await db?.close();
});
afterEach(async () => {
  for (const c of contexts.splice(0)) await c.close();
});

async function open(): Promise<Page> {
  const context = await browser.newContext({ baseURL: baseUrl, locale: 'fr-FR', viewport: { width: 1280, height: 800 } });
  contexts.push(context);
  return context.newPage();
}

const keys = () => ({ dataEncryptionKey: app.config.secrets.dataEncryptionKey, blindIndexKey: app.config.secrets.blindIndexKey });
const newMember = (email: 'verified' | null): Promise<TestMember> => createHouseholdMember(db, keys(), { organisationId, email, code: CODE, pepper: app.config.secrets.codePepper });
const heading = (page: Page) => page.getByRole('heading', { level: 1 }).textContent();

async function expectNoAxeViolation(page: Page, what: string) {
  const violations = await checkAccessibility(page);
  expect(violations, `axe-core violations on ${what}:\n${formatViolations(violations)}`).toEqual([]);
}

async function submitLogin(page: Page, nir: string, code: string) {
  await page.goto('/connexion');
  await page.getByLabel('Numéro de Sécurité sociale').fill(nir);
  await page.getByLabel('Code d’accès').fill(code);
  // Every page here comes from 127.0.0.1: after the lock test's failures it must answer the THR-03 question, as a person would.
  const question = page.locator('label[for="challengeAnswer"]');
  if ((await question.count()) > 0) await page.getByLabel(/^Question de sécurité/).fill(answerOf(((await question.textContent()) ?? '').replace('Question de sécurité : ', '')));
  await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/connexion'), page.getByRole('button', { name: 'Se connecter', exact: true }).click()]);
  await page.waitForLoadState('load');
}

/** A member with a verified email, logged in from a new device with the emailed code; returns on the page after login. */
async function loggedIn(page: Page, m: TestMember) {
  await submitLogin(page, m.nir, CODE);
  expect(new URL(page.url()).pathname).toBe('/connexion/appareil');
  const newest = (await queuedEmails(db, m.email!)).filter((mail) => mail.subject === 'Votre code de confirmation').at(-1);
  const code = /saisissez ce code sur la page ouverte : (\d{6})/.exec(newest?.text ?? '')?.[1];
  expect(code).toBeDefined();
  await page.getByLabel('Code reçu par email').fill(code!);
  await Promise.all([page.waitForURL((u) => u.pathname.startsWith('/espace')), page.getByRole('button', { name: 'Confirmer' }).click()]);
}

describe('THR-01 lock and unlock in the browser (moving clock)', () => {
  test('3 wrong codes lock the account: the right code is refused with the same message; 15 minutes later it works', async () => {
    const m = await newMember('verified');
    const page = await open();
    for (const wrong of ['111118', '222227', '333336']) {
      await submitLogin(page, m.nir, wrong);
      expect(await page.locator('.error-summary').textContent()).toContain('code d’accès incorrect');
    }
    await submitLogin(page, m.nir, CODE);
    expect(new URL(page.url()).pathname).toBe('/connexion');
    expect(await page.locator('.error-summary').textContent()).toContain('code d’accès incorrect');
    clock.advance(14 * MINUTE);
    await submitLogin(page, m.nir, CODE);
    expect(new URL(page.url()).pathname).toBe('/connexion');
    clock.advance(1 * MINUTE + 1000);
    await submitLogin(page, m.nir, CODE);
    expect(new URL(page.url()).pathname).toBe('/connexion/appareil');
  });
});

describe('RST-04 forgot code by letter, end to end', () => {
  test('member without email: /code-oublie → letter PDF (pdftotext) → /activation → new code → login from the same browser → /espace', async () => {
    const m = await newMember(null);
    const page = await open();
    await page.goto('/code-oublie');
    await page.getByLabel('Numéro de Sécurité sociale').fill(m.nir);
    await Promise.all([page.waitForURL(`${baseUrl}/code-oublie/demande-enregistree`), page.getByRole('button', { name: 'Recevoir un nouveau code' }).click()]);

    const [letter] = await lettersOf(db, m.memberId);
    expect(letter).toBeDefined();
    // The job worker may have produced it already; otherwise produce it now.
    await generateLetter({ db, dataDir: app.config.dataDir, clock: clock.now, dataEncryptionKey: app.config.secrets.dataEncryptionKey }, letter!.id);
    const file = path.join(lettersDir(app.config.dataDir), letter!.file_name);
    const text = execFileSync('/usr/bin/pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    expect(text).toContain(`${baseUrl}/activation`);
    const printed = /Voici votre code d’activation\.(.*?)Ce code est valable/.exec(text)?.[1] ?? '';
    const activationCode = normaliseActivationCode(printed.replace(/\s+/g, ''));
    expect(activationCode).toMatch(/^[0-9A-Z]{8}$/);

    await page.goto('/activation');
    await page.getByLabel('Numéro de Sécurité sociale').fill(m.nir);
    await page.getByLabel('Code d’activation').fill(activationCode!);
    await page.getByLabel('Nouveau code d’accès').fill(NEW_CODE);
    await page.getByLabel('Confirmation du nouveau code').fill(NEW_CODE);
    await Promise.all([page.waitForURL(`${baseUrl}/code-oublie/code-enregistre`), page.getByRole('button', { name: 'Activer mon accès' }).click()]);

    // /activation spent the letter's code and made this browser a trusted device: the login opens the session at once.
    await submitLogin(page, m.nir, NEW_CODE);
    expect(new URL(page.url()).pathname).toBe('/espace');
    expect(await heading(page)).toBe('Bonjour Claire');
  });
});

describe('session pages in the browser', () => {
  test('email check after login, then the sessions page: zero axe violations; « Oui, c’est la bonne » goes to /espace', async () => {
    const m = await newMember('verified');
    await db.query('UPDATE email_address SET last_confirmed_at = $2 WHERE member_id = $1', [m.memberId, new Date(clock.now().getTime() - 400 * 24 * 60 * MINUTE)]);
    const page = await open();
    await loggedIn(page, m);
    expect(new URL(page.url()).pathname).toBe('/espace/verifier-email');
    expect(await heading(page)).toMatch(/^Votre adresse email est-elle toujours a•••\d@demo\.example \?$/);
    await expectNoAxeViolation(page, '/espace/verifier-email');
    await Promise.all([page.waitForURL(`${baseUrl}/espace`), page.getByRole('button', { name: 'Oui, c’est la bonne' }).click()]);

    // A second session of the same member, to have a « Terminer » button.
    const other = await open();
    await db.query('UPDATE email_address SET last_confirmed_at = $2 WHERE member_id = $1', [m.memberId, clock.now()]);
    await loggedIn(other, m);
    await page.getByRole('link', { name: 'Mes sessions' }).click();
    await page.waitForURL(`${baseUrl}/profil/securite/sessions`);
    expect(await page.locator('tbody tr').count()).toBe(2);
    await expectNoAxeViolation(page, '/profil/securite/sessions');
    await Promise.all([page.waitForURL(`${baseUrl}/profil/securite/sessions?fin=1`), page.getByRole('button', { name: /^Terminer la session/ }).click()]);
    await expectNoAxeViolation(page, '/profil/securite/sessions?fin=1');
    await other.goto('/espace');
    expect(new URL(other.url()).pathname).toBe('/connexion');
  });

  test('SES-02 the expiry warning: 13 minutes without activity (browser and server clocks moved), « Rester connecté » keeps the session', async () => {
    const m = await newMember('verified');
    await db.query('UPDATE email_address SET last_confirmed_at = $2 WHERE member_id = $1', [m.memberId, clock.now()]);
    const page = await open();
    await page.clock.install();
    await loggedIn(page, m);
    expect(new URL(page.url()).pathname).toBe('/espace');
    expect(await page.locator('.session-end').textContent()).toMatch(/^Votre session expire à \d{1,2} h \d\d sans activité\.$/);
    const warning = page.getByRole('status').filter({ hasText: 'Votre session va expirer' });
    expect(await warning.count()).toBe(0);
    await page.clock.fastForward(12 * MINUTE);
    expect(await warning.count()).toBe(0);
    clock.advance(13 * MINUTE + 5000);
    await page.clock.fastForward(MINUTE + 5000);
    await expect.poll(() => warning.count()).toBe(1);
    await expectNoAxeViolation(page, '/espace (expiry warning)');
    await page.getByRole('button', { name: 'Rester connecté' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Votre session est prolongée.' }).count()).toBe(1);
    // The keep-alive touched the session on the server: 14 more minutes are fine.
    clock.advance(14 * MINUTE);
    await page.reload();
    expect(new URL(page.url()).pathname).toBe('/espace');
  });
});
