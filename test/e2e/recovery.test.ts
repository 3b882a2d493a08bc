import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { createHouseholdMember, newIp, resetLinkFor, type TestMember } from '../../src/features/auth/recovery-test-kit.ts';
import { RESET_REQUESTED_MESSAGE } from '../../src/features/auth/request-code-reset.ts';
import { verifyLogin } from '../../src/features/auth/verify-login.ts';
import { checkAccessibility, closeHarness, formatViolations, harness, openPage, type Harness, type OpenedPage } from './harness.ts';

const OLD_CODE = '482915';
const NEW_CODE = '730518';

let h: Harness;
const opened: OpenedPage[] = [];

beforeAll(async () => {
  h = await harness();
});
afterAll(closeHarness);

// DATA-04: nothing requested outside our origin.
afterEach(async () => {
  const pages = opened.splice(0);
  try {
    for (const p of pages) expect(p.foreignRequests()).toEqual([]);
  } finally {
    for (const p of pages) await p.context.close();
  }
});

async function open(javaScriptEnabled = true): Promise<Page> {
  const p = await openPage(h, { viewport: { width: 1280, height: 800 }, javaScriptEnabled });
  opened.push(p);
  return p.page;
}

const keys = () => ({ dataEncryptionKey: h.app.config.secrets.dataEncryptionKey, blindIndexKey: h.app.config.secrets.blindIndexKey });
const newMember = (email: 'verified' | null): Promise<TestMember> =>
  createHouseholdMember(h.db, keys(), { organisationId: h.organisation.id, email, code: OLD_CODE, pepper: h.app.config.secrets.codePepper });

async function expectNoAxeViolation(page: Page, what: string) {
  const violations = await checkAccessibility(page);
  expect(violations, `axe-core violations on ${what}:\n${formatViolations(violations)}`).toEqual([]);
}

const heading = (page: Page) => page.getByRole('heading', { level: 1 }).textContent();

describe('forgot code by email, end to end (Chromium, without JavaScript)', () => {
  test('RST-01 NIR → same answer → link from the email → new code → success page; verifyLogin accepts the new code', async () => {
    const m = await newMember('verified');
    const page = await open(false);
    await page.goto('/code-oublie');
    expect(await heading(page)).toBe('Vous avez oublié votre code d’accès ou vous souhaitez l’obtenir ?');
    await page.getByLabel('Numéro de Sécurité sociale').fill(m.nir.replace(/^(\d)(\d{2})(\d{2})(\d{2})(\d{3})(\d{3})(\d{2})$/, '$1 $2 $3 $4 $5 $6 $7'));
    await Promise.all([page.waitForURL(`${h.baseUrl}/code-oublie/demande-enregistree`), page.getByRole('button', { name: 'Recevoir un nouveau code' }).click()]);
    expect(await page.locator('main').textContent()).toContain(RESET_REQUESTED_MESSAGE);

    let link: string | null = null;
    await expect.poll(async () => (link = await resetLinkFor(h.db, m.email!))).not.toBeNull();
    expect(link!.startsWith(`${h.baseUrl}/code-oublie/nouveau?jeton=`)).toBe(true);
    await page.goto(link!);
    expect(await heading(page)).toBe('Choisissez votre nouveau code d’accès');

    // A weak code first: the reason is shown next to the field, the link still works.
    await page.getByLabel('Nouveau code d’accès').fill('123456');
    await page.getByLabel('Confirmation du nouveau code').fill('123456');
    await page.getByRole('button', { name: 'Enregistrer mon nouveau code' }).click();
    await expect.poll(() => page.title()).toMatch(/^Erreur : /);
    expect(await page.locator('#code-erreur').textContent()).toContain('suite de chiffres');
    expect(new URL(page.url()).search).toBe(''); // the token left the URL

    await page.getByLabel('Nouveau code d’accès').fill(NEW_CODE);
    await page.getByLabel('Confirmation du nouveau code').fill(NEW_CODE);
    await Promise.all([page.waitForURL(`${h.baseUrl}/code-oublie/code-enregistre`), page.getByRole('button', { name: 'Enregistrer mon nouveau code' }).click()]);
    expect(await heading(page)).toBe('Votre code d’accès est enregistré');

    const login = await verifyLogin(h.db, { nir: m.nir, code: NEW_CODE, ip: newIp(), now: new Date() }, { keys: keys(), pepper: h.app.config.secrets.codePepper });
    expect(login.kind).toBe('SUCCESS');
    // The link served once.
    const again = await page.goto(link!);
    expect(again?.status()).toBe(410);
  });
});

describe('accessibility of the recovery pages', () => {
  test('zero axe-core violations on /code-oublie, empty and with an error', async () => {
    const page = await open();
    await page.goto('/code-oublie');
    await expectNoAxeViolation(page, '/code-oublie');
    await page.getByLabel('Numéro de Sécurité sociale').fill('1234');
    await page.getByRole('button', { name: 'Recevoir un nouveau code' }).click();
    await expect.poll(() => page.title()).toMatch(/^Erreur : /);
    await expectNoAxeViolation(page, '/code-oublie (error)');
    await page.goto('/code-oublie/demande-enregistree');
    await expectNoAxeViolation(page, '/code-oublie/demande-enregistree');
  });

  test('zero axe-core violations on /code-oublie/nouveau (form, errors, expired link) and on the success page', async () => {
    const m = await newMember('verified');
    const page = await open();
    await page.goto('/code-oublie');
    await page.getByLabel('Numéro de Sécurité sociale').fill(m.nir);
    await Promise.all([page.waitForURL(`${h.baseUrl}/code-oublie/demande-enregistree`), page.getByRole('button', { name: 'Recevoir un nouveau code' }).click()]);
    let link: string | null = null;
    await expect.poll(async () => (link = await resetLinkFor(h.db, m.email!))).not.toBeNull();
    await page.goto(link!);
    await expectNoAxeViolation(page, '/code-oublie/nouveau');
    await page.getByLabel('Nouveau code d’accès').fill('100185');
    await page.getByLabel('Confirmation du nouveau code').fill('100186');
    await page.getByRole('button', { name: 'Enregistrer mon nouveau code' }).click();
    await expect.poll(() => page.title()).toMatch(/^Erreur : /);
    await expectNoAxeViolation(page, '/code-oublie/nouveau (errors)');
    await page.goto('/code-oublie/nouveau?jeton=expire');
    expect(await heading(page)).toBe('Ce lien n’est plus valable');
    await expectNoAxeViolation(page, '/code-oublie/nouveau (expired)');
    await page.goto('/code-oublie/code-enregistre');
    await expectNoAxeViolation(page, '/code-oublie/code-enregistre');
  });

  test('zero axe-core violations on /activation, empty and with errors', async () => {
    const page = await open();
    await page.goto('/activation');
    expect(await heading(page)).toBe('Activer mon accès avec le code reçu par courrier');
    await expectNoAxeViolation(page, '/activation');
    await page.getByLabel('Numéro de Sécurité sociale').fill('1234');
    await page.getByLabel('Code d’activation').fill('ABC');
    await page.getByLabel('Nouveau code d’accès').fill('111111');
    await page.getByRole('button', { name: 'Activer mon accès' }).click();
    await expect.poll(() => page.title()).toMatch(/^Erreur : /);
    await expectNoAxeViolation(page, '/activation (errors)');
  });
});
