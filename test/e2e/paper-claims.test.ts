/**
 * Issue 6 in Chromium, JavaScript off: a member reads the paper claims guide, sends a feuille de soins through the
 * multipart form (first with a mistake: summary and field errors, nothing typed lost), then finds the line « Reçu »
 * with its reception date in « Mes remboursements »; zero axe violations; nothing scrolls sideways at 320 px.
 */
import type { BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { parisDate } from '../../src/domain/dates.ts';
import { computeNirKey } from '../../src/domain/identity/nir.ts';
import { insertHousehold } from '../../src/db/repositories/household.ts';
import { hashAccessCode } from '../../src/platform/access-code-hash.ts';
import { jpegWithGps } from '../../src/features/uploads/upload-fixtures.ts';
import { queuedEmails } from '../mail-jobs.ts';
import { checkAccessibility, closeHarness, formatViolations, harness, openPage, type Harness, type OpenedPage } from './harness.ts';

let h: Harness;
const opened: OpenedPage[] = [];
beforeAll(async () => {
  h = await harness();
});
afterAll(closeHarness);
afterEach(async () => {
  for (const p of opened.splice(0)) await p.context.close();
});

const CODE = '618273';
const EMAIL = 'nadia.papier@exemple.test';

async function createMember(): Promise<{ nir: string }> {
  const body = '2790375111222';
  const nir = body + computeNirKey(body);
  const { secrets } = h.app.config;
  const keys = { dataEncryptionKey: secrets.dataEncryptionKey, blindIndexKey: secrets.blindIndexKey };
  const { memberId } = await h.db.transaction((tx) =>
    insertHousehold(tx, keys, {
      organisationId: h.organisation.id, memberNumber: 'E2EP0001', nir,
      beneficiaries: [
        { relationship: 'SELF', lastName: 'Benali', firstName: 'Nadia', sex: 'F', birthDate: '1979-03-20', birthRank: 1, insuredNir: nir, ownNir: nir, amoFund: '069', noemie: 'NONE' },
        { relationship: 'CHILD', lastName: 'Benali', firstName: 'Yanis', sex: 'M', birthDate: '2014-09-02', birthRank: 1, insuredNir: nir, ownNir: null, amoFund: '069', noemie: 'NONE' },
      ],
      contracts: [], rights: [], email: { address: EMAIL, verified: true }, phones: [],
      address: { recipient: 'NADIA BENALI', streetNumber: '8', street: 'rue des Lilas', complement: null, postalCode: '69003', city: 'Lyon', country: 'FR' },
      bankAccount: null, createdAt: new Date('2021-01-01T09:00:00Z'),
    }),
  );
  await h.db.query('UPDATE email_address SET last_confirmed_at = now() WHERE member_id = $1', [memberId]);
  await h.db.query(`INSERT INTO member_credential (member_id, code_hash, code_set_at) VALUES ($1, $2, now())`, [
    memberId, await hashAccessCode(CODE, secrets.codePepper, { memoryCost: 1024, timeCost: 1, parallelism: 1 }),
  ]);
  return { nir };
}

let member: { nir: string };
beforeAll(async () => {
  member = await createMember();
});

async function loggedIn(options: BrowserContextOptions): Promise<Page> {
  const p = await openPage(h, options);
  opened.push(p);
  const page = p.page;
  await page.goto('/connexion?next=%2Fremboursements%2Fpapier');
  await page.fill('#nir', member.nir);
  await page.fill('#code', CODE);
  await Promise.all([page.waitForURL(`${h.baseUrl}/connexion/appareil`), page.getByRole('button', { name: 'Se connecter', exact: true }).click()]);
  const mail = (await queuedEmails(h.db, EMAIL)).filter((m) => m.subject === 'Votre code de confirmation').at(-1);
  const code = /saisissez ce code sur la page ouverte : (\d{6})/.exec(mail?.text ?? '')![1]!;
  await page.fill('#code', code);
  await Promise.all([page.waitForURL(`${h.baseUrl}/remboursements/papier`), page.keyboard.press('Enter')]);
  return page;
}

async function expectAxeClean(page: Page) {
  const violations = await checkAccessibility(page);
  expect(violations, `axe-core violations on ${page.url()}:\n${formatViolations(violations)}`).toEqual([]);
}

const scrollWidth = (page: Page) => page.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth);
const frenchDate = (iso: string) => iso.split('-').reverse().join('/');

/** The whole path: guide, a mistake (summary, field error, values kept), the sending, the line listed « Reçu » with its date. */
async function sendWithOneMistake(page: Page, daysAgo: number, axe: boolean) {
  const expectNoViolations = async (p: Page) => {
    if (axe) await expectAxeClean(p);
  };
  expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Envoyer une feuille de soins ou une facture');
  await expectNoViolations(page);

  const today = parisDate(new Date());
  const careDate = parisDate(new Date(Date.now() - daysAgo * 86_400_000));
  await page.selectOption('#beneficiaire', { label: 'Yanis' });
  await page.fill('#date_soins', careDate);
  await page.selectOption('#nature', 'DENTAL_CARE');
  await page.fill('#montant', 'cent euros');
  await page.fill('#commentaire', 'Soins reçus en Espagne');
  await page.setInputFiles('#fichiers', { name: 'facture.jpg', mimeType: 'image/jpeg', buffer: jpegWithGps() });
  await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Envoyer' }).click()]);
  await page.waitForSelector('.error-summary');
  expect(await page.locator('.error-summary li').allTextContents()).toEqual(['Indiquez le montant payé en euros, par exemple 1 234,56.']);
  expect(await page.locator('#beneficiaire option:checked').textContent()).toBe('Yanis');
  expect(await page.locator('#date_soins').inputValue()).toBe(careDate);
  expect(await page.locator('#commentaire').inputValue()).toBe('Soins reçus en Espagne');
  expect(await page.locator('#montant').getAttribute('aria-invalid')).toBe('true');
  await expectNoViolations(page);

  await page.fill('#montant', '1 234,56');
  await page.setInputFiles('#fichiers', { name: 'facture.jpg', mimeType: 'image/jpeg', buffer: jpegWithGps() });
  await Promise.all([page.waitForURL(/\/remboursements\/papier\?envoye=[0-9a-f-]{36}$/), page.getByRole('button', { name: 'Envoyer' }).click()]);
  expect(await page.locator('.notice').textContent()).toContain(`Nous avons bien reçu votre envoi le ${frenchDate(today)}`);
  await expectNoViolations(page);

  await Promise.all([page.waitForURL(/\/remboursements\/[0-9a-f-]{36}$/), page.getByRole('link', { name: 'Voir cet envoi dans mes remboursements' }).click()]);
  expect(await page.textContent('main')).toContain('En attente de traitement');
  const download = await page.locator('a[href^="/remboursements/papier/fichiers/"]').textContent();
  expect(download).toBe('facture.jpg');
  await expectNoViolations(page);

  await page.goto('/remboursements');
  const row = page.locator('tbody tr').first();
  expect(await row.locator('.badge').textContent()).toBe('Reçu');
  expect(await row.textContent()).toContain(`Feuille de soins papier, reçue le ${frenchDate(today)}`);
  expect(await row.textContent()).toContain('En attente de traitement');
  expect(await row.locator('td[data-label="Pour"]').textContent()).toBe('Yanis');
  await expectNoViolations(page);
}

describe('paper claims in the browser', () => {
  test('a mistake is shown field by field with what was typed kept, then the claim is sent and listed « Reçu » with its date; zero axe violations', async () => {
    await sendWithOneMistake(await loggedIn({ viewport: { width: 1280, height: 900 } }), 5, true);
  });

  test('the same without JavaScript: a plain multipart form post', async () => {
    await sendWithOneMistake(await loggedIn({ viewport: { width: 1280, height: 900 }, javaScriptEnabled: false }), 3, false);
  });

  test('at 320 px the guide and its form read without sideways scrolling', async () => {
    const page = await loggedIn({ viewport: { width: 320, height: 640 } });
    expect(await scrollWidth(page)).toBeLessThanOrEqual(320);
    await expectAxeClean(page);
    await page.goto('/remboursements');
    expect(await scrollWidth(page)).toBeLessThanOrEqual(320);
  });
});
