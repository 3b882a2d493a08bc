/**
 * Passkeys in Chromium (issue 4 acceptance 1): a member logged in with NIR + code (and the emailed new-device code)
 * registers a passkey on Chromium's virtual authenticator (CTAP2, internal, resident key, user verified), logs out,
 * and logs in again with the passkey alone, landing on /espace. Zero axe-core violations on the pages touched.
 */
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { insertHousehold } from '../../src/db/repositories/household.ts';
import { computeNirKey } from '../../src/domain/identity/nir.ts';
import { hashAccessCode } from '../../src/platform/access-code-hash.ts';
import { decryptField } from '../../src/platform/crypto.ts';
import { checkAccessibility, closeHarness, formatViolations, harness, openPage, type Harness, type OpenedPage } from './harness.ts';

let h: Harness;
const opened: OpenedPage[] = [];

beforeAll(async () => {
  h = await harness();
});
afterAll(closeHarness);
afterEach(async () => {
  const pages = opened.splice(0);
  try {
    for (const p of pages) expect(p.foreignRequests()).toEqual([]);
  } finally {
    for (const p of pages) await p.context.close();
  }
});

let serial = 0;
async function createMember(): Promise<{ memberId: string; nir: string; code: string; email: string }> {
  serial += 1;
  const body = `1780269${String(500 + serial).padStart(3, '0')}321`;
  const nir = body + computeNirKey(body);
  const email = `julien.cle${serial}@exemple.test`;
  const { secrets } = h.app.config;
  const { memberId } = await h.db.transaction((tx) =>
    insertHousehold(tx, { dataEncryptionKey: secrets.dataEncryptionKey, blindIndexKey: secrets.blindIndexKey }, {
      organisationId: h.organisation.id,
      memberNumber: `PK${String(serial).padStart(5, '0')}`,
      nir,
      beneficiaries: [{ relationship: 'SELF', lastName: 'Martin', firstName: 'Julien', sex: 'M', birthDate: '1978-02-14', birthRank: 1, insuredNir: nir, ownNir: nir, amoFund: '069', noemie: 'ACTIVE' }],
      contracts: [],
      rights: [],
      email: { address: email, verified: true },
      phones: [],
      address: { recipient: 'JULIEN MARTIN', streetNumber: '5', street: 'rue des Acacias', complement: null, postalCode: '69003', city: 'Lyon', country: 'FR' },
      bankAccount: null,
      createdAt: new Date('2020-01-01T09:00:00Z'),
    }),
  );
  const code = '739184';
  await h.db.query(`INSERT INTO member_credential (member_id, code_hash, code_set_at) VALUES ($1, $2, now())`, [
    memberId, await hashAccessCode(code, secrets.codePepper, { memoryCost: 1024, timeCost: 1, parallelism: 1 }),
  ]);
  return { memberId, nir, code, email };
}

/** The newest confirmation code mailed to this address (the job payload, sealed or not depending on the mail job). */
async function emailedCode(to: string): Promise<string> {
  const { rows } = await h.db.query<{ data: { sealed?: string; to?: string; subject?: string; text?: string } }>(
    `SELECT data FROM pgboss.job WHERE name = 'send-email' ORDER BY created_on DESC, id DESC`,
  );
  const key = h.app.config.secrets.dataEncryptionKey;
  const mails = rows.map((r) => (r.data.sealed ? (JSON.parse(decryptField(key, r.data.sealed)) as { to: string; subject: string; text: string }) : r.data));
  const mail = mails.find((m) => m.to === to && m.subject === 'Votre code de confirmation');
  const code = /saisissez ce code sur la page ouverte : (\d{6})/.exec(mail?.text ?? '')?.[1];
  if (!code) throw new Error('no confirmation code mailed');
  return code;
}

async function expectNoViolations(page: Page) {
  const violations = await checkAccessibility(page);
  expect(violations, `axe-core violations on ${page.url()}:\n${formatViolations(violations)}`).toEqual([]);
}

async function open(javaScriptEnabled = true): Promise<OpenedPage> {
  const p = await openPage(h, { viewport: { width: 1280, height: 800 }, javaScriptEnabled });
  opened.push(p);
  return p;
}

const inMemberArea = (url: URL) => url.pathname === '/espace' || url.pathname.startsWith('/espace/');
const heading = (page: Page) => page.getByRole('heading', { level: 1 }).textContent();

describe('passkeys in the browser', () => {
  test('register a passkey on a virtual authenticator, log out, log in with it alone and land on /espace; no axe violation', async () => {
    const member = await createMember();
    const { context, page } = await open();
    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
    });

    // NIR + code from a new device, then the emailed code.
    await page.goto('/connexion');
    await expect.poll(() => heading(page)).toBe('Connexion à votre espace');
    await expect.poll(() => page.getByRole('button', { name: 'Se connecter avec une clé d’accès' }).isVisible()).toBe(true);
    await expectNoViolations(page);
    await page.getByLabel('Numéro de Sécurité sociale').fill(member.nir);
    await page.getByLabel('Code d’accès').fill(member.code);
    await Promise.all([page.waitForURL(`${h.baseUrl}/connexion/appareil`), page.getByRole('button', { name: 'Se connecter', exact: true }).click()]);
    await page.getByLabel('Code reçu par email').fill(await emailedCode(member.email));
    // The member area (or a page of it asked first after a login, such as the email check).
    await Promise.all([page.waitForURL(inMemberArea), page.getByRole('button', { name: 'Confirmer' }).click()]);

    // Registration, from the member home's link.
    await page.goto('/espace');
    await Promise.all([page.waitForURL(`${h.baseUrl}/profil/securite/cles-d-acces`), page.getByRole('link', { name: 'Mes clés d’accès' }).click()]);
    expect(await heading(page)).toBe('Mes clés d’accès');
    expect(await page.getByText('Aucune clé d’accès n’est enregistrée.').count()).toBe(1);
    const add = page.getByRole('button', { name: 'Ajouter une clé d’accès' });
    await expect.poll(() => add.isVisible()).toBe(true);
    await expectNoViolations(page);
    await Promise.all([page.waitForURL(`${h.baseUrl}/profil/securite/cles-d-acces?ajout=1`), add.click()]);
    expect(await page.getByRole('status').first().textContent()).toContain('La clé d’accès a été ajoutée');
    expect(await page.getByRole('row', { name: /Chrome sur Linux/ }).count()).toBe(1);
    await expectNoViolations(page);
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    expect(credentials).toHaveLength(1);
    expect(credentials[0]!.isResidentCredential).toBe(true);

    // Log out, then log in with the passkey alone: no NIR, no code, no emailed code.
    await Promise.all([page.waitForURL(`${h.baseUrl}/?deconnexion=1`), page.getByRole('button', { name: 'Se déconnecter' }).first().click()]);
    await page.goto('/connexion');
    const withKey = page.getByRole('button', { name: 'Se connecter avec une clé d’accès' });
    await expect.poll(() => withKey.isVisible()).toBe(true);
    const [answer] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/connexion/cle'),
      page.waitForURL(inMemberArea),
      withKey.click(),
    ]);
    expect(answer.status()).toBe(200);
    if (new URL(page.url()).pathname !== '/espace') await page.goto('/espace');
    expect(await heading(page)).toBe('Bonjour Julien');
    await expectNoViolations(page);

    const { rows } = await h.db.query<{ action: string }>(`SELECT action FROM audit_log WHERE subject_id = $1 AND action LIKE 'auth.passkey.%' ORDER BY id`, [member.memberId]);
    expect(rows.map((r) => r.action)).toEqual(['auth.passkey.registered', 'auth.passkey.login']);
    const stored = await h.db.query<{ counter: string; last_used_at: Date | null }>(`SELECT counter, last_used_at FROM webauthn_credential WHERE member_id = $1`, [member.memberId]);
    expect(stored.rows[0]!.last_used_at).not.toBeNull();
  });

  test('without JavaScript the passkey buttons stay hidden and the pages still work', async () => {
    const { page } = await open(false);
    await page.goto('/connexion');
    expect(await page.getByRole('button', { name: 'Se connecter avec une clé d’accès' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Se connecter', exact: true }).isVisible()).toBe(true);
  });
});
