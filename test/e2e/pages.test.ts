import type { BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
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
