/**
 * Issue 6 in Chromium: a member filters the reimbursements by year and beneficiary, opens a line and reads why a
 * reste à charge remains; keyboard only; no axe violation; nothing scrolls sideways at 320 px.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { liquidate, type CareLine } from '../../src/domain/coverage/index.ts';
import { computeNirKey } from '../../src/domain/identity/nir.ts';
import { copyRow } from '../../src/db/database.ts';
import { insertHousehold } from '../../src/db/repositories/household.ts';
import { hashAccessCode } from '../../src/platform/access-code-hash.ts';
import { uuidv7 } from '../../src/platform/ids.ts';
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

const CODE = '739184';
const gp = (careDate: string): CareLine => ({ careDate, family: 'CONSULTATION', act: 'G', chargedCents: 3000, baseCents: 3000, amoRateBp: 7000, pathway: 'IN', optam: true });
const drugs = (careDate: string): CareLine => ({ careDate, family: 'PHARMACY', act: 'PH7', chargedCents: 1000, baseCents: 1000, amoRateBp: 6500 });

/** A household of two (Julien and his daughter Léa), lines in 2025 and 2026 liquidated by the engine. */
async function createMember(): Promise<{ nir: string }> {
  const body = '1780269777123';
  const nir = body + computeNirKey(body);
  const { secrets } = h.app.config;
  const keys = { dataEncryptionKey: secrets.dataEncryptionKey, blindIndexKey: secrets.blindIndexKey };
  const { memberId, beneficiaryIds } = await h.db.transaction((tx) =>
    insertHousehold(tx, keys, {
      organisationId: h.organisation.id, memberNumber: 'E2ER0001', nir,
      beneficiaries: [
        { relationship: 'SELF', lastName: 'Martin', firstName: 'Julien', sex: 'M', birthDate: '1978-02-14', birthRank: 1, insuredNir: nir, ownNir: nir, amoFund: '069', noemie: 'ACTIVE' },
        { relationship: 'CHILD', lastName: 'Martin', firstName: 'Léa', sex: 'F', birthDate: '2012-06-01', birthRank: 1, insuredNir: nir, ownNir: null, amoFund: '069', noemie: 'ACTIVE' },
      ],
      contracts: [], rights: [], email: { address: 'julien.remb@exemple.test', verified: true }, phones: [],
      address: { recipient: 'JULIEN MARTIN', streetNumber: '5', street: 'rue des Acacias', complement: null, postalCode: '69003', city: 'Lyon', country: 'FR' },
      bankAccount: null, createdAt: new Date('2020-01-01T09:00:00Z'),
    }),
  );
  await h.db.query('UPDATE email_address SET last_confirmed_at = now() WHERE member_id = $1', [memberId]);
  await h.db.query(`INSERT INTO member_credential (member_id, code_hash, code_set_at) VALUES ($1, $2, now())`, [
    memberId, await hashAccessCode(CODE, secrets.codePepper, { memoryCost: 1024, timeCost: 1, parallelism: 1 }),
  ]);
  const care: [number, CareLine[]][] = [
    [0, [gp('2025-02-03'), drugs('2025-02-03')]], [0, [gp('2025-09-15')]], [1, [gp('2025-10-20')]], [0, [gp('2026-03-02'), drugs('2026-03-02')]], [1, [drugs('2026-04-11')]],
  ];
  await h.db.transaction(async (tx) => {
    for (const [index, [who, lines]] of care.entries()) {
      const birthDate = who === 0 ? '1978-02-14' : '2012-06-01';
      const results = liquidate({ product: 'ESSENTIEL', beneficiary: { birthDate, aid: 'NONE' }, lines }).lines;
      const statementId = uuidv7();
      const liquidated = lines[0]!.careDate;
      await tx.query(`INSERT INTO statement (id, member_id, source, statement_number, liquidation_date, received_at) VALUES ($1, $2, 'NOEMIE', $3, $4, $5)`, [
        statementId, memberId, `E2E-${index}`, liquidated, `${liquidated}T06:00:00Z`,
      ]);
      const rows = results.map((r, i) =>
        copyRow([uuidv7(), statementId, memberId, beneficiaryIds[who], i + 1, r.careDate, r.family, r.act, 'Dr Claire Dubois', r.chargedCents, r.baseCents, r.amoRateBp,
          r.amoCents, r.flatFeeCents, r.deductibleCents, r.amoNetCents, r.amcCents, r.remainingCents, r.rule, r.explanation, 'PAID', liquidated]),
      );
      await tx.copyFrom('claim_line', ['id', 'statement_id', 'member_id', 'beneficiary_id', 'line_number', 'care_date', 'family', 'act_code', 'provider_name', 'charged_cents',
        'base_cents', 'amo_rate_bp', 'amo_cents', 'flat_fee_cents', 'deductible_cents', 'amo_net_cents', 'amc_cents', 'remaining_cents', 'rule', 'explanation', 'status', 'paid_at'], rows);
    }
  });
  return { nir };
}

async function loggedIn(viewport: { width: number; height: number }): Promise<Page> {
  const p = await openPage(h, { viewport });
  opened.push(p);
  const page = p.page;
  await page.goto('/connexion?next=%2Fremboursements');
  await page.fill('#nir', member.nir);
  await page.fill('#code', CODE);
  await Promise.all([page.waitForURL(`${h.baseUrl}/connexion/appareil`), page.getByRole('button', { name: 'Se connecter', exact: true }).click()]);
  const mail = (await queuedEmails(h.db, 'julien.remb@exemple.test')).filter((m) => m.subject === 'Votre code de confirmation').at(-1);
  const code = /saisissez ce code sur la page ouverte : (\d{6})/.exec(mail?.text ?? '')![1]!;
  await page.fill('#code', code);
  await Promise.all([page.waitForURL(`${h.baseUrl}/remboursements`), page.keyboard.press('Enter')]);
  return page;
}

async function expectNoViolations(page: Page) {
  const violations = await checkAccessibility(page);
  expect(violations, `axe-core violations on ${page.url()}:\n${formatViolations(violations)}`).toEqual([]);
}

let member: { nir: string };
beforeAll(async () => {
  member = await createMember();
});

describe('reimbursements in the browser', () => {
  test('keyboard only: filter by year and beneficiary, open a line, read its explanation; no axe violation', async () => {
    const page = await loggedIn({ width: 1280, height: 900 });
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Mes remboursements');
    await expectNoViolations(page);
    expect(await page.locator('tbody tr').count()).toBe(7);

    await page.locator('#annee').focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    expect(await page.locator('#annee').inputValue()).toBe('2025');
    await page.keyboard.press('Tab');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    expect(await page.locator('#beneficiaire option:checked').textContent()).toBe('Léa');
    await page.locator('button', { hasText: 'Afficher' }).focus();
    await Promise.all([page.waitForURL(/annee=2025&beneficiaire=/), page.keyboard.press('Enter')]);
    expect(await page.locator('tbody tr').count()).toBe(1);
    expect(await page.locator('tbody tr th a').textContent()).toBe('Consultation médecin généraliste');
    await expectNoViolations(page);

    await page.locator('tbody tr th a').focus();
    await Promise.all([page.waitForURL(/\/remboursements\/[0-9a-f-]{36}$/), page.keyboard.press('Enter')]);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Consultation médecin généraliste du 20/10/2025');
    const explanation = await page.locator('#titre-explication + p').textContent();
    expect(explanation).toMatch(/Sécurité sociale/);
    expect(await page.textContent('main')).toContain('Reste à votre charge');
    await expectNoViolations(page);
  });

  test('at 320 px the list and a line read without sideways scrolling, rows as cards', async () => {
    const page = await loggedIn({ width: 320, height: 640 });
    const width = () => page.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth);
    expect(await width()).toBeLessThanOrEqual(320);
    expect(await page.locator('thead').evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { position: string } }).getComputedStyle(el).position)).toBe('absolute');
    await Promise.all([page.waitForURL(/\/remboursements\/[0-9a-f-]{36}$/), page.locator('tbody tr th a').first().click()]);
    expect(await width()).toBeLessThanOrEqual(320);
    await expectNoViolations(page);
  });

  test('each page weighs at most 60 KB on first load, everything it fetches included', async () => {
    const p = await openPage(h, { viewport: { width: 1280, height: 900 } });
    opened.push(p);
    const transferred: number[] = [];
    p.page.on('requestfinished', (request) => {
      void request.sizes().then((sizes) => transferred.push(sizes.responseHeadersSize + sizes.responseBodySize));
    });
    const weigh = async (path: string) => {
      transferred.length = 0;
      await p.page.goto(path, { waitUntil: 'networkidle' });
      await expect.poll(() => transferred.length).toBeGreaterThan(0);
      return transferred.reduce((a, b) => a + b, 0);
    };
    const page = await loggedIn({ width: 1280, height: 900 });
    await p.context.addCookies(await page.context().cookies());
    const list = await weigh('/remboursements');
    const detail = await weigh(new URL(await page.locator('tbody tr th a').first().getAttribute('href') ?? '/', h.baseUrl).pathname);
    expect(list).toBeLessThanOrEqual(60 * 1024);
    expect(detail).toBeLessThanOrEqual(60 * 1024);
    expect(list).toBeGreaterThan(5 * 1024);
  });

  test('the CSV and the PDF of a filter hold the totals the page shows', async () => {
    const page = await loggedIn({ width: 1280, height: 900 });
    await page.goto('/remboursements?annee=2025');
    const pageTotals = await page.locator('.totals-list dd').allTextContents();
    expect(pageTotals).toHaveLength(4);

    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Télécharger en tableur (CSV)' }).click()]);
    const rows = readFileSync((await csv.path())!, 'utf8').replace(/^\uFEFF/, '').trim().split('\r\n').map((r) => r.split(';'));
    const total = rows.at(-1)!;
    expect(total[0]).toBe('Total');
    const asPage = (cell: string) => `${cell.replace(/^(\d+)(\d{3}),/, '$1\u202f$2,')}\u00a0€`;
    expect(total.slice(5, 9).map(asPage)).toEqual(pageTotals.map((t) => t.replace(/\s(?=€)/, '\u00a0')));
    expect(rows.length - 2).toBe(4);

    const [pdf] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Relevé en PDF' }).click()]);
    const text = execFileSync('pdftotext', ['-layout', (await pdf.path())!, '-'], { encoding: 'utf8' }).replace(/[\u00a0\u202f]/g, ' ');
    expect(text).toContain('Relevé de remboursements');
    for (const amount of pageTotals) expect(text).toContain(amount.replace(/[\u00a0\u202f]/g, ' '));
  });
});
