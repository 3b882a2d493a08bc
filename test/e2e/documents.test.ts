/**
 * Issue 7 « Mes documents » in Chromium: the list, the card and the attestation de droits as HTML pages have no axe
 * violation at 1280 and 320 px, nothing scrolls sideways at 320 px, and they work with JavaScript turned off.
 */
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { confort } from '../../src/domain/coverage/products.ts';
import { computeNirKey } from '../../src/domain/identity/nir.ts';
import { insertHousehold } from '../../src/db/repositories/household.ts';
import { hashAccessCode } from '../../src/platform/access-code-hash.ts';
import { queuedEmails } from '../mail-jobs.ts';
import { checkAccessibility, closeHarness, formatViolations, harness, openPage, type Harness, type OpenedPage } from './harness.ts';

let h: Harness;
const opened: OpenedPage[] = [];
afterAll(closeHarness);
afterEach(async () => {
  for (const p of opened.splice(0)) await p.context.close();
});

const CODE = '637281';
const EMAIL = 'chloe.documents@exemple.test';

/** Chloé (CONFORT) and her daughter, rights from 2020 on, a former ACS period, a SEPA mandate and paid cotisations. */
async function createMember(): Promise<{ nir: string }> {
  const body = '2880269123047';
  const nir = body + computeNirKey(body);
  const { secrets } = h.app.config;
  const keys = { dataEncryptionKey: secrets.dataEncryptionKey, blindIndexKey: secrets.blindIndexKey };
  const product = await h.db.query<{ id: string }>(`INSERT INTO guarantee_product (organisation_id, code, name, kind, responsable) VALUES ($1, 'CONFORT-DOC', 'Confort', 'STANDARD', true) RETURNING id`, [
    h.organisation.id,
  ]);
  const productId = product.rows[0]!.id;
  await h.db.query(`INSERT INTO guarantee_table_version (product_id, version, valid_from, valid_to, guarantees) VALUES ($1, 1, $2, $3, $4)`, [
    productId, confort.versions[0]!.validFrom, confort.versions[0]!.validTo, JSON.stringify(confort.versions[0]),
  ]);
  const people = [
    { relationship: 'SELF' as const, lastName: 'Durand', firstName: 'Chloé', sex: 'F' as const, birthDate: '1988-02-03', birthRank: 1, insuredNir: nir, ownNir: nir, amoFund: '069', noemie: 'ACTIVE' as const },
    { relationship: 'CHILD' as const, lastName: 'Durand', firstName: 'Léna', sex: 'F' as const, birthDate: '2015-07-14', birthRank: 1, insuredNir: nir, ownNir: null, amoFund: '069', noemie: 'ACTIVE' as const },
  ];
  const { memberId } = await h.db.transaction((tx) =>
    insertHousehold(tx, keys, {
      organisationId: h.organisation.id, memberNumber: 'E2EDOC01', nir, beneficiaries: people,
      contracts: [{ contractNumber: 'C-E2EDOC01', kind: 'INDIVIDUAL', employerName: null, employerSiret: null, productId, responsable: true, startDate: '2020-01-01', endDate: null, sepaMandateRef: 'SEPA-E2EDOC01' }],
      rights: [
        ...people.map((_, i) => ({ beneficiaryIndex: i, kind: 'CONTRACT' as const, startDate: '2020-01-01', endDate: '2099-12-31', contractIndex: 0 })),
        { beneficiaryIndex: 0, kind: 'ACS_B' as const, startDate: '2018-11-01', endDate: '2019-10-31', contractIndex: null },
      ],
      email: { address: EMAIL, verified: true }, phones: [],
      address: { recipient: 'CHLOE DURAND', streetNumber: '4', street: 'rue des Tilleuls', complement: null, postalCode: '69003', city: 'Lyon', country: 'FR' },
      bankAccount: { iban: 'FR7630006000011234567890189', bic: 'AGRIFRPPXXX', holderName: 'CHLOE DURAND' }, createdAt: new Date('2020-01-01T09:00:00Z'),
    }),
  );
  await h.db.query(
    `INSERT INTO contribution (contract_id, period_start, period_end, amount_cents, due_date, status, paid_on)
     SELECT c.id, m::date, (m + interval '1 month - 1 day')::date, 14780, (m + interval '4 days')::date, 'PAID', (m + interval '4 days')::date
       FROM contract c CROSS JOIN generate_series(date '2024-01-01', date '2024-12-01', interval '1 month') m WHERE c.member_id = $1`,
    [memberId],
  );
  await h.db.query('UPDATE email_address SET last_confirmed_at = now() WHERE member_id = $1', [memberId]);
  await h.db.query(`INSERT INTO member_credential (member_id, code_hash, code_set_at) VALUES ($1, $2, now())`, [
    memberId, await hashAccessCode(CODE, secrets.codePepper, { memoryCost: 1024, timeCost: 1, parallelism: 1 }),
  ]);
  return { nir };
}

async function loggedIn(options: { viewport: { width: number; height: number }; javaScriptEnabled?: boolean }): Promise<Page> {
  const p = await openPage(h, options);
  opened.push(p);
  const page = p.page;
  await page.goto('/connexion');
  await page.fill('#nir', member.nir);
  await page.fill('#code', CODE);
  await Promise.all([page.waitForURL(`${h.baseUrl}/connexion/appareil`), page.getByRole('button', { name: 'Se connecter', exact: true }).click()]);
  const mail = (await queuedEmails(h.db, EMAIL)).filter((m) => m.subject === 'Votre code de confirmation').at(-1);
  const code = /saisissez ce code sur la page ouverte : (\d{6})/.exec(mail?.text ?? '')![1]!;
  await page.fill('#code', code);
  await Promise.all([page.waitForURL((url) => url.pathname !== '/connexion/appareil'), page.getByRole('button', { name: 'Confirmer' }).click()]);
  return page;
}

async function expectNoViolations(page: Page) {
  const violations = await checkAccessibility(page);
  expect(violations, `axe-core violations on ${page.url()}:\n${formatViolations(violations)}`).toEqual([]);
}

const scrollWidth = (page: Page) => page.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth);

let member: { nir: string };
beforeAll(async () => {
  h = await harness();
  member = await createMember();
});

describe('documents in the browser', () => {
  for (const viewport of [{ width: 1280, height: 900 }, { width: 320, height: 640 }]) {
    test(`« Mes documents », the card, the attestation de droits and the attestation fiscale: no axe violation at ${viewport.width} px`, async () => {
      const page = await loggedIn({ viewport });
      await page.goto('/documents');
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Mes documents');
      expect(await page.textContent('main')).toContain('Attestation fiscale 2024');
      await expectNoViolations(page);
      if (viewport.width === 320) expect(await scrollWidth(page)).toBeLessThanOrEqual(320);
      for (const url of ['/documents/carte-tiers-payant', '/documents/attestation-droits']) {
        await page.goto(url);
        await expectNoViolations(page);
        if (viewport.width === 320) expect(await scrollWidth(page), url).toBeLessThanOrEqual(320);
      }
      expect(await page.textContent('main')).toContain('Aide au paiement d’une complémentaire santé (ACS), contrat B');
      await page.goto('/documents');
      await page.getByRole('link', { name: /Consulter Attestation fiscale 2024/ }).click();
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Attestation fiscale 2024');
      await expectNoViolations(page);
    });
  }

  test('without JavaScript: the dashboard links to the card, whose page shows its codes and offers the PDF', async () => {
    const page = await loggedIn({ viewport: { width: 1280, height: 900 }, javaScriptEnabled: false });
    await page.goto('/espace');
    await page.getByRole('link', { name: 'Ma carte de tiers payant' }).click();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Carte de tiers payant');
    expect(await page.getByRole('img', { name: /DataMatrix AMC : AMC#1#123456789#/ }).count()).toBe(1);
    expect(await page.getByRole('img', { name: /Code QR de vérification/ }).count()).toBe(1);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Télécharger le PDF' }).click()]);
    expect(download.suggestedFilename()).toBe('carte-tiers-payant-v1.pdf');
  });
});
