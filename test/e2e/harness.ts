import { createServer } from 'node:net';
import axe from 'axe-core';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { insertOrganisation, type Organisation } from '../../src/db/repositories/organisation.ts';
import type { Feature } from '../../src/platform/http/server.ts';
import { createTestApp, type TestApp } from '../app.ts';
import { createTestDatabase, type TestDatabase } from '../db.ts';

/**
 * One real server (in-process, on a database of its own) and one Chromium, shared by the tests of a file (architecture §5).
 *
 * The session and CSRF cookies are `__Host-` and Secure: Chromium keeps Secure cookies on http://localhost (a secure
 * context) but not on http://127.0.0.1, so the browser goes to http://localhost:PORT and PUBLIC_URL is that origin
 * (the CSRF check compares the Origin header with it). The server itself listens on 127.0.0.1 only.
 */
export type Harness = {
  /** http://localhost:PORT, without a trailing slash. */
  baseUrl: string;
  browser: Browser;
  /** The server (app.app is the Fastify instance, app.config its configuration). */
  app: TestApp;
  db: TestDatabase;
  organisation: Organisation;
};

/** The mutuelle every page of the browser tests shows. */
export const E2E_ORGANISATION = {
  name: 'Mutuelle des Tilleuls',
  amcNumber: '123456789',
  addressLine1: '12 rue des Tilleuls',
  addressLine2: null,
  postalCode: '69003',
  city: 'Lyon',
  phone: '04 72 00 00 00',
  professionalPhone: null,
  email: 'contact@tilleuls.example',
};

/** A route that fails on purpose, to show the error page (it exists only in the browser tests). */
export const CRASH_PATH = '/e2e/erreur';
const e2eOnly: Feature = (app) => {
  app.get(CRASH_PATH, async () => {
    throw new Error('e2e: a failure on purpose');
  });
};

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let current: Promise<Harness> | undefined;

/** The file's harness, started on first use (call `closeHarness` in `afterAll`). */
export function harness(): Promise<Harness> {
  return (current ??= startHarness());
}

export async function closeHarness(): Promise<void> {
  const started = current;
  current = undefined;
  if (!started) return;
  const h = await started;
  try {
    await h.browser.close();
  } finally {
    await h.app.close();
    await h.db.close();
  }
}

async function startHarness(): Promise<Harness> {
  const db = await createTestDatabase();
  try {
    const organisation = await insertOrganisation(db, E2E_ORGANISATION);
    const browser = chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
    const app = await listen(db);
    return { ...app, browser: await browser, db, organisation };
  } catch (error) {
    await db.close();
    throw error;
  }
}

// PUBLIC_URL has to name the port before the server is built, so a free port is reserved first; if another process
// takes it in between, the server is built again on another one.
async function listen(db: TestDatabase): Promise<{ app: TestApp; baseUrl: string }> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const baseUrl = `http://localhost:${port}`;
    const app = await createTestApp({ name: 'e2e', db, extraFeatures: [e2eOnly], env: { PUBLIC_URL: baseUrl, HOST: '127.0.0.1', PORT: String(port) } });
    try {
      await app.app.listen({ host: '127.0.0.1', port });
      return { app, baseUrl };
    } catch (error) {
      await app.close();
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 5) throw error;
    }
  }
}

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

export type OpenedPage = {
  context: BrowserContext;
  page: Page;
  /** Every URL the page requested, in order (DATA-04: all of them must stay on our origin). */
  requests: string[];
  /** The requested URLs that left our origin (data: URLs are not requests to anyone). */
  foreignRequests(): string[];
};

/** A fresh browser context (its own cookies) and page, recording every request the page makes. */
export async function openPage(h: Harness, options: BrowserContextOptions = {}): Promise<OpenedPage> {
  const context = await h.browser.newContext({ baseURL: h.baseUrl, locale: 'fr-FR', ...options });
  const page = await context.newPage();
  const requests: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  const origin = new URL(h.baseUrl).origin;
  return {
    context,
    page,
    requests,
    foreignRequests: () => requests.filter((url) => !url.startsWith('data:') && new URL(url).origin !== origin),
  };
}

export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];

export type AxeViolation = {
  id: string;
  impact: string | null;
  help: string;
  helpUrl: string;
  nodes: { target: string; html: string; summary: string }[];
};

/**
 * Runs axe-core (WCAG 2.x A/AA and best practices) on the page and returns its violations.
 *
 * The page's CSP (`script-src 'self'`) blocks an injected inline <script>, so axe's source is evaluated through the
 * DevTools protocol instead, which CSP does not govern; the page itself stays under its real CSP.
 */
export async function checkAccessibility(page: Page): Promise<AxeViolation[]> {
  const loaded = await page.evaluate('typeof window.axe === "object"');
  if (!loaded) await page.evaluate(axe.source);
  return page.evaluate(async (tags) => {
    const { axe: runner, document } = globalThis as unknown as { axe: typeof axe; document: axe.ElementContext };
    const results = await runner.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return results.violations.map((v) => ({
      id: v.id,
      impact: v.impact ?? null,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({ target: n.target.map(String).join(' '), html: n.html, summary: n.failureSummary ?? '' })),
    }));
  }, AXE_TAGS);
}

/** Violations as text a person can act on, for assertion messages. */
export function formatViolations(violations: AxeViolation[]): string {
  return violations
    .map((v) => [`[${v.impact ?? '?'}] ${v.id}: ${v.help} (${v.helpUrl})`, ...v.nodes.map((n) => `  at ${n.target}\n    ${n.html}\n    ${n.summary.replace(/\n/g, '\n    ')}`)].join('\n'))
    .join('\n\n');
}
