/**
 * Issue 8 acceptance 1 in Chromium: change the email (the link read from the captured mail), change the IBAN end to end
 * (code re-entry, email code, cooling-off shown, the « ce n'est pas moi » link restores the old IBAN), change the mailing
 * address. Each flow runs at 1280 and 320 px with JavaScript (zero axe violations on every page met, no sideways scroll at
 * 320 px), and once more with JavaScript turned off.
 */
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { insertHousehold } from '../../src/db/repositories/household.ts';
import { maskIban } from '../../src/domain/identity/iban.ts';
import { computeNirKey } from '../../src/domain/identity/nir.ts';
import { hashAccessCode } from '../../src/platform/access-code-hash.ts';
import { queuedEmails } from '../mail-jobs.ts';
import { checkAccessibility, closeHarness, formatViolations, harness, openPage, type Harness, type OpenedPage } from './harness.ts';

let h: Harness;
const opened: OpenedPage[] = [];
afterAll(closeHarness);
afterEach(async () => {
  const pages = opened.splice(0);
  try {
    // DATA-04: nothing outside our origin.
    for (const p of pages) expect(p.foreignRequests()).toEqual([]);
  } finally {
    for (const p of pages) await p.context.close();
  }
});

const CODE = '583920';
const OLD_IBAN = 'FR7630006000011234567890189';
/** domain.md §12 T13 (a letter in the account number). */
const NEW_IBAN = 'FR1420041010050500013M02606';
let serial = 0;

type Member = { nir: string; email: string; memberId: string };

/** A household with a verified email, a bank account and an access code. */
async function createMember(): Promise<Member> {
  serial += 1;
  const body = `2880269${String(500 + serial).padStart(3, '0')}${String(100 + Math.floor(Math.random() * 800)).padStart(3, '0')}`;
  const nir = body + computeNirKey(body);
  const email = `anne.profil${serial}-${Date.now()}@exemple.test`;
  const { secrets } = h.app.config;
  const { memberId } = await h.db.transaction((tx) =>
    insertHousehold(tx, { dataEncryptionKey: secrets.dataEncryptionKey, blindIndexKey: secrets.blindIndexKey }, {
      organisationId: h.organisation.id, memberNumber: `E2EPRO${String(serial).padStart(2, '0')}${Math.floor(Math.random() * 1000)}`.slice(0, 15), nir,
      beneficiaries: [{ relationship: 'SELF', lastName: 'Moulin', firstName: 'Anne', sex: 'F', birthDate: '1988-02-03', birthRank: 1, insuredNir: nir, ownNir: nir, amoFund: '069', noemie: 'ACTIVE' }],
      contracts: [], rights: [], email: { address: email, verified: true }, phones: [],
      address: { recipient: 'ANNE MOULIN', streetNumber: '4', street: 'rue des Tilleuls', complement: null, postalCode: '69003', city: 'Lyon', country: 'FR' },
      bankAccount: { iban: OLD_IBAN, bic: 'AGRIFRPPXXX', holderName: 'ANNE MOULIN' }, createdAt: new Date('2020-01-01T09:00:00Z'),
    }),
  );
  await h.db.query('UPDATE email_address SET last_confirmed_at = now() WHERE member_id = $1', [memberId]);
  await h.db.query(`INSERT INTO member_credential (member_id, code_hash, code_set_at) VALUES ($1, $2, now() - interval '1 year')`, [
    memberId, await hashAccessCode(CODE, secrets.codePepper, { memoryCost: 1024, timeCost: 1, parallelism: 1 }),
  ]);
  return { nir, email, memberId };
}

async function loggedIn(member: Member, options: { viewport: { width: number; height: number }; javaScriptEnabled?: boolean }): Promise<Page> {
  const p = await openPage(h, options);
  opened.push(p);
  const page = p.page;
  await page.goto('/connexion');
  await page.fill('#nir', member.nir);
  await page.fill('#code', CODE);
  await Promise.all([page.waitForURL(`${h.baseUrl}/connexion/appareil`), page.getByRole('button', { name: 'Se connecter', exact: true }).click()]);
  const mail = (await queuedEmails(h.db, member.email)).filter((m) => m.subject === 'Votre code de confirmation').at(-1);
  await page.fill('#code', /saisissez ce code sur la page ouverte : (\d{6})/.exec(mail?.text ?? '')![1]!);
  await Promise.all([page.waitForURL((url) => url.pathname !== '/connexion/appareil'), page.getByRole('button', { name: 'Confirmer' }).click()]);
  return page;
}

async function expectNoViolations(page: Page) {
  const violations = await checkAccessibility(page);
  expect(violations, `axe-core violations on ${page.url()}:\n${formatViolations(violations)}`).toEqual([]);
}

const scrollWidth = (page: Page) => page.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth);

type Mode = { width: number; js: boolean };
/** The runs of each flow: with JavaScript at 1280 and 320 px (axe, sideways scroll), and without JavaScript at all. */
const MODES: Mode[] = [{ width: 1280, js: true }, { width: 320, js: true }, { width: 320, js: false }];
const label = (m: Mode) => `${m.width} px${m.js ? '' : ', without JavaScript'}`;
const contextOf = (m: Mode) => ({ viewport: { width: m.width, height: 900 }, javaScriptEnabled: m.js });

/** axe and the scroll width are measured by scripts: only in the runs with JavaScript (the same pages, the same HTML). */
async function checkPage(page: Page, mode: Mode) {
  if (!mode.js) return;
  await expectNoViolations(page);
  if (mode.width === 320) expect(await scrollWidth(page), page.url()).toBeLessThanOrEqual(320);
}

const notice = (page: Page) => page.locator('.notice').textContent();

const heading = (page: Page) => page.getByRole('heading', { level: 1 }).textContent();

beforeAll(async () => {
  h = await harness();
});

describe('profile in the browser', () => {
  for (const mode of MODES) {
    test(`change the email: the link from the captured mail confirms it (${label(mode)})`, async () => {
      const width = mode.width;
      const member = await createMember();
      const page = await loggedIn(member, contextOf(mode));
      await page.goto('/profil');
      expect(await heading(page)).toBe('Mes coordonnées');
      await checkPage(page, mode);
      // A mistake first: the error summary and the field's message, nothing else changes.
      await page.fill('#email', 'anne.nouvelle@');
      await page.getByRole('button', { name: 'Recevoir le lien de confirmation' }).click();
      expect(await page.getByRole('alert').textContent()).toContain('Cette adresse email n’est pas valide');
      await checkPage(page, mode);
      const next = `anne.nouvelle.${width}${mode.js ? '' : 'nojs'}.${Date.now()}@exemple.test`;
      await page.fill('#email', next);
      await Promise.all([page.waitForURL(/\/profil\?fait=email-envoye$/), page.getByRole('button', { name: 'Recevoir le lien de confirmation' }).click()]);
      expect(await notice(page)).toContain('Un lien de confirmation vient d’être envoyé');
      expect(await page.textContent('main')).toContain(`En attente de confirmation : ${next}`);
      const link = /(http:\/\/localhost:\d+\/profil\/email\/confirmer\?jeton=[A-Za-z0-9_-]+)/.exec((await queuedEmails(h.db, next)).at(-1)!.text)![1]!;
      await page.goto(link);
      expect(new URL(page.url()).search).toBe('');
      expect(await heading(page)).toBe('Confirmer votre nouvelle adresse email');
      await checkPage(page, mode);
      await page.getByRole('button', { name: 'Confirmer cette adresse' }).click();
      expect(await heading(page)).toBe('Adresse email confirmée');
      await page.goto('/profil');
      expect(await page.textContent('main')).toContain(`Adresse actuelle : ${next}`);
      expect((await queuedEmails(h.db, member.email)).at(-1)!.subject).toBe('Votre adresse email a été modifiée');
    });

    test(`change the IBAN end to end: code re-entry, email code, cooling-off shown, the cancel link restores the old IBAN (${label(mode)})`, async () => {
      const member = await createMember();
      const page = await loggedIn(member, contextOf(mode));
      // The member's usual browser: trusted for a month (a device first seen within 7 days sends the change to an advisor, FRD-04).
      await h.db.query(`UPDATE trusted_device SET created_at = now() - interval '30 days', last_used_at = now() WHERE member_id = $1`, [member.memberId]);
      await page.goto('/profil/banque');
      expect(await heading(page)).toBe('Mes coordonnées bancaires');
      expect(await page.textContent('main')).toContain(maskIban(OLD_IBAN));
      await checkPage(page, mode);
      await page.getByRole('link', { name: 'Changer de compte' }).click();
      expect(await heading(page)).toBe('Changer de compte bancaire');
      await checkPage(page, mode);
      await page.fill('#iban', NEW_IBAN.replace(/(.{4})(?=.)/g, '$1 '));
      await page.fill('#titulaire', 'ANNE MOULIN');
      await page.fill('#code', '000000');
      await page.getByRole('button', { name: 'Continuer' }).click();
      expect(await page.getByRole('alert').textContent()).toContain('Le code d’accès est incorrect');
      await checkPage(page, mode);
      await page.fill('#code', CODE);
      await Promise.all([page.waitForURL(/\/profil\/banque\/confirmer$/), page.getByRole('button', { name: 'Continuer' }).click()]);
      expect(await heading(page)).toBe('Confirmer votre nouveau compte');
      expect(await page.textContent('main')).toContain(NEW_IBAN.replace(/(.{4})(?=.)/g, '$1 '));
      await checkPage(page, mode);
      const codeMail = (await queuedEmails(h.db, member.email)).filter((m) => m.subject === 'Votre code de confirmation de coordonnées bancaires').at(-1)!;
      expect(codeMail.text).toContain(maskIban(NEW_IBAN));
      await page.fill('#code', /confirmer : (\d{6})/.exec(codeMail.text)![1]!);
      await Promise.all([page.waitForURL(/\/profil\/banque\?fait=confirme$/), page.getByRole('button', { name: 'Confirmer ce compte' }).click()]);
      const main = await page.textContent('main');
      expect(main).toContain('Changement de compte en cours');
      expect(main).toContain(maskIban(NEW_IBAN));
      expect(main).toMatch(/sera utilisé pour vos remboursements à partir du \d\d\/\d\d\/\d{4} à \d\d:\d\d/);
      await checkPage(page, mode);

      // « Ce n'est pas moi »: the link of the notice, opened in another browser without a session.
      const notice = (await queuedEmails(h.db, member.email)).filter((m) => m.subject === 'Modification de vos coordonnées bancaires').at(-1)!;
      const link = /(http:\/\/localhost:\d+\/annulation-banque\?code=[0-9A-Z]{16})/.exec(notice.text)![1]!;
      const other = await openPage(h, contextOf(mode));
      opened.push(other);
      await other.page.goto(link);
      expect(new URL(other.page.url()).search).toBe('');
      expect(await heading(other.page)).toBe('Annuler un changement de coordonnées bancaires');
      await checkPage(other.page, mode);
      await other.page.getByRole('button', { name: 'Annuler ce changement' }).click();
      expect(await heading(other.page)).toBe('Changement de compte annulé');
      await checkPage(other.page, mode);

      // Every session ended; logged in again, the old IBAN is the account, with no change in progress.
      await page.goto('/profil/banque');
      expect(new URL(page.url()).pathname).toBe('/connexion');
      const again = await loggedIn(member, contextOf(mode));
      await again.goto('/profil/banque');
      const after = await again.textContent('main');
      expect(after).toContain(maskIban(OLD_IBAN));
      expect(after).not.toContain(maskIban(NEW_IBAN));
      expect(after).not.toContain('Changement de compte en cours');
    });

    test(`change the mailing address: a second address, then letters go there (${label(mode)})`, async () => {
      const member = await createMember();
      const page = await loggedIn(member, contextOf(mode));
      await page.goto('/profil');
      await page.getByRole('link', { name: 'Ajouter une adresse' }).click();
      expect(await heading(page)).toBe('Ajouter une adresse');
      await checkPage(page, mode);
      await page.fill('#libelle', 'Résidence d’été');
      await page.fill('#numero', '2');
      await page.fill('#voie', 'chemin des Vignes');
      await page.fill('#code_postal', '3300');
      await page.fill('#commune', 'Bordeaux');
      await page.getByRole('button', { name: 'Enregistrer l’adresse' }).click();
      expect(await page.getByRole('alert').textContent()).toContain('Le code postal comporte 5 chiffres');
      await checkPage(page, mode);
      await page.fill('#code_postal', '33000');
      await Promise.all([page.waitForURL(/\/profil\?fait=adresse$/), page.getByRole('button', { name: 'Enregistrer l’adresse' }).click()]);
      await page.getByRole('radio', { name: /Résidence d’été : 2 chemin des Vignes, 33000 Bordeaux/ }).check();
      await Promise.all([page.waitForURL(/\/profil\?fait=courrier$/), page.getByRole('button', { name: 'Envoyer mes courriers à cette adresse' }).click()]);
      expect(await notice(page)).toContain('Vos courriers seront envoyés à l’adresse choisie.');
      expect(await page.getByRole('radio', { name: /Résidence d’été/ }).isChecked()).toBe(true);
      await checkPage(page, mode);
      const { rows } = await h.db.query<{ street: string }>('SELECT p.street FROM member m JOIN postal_address p ON p.id = m.mailing_address_id WHERE m.id = $1', [member.memberId]);
      expect(rows[0]!.street).toBe('chemin des Vignes');
    });
  }
});
