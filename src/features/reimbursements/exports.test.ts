/**
 * Exports of « Mes remboursements » (issue 6) over inject, on the test driver (PGlite, or PostgreSQL with
 * TEST_DATABASE_URL): a demo member downloads the CSV (parsed back: the Total row equals the page's totals, every line
 * of the filter is there) and the PDF statement (read with pdftotext: the same totals; pdfinfo: tagged).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestApp, testClock, testConfig, type TestApp } from '../../../test/app.ts';
import { createTestDatabase, testDriver, type TestDatabase } from '../../../test/db.ts';
import { formatFrenchDate } from '../../domain/dates.ts';
import { formatEuros } from '../../domain/money.ts';
import { sessionProbe } from '../auth/recovery-test-kit.ts';
import { Browser, type Kit } from '../auth/session-test-kit.ts';
import { seedDemoData } from '../demo/seed-demo-data.ts';
import { exportReimbursements } from './export-reimbursements.ts';
import { listReimbursements } from './list-reimbursements.ts';
import { CSV_HEADER, csvAmount, csvText } from './reimbursements-csv.ts';

const keys = testConfig().secrets;

/** RFC 4180 with `;`: quoted cells may hold `;`, doubled quotes and line breaks. Rows end with CRLF. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ';') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  expect(cell).toBe('');
  expect(row).toEqual([]);
  return rows;
}

/** `1234,56` → 123456 cents. */
const cents = (amount: string) => {
  expect(amount).toMatch(/^-?\d+,\d\d$/);
  return Number(amount.replace(',', ''));
};
/** Spaces as pdftotext and HTML give them (U+202F, U+00A0, entities) made plain. */
const plain = (text: string) => text.replace(/&nbsp;/g, ' ').replace(/\s+/g, ' ');

type Parsed = { header: string[]; lines: string[][]; total: string[] };
function readCsv(body: string): Parsed {
  expect(body.startsWith('\uFEFF')).toBe(true);
  expect(body.endsWith('\r\n')).toBe(true);
  const rows = parseCsv(body.slice(1));
  const total = rows.at(-1)!;
  expect(total[0]).toBe('Total');
  for (const r of rows) expect(r).toHaveLength(CSV_HEADER.length);
  return { header: rows[0]!, lines: rows.slice(1, -1), total };
}

describe(`reimbursement exports (${testDriver()})`, () => {
  let db: TestDatabase;
  let t: TestApp;
  let kit: Kit;
  let members: Record<string, string>;
  let dir: string;
  const pdfFile = (name: string, bytes: Buffer) => {
    const file = path.join(dir, name);
    writeFileSync(file, bytes);
    return file;
  };
  const pdftotext = (file: string, page?: number) =>
    execFileSync('/usr/bin/pdftotext', ['-enc', 'UTF-8', ...(page ? ['-f', String(page), '-l', String(page)] : []), file, '-'], { encoding: 'utf8' });
  const pdfinfo = (file: string, ...args: string[]) => execFileSync('/usr/bin/pdfinfo', [...args, file], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'exports-'));
    db = await createTestDatabase();
    await seedDemoData(db, { households: 3, referenceDate: '2026-11-26', keys });
    const { rows } = await db.query<{ id: string; member_number: string }>('SELECT id, member_number FROM member');
    members = Object.fromEntries(rows.map((r) => [r.member_number, r.id]));
    const clock = testClock('2026-11-26T10:00:00Z');
    t = await createTestApp({ name: 'reimbursement-exports', clock: clock.now, db, extraFeatures: [sessionProbe] });
    kit = { db, t, clock, organisationId: '', close: async () => undefined };
  });
  afterAll(async () => {
    await t?.close();
    await db?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function browserFor(memberNumber: string): Promise<Browser> {
    const browser = new Browser(kit);
    await browser.startSession(members[memberNumber]!);
    return browser;
  }
  const lineRows = async (memberNumber: string, where = 'TRUE', params: unknown[] = []) =>
    (
      await db.query<{ care_date: string; first_name: string; charged_cents: number; amo_net_cents: number; amc_cents: number; remaining_cents: number }>(
        `SELECT c.care_date, b.first_name, c.charged_cents, c.amo_net_cents, c.amc_cents, c.remaining_cents
           FROM claim_line c JOIN beneficiary b ON b.id = c.beneficiary_id WHERE c.member_id = $1 AND ${where}`,
        [members[memberNumber], ...params],
      )
    ).rows;
  const beneficiaryOf = async (memberNumber: string, relationship: 'SELF' | 'CHILD') =>
    (await db.query<{ id: string; first_name: string }>(`SELECT id, first_name FROM beneficiary WHERE member_id = $1 AND relationship = $2 ORDER BY birth_date LIMIT 1`, [members[memberNumber], relationship])).rows[0]!;

  test('CSV: BOM, `;`, CRLF, French header; every line of the year, newest first; the Total row equals the page’s totals', async () => {
    const browser = await browserFor('A0000001');
    const response = await browser.get('/remboursements/export.csv?annee=2025');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toBe('attachment; filename="remboursements-2026-11-26.csv"');
    expect(response.headers['cache-control']).toBe('no-store');
    const body = response.rawPayload.toString('utf8');
    expect(body.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/); // no bare line breaks in this history

    const csv = readCsv(body);
    expect(csv.header).toEqual([...CSV_HEADER]);
    const expected = await lineRows('A0000001', `c.care_date BETWEEN '2025-01-01' AND '2025-12-31'`);
    expect(expected.length).toBeGreaterThan(50);
    expect(csv.lines).toHaveLength(expected.length);
    // Every line of the filter, once: the same multiset of (date, beneficiary, amounts).
    const key = (date: string, name: string, amounts: number[]) => [date, name, ...amounts].join('|');
    const fromCsv = csv.lines.map((l) => key(l[0]!, l[1]!, [5, 6, 7, 8].map((i) => cents(l[i]!)))).sort();
    const fromDb = expected.map((r) => key(formatFrenchDate(r.care_date), r.first_name, [r.charged_cents, r.amo_net_cents, r.amc_cents, r.remaining_cents])).sort();
    expect(fromCsv).toEqual(fromDb);
    const iso = csv.lines.map((l) => l[0]!.split('/').reverse().join('-'));
    expect([...iso].sort().reverse()).toEqual(iso);
    expect(csv.lines.every((l) => /^\d\d\/\d\d\/2025$/.test(l[0]!))).toBe(true);

    // The Total row: the sum of the lines, and what the page shows.
    const total = csv.total.slice(5, 9).map(cents);
    for (const [i, column] of [5, 6, 7, 8].entries()) expect(total[i]).toBe(csv.lines.reduce((sum, l) => sum + cents(l[column]!), 0));
    expect(csv.total[2]).toBe(`${expected.length} lignes de soins`);
    const page = plain((await browser.get('/remboursements?annee=2025')).body);
    expect(page).toContain(`${expected.length} lignes de soins`);
    for (const amount of total) expect(page).toContain(plain(formatEuros(amount)));
    const list = await listReimbursements(db, { memberId: members.A0000001!, beneficiaryId: null }, { year: 2025 });
    expect(total).toEqual([list.totals.chargedCents, list.totals.amoNetCents, list.totals.amcCents, list.totals.remainingCents]);
  });

  test('CSV: the beneficiary, care and period filters are those of the page; the export ignores the page cursor', async () => {
    const browser = await browserFor('A0000001');
    const child = await beneficiaryOf('A0000001', 'CHILD');
    const byChild = readCsv((await browser.get(`/remboursements/export.csv?beneficiaire=${child.id}&annee=2024`)).rawPayload.toString('utf8'));
    expect(byChild.lines).toHaveLength((await lineRows('A0000001', `c.beneficiary_id = $2 AND extract(year FROM c.care_date) = 2024`, [child.id])).length);
    expect(byChild.lines.length).toBeGreaterThan(0);
    expect(byChild.lines.every((l) => l[1] === child.first_name && l[0]!.endsWith('/2024'))).toBe(true);

    const period = readCsv((await browser.get('/remboursements/export.csv?du=2025-03-01&au=2025-06-30&soins=pharmacie')).rawPayload.toString('utf8'));
    const inPeriod = await lineRows('A0000001', `c.care_date BETWEEN '2025-03-01' AND '2025-06-30' AND c.family = 'PHARMACY'`);
    expect(period.lines).toHaveLength(inPeriod.length);
    expect(cents(period.total[7]!)).toBe(inPeriod.reduce((sum, r) => sum + r.amc_cents, 0));

    // The page links to the export with its filter, period included.
    const page = await browser.get('/remboursements?du=2025-03-01&au=2025-06-30&soins=pharmacie');
    expect(page.body).toContain('href="/remboursements/export.csv?soins=pharmacie&amp;du=2025-03-01&amp;au=2025-06-30"');
    expect(page.body).toContain('href="/remboursements/releve.pdf?soins=pharmacie&amp;du=2025-03-01&amp;au=2025-06-30"');

    const next = JSON.parse((await browser.get('/api/v1/reimbursements?annee=2025')).body) as { next: string };
    const withCursor = readCsv((await browser.get(`/remboursements/export.csv?annee=2025&apres=${next.next}`)).rawPayload.toString('utf8'));
    expect(withCursor.lines).toHaveLength((await lineRows('A0000001', `extract(year FROM c.care_date) = 2025`)).length);
  });

  test('CSV injection: a text cell starting with = + - @ gets an apostrophe; ; " and line breaks are quoted', async () => {
    const member = 'A0000003';
    const { rows } = await db.query<{ id: string }>(`SELECT id FROM claim_line WHERE member_id = $1 ORDER BY care_date DESC, id DESC LIMIT 4`, [members[member]]);
    const providers = ['=HYPERLINK("http://evil.test";"Cliquez")', '+33 1 23 45', '@SUM(A1:A2)', 'Cabinet "Les Pins"; 2e étage\r\nBâtiment B'];
    for (const [i, row] of rows.entries()) await db.query(`UPDATE claim_line SET provider_name = $2 WHERE id = $1`, [row.id, providers[i]]);
    const body = (await (await browserFor(member)).get('/remboursements/export.csv')).rawPayload.toString('utf8');
    expect(body).toContain(`;"'=HYPERLINK(""http://evil.test"";""Cliquez"")";`);
    expect(body).toContain(`;"Cabinet ""Les Pins""; 2e étage\r\nBâtiment B";`);
    const cells = readCsv(body).lines.map((l) => l[3]);
    expect(cells).toEqual(expect.arrayContaining(["'=HYPERLINK(\"http://evil.test\";\"Cliquez\")", "'+33 1 23 45", "'@SUM(A1:A2)", 'Cabinet "Les Pins"; 2e étage\r\nBâtiment B']));
    // No cell of the file starts a formula.
    for (const line of readCsv(body).lines) for (const [i, cell] of line.entries()) if (i < 5 || i === 9) expect(cell).not.toMatch(/^[=+\-@]/);

    expect(csvText('-1')).toBe("'-1");
    expect(csvText('\t=1')).toBe("'\t=1");
    expect(csvText('Dupont')).toBe('Dupont');
    expect([csvAmount(123456), csvAmount(5), csvAmount(-5), csvAmount(0), csvAmount(-123456)]).toEqual(['1234,56', '0,05', '-0,05', '0,00', '-1234,56']);
  });

  test('AC-02 another household’s lines never appear: only the viewer’s own, and a foreign beneficiary matches nothing', async () => {
    const browser = await browserFor('A0000002');
    const own = readCsv((await browser.get('/remboursements/export.csv')).rawPayload.toString('utf8'));
    expect(own.lines).toHaveLength((await lineRows('A0000002')).length);
    const names = new Set((await db.query<{ first_name: string }>(`SELECT first_name FROM beneficiary WHERE member_id = $1`, [members.A0000002])).rows.map((r) => r.first_name));
    expect(own.lines.every((l) => names.has(l[1]!))).toBe(true);

    const foreign = await beneficiaryOf('A0000001', 'CHILD');
    const none = readCsv((await browser.get(`/remboursements/export.csv?beneficiaire=${foreign.id}`)).rawPayload.toString('utf8'));
    expect(none.lines).toEqual([]);
    expect(none.total).toEqual(['Total', '', '0 ligne de soins', '', '', '0,00', '0,00', '0,00', '0,00', '']);
    const pdf = await browser.get(`/remboursements/releve.pdf?beneficiaire=${foreign.id}`);
    expect(pdf.statusCode).toBe(200);
    const text = plain(pdftotext(pdfFile('foreign.pdf', pdf.rawPayload)));
    expect(text).toContain('Aucun remboursement ne correspond à ces critères.');
    expect(text).toContain('Bénéficiaire : non reconnu');
    expect(text).not.toContain(foreign.first_name);
  });

  test('a visitor is sent to the login page; a bad filter or an inverted period is a 400 in French', async () => {
    const visitor = new Browser(kit);
    for (const url of ['/remboursements/export.csv?annee=2025', '/remboursements/releve.pdf']) {
      const response = await visitor.get(url);
      expect(response.statusCode).toBe(303);
      expect(response.headers.location).toMatch(/^\/connexion/);
    }
    const member = await browserFor('A0000002');
    for (const query of ['annee=deux-mille', 'du=2025-02-30', 'au=25/12/2025', 'statut=perdu', 'inconnu=1']) {
      const response = await member.get(`/remboursements/export.csv?${query}`);
      expect(response.statusCode, query).toBe(400);
      expect(response.body).toContain('Un des filtres n’est pas reconnu');
    }
    const inverted = await member.get('/remboursements/releve.pdf?du=2025-06-01&au=2025-01-01');
    expect(inverted.statusCode).toBe(400);
    expect(inverted.body).toContain('La période est inversée');
  });

  test('PDF statement: tagged, titled, in French; the member, the filter, and the totals of the page', async () => {
    const browser = await browserFor('A0000001');
    const response = await browser.get('/remboursements/releve.pdf?annee=2025&statut=paye');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/pdf');
    expect(response.headers['content-disposition']).toBe('attachment; filename="releve-remboursements-2026-11-26.pdf"');
    expect(response.headers['cache-control']).toBe('no-store');
    const file = pdfFile('releve-2025.pdf', response.rawPayload);

    const info = pdfinfo(file);
    expect(info).toMatch(/^Title:\s+Relevé de remboursements — Mutuelle des Tilleuls$/m);
    expect(info).toMatch(/^Tagged:\s+yes$/m);
    expect(info).toMatch(/^Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)$/m);
    const fonts = execFileSync('/usr/bin/pdffonts', [file], { encoding: 'utf8' }).split('\n').slice(2).filter(Boolean);
    expect(fonts.length).toBeGreaterThan(0);
    for (const font of fonts) expect(font).toMatch(/DejaVuSans.* yes /);
    const structure = pdfinfo(file, '-struct');
    for (const element of ['Document', 'H1', 'Table', 'THead', 'TBody', 'TFoot', 'TR', 'TH', 'TD', 'H2']) expect(structure).toContain(element);

    const text = plain(pdftotext(file));
    expect(text).toContain('Mutuelle des Tilleuls');
    expect(text).toContain('Relevé de remboursements');
    expect(text).toContain('Adhérente : Marie Martin');
    expect(text).toContain('Numéro d’adhérent : A0000001');
    expect(text).toContain('Sélection : Soins de 2025 · Toute la famille · Tous les soins · État : Payé');
    expect(text).toContain('Relevé établi le 26 novembre 2026 à 11:00');
    const list = await listReimbursements(db, { memberId: members.A0000001!, beneficiaryId: null }, { year: 2025, status: 'paye' });
    expect(list.totals.lines).toBeGreaterThan(20);
    expect(text).toContain(plain(`Dépensé : ${formatEuros(list.totals.chargedCents)}`));
    expect(text).toContain(plain(`Remboursé par la Sécurité sociale : ${formatEuros(list.totals.amoNetCents)}`));
    expect(text).toContain(plain(`Remboursé par la mutuelle : ${formatEuros(list.totals.amcCents)}`));
    expect(text).toContain(plain(`Reste à votre charge : ${formatEuros(list.totals.remainingCents)}`));
    expect(text).toContain(`${list.totals.lines} lignes de soins`);
    // The same totals as the page.
    const page = plain((await browser.get('/remboursements?annee=2025&statut=paye')).body);
    expect(page).toContain(plain(formatEuros(list.totals.amcCents)));
  });

  test('PDF statement: a long history runs over several pages, the header row repeated on each, every line there', async () => {
    // Ten times the demo history (copies 3, 6… 27 years back): the few thousand lines of a long-standing family.
    await db.query(
      `INSERT INTO claim_line (statement_id, member_id, beneficiary_id, line_number, care_date, family, act_code, basket, provider_name, quantity, pathway, optam,
                               price_cap_cents, charged_cents, base_cents, amo_rate_bp, amo_cents, flat_fee_cents, deductible_cents, amo_net_cents, amc_cents,
                               remaining_cents, third_party_payment, rule, explanation, status, paid_at)
       SELECT statement_id, member_id, beneficiary_id, line_number + 100 * k, (care_date - make_interval(years => 3 * k))::date, family, act_code, basket, provider_name,
              quantity, pathway, optam, price_cap_cents, charged_cents, base_cents, amo_rate_bp, amo_cents, flat_fee_cents, deductible_cents, amo_net_cents, amc_cents,
              remaining_cents, third_party_payment, rule, explanation, status, (paid_at - make_interval(years => 3 * k))::date
         FROM claim_line, generate_series(1, 9) AS k WHERE member_id = $1`,
      [members.A0000001],
    );
    const browser = await browserFor('A0000001');
    const exported = await exportReimbursements(db, { memberId: members.A0000001!, beneficiaryId: null }, {}, 250);
    let batches = 0;
    for await (const batch of exported.batches) {
      expect(batch.length).toBeLessThanOrEqual(250);
      batches += 1;
    }
    const all = await lineRows('A0000001');
    expect(all.length).toBeGreaterThan(1000);
    expect(batches).toBe(Math.ceil(all.length / 250));
    expect(exported.totals.lines).toBe(all.length);
    expect(exported.totals.amcCents).toBe(all.reduce((sum, r) => sum + r.amc_cents, 0));

    const file = pdfFile('releve-tout.pdf', (await browser.get('/remboursements/releve.pdf')).rawPayload);
    const pages = Number(/^Pages:\s+(\d+)$/m.exec(pdfinfo(file))![1]);
    expect(pages).toBeGreaterThan(3);
    for (const n of [1, 2, pages]) {
      const text = plain(pdftotext(file, n));
      expect(text, `page ${n}`).toContain('Date des soins Bénéficiaire Soins Dépensé');
      expect(text, `page ${n}`).toContain(`Relevé de remboursements — page ${n}`);
    }
    const text = plain(pdftotext(file));
    expect(text.match(/\d\d\/\d\d\/(?:19|20)\d\d/g)!.length).toBeGreaterThanOrEqual(all.length);
    expect(text).toContain('Sélection : Toutes les dates de soins · Toute la famille · Tous les soins · Tous les états');
    expect(text).toContain(plain(`Reste à votre charge : ${formatEuros(exported.totals.remainingCents)}`));
  });
});
