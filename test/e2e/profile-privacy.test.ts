/**
 * Issue 8 part B in Chromium: « Sécurité de mon compte », « Historique des accès », « Mes notifications » and « Mes
 * données » have no axe violation at 1280 and 320 px and nothing scrolls sideways at 320 px; without JavaScript the
 * forms work: end the other sessions, page through the history, save the notifications, download the ZIP (axe cannot
 * run where scripts are off: the same pages are checked above with them on).
 */
import { unzipSync } from 'fflate';
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { createHouseholdMember, type TestMember } from '../../src/features/auth/recovery-test-kit.ts';
import { recordMemberFileOpened } from '../../src/features/privacy/advisor-access.ts';
import { notificationPreferences } from '../../src/features/privacy/notification-preferences.ts';
import { queuedEmails } from '../mail-jobs.ts';
import { checkAccessibility, closeHarness, formatViolations, harness, openPage, type Harness, type OpenedPage } from './harness.ts';

let h: Harness;
const opened: OpenedPage[] = [];
afterAll(closeHarness);
afterEach(async () => {
  for (const p of opened.splice(0)) await p.context.close();
});

const CODE = '637281';
const PAGES = ['/profil/securite', '/profil/acces', '/profil/notifications', '/profil/donnees'];

async function newMember(): Promise<TestMember> {
  const { secrets } = h.app.config;
  const m = await createHouseholdMember(h.db, secrets, { organisationId: h.organisation.id, email: 'verified', code: CODE, pepper: secrets.codePepper });
  await h.db.query('UPDATE email_address SET last_confirmed_at = now() WHERE member_id = $1', [m.memberId]);
  // 25 openings of the file by the staff: two pages of history.
  for (let i = 0; i < 25; i++) {
    await recordMemberFileOpened(h.db, { advisorId: '0190a6b2-0000-7000-8000-00000000a001', memberId: m.memberId, role: i % 2 ? 'conseiller' : 'gestionnaire_prestations', reason: 'CLAIM_PROCESSING', ip: '10.1.1.1', at: new Date(Date.now() - (i + 60) * 60_000) });
  }
  return m;
}

async function loggedIn(m: TestMember, options: { viewport: { width: number; height: number }; javaScriptEnabled?: boolean }): Promise<Page> {
  const p = await openPage(h, options);
  opened.push(p);
  const page = p.page;
  await page.goto('/connexion');
  await page.fill('#nir', m.nir);
  await page.fill('#code', CODE);
  const codesOf = async () => (await queuedEmails(h.db, m.email!)).filter((x) => x.subject === 'Votre code de confirmation').map((x) => /saisissez ce code sur la page ouverte : (\d{6})/.exec(x.text)![1]!);
  const before = new Set(await codesOf());
  await Promise.all([page.waitForURL(`${h.baseUrl}/connexion/appareil`), page.getByRole('button', { name: 'Se connecter', exact: true }).click()]);
  // Queued mails have random ids: the new code is the one not seen before this login.
  const code = (await codesOf()).find((c) => !before.has(c))!;
  await page.fill('#code', code);
  await Promise.all([page.waitForURL((url) => url.pathname !== '/connexion/appareil'), page.getByRole('button', { name: 'Confirmer' }).click()]);
  expect(new URL(page.url()).pathname).toBe('/espace');
  return page;
}

async function expectNoViolations(page: Page) {
  const violations = await checkAccessibility(page);
  expect(violations, `axe-core violations on ${page.url()}:\n${formatViolations(violations)}`).toEqual([]);
}

const scrollWidth = (page: Page) => page.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth);

beforeAll(async () => {
  h = await harness();
});

describe('profile security and privacy pages in the browser', () => {
  for (const viewport of [{ width: 1280, height: 900 }, { width: 320, height: 640 }]) {
    test(`no axe violation at ${viewport.width} px on the four pages, reached from the dashboard`, async () => {
      const m = await newMember();
      const page = await loggedIn(m, { viewport });
      await loggedIn(m, { viewport: { width: 1280, height: 900 } }); // a second session, for the list
      for (const [name, url] of [['Sécurité de mon compte', '/profil/securite'], ['Historique des accès', '/profil/acces'], ['Mes notifications', '/profil/notifications'], ['Mes données personnelles', '/profil/donnees']] as const) {
        await page.goto('/espace');
        await Promise.all([page.waitForURL(`${h.baseUrl}${url}`), page.getByRole('navigation', { name: 'Accès rapides' }).getByRole('link', { name, exact: true }).click()]);
        await expectNoViolations(page);
        if (viewport.width === 320) expect(await scrollWidth(page), url).toBeLessThanOrEqual(320);
      }
      expect(PAGES).toHaveLength(4);
    });
  }

  test('without JavaScript: end the other sessions, page through the history, save the notifications, download the ZIP', async () => {
    const m = await newMember();
    const page = await loggedIn(m, { viewport: { width: 1280, height: 900 }, javaScriptEnabled: false });
    const other = await loggedIn(m, { viewport: { width: 1280, height: 900 } });

    await page.goto('/profil/securite');
    expect(await page.locator('#titre-sessions ~ table tbody tr').count()).toBe(2);
    await Promise.all([page.waitForURL(`${h.baseUrl}/profil/securite/sessions?fin=autres`), page.getByRole('button', { name: 'Terminer toutes les autres sessions' }).click()]);
    await other.goto('/profil/securite');
    expect(new URL(other.url()).pathname).toBe('/connexion');

    await page.goto('/profil/acces');
    expect(await page.locator('.access-list > li').count()).toBe(20);
    await page.getByRole('link', { name: 'Voir les accès plus anciens' }).click();
    expect(new URL(page.url()).searchParams.get('avant')).toMatch(/^[0-9]+$/);
    expect(await page.locator('.access-list > li').count()).toBeGreaterThanOrEqual(7);

    await page.goto('/profil/notifications');
    await page.getByLabel('Mes documents').uncheck();
    await page.getByLabel('Un seul email par jour, qui regroupe les alertes').check();
    await Promise.all([page.waitForURL(`${h.baseUrl}/profil/notifications?enregistre=1`), page.getByRole('button', { name: 'Enregistrer mes préférences' }).click()]);
    expect(await page.locator('.notice').textContent()).toContain('Vos préférences de notification ont été enregistrées.');
    expect(await notificationPreferences(h.db, m.memberId)).toEqual({ email: { payments: true, documents: false, requests: true, messages: true }, dailyDigest: true, security: 'ALWAYS' });

    await page.goto('/profil/donnees');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Télécharger mes données (fichier ZIP)' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^mes-donnees-\d{4}-\d{2}-\d{2}\.zip$/);
    const files = unzipSync(new Uint8Array(await readFile((await download.path())!)));
    expect(Object.keys(files)).toEqual(expect.arrayContaining(['donnees.json', 'LISEZ-MOI.txt', 'comptes-bancaires.csv']));
  });
});
