/**
 * Issue 6 « Bilan annuel » in Chromium: no axe violation (chart, tables, counters, télétransmission), nothing scrolls
 * sideways at 320 px, and the year selector works with JavaScript turned off.
 */
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { confort } from '../../src/domain/coverage/products.ts';
import { liquidate, type CareLine, type HistoryLine } from '../../src/domain/coverage/index.ts';
import { addMonths, parisDate } from '../../src/domain/dates.ts';
import { computeNirKey } from '../../src/domain/identity/nir.ts';
import { copyRow } from '../../src/db/database.ts';
import { insertHousehold } from '../../src/db/repositories/household.ts';
import { hashAccessCode } from '../../src/platform/access-code-hash.ts';
import { uuidv7 } from '../../src/platform/ids.ts';
import { queuedEmails } from '../mail-jobs.ts';
import { checkAccessibility, closeHarness, formatViolations, harness, openPage, type Harness, type OpenedPage } from './harness.ts';

let h: Harness;
const opened: OpenedPage[] = [];
afterAll(closeHarness);
afterEach(async () => {
  for (const p of opened.splice(0)) await p.context.close();
});

const CODE = '518263';
const EMAIL = 'nadia.bilan@exemple.test';
const gp = (careDate: string): CareLine => ({ careDate, family: 'CONSULTATION', act: 'G', chargedCents: 3000, baseCents: 3000, amoRateBp: 7000, pathway: 'IN', optam: true });
const drugs = (careDate: string): CareLine => ({ careDate, family: 'PHARMACY', act: 'PH7', chargedCents: 1000, baseCents: 1000, amoRateBp: 6500 });
const glasses = (careDate: string): CareLine[] => [
  { careDate, family: 'OPTICS_FRAME', basket: 'FREE', chargedCents: 15_000, baseCents: 5, amoRateBp: 6000 },
  { careDate, family: 'OPTICS_LENS_SIMPLE', basket: 'FREE', chargedCents: 20_000, baseCents: 10, amoRateBp: 6000, quantity: 2 },
];
const crown = (careDate: string): CareLine => ({ careDate, family: 'DENTAL_PROSTHESIS', act: 'HBLD038', basket: 'FREE', chargedCents: 90_000, baseCents: 10_750, amoRateBp: 7000 });

/** Nadia (CONFORT, télétransmission active) and her son Yanis (télétransmission not asked), with care this year and last. */
async function createMember(): Promise<{ nir: string }> {
  const body = '2850569123045';
  const nir = body + computeNirKey(body);
  const { secrets } = h.app.config;
  const keys = { dataEncryptionKey: secrets.dataEncryptionKey, blindIndexKey: secrets.blindIndexKey };
  const product = await h.db.query<{ id: string }>(`INSERT INTO guarantee_product (organisation_id, code, name, kind, responsable) VALUES ($1, 'CONFORT', 'Confort', 'STANDARD', true) RETURNING id`, [
    h.organisation.id,
  ]);
  const productId = product.rows[0]!.id;
  for (const [index, version] of confort.versions.entries()) {
    await h.db.query(`INSERT INTO guarantee_table_version (product_id, version, valid_from, valid_to, guarantees) VALUES ($1, $2, $3, $4, $5)`, [
      productId, index + 1, version.validFrom, version.validTo, JSON.stringify(version),
    ]);
  }
  const people = [
    { relationship: 'SELF' as const, lastName: 'Benali', firstName: 'Nadia', sex: 'F' as const, birthDate: '1985-05-01', birthRank: 1, insuredNir: nir, ownNir: nir, amoFund: '069', noemie: 'ACTIVE' as const },
    { relationship: 'CHILD' as const, lastName: 'Benali', firstName: 'Yanis', sex: 'M' as const, birthDate: '2016-09-12', birthRank: 1, insuredNir: nir, ownNir: null, amoFund: '069', noemie: 'NONE' as const },
  ];
  const { memberId, beneficiaryIds } = await h.db.transaction((tx) =>
    insertHousehold(tx, keys, {
      organisationId: h.organisation.id, memberNumber: 'E2EB0001', nir, beneficiaries: people,
      contracts: [{ contractNumber: 'C-E2EB0001', kind: 'INDIVIDUAL', employerName: null, employerSiret: null, productId, responsable: true, startDate: '2020-01-01', endDate: null, sepaMandateRef: null }],
      rights: people.map((_, i) => ({ beneficiaryIndex: i, kind: 'CONTRACT' as const, startDate: '2020-01-01', endDate: '2099-12-31', contractIndex: 0 })),
      email: { address: EMAIL, verified: true }, phones: [],
      address: { recipient: 'NADIA BENALI', streetNumber: '8', street: 'rue des Tilleuls', complement: null, postalCode: '69003', city: 'Lyon', country: 'FR' },
      bankAccount: null, createdAt: new Date('2020-01-01T09:00:00Z'),
    }),
  );
  await h.db.query('UPDATE email_address SET last_confirmed_at = now() WHERE member_id = $1', [memberId]);
  await h.db.query(`INSERT INTO member_credential (member_id, code_hash, code_set_at) VALUES ($1, $2, now())`, [
    memberId, await hashAccessCode(CODE, secrets.codePepper, { memoryCost: 1024, timeCost: 1, parallelism: 1 }),
  ]);
  // Care dates before today, whatever day the test runs: this year's start, and last year.
  const today = parisDate(new Date());
  const thisYear = `${today.slice(0, 4)}-01-05`;
  const lastYear = addMonths(thisYear, -12);
  const care: [number, CareLine[]][] = [
    [0, [gp(lastYear), drugs(lastYear)]], [1, glasses(addMonths(lastYear, 2))], [0, [gp(thisYear), crown(thisYear)]], [0, glasses(thisYear)], [1, [drugs(thisYear)]],
  ];
  const history: HistoryLine[][] = [[], []];
  await h.db.transaction(async (tx) => {
    for (const [index, [who, lines]] of care.entries()) {
      const results = liquidate({ product: confort, beneficiary: { birthDate: people[who]!.birthDate, aid: 'NONE' }, history: history[who], lines }).lines;
      history[who]!.push(...results);
      const statementId = uuidv7();
      const liquidated = lines[0]!.careDate;
      await tx.query(`INSERT INTO statement (id, member_id, source, statement_number, liquidation_date, received_at) VALUES ($1, $2, 'NOEMIE', $3, $4, $5)`, [
        statementId, memberId, `E2EB-${index}`, liquidated, `${liquidated}T06:00:00Z`,
      ]);
      const rows = results.map((r, i) =>
        copyRow([uuidv7(), statementId, memberId, beneficiaryIds[who], i + 1, r.careDate, r.family, r.act ?? r.family, r.basket, r.quantity, 'Cabinet Santé', r.chargedCents, r.baseCents,
          r.amoRateBp, r.amoCents, r.flatFeeCents, r.deductibleCents, r.amoNetCents, r.amcCents, r.remainingCents, r.rule, r.explanation, 'PAID', liquidated]),
      );
      await tx.copyFrom('claim_line', ['id', 'statement_id', 'member_id', 'beneficiary_id', 'line_number', 'care_date', 'family', 'act_code', 'basket', 'quantity', 'provider_name',
        'charged_cents', 'base_cents', 'amo_rate_bp', 'amo_cents', 'flat_fee_cents', 'deductible_cents', 'amo_net_cents', 'amc_cents', 'remaining_cents', 'rule', 'explanation',
        'status', 'paid_at'], rows);
    }
  });
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
  await page.goto('/remboursements/bilan');
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

describe('yearly summary in the browser', () => {
  test('the chart is an image named by its title and description, followed by its table; no axe violation', async () => {
    const page = await loggedIn({ viewport: { width: 1280, height: 900 } });
    const year = parisDate(new Date()).slice(0, 4);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(`Bilan ${year} de mes remboursements`);
    const chart = page.getByRole('img', { name: new RegExp(`Répartition des dépenses de santé de ${year} par type de soins`) });
    expect(await chart.count()).toBe(1);
    expect(await page.getByRole('table', { name: `Montants de ${year} par type de soins` }).locator('tbody tr').count()).toBe(4);
    expect(await page.textContent('main')).toContain('Prochain équipement optique pris en charge à partir du');
    expect(await page.textContent('main')).toContain('sur le plafond annuel de');
    expect(await page.textContent('main')).toContain('Télétransmission non activée');
    await expectNoViolations(page);
    await page.locator('details summary').first().click();
    await expectNoViolations(page);
  });

  test('at 320 px nothing scrolls sideways and the chart keeps its labels readable', async () => {
    const page = await loggedIn({ viewport: { width: 320, height: 640 } });
    expect(await scrollWidth(page)).toBeLessThanOrEqual(320);
    const fontSize = await page.locator('.chart-svg text').first().evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { fontSize: string } }).getComputedStyle(el).fontSize);
    expect(parseFloat(fontSize)).toBeGreaterThanOrEqual(14);
    const box = await page.locator('.chart-svg').boundingBox();
    expect(box!.width).toBeLessThanOrEqual(320);
    // Labels and totals stay inside the chart.
    for (const text of await page.locator('.chart-svg text').all()) {
      const t = await text.boundingBox();
      expect(t!.x + t!.width).toBeLessThanOrEqual(box!.x + box!.width);
    }
    await expectNoViolations(page);
  });

  test('without JavaScript the year selector still changes the year', async () => {
    const page = await loggedIn({ viewport: { width: 1280, height: 900 }, javaScriptEnabled: false });
    const last = String(Number(parisDate(new Date()).slice(0, 4)) - 1);
    await page.selectOption('#annee', last);
    await Promise.all([page.waitForURL(new RegExp(`/remboursements/bilan\\?annee=${last}$`)), page.getByRole('button', { name: 'Afficher' }).click()]);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(`Bilan ${last} de mes remboursements`);
    expect(await page.locator('.chart-table tbody tr').count()).toBe(3);
  });
});
