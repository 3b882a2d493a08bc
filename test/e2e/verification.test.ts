/**
 * Issue 7 « Vérifier un document » in Chromium: the page and its three answers have no axe violation at 1280 and 320 px,
 * the form works with JavaScript turned off, and the URL read from a QR code (zbarimg) opens straight on the answer.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { addMonths, parisDate } from '../../src/domain/dates.ts';
import { documentSignerFor, verificationQr } from '../../src/features/verification/verification-code.ts';
import { CLAIMS } from '../../src/features/verification/verification-test-kit.ts';
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

async function open(options: BrowserContextOptions = {}): Promise<Page> {
  const p = await openPage(h, options);
  opened.push(p);
  return p.page;
}

const today = parisDate(new Date());
const codes = () => {
  const signer = documentSignerFor(h.app.config);
  return {
    valid: signer.sign({ ...CLAIMS, validFrom: addMonths(today, -1), validUntil: addMonths(today, 11), issuedAt: new Date().toISOString() }),
    expired: signer.sign({ ...CLAIMS, validFrom: addMonths(today, -13), validUntil: addMonths(today, -1) }),
  };
};

async function expectNoViolations(page: Page, label: string) {
  const violations = await checkAccessibility(page);
  expect(violations, `${label}\n${formatViolations(violations)}`).toEqual([]);
}

describe('/verifier in Chromium', () => {
  test('the empty form and the three answers have zero axe violations, at 1280 and 320 px, without sideways scroll', async () => {
    const { valid, expired } = codes();
    const cases = [
      { query: '', heading: 'Vérifier une carte de tiers payant ou une attestation' },
      { query: `?code=${valid}`, heading: 'Document authentique' },
      { query: `?code=${expired}`, heading: 'Document expiré' },
      { query: `?code=${valid.slice(0, -6)}AAAAAA`, heading: 'Document non authentique' },
    ];
    for (const viewport of [{ width: 1280, height: 800 }, { width: 320, height: 640 }]) {
      const page = await open({ viewport });
      for (const { query, heading } of cases) {
        const response = await page.goto(`/verifier${query}`);
        expect(response?.status()).toBe(200);
        await expect(page.getByRole('heading', { name: heading }).count()).resolves.toBe(1);
        await expectNoViolations(page, `${viewport.width} px ${heading}`);
        const scrollWidth = await page.evaluate('document.scrollingElement.scrollWidth');
        expect(scrollWidth, `${viewport.width} px ${heading}`).toBeLessThanOrEqual(viewport.width);
      }
    }
  });

  test('without JavaScript: paste the code, press « Vérifier », read the answer and the facts in French', async () => {
    const page = await open({ javaScriptEnabled: false });
    await page.goto('/verifier');
    await page.getByLabel('Code de vérification').fill(codes().valid);
    await page.getByRole('button', { name: 'Vérifier' }).click();
    await page.waitForURL(/\/verifier\?code=EA1/);
    const text = await page.locator('main').innerText();
    for (const expected of ['Document authentique', 'Carte de tiers payant', '0012345678', 'J. D., né(e) le 12/03/1985', 'Mutuelle des Tilleuls (n° AMC 123456789)']) expect(text).toContain(expected);
  });

  test('a phone’s camera: the QR code’s URL, read by zbarimg, opens the answer', async () => {
    const { png } = await verificationQr(codes().valid);
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'espace-qr-')), 'qr.png');
    writeFileSync(file, png);
    const url = execFileSync('zbarimg', ['--quiet', '--raw', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    expect(url.startsWith(`${h.baseUrl}/verifier?code=EA1:`)).toBe(true);
    const page = await open();
    await page.goto(url);
    await expect(page.getByRole('heading', { name: 'Document authentique' }).count()).resolves.toBe(1);
  });
});
