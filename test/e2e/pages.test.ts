import type { BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { insertHousehold } from '../../src/db/repositories/household.ts';
import { liquidate, type CareLine } from '../../src/domain/coverage/index.ts';
import { computeNirKey } from '../../src/domain/identity/nir.ts';
import { hashAccessCode } from '../../src/platform/access-code-hash.ts';
import { queuedEmails } from '../mail-jobs.ts';
import { CRASH_PATH, E2E_ORGANISATION, checkAccessibility, closeHarness, formatViolations, harness, openPage, type Harness, type OpenedPage } from './harness.ts';

const DESKTOP = { width: 1280, height: 800 };
const NARROW = { width: 320, height: 640 };

const PAGES = [
  { name: 'home', path: '/', status: 200, heading: `Votre espace adhérent ${E2E_ORGANISATION.name}` },
  { name: '404', path: '/cette-page-n-existe-pas', status: 404, heading: 'Page introuvable' },
  { name: 'error', path: CRASH_PATH, status: 500, heading: 'Une erreur est survenue' },
] as const;

// What the callbacks passed to page.evaluate see of the DOM (tsconfig has no DOM lib: they run in the browser).
type Focused = { tagName: string; id: string; textContent: string | null; getAttribute(name: string): string | null; getBoundingClientRect(): { top: number; bottom: number; left: number; right: number } };
type Dom = {
  document: { activeElement: Focused | null; body: Focused; scrollingElement: { scrollWidth: number } | null };
  getComputedStyle(element: Focused): { outlineStyle: string; outlineWidth: string; boxShadow: string };
  innerWidth: number;
  innerHeight: number;
};

let h: Harness;
const opened: OpenedPage[] = [];

beforeAll(async () => {
  h = await harness();
});
afterAll(closeHarness);

// DATA-04: whatever a test did, its pages requested nothing outside our origin (no CDN, font, analytics...).
afterEach(async () => {
  const pages = opened.splice(0);
  try {
    for (const p of pages) {
      expect(p.requests.length).toBeGreaterThan(0);
      expect(p.foreignRequests()).toEqual([]);
    }
  } finally {
    for (const p of pages) await p.context.close();
  }
});

async function open(options: BrowserContextOptions = {}): Promise<Page> {
  const p = await openPage(h, options);
  opened.push(p);
  return p.page;
}

type FocusState = { tag: string; id: string; text: string; href: string | null; outlineStyle: string; outlineWidth: string; inViewport: boolean };

async function focusState(page: Page): Promise<FocusState | null> {
  return page.evaluate(() => {
    const dom = globalThis as unknown as Dom;
    const el = dom.document.activeElement;
    if (!el || el === dom.document.body) return null;
    const style = dom.getComputedStyle(el);
    const box = el.getBoundingClientRect();
    return {
      tag: el.tagName.toLowerCase(),
      id: el.id,
      text: (el.textContent ?? '').replace(/\s+/g, ' ').trim(),
      href: el.getAttribute('href'),
      outlineStyle: style.outlineStyle,
      outlineWidth: style.outlineWidth,
      inViewport: box.bottom > 0 && box.top < dom.innerHeight && box.right > 0 && box.left < dom.innerWidth,
    };
  });
}

/** Presses Tab until focus leaves the page (or comes back to the start), returning what each press focused. */
async function tabThrough(page: Page, max = 40): Promise<FocusState[]> {
  const stops: FocusState[] = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const state = await focusState(page);
    if (!state || (stops.length > 0 && state.href === stops[0]!.href && state.text === stops[0]!.text)) break;
    stops.push(state);
  }
  return stops;
}

function expectVisibleFocus(stop: FocusState) {
  expect(stop.outlineStyle, `focus outline on ${stop.tag} « ${stop.text} »`).not.toBe('none');
  expect(stop.outlineWidth, `focus outline width on ${stop.tag} « ${stop.text} »`).not.toBe('0px');
  expect(stop.inViewport, `${stop.tag} « ${stop.text} » is scrolled into view when focused`).toBe(true);
}

async function scrollWidth(page: Page): Promise<number> {
  return page.evaluate(() => (globalThis as unknown as Dom).document.scrollingElement?.scrollWidth ?? 0);
}

describe.each([
  ['desktop', DESKTOP],
  ['320 px', NARROW],
] as const)('at %s width', (_label, viewport) => {
  test.each(PAGES)('the $name page has no axe-core violation (WCAG 2.x A/AA, best practices)', async ({ path, status, heading }) => {
    const page = await open({ viewport });
    const response = await page.goto(path);
    expect(response?.status()).toBe(status);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(heading);
    expect(await page.title()).toContain(E2E_ORGANISATION.name);
    const violations = await checkAccessibility(page);
    expect(violations, `axe-core violations on ${path}:\n${formatViolations(violations)}`).toEqual([]);
  });

  test.each(PAGES)('the $name page can be used with the keyboard alone, with a visible focus', async ({ path }) => {
    const page = await open({ viewport });
    await page.goto(path);
    const stops = await tabThrough(page);
    expect(stops[0]).toMatchObject({ tag: 'a', text: 'Aller au contenu', href: '#contenu' });
    for (const stop of stops) expectVisibleFocus(stop);
    const names = stops.map((s) => s.text);
    expect(names).toContain('Se connecter');
    expect(names).toContain('Accessibilité : partiellement conforme');
    if (path !== '/') expect(names).toContain("Retour à l'accueil");
  });
});

describe('keyboard', () => {
  test('the first Tab focuses the skip link, and Enter moves the focus to the main content', async () => {
    const page = await open({ viewport: DESKTOP });
    await page.goto('/');
    await page.keyboard.press('Tab');
    const skip = await focusState(page);
    expect(skip).toMatchObject({ tag: 'a', text: 'Aller au contenu', href: '#contenu' });
    expectVisibleFocus(skip!);
    await page.keyboard.press('Enter');
    await expect.poll(() => focusState(page).then((s) => s && `${s.tag}#${s.id}`)).toBe('main#contenu');
    // The next Tab continues from the main content, not from the top of the page.
    await page.keyboard.press('Tab');
    expect(await focusState(page)).toMatchObject({ text: 'Se connecter à mon espace', href: '/connexion' });
  });

  test('Tab reaches « Se connecter » and Enter opens the login page', async () => {
    const page = await open({ viewport: DESKTOP });
    await page.goto('/');
    let state: FocusState | null = null;
    for (let i = 0; i < 10 && state?.text !== 'Se connecter'; i++) {
      await page.keyboard.press('Tab');
      state = await focusState(page);
    }
    expect(state).toMatchObject({ tag: 'a', text: 'Se connecter', href: '/connexion' });
    expectVisibleFocus(state!);
    await Promise.all([page.waitForURL(`${h.baseUrl}/connexion`), page.keyboard.press('Enter')]);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Connexion à votre espace');
  });

  test('on the error pages, Enter on « Retour à l’accueil » goes home', async () => {
    const page = await open({ viewport: NARROW });
    await page.goto(CRASH_PATH);
    let state: FocusState | null = null;
    for (let i = 0; i < 15 && state?.text !== "Retour à l'accueil"; i++) {
      await page.keyboard.press('Tab');
      state = await focusState(page);
    }
    expect(state).toMatchObject({ text: "Retour à l'accueil", href: '/' });
    await Promise.all([page.waitForURL(`${h.baseUrl}/`), page.keyboard.press('Enter')]);
  });
});

describe('reflow and zoom', () => {
  test.each(PAGES)('the $name page does not scroll sideways at 320 px (400 % zoom on a 1280 px screen)', async ({ path }) => {
    const page = await open({ viewport: NARROW });
    await page.goto(path);
    expect(await scrollWidth(page)).toBeLessThanOrEqual(NARROW.width);
    // Nor once the skip link is shown.
    await page.keyboard.press('Tab');
    expect(await scrollWidth(page)).toBeLessThanOrEqual(NARROW.width);
  });

  test.each(PAGES)('the $name page reflows with the browser text size doubled, even at 320 px', async ({ path }) => {
    const page = await open({ viewport: NARROW });
    await page.goto(path);
    // What a larger default font size in the browser settings does: every rem doubles.
    await page.evaluate(() => {
      (globalThis as unknown as { document: { documentElement: { style: { fontSize: string } } } }).document.documentElement.style.fontSize = '200%';
    });
    expect(await scrollWidth(page)).toBeLessThanOrEqual(NARROW.width);
  });
});

describe('without JavaScript', () => {
  test('the home page and every page it links to work', async () => {
    const page = await open({ viewport: DESKTOP, javaScriptEnabled: false });
    const home = await page.goto('/');
    expect(home?.status()).toBe(200);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(`Votre espace adhérent ${E2E_ORGANISATION.name}`);
    const hrefs = await page.locator('a[href]').evaluateAll((links) => links.map((a) => a.getAttribute('href') ?? ''));
    const internal = [...new Set(hrefs.filter((href) => href.startsWith('/')))];
    expect(internal).toEqual(expect.arrayContaining(['/', '/connexion', '/accessibilite', '/mentions-legales']));
    // The navigation says which page this is, without colour or script.
    expect(await page.locator('nav a[aria-current="page"]').textContent()).toBe('Accueil');
    for (const href of internal) {
      const response = await page.goto(href);
      expect(response?.status(), href).toBe(200);
      expect(await page.getByRole('heading', { level: 1 }).count(), `one h1 on ${href}`).toBe(1);
    }
    // Links are followed by the browser itself, not by a script.
    await page.goto('/');
    await Promise.all([page.waitForURL(`${h.baseUrl}/connexion`), page.getByRole('link', { name: 'Se connecter', exact: true }).click()]);
  });
});

// ---------------------------------------------------------------------------------------------------------------------
// The member dashboard /espace (issue 6), with every section filled: contract, a former ACS and a past CSS period, a
// transfer, lines in progress. The member logs in once (NIR + code, then the emailed code); each test opens a browser
// context of its own with that session's cookies.

const DASHBOARD_CODE = '739184';

/** Jean (former ACS) and Monique (CSS in 2020), on an Essentiel contract; a transfer and two lines in progress. */
async function createDashboardMember(): Promise<{ nir: string; email: string }> {
  const body = '1590669888123';
  const nir = body + computeNirKey(body);
  const email = 'jean.tableau@exemple.test';
  const year = new Date().getFullYear();
  const { secrets } = h.app.config;
  const { rows: [product] } = await h.db.query<{ id: string }>(
    `INSERT INTO guarantee_product (organisation_id, code, name, kind, responsable) VALUES ($1, 'ESSENTIEL', 'Essentiel', 'STANDARD', true) RETURNING id`,
    [h.organisation.id],
  );
  const { memberId, beneficiaryIds } = await h.db.transaction((tx) =>
    insertHousehold(tx, { dataEncryptionKey: secrets.dataEncryptionKey, blindIndexKey: secrets.blindIndexKey }, {
      organisationId: h.organisation.id, memberNumber: 'E2ED0001', nir,
      beneficiaries: [
        { relationship: 'SELF', lastName: 'Moreau', firstName: 'Jean', sex: 'M', birthDate: '1959-06-01', birthRank: 1, insuredNir: nir, ownNir: nir, amoFund: '069', noemie: 'ACTIVE' },
        { relationship: 'SPOUSE', lastName: 'Moreau', firstName: 'Monique', sex: 'F', birthDate: '1961-03-12', birthRank: 1, insuredNir: nir, ownNir: null, amoFund: '069', noemie: 'ACTIVE' },
      ],
      contracts: [{ contractNumber: 'C-E2ED0001', kind: 'INDIVIDUAL', employerName: null, employerSiret: null, productId: product!.id, responsable: true, startDate: '2019-11-01', endDate: null, sepaMandateRef: null }],
      rights: [
        { beneficiaryIndex: 0, kind: 'CONTRACT', startDate: '2019-11-01', endDate: `${year}-12-31`, contractIndex: 0 },
        { beneficiaryIndex: 1, kind: 'CONTRACT', startDate: '2019-11-01', endDate: `${year}-12-31`, contractIndex: 0 },
        { beneficiaryIndex: 0, kind: 'ACS_B', startDate: '2017-11-01', endDate: '2018-10-31', contractIndex: null },
        { beneficiaryIndex: 0, kind: 'ACS_B', startDate: '2018-11-01', endDate: '2019-10-31', contractIndex: null },
        { beneficiaryIndex: 1, kind: 'CSS_PARTICIPATION', startDate: '2020-01-01', endDate: '2020-12-31', contractIndex: null },
      ],
      email: { address: email, verified: true }, phones: [],
      address: { recipient: 'JEAN MOREAU', streetNumber: '8', street: 'rue des Lilas', complement: null, postalCode: '69003', city: 'Lyon', country: 'FR' },
      bankAccount: { iban: 'FR7630006000011234567890189', bic: null, holderName: 'JEAN MOREAU' }, createdAt: new Date(),
    }),
  );
  await h.db.query(`INSERT INTO member_credential (member_id, code_hash, code_set_at) VALUES ($1, $2, now())`, [
    memberId, await hashAccessCode(DASHBOARD_CODE, secrets.codePepper, { memoryCost: 1024, timeCost: 1, parallelism: 1 }),
  ]);
  const today = new Date().toISOString().slice(0, 10);
  await h.db.query(
    `WITH f AS (INSERT INTO payment_file (message_id, execution_date, file_name, transfers, total_cents, created_at) VALUES ('PAY-E2E-D1', $2, 'SCT-e2e.xml', 1, 4560, now()) RETURNING id)
     INSERT INTO payment (member_id, bank_account_id, payment_file_id, payment_date, amount_cents, end_to_end_id, created_at)
     SELECT $1, ba.id, f.id, $2, 4560, 'RMB-E2E-D1', now() FROM f, bank_account ba WHERE ba.member_id = $1 AND ba.status = 'ACTIVE'`,
    [memberId, today],
  );
  const gp: CareLine = { careDate: today, family: 'CONSULTATION', act: 'G', chargedCents: 3000, baseCents: 3000, amoRateBp: 7000, pathway: 'IN', optam: true };
  for (const [index, [who, status]] of ([[0, 'RECEIVED'], [1, 'LIQUIDATED']] as const).entries()) {
    const r = liquidate({ product: 'ESSENTIEL', beneficiary: { birthDate: who === 0 ? '1959-06-01' : '1961-03-12', aid: 'NONE' }, lines: [gp] }).lines[0]!;
    const { rows: [statement] } = await h.db.query<{ id: string }>(
      `INSERT INTO statement (member_id, source, statement_number, liquidation_date) VALUES ($1, 'NOEMIE', $2, $3) RETURNING id`,
      [memberId, `E2E-D-${index}`, today],
    );
    await h.db.query(
      `INSERT INTO claim_line (statement_id, member_id, beneficiary_id, line_number, care_date, family, act_code, provider_name, charged_cents, base_cents, amo_rate_bp,
         amo_cents, flat_fee_cents, deductible_cents, amo_net_cents, amc_cents, remaining_cents, rule, explanation, status)
       VALUES ($1, $2, $3, 1, $4, $5, $6, 'Dr Claire Dubois', $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`,
      [statement!.id, memberId, beneficiaryIds[who], r.careDate, r.family, r.act, r.chargedCents, r.baseCents, r.amoRateBp, r.amoCents, r.flatFeeCents, r.deductibleCents,
        r.amoNetCents, r.amcCents, r.remainingCents, r.rule, r.explanation, status],
    );
  }
  return { nir, email };
}

describe('the member dashboard /espace', () => {
  let session: Exclude<BrowserContextOptions['storageState'], string | undefined>;

  beforeAll(async () => {
    const member = await createDashboardMember();
    const page = await open({ viewport: DESKTOP });
    await page.goto('/connexion');
    await page.getByLabel('Numéro de Sécurité sociale').fill(member.nir);
    await page.getByLabel('Code d’accès').fill(DASHBOARD_CODE);
    await Promise.all([page.waitForURL(`${h.baseUrl}/connexion/appareil`), page.getByRole('button', { name: 'Se connecter', exact: true }).click()]);
    const mail = (await queuedEmails(h.db, member.email)).filter((m) => m.subject === 'Votre code de confirmation').at(-1);
    await page.getByLabel('Code reçu par email').fill(/saisissez ce code sur la page ouverte : (\d{6})/.exec(mail?.text ?? '')?.[1] ?? '');
    await Promise.all([page.waitForURL(`${h.baseUrl}/espace`), page.getByRole('button', { name: 'Confirmer' }).click()]);
    session = await page.context().storageState();
  });

  const openDashboard = async (options: BrowserContextOptions) => {
    const page = await open({ ...options, storageState: session });
    const response = await page.goto('/espace');
    expect(response?.status()).toBe(200);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Bonjour Jean');
    return page;
  };

  test.each([
    ['desktop', DESKTOP],
    ['320 px', NARROW],
  ] as const)('has no axe-core violation at %s width, with every section filled', async (_label, viewport) => {
    const page = await openDashboard({ viewport });
    expect(await page.getByText('Ancien bénéficiaire de l’ACS du 01/11/2017 au 31/10/2019').count()).toBe(1);
    expect(await page.getByText('Complémentaire santé solidaire (avec participation) du 01/01/2020 au 31/12/2020').count()).toBe(1);
    expect(await page.getByText(/45,60\s€ versés le \d\d\/\d\d\/\d{4}, sur votre compte FR76 •••• •••• •••• •••• ••90 189/).count()).toBe(1);
    expect(await page.getByText('2 remboursements en cours de traitement.').count()).toBe(1);
    const violations = await checkAccessibility(page);
    expect(violations, `axe-core violations on /espace:\n${formatViolations(violations)}`).toEqual([]);
  });

  test('does not scroll sideways at 320 px, nor with the browser text size doubled', async () => {
    const page = await openDashboard({ viewport: NARROW });
    expect(await scrollWidth(page)).toBeLessThanOrEqual(NARROW.width);
    await page.evaluate(() => {
      (globalThis as unknown as { document: { documentElement: { style: { fontSize: string } } } }).document.documentElement.style.fontSize = '200%';
    });
    expect(await scrollWidth(page)).toBeLessThanOrEqual(NARROW.width);
  });

  test('can be used with the keyboard alone, with a visible focus on every stop', async () => {
    const page = await openDashboard({ viewport: DESKTOP });
    const stops = await tabThrough(page, 60);
    for (const stop of stops) expectVisibleFocus(stop);
    expect(stops.map((s) => s.text)).toEqual(expect.arrayContaining(['Mes remboursements', 'Sécurité de mon compte', 'Voir tous mes remboursements', 'Mes appareils', 'Se déconnecter']));
  });

  test('works without JavaScript: every link of the page opens a page of its own', async () => {
    const page = await openDashboard({ viewport: DESKTOP, javaScriptEnabled: false });
    const hrefs = await page.locator('main a[href]').evaluateAll((links) => links.map((a) => a.getAttribute('href') ?? ''));
    const internal = [...new Set(hrefs.filter((href) => href.startsWith('/')))];
    expect(internal).toEqual(expect.arrayContaining(['/remboursements', '/profil/securite/appareils', '/profil/securite/cles-d-acces', '/profil/securite/sessions', '/profil/securite/code']));
    for (const href of internal) {
      const response = await page.goto(href);
      expect(response?.status(), href).toBe(200);
      expect(await page.getByRole('heading', { level: 1 }).count(), `one h1 on ${href}`).toBe(1);
    }
    // « Accueil » (/) brings a member back to the dashboard.
    await page.goto('/');
    expect(new URL(page.url()).pathname).toBe('/espace');
  });
});
