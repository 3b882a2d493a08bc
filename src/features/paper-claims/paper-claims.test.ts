import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestApp, testClock, testConfig, type TestApp } from '../../../test/app.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/db.ts';
import { sessionProbe } from '../auth/recovery-test-kit.ts';
import { Browser, type Kit } from '../auth/session-test-kit.ts';
import { seedDemoData } from '../demo/seed-demo-data.ts';
import { jpegWithGps, pngWithText, realPdf } from '../uploads/upload-fixtures.ts';
import { parseCareDate, parseEuroAmount } from './submit-paper-claim.ts';

const keys = testConfig().secrets;

type Part = { name: string; type: string; data: Buffer };

/** A multipart/form-data body as a browser builds it (fields first, then the files of one input). */
export function multipartBody(fields: Record<string, string>, files: Part[], field = 'fichiers'): { payload: Buffer; contentType: string } {
  const boundary = '----espace-test-boundary-7d93';
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  for (const file of files) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${file.name}"\r\nContent-Type: ${file.type}\r\n\r\n`), file.data, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

const COUNTED = ['statement', 'claim_line', 'claim_line_status', 'paper_claim', 'paper_claim_file', 'stored_file'] as const;

describe('paper claims: page, API, files', () => {
  let db: TestDatabase;
  let t: TestApp;
  let small: TestApp;
  let kit: Kit;
  let members: Record<string, string>;
  let pdf: Buffer;

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedDemoData(db, { households: 2, referenceDate: '2026-11-26', keys });
    const { rows } = await db.query<{ id: string; member_number: string }>('SELECT id, member_number FROM member');
    members = Object.fromEntries(rows.map((r) => [r.member_number, r.id]));
    const clock = testClock('2026-11-26T10:00:00Z');
    t = await createTestApp({ name: 'paper-claims', clock: clock.now, db, extraFeatures: [sessionProbe] });
    // The same database behind an app whose limits are 1 Mo and 2 files (UPLOAD_MAX_FILE_MB, UPLOAD_MAX_FILES).
    small = await createTestApp({ name: 'paper-claims-small', clock: clock.now, db, extraFeatures: [sessionProbe], env: { UPLOAD_MAX_FILE_MB: '1', UPLOAD_MAX_FILES: '2' } });
    kit = { db, t, clock, organisationId: '', close: async () => undefined };
    pdf = await realPdf();
  });
  afterAll(async () => {
    await small.close();
    await t.close();
    await db.close();
  });

  async function browserFor(memberNumber: string, app: TestApp = t): Promise<Browser> {
    const browser = new Browser({ ...kit, t: app });
    await browser.startSession(members[memberNumber]!);
    await browser.get('/remboursements/papier');
    return browser;
  }

  async function beneficiaryOf(memberNumber: string): Promise<string> {
    const { rows } = await db.query<{ id: string }>(`SELECT id FROM beneficiary WHERE member_id = $1 ORDER BY relationship = 'SELF' DESC LIMIT 1`, [members[memberNumber]]);
    return rows[0]!.id;
  }

  async function counts(): Promise<Record<string, number>> {
    const entries = await Promise.all(COUNTED.map(async (table) => [table, (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]!.n] as const));
    return Object.fromEntries(entries);
  }

  async function send(browser: Browser, fields: Record<string, string>, files: Part[], url = '/remboursements/papier', headers: Record<string, string> = {}) {
    const body = multipartBody({ _csrf: browser.csrf, ...fields }, files);
    const response = await browser.kit.t.app.inject({
      method: 'POST', url, payload: body.payload,
      headers: { cookie: browser.header(), 'user-agent': browser.userAgent, 'content-type': body.contentType, ...headers },
      remoteAddress: browser.ip,
    });
    browser.remember(response);
    return response;
  }

  const claimFields = async (memberNumber: string, extra: Record<string, string> = {}) => ({
    beneficiaire: await beneficiaryOf(memberNumber), date_soins: '2026-11-20', nature: 'CONSULTATION', montant: '1 234,56', professionnel: 'Dr Exemple, Lisbonne', commentaire: 'Soins au Portugal', ...extra,
  });

  test('amounts and dates in French formats', () => {
    expect(parseEuroAmount('1 234,56')).toBe(123456);
    expect(parseEuroAmount('1\u202f234,5 €')).toBe(123450);
    expect(parseEuroAmount('80')).toBe(8000);
    expect(parseEuroAmount('12.3')).toBe(1230);
    expect(parseEuroAmount('1,234,56')).toBeNull();
    expect(parseEuroAmount('-5')).toBeNull();
    expect(parseCareDate('12/03/2026')).toBe('2026-03-12');
    expect(parseCareDate('2026-02-30')).toBeNull();
  });

  test('the guide page explains when to send and what, links to ameli.fr, and offers the household’s beneficiaries', async () => {
    const browser = await browserFor('A0000001');
    const page = await browser.get('/remboursements/papier');
    expect(page.statusCode).toBe(200);
    for (const text of ['Soins reçus à l’étranger', 'Professionnel non conventionné', 'Feuille de soins papier', 'Télétransmission non active', 'S3125', 'https://www.ameli.fr/']) {
      expect(page.body).toContain(text);
    }
    expect(page.body).toContain('enctype="multipart/form-data"');
    const { rows } = await db.query<{ id: string }>('SELECT id FROM beneficiary WHERE member_id = $1', [members.A0000001]);
    for (const b of rows) expect(page.body).toContain(`value="${b.id}"`);
  });

  test('AC-02 FILE-03 FILE-05 sending a feuille de soins creates a RECEIVED paper line, amounts pending, with its files downloadable by their owner only', async () => {
    const browser = await browserFor('A0000001');
    const before = await counts();
    const response = await send(browser, await claimFields('A0000001'), [{ name: 'feuille.pdf', type: 'application/pdf', data: pdf }, { name: 'photo.jpg', type: 'image/jpeg', data: jpegWithGps() }]);
    expect(response.statusCode).toBe(303);
    const lineId = /envoye=([0-9a-f-]{36})$/.exec(response.headers.location as string)![1]!;
    const after = await counts();
    expect(after).toEqual({ ...before, statement: before.statement! + 1, claim_line: before.claim_line! + 1, paper_claim: before.paper_claim! + 1, paper_claim_file: before.paper_claim_file! + 2, stored_file: before.stored_file! + 2 });

    const confirmation = await browser.get(response.headers.location as string);
    expect(confirmation.body).toContain('Nous avons bien reçu votre envoi le 26/11/2026');

    const { rows: [line] } = await db.query<{ status: string; charged_cents: number; amc_cents: number; source: string; family: string; received_at: Date }>(
      'SELECT c.status, c.charged_cents, c.amc_cents, s.source, c.family, s.received_at FROM claim_line c JOIN statement s ON s.id = c.statement_id WHERE c.id = $1', [lineId],
    );
    expect(line).toMatchObject({ status: 'RECEIVED', charged_cents: 123456, amc_cents: 0, source: 'PAPER', family: 'CONSULTATION' });
    expect(new Date(line!.received_at).toISOString()).toBe('2026-11-26T10:00:00.000Z');

    const { rows: files } = await db.query<{ id: string; original_name: string; media_type: string; sealed: Uint8Array }>(
      `SELECT f.id, f.original_name, f.media_type, f.sealed FROM paper_claim p JOIN paper_claim_file pf ON pf.paper_claim_id = p.id JOIN stored_file f ON f.id = pf.stored_file_id
        WHERE p.claim_line_id = $1 ORDER BY pf.position`, [lineId],
    );
    expect(files.map((f) => [f.original_name, f.media_type])).toEqual([['feuille.pdf', 'application/pdf'], ['photo.jpg', 'image/jpeg']]);
    // DATA-02: the bytes at rest are not the file.
    expect(Buffer.from(files[0]!.sealed).includes(pdf.subarray(0, 64))).toBe(false);

    const download = await browser.get(`/remboursements/papier/fichiers/${files[0]!.id}`);
    expect(download.statusCode).toBe(200);
    expect(download.rawPayload.equals(pdf)).toBe(true);
    expect(download.headers['content-disposition']).toBe(`attachment; filename="feuille.pdf"; filename*=UTF-8''feuille.pdf`);
    expect(download.headers['x-content-type-options']).toBe('nosniff');
    expect(download.headers['content-security-policy']).toMatch(/sandbox/);
    // FILE-03 on the way through: the stored photo has no EXIF.
    const photo = await browser.get(`/remboursements/papier/fichiers/${files[1]!.id}`);
    expect(photo.rawPayload.includes(Buffer.from('Exif'))).toBe(false);

    // The line reads right in the list, the detail, the CSV and the PDF: received, by paper, parts pending (not 0 €).
    const list = await browser.get('/remboursements?annee=2026');
    const row = list.body.slice(list.body.indexOf(`/remboursements/${lineId}`), list.body.indexOf('</tr>', list.body.indexOf(`/remboursements/${lineId}`)));
    expect(row).toContain('Dr Exemple, Lisbonne · Feuille de soins papier, reçue le 26/11/2026');
    expect(row).toContain('colspan="3" class="pending">En attente de traitement');
    expect(row).toContain('>Reçu</span>');
    expect(row).toMatch(/1\s234,56\s€/);
    const detail = await browser.get(`/remboursements/${lineId}`);
    expect(detail.body).toContain('<dt>Sécurité sociale et mutuelle</dt><dd>En attente de traitement</dd>');
    expect(detail.body).toContain(`<a href="/remboursements/papier/fichiers/${files[0]!.id}">feuille.pdf</a>`);
    expect(detail.body).toContain('Votre commentaire : Soins au Portugal');
    expect(detail.body).toMatch(/<strong>Reçu<\/strong> le 26\/11\/2026/);
    expect(detail.body.match(/<strong>Reçu<\/strong>/g)).toHaveLength(1);
    const csv = await browser.get('/remboursements/export.csv?annee=2026');
    expect(csv.body).toMatch(/20\/11\/2026;[^;]+;Consultation;Dr Exemple, Lisbonne;Feuille de soins papier;1234,56;en attente;en attente;en attente;Reçu\r\n/);
    const dashboard = await browser.get('/espace');
    expect(dashboard.body).toContain('href="/remboursements/papier"');

    // AC-02: another household's file is « not found », as is an unknown or malformed id.
    const other = await browserFor('A0000002');
    expect((await other.get(`/remboursements/papier/fichiers/${files[0]!.id}`)).statusCode).toBe(404);
    expect((await other.get('/remboursements/papier/fichiers/00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
    expect((await other.get('/remboursements/papier/fichiers/..%2F..%2Fetc%2Fpasswd')).statusCode).toBe(404);
  });

  test('FILE-01 a PNG renamed .pdf is refused on the form, field by field, with what was typed kept and nothing written', async () => {
    const browser = await browserFor('A0000001');
    const before = await counts();
    const response = await send(browser, await claimFields('A0000001', { montant: '80,5', commentaire: 'Reçu « original » <b>gras</b>' }), [{ name: 'scan.pdf', type: 'application/pdf', data: pngWithText() }]);
    expect(response.statusCode).toBe(415);
    expect(await counts()).toEqual(before);
    expect(response.body).toContain('L’envoi n’a pas abouti');
    expect(response.body).toContain('<a href="#fichiers">« scan.pdf » contient en réalité un fichier PNG');
    expect(response.body).toContain('value="80,5"');
    expect(response.body).toContain('Reçu « original » &lt;b>gras&lt;/b>');
    expect(response.body).toMatch(/<option value="[0-9a-f-]{36}" selected>/);
    expect(response.body).toContain('aria-invalid="true"');
  });

  test('bad fields are each reported in French, and nothing is written', async () => {
    const browser = await browserFor('A0000001');
    const before = await counts();
    const response = await send(browser, { beneficiaire: await beneficiaryOf('A0000002'), date_soins: '2026-12-01', nature: 'SORCELLERIE', montant: 'douze euros' }, []);
    expect(response.statusCode).toBe(400);
    expect(await counts()).toEqual(before);
    for (const message of ['Choisissez la personne qui a reçu les soins.', 'La date des soins ne peut pas être dans le futur.', 'Choisissez le type de soins dans la liste.', 'Indiquez le montant payé en euros, par exemple 1 234,56.', 'Joignez au moins un document']) {
      expect(response.body).toContain(message);
    }
    const old = await send(browser, await claimFields('A0000001', { date_soins: '12/03/2024' }), [{ name: 'f.pdf', type: 'application/pdf', data: pdf }]);
    expect(old.body).toContain('Les soins antérieurs au 26/11/2024 ne peuvent plus être remboursés');
  });

  test('FILE-01 a file over the limit is refused with the French message and code PAYLOAD_TOO_LARGE; one file too many too; nothing written', async () => {
    const browser = await browserFor('A0000001', small);
    const before = await counts();
    const big = Buffer.concat([pdf, Buffer.alloc(1024 * 1024)]);
    const page = await send(browser, await claimFields('A0000001'), [{ name: 'gros.pdf', type: 'application/pdf', data: big }]);
    expect(page.statusCode).toBe(413);
    expect(page.body).toContain('« gros.pdf » dépasse 1 Mo');
    expect(page.body).toContain('value="1 234,56"');
    const api = await send(browser, await claimFields('A0000001'), [{ name: 'gros.pdf', type: 'application/pdf', data: big }], '/api/v1/reimbursements/paper-claims', { 'x-csrf-token': browser.csrf });
    expect(api.statusCode).toBe(413);
    expect(JSON.parse(api.body)).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE', files: [{ name: 'gros.pdf', code: 'FILE_TOO_LARGE', message: expect.stringContaining('dépasse 1 Mo') }] } });
    const three = await send(browser, await claimFields('A0000001'), [1, 2, 3].map((n) => ({ name: `f${n}.pdf`, type: 'application/pdf', data: pdf })));
    expect(three.statusCode).toBe(400);
    expect(three.body).toContain('Joignez 2 documents au plus par envoi');
    expect(await counts()).toEqual(before);
  });

  test('a request announcing more than the limits allow is refused before it is read, in French, never a 500', async () => {
    const browser = await browserFor('A0000001', small);
    const response = await small.app.inject({
      method: 'POST', url: '/api/v1/reimbursements/paper-claims', payload: 'x',
      headers: { cookie: browser.header(), 'content-type': 'multipart/form-data; boundary=abc', 'content-length': String(50 * 1024 * 1024), 'x-csrf-token': browser.csrf },
    });
    expect(response.statusCode).toBe(413);
    expect(JSON.parse(response.body).error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', message: expect.stringContaining('2 fichiers de 1 Mo au plus') });
    const broken = await small.app.inject({
      method: 'POST', url: '/api/v1/reimbursements/paper-claims', payload: '--abc\r\nContent-Disposition: form-data; name="x"\r\n\r\nunfinished',
      headers: { cookie: browser.header(), 'content-type': 'multipart/form-data; boundary=abc', 'x-csrf-token': browser.csrf },
    });
    expect(broken.statusCode).toBeGreaterThanOrEqual(400);
    expect(broken.statusCode).toBeLessThan(500);
  });

  test('the API creates the same claim (201), and refuses a visitor (401) and a missing CSRF token (403)', async () => {
    const browser = await browserFor('A0000002');
    const created = await send(browser, await claimFields('A0000002', { montant: '45' }), [{ name: 'facture.png', type: 'image/png', data: pngWithText() }], '/api/v1/reimbursements/paper-claims', { 'x-csrf-token': browser.csrf });
    expect(created.statusCode).toBe(201);
    const body = JSON.parse(created.body) as { id: string; lineId: string; status: string; receivedAt: string; files: { id: string; name: string; url: string }[] };
    expect(body).toMatchObject({ status: 'RECEIVED', receivedAt: '2026-11-26T10:00:00.000Z', files: [{ name: 'facture.png' }] });
    const line = JSON.parse((await browser.get(`/api/v1/reimbursements/${body.lineId}`)).body) as { status: string; chargedCents: number; channel: string; amountsPending: boolean };
    expect(line).toMatchObject({ status: 'RECEIVED', chargedCents: 4500, channel: 'Feuille de soins papier', amountsPending: true });

    const visitor = await t.app.inject({ method: 'POST', url: '/api/v1/reimbursements/paper-claims', payload: 'x', headers: { 'content-type': 'multipart/form-data; boundary=abc' } });
    expect(visitor.statusCode).toBe(401);
    const page = await t.app.inject({ method: 'POST', url: '/remboursements/papier', payload: 'x', headers: { 'content-type': 'multipart/form-data; boundary=abc' } });
    expect([page.statusCode, page.headers.location]).toEqual([303, '/connexion']);
    const before = await counts();
    const forged = await send(browser, await claimFields('A0000002', { _csrf: 'forged' }), [{ name: 'f.pdf', type: 'application/pdf', data: pdf }], '/api/v1/reimbursements/paper-claims', { 'x-csrf-token': 'forged' });
    expect(forged.statusCode).toBe(403);
    expect(await counts()).toEqual(before);
  });
});
