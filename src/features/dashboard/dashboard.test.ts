/**
 * The member dashboard /espace (issue 6) over inject, on the demo households (1 family with a bank account, 2 CSS,
 * 3 former ACS without email, 4 collective): what each member sees matches SQL, and nothing of another household.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestApp, testClock, testConfig, type TestApp } from '../../../test/app.ts';
import { createTestDatabase, testDriver, type TestDatabase } from '../../../test/db.ts';
import type { Queryable } from '../../db/database.ts';
import { formatFrenchDate } from '../../domain/dates.ts';
import { maskIban } from '../../domain/identity/iban.ts';
import { formatEuros } from '../../domain/money.ts';
import { decryptField } from '../../platform/crypto.ts';
import { createHouseholdMember, sessionProbe } from '../auth/recovery-test-kit.ts';
import { Browser, type Kit } from '../auth/session-test-kit.ts';
import { seedDemoData } from '../demo/seed-demo-data.ts';
import { memberDashboard } from './member-dashboard.ts';

const keys = testConfig().secrets;
const TODAY = '2026-11-26';

describe(`member dashboard (${testDriver()})`, () => {
  let db: TestDatabase;
  let t: TestApp;
  let kit: Kit;
  let members: Record<string, string>;
  let organisationId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedDemoData(db, { households: 5, referenceDate: TODAY, keys });
    const { rows } = await db.query<{ id: string; member_number: string; organisation_id: string }>('SELECT id, member_number, organisation_id FROM member');
    members = Object.fromEntries(rows.map((r) => [r.member_number, r.id]));
    organisationId = rows[0]!.organisation_id;
    // A transfer made by the payment run for household 1, today, to its active account.
    await db.query(
      `WITH f AS (INSERT INTO payment_file (message_id, execution_date, file_name, transfers, total_cents, created_at)
                  VALUES ('PAY-TEST-1', $2, 'SCT-test.xml', 1, 123456, $3) RETURNING id)
       INSERT INTO payment (member_id, bank_account_id, payment_file_id, payment_date, amount_cents, end_to_end_id, created_at)
       SELECT $1, ba.id, f.id, $2, 123456, 'RMB-TEST-1', $3 FROM f, bank_account ba WHERE ba.member_id = $1 AND ba.status = 'ACTIVE'`,
      [members.A0000001, TODAY, new Date(`${TODAY}T05:00:00Z`)],
    );
    const clock = testClock(`${TODAY}T10:00:00Z`);
    t = await createTestApp({ name: 'dashboard', clock: clock.now, db, extraFeatures: [sessionProbe] });
    kit = { db, t, clock, organisationId, close: async () => undefined };
  });
  afterAll(async () => {
    await t?.close();
    await db?.close();
  });

  async function dashboardOf(memberNumber: string): Promise<string> {
    const browser = new Browser(kit);
    await browser.startSession(members[memberNumber]!);
    const page = await browser.get('/espace');
    expect(page.statusCode).toBe(200);
    return page.body;
  }

  /** The last transfers as SQL tells them: recorded payments, and older paid lines grouped by day (tiers payant excluded). */
  async function expectedPayments(memberId: string) {
    const { rows: recorded } = await db.query<{ date: string; cents: number; iban_enc: string }>(
      `SELECT p.payment_date AS date, p.amount_cents AS cents, ba.iban_enc FROM payment p JOIN bank_account ba ON ba.id = p.bank_account_id WHERE p.member_id = $1`,
      [memberId],
    );
    const { rows: lines } = await db.query<{ paid_at: string; amc_cents: number }>(
      `SELECT paid_at, amc_cents FROM claim_line WHERE member_id = $1 AND status = 'PAID' AND payment_id IS NULL AND NOT third_party_payment AND amc_cents > 0`,
      [memberId],
    );
    const byDay = new Map<string, number>();
    for (const l of lines) byDay.set(l.paid_at, (byDay.get(l.paid_at) ?? 0) + l.amc_cents);
    return [
      ...recorded.map((r) => ({ date: r.date, amountCents: Number(r.cents), maskedIban: maskIban(decryptField(keys.dataEncryptionKey, r.iban_enc)) })),
      ...[...byDay].map(([date, cents]) => ({ date, amountCents: cents, maskedIban: null })),
    ]
      .sort((a, b) => (a.date < b.date ? 1 : -1))
      .slice(0, 3);
  }

  test('household 1: the last three transfers, the lines in progress and their count match SQL', async () => {
    const memberId = members.A0000001!;
    const dashboard = await memberDashboard(db, { memberId: memberId, beneficiaryId: null }, TODAY);
    const payments = await expectedPayments(memberId);
    expect(payments).toHaveLength(3);
    expect(dashboard.payments).toEqual(payments);
    expect(dashboard.payments[0]).toMatchObject({ date: TODAY, amountCents: 123456 });
    expect(dashboard.payments[0]!.maskedIban).toMatch(/^FR\d{2}( ••••){4} ••[0-9A-Z]{2} [0-9A-Z]{3}$/);

    const { rows: inProgress } = await db.query<{ id: string }>(
      `SELECT id FROM claim_line WHERE member_id = $1 AND status IN ('RECEIVED', 'LIQUIDATED') ORDER BY care_date DESC, id DESC`,
      [memberId],
    );
    expect(inProgress.length).toBeGreaterThan(0);
    expect(dashboard.inProgress.count).toBe(inProgress.length);
    expect(dashboard.inProgress.latest.map((l) => l.id)).toEqual(inProgress.slice(0, 3).map((r) => r.id));

    const html = await dashboardOf('A0000001');
    expect(html).toContain('<h1>Bonjour Marie</h1>');
    expect(html).toContain(`<strong>${formatEuros(123456)}</strong> versés le ${formatFrenchDate(TODAY)}, sur votre compte ${payments[0]!.maskedIban}`);
    expect(html).toContain('1\u202f234,56\u00a0€');
    for (const p of payments.slice(1)) expect(html).toContain(`<strong>${formatEuros(p.amountCents)}</strong> versés le ${formatFrenchDate(p.date)}`);
    const n = inProgress.length;
    expect(html).toContain(`${n} remboursement${n > 1 ? 's' : ''} en cours de traitement.`);
    for (const r of inProgress.slice(0, 3)) expect(html).toContain(`href="/remboursements/${r.id}"`);
    for (const r of inProgress.slice(3)) expect(html).not.toContain(r.id);
  });

  test('household 2 (CSS): the CSS contract and the current CSS period; earlier years as past rights; tiers payant is no transfer', async () => {
    const dashboard = await memberDashboard(db, { memberId: members.A0000002!, beneficiaryId: null }, TODAY);
    expect(dashboard.payments).toEqual(await expectedPayments(members.A0000002!));
    expect(dashboard.rights.contracts).toEqual([
      { number: 'CSS-A0000002', productName: 'Complémentaire santé solidaire', kind: 'INDIVIDUAL', employerName: null, startDate: '2023-01-01', endDate: null },
    ]);
    const self = dashboard.rights.beneficiaries[0]!;
    expect(self).toMatchObject({ firstName: 'Karima', relationship: 'Adhérente' });
    expect(self.current.map((p) => p.text)).toEqual(['Complémentaire santé solidaire (sans participation) du 01/01/2026 au 31/12/2026']);
    expect(self.past.map((p) => p.text)).toEqual(['Complémentaire santé solidaire (sans participation) du 01/01/2023 au 31/12/2025']);

    const html = await dashboardOf('A0000002');
    expect(html).toContain('<h1>Bonjour Karima</h1>');
    expect(html).toContain('Complémentaire santé solidaire (sans participation) du 01/01/2026 au 31/12/2026');
    expect(html).toContain('contrat n° CSS-A0000002');
    expect(html).toMatch(/Karima<\/strong> — Adhérente, née le \d\d\/\d\d\/\d{4}/);
  });

  test('household 3 (former ACS, no email): the contract since 01/11/2019 and « Ancien bénéficiaire de l’ACS du 01/11/2016 au 31/10/2019 »', async () => {
    const dashboard = await memberDashboard(db, { memberId: members.A0000003!, beneficiaryId: null }, TODAY);
    expect(dashboard.rights.contracts).toEqual([
      { number: 'C-A0000003', productName: 'Essentiel', kind: 'INDIVIDUAL', employerName: null, startDate: '2019-11-01', endDate: null },
    ]);
    const self = dashboard.rights.beneficiaries[0]!;
    expect(self.current.map((p) => p.text)).toEqual(['Contrat Essentiel du 01/11/2019 au 31/12/2026']);
    expect(self.past).toEqual([{ kind: 'ACS_C', startDate: '2016-11-01', endDate: '2019-10-31', upcoming: false, text: 'Ancien bénéficiaire de l’ACS du 01/11/2016 au 31/10/2019' }]);

    const html = await dashboardOf('A0000003');
    expect(html).toContain('<h1>Bonjour Jean</h1>');
    expect(html).toContain('Ancien bénéficiaire de l’ACS du 01/11/2016 au 31/10/2019');
    // The ACS contract ended in 2019: not a contract in force.
    expect(html).not.toContain('ACS-A0000003');
  });

  test('household 4 (collective): the employer, every beneficiary with their relationship in French', async () => {
    const dashboard = await memberDashboard(db, { memberId: members.A0000004!, beneficiaryId: null }, TODAY);
    expect(dashboard.rights.contracts).toHaveLength(1);
    expect(dashboard.rights.contracts[0]).toMatchObject({ kind: 'COLLECTIVE', employerName: 'Boulangerie Dupain SARL' });
    const { rows } = await db.query<{ first_name: string; relationship: string; birth_date: string }>(
      `SELECT first_name, relationship, birth_date FROM beneficiary WHERE member_id = $1`,
      [members.A0000004],
    );
    expect(dashboard.rights.beneficiaries).toHaveLength(rows.length);
    expect(dashboard.rights.beneficiaries.map((b) => b.relationship).slice(0, 2)).toEqual([expect.stringMatching(/^Adhérente?$/), expect.stringMatching(/^Conjointe?$/)]);
    expect(dashboard.rights.beneficiaries.slice(2).every((b) => b.relationship === 'Enfant')).toBe(true);
    const html = await dashboardOf('A0000004');
    expect(html).toContain('Contrat collectif de votre employeur, Boulangerie Dupain SARL, depuis le 01/01/2020');
    for (const r of rows) expect(html).toContain(`${r.first_name}</strong>`);
    for (const r of rows) expect(html).toContain(formatFrenchDate(r.birth_date));
  });

  test('AC-02 another household’s data never appears: lines, contracts, beneficiaries', async () => {
    const mine = members.A0000003!;
    const html = await dashboardOf('A0000003');
    const { rows: lines } = await db.query<{ id: string }>(`SELECT id FROM claim_line WHERE member_id <> $1 AND status IN ('RECEIVED', 'LIQUIDATED')`, [mine]);
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) expect(html).not.toContain(l.id);
    const { rows: contracts } = await db.query<{ contract_number: string }>(`SELECT contract_number FROM contract WHERE member_id <> $1`, [mine]);
    for (const c of contracts) expect(html).not.toContain(c.contract_number);
    const { rows: names } = await db.query<{ first_name: string }>(
      `SELECT DISTINCT first_name FROM beneficiary WHERE member_id <> $1 AND first_name NOT IN (SELECT first_name FROM beneficiary WHERE member_id = $1)`,
      [mine],
    );
    for (const n of names) expect(html).not.toContain(`${n.first_name}</strong>`);
    const { rows: amounts } = await db.query<{ amount_cents: number }>(`SELECT amount_cents FROM payment WHERE member_id <> $1`, [mine]);
    for (const a of amounts) expect(html).not.toContain(formatEuros(Number(a.amount_cents)));
    expect(html).not.toContain('Complémentaire santé solidaire (');
  });

  test('no made-up numbers: unread messages and new documents stay unknown (null) and the page says nothing of them', async () => {
    const dashboard = await memberDashboard(db, { memberId: members.A0000001!, beneficiaryId: null }, TODAY);
    expect(dashboard.unreadMessages).toBeNull();
    expect(dashboard.newDocuments).toBeNull();
    const html = await dashboardOf('A0000001');
    expect(html).not.toMatch(/messages?|non lus?|nouveaux? documents?/i);
  });

  test('quick links lead to pages that exist; the security pages stay one click away', async () => {
    const browser = new Browser(kit);
    await browser.startSession(members.A0000002!);
    const html = (await browser.get('/espace')).body;
    const nav = /<nav aria-label="Accès rapides">(.*?)<\/nav>/s.exec(html)?.[1] ?? '';
    const hrefs = [...nav.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!);
    expect(hrefs).toContain('/remboursements');
    // Until the profile navigation (issue 8, part A) is merged, the profile pages of part B are quick links.
    expect(hrefs).toEqual(expect.arrayContaining(['/profil/securite', '/profil/acces', '/profil/notifications', '/profil/donnees']));
    expect(html).toContain('id="securite"');
    for (const href of hrefs.filter((h) => h.startsWith('/'))) expect((await browser.get(href)).statusCode, href).toBe(200);
    for (const href of ['/profil/securite', '/profil/securite/appareils', '/profil/securite/cles-d-acces', '/profil/securite/sessions', '/profil/securite/code']) {
      expect(html).toContain(`href="${href}"`);
      expect((await browser.get(href)).statusCode, href).toBe(200);
    }
  });

  test('a member without contract, rights or history gets a calm page, not an error', async () => {
    const m = await createHouseholdMember(db, keys, { organisationId, email: 'verified' });
    const browser = new Browser(kit);
    await browser.startSession(m.memberId);
    const page = await browser.get('/espace');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Aucun virement de la mutuelle pour le moment.');
    expect(page.body).toContain('Aucun remboursement en cours de traitement.');
    expect(page.body).toContain('Aucun contrat en cours aujourd’hui.');
    expect(page.body).toContain('Aucun droit en cours.');
  });

  test('a visitor is sent to the login page and back; « / » sends a member to /espace and keeps the public home for visitors', async () => {
    const visitor = new Browser(kit);
    const page = await visitor.get('/espace');
    expect(page.statusCode).toBe(303);
    expect(page.headers.location).toBe('/connexion?next=%2Fespace');
    const home = await visitor.get('/');
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain('Se connecter à mon espace');

    const member = new Browser(kit);
    await member.startSession(members.A0000001!);
    const root = await member.get('/');
    expect(root.statusCode).toBe(303);
    expect(root.headers.location).toBe('/espace');
    // After a logout, « / » is the public home again, with its notice.
    await member.post('/deconnexion');
    const after = await member.get('/?deconnexion=1');
    expect(after.statusCode).toBe(200);
    expect(after.body).toContain('Vous êtes déconnecté.');
  });

  test('the number of queries does not grow with the history (no N+1)', async () => {
    const counting = (inner: Queryable) => {
      let n = 0;
      return { db: { query: ((text: string, params?: readonly unknown[]) => ((n += 1), inner.query(text, params))) as Queryable['query'] }, count: () => n };
    };
    const big = counting(db);
    await memberDashboard(big.db, { memberId: members.A0000001!, beneficiaryId: null }, TODAY);
    const empty = await createHouseholdMember(db, keys, { organisationId, email: null });
    const small = counting(db);
    await memberDashboard(small.db, { memberId: empty.memberId, beneficiaryId: null }, TODAY);
    expect(big.count()).toBe(small.count());
    // Lines in progress (latest and count in one), payments, contracts, beneficiaries, rights periods.
    expect(big.count()).toBe(5);
  });
});
