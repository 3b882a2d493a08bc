/**
 * « Mes documents » (issue 7) over inject, on the test driver (PGlite, or PostgreSQL with TEST_DATABASE_URL), with
 * the demo households: every PDF is read back with pdftotext; the card is rendered with pdftoppm and its DataMatrix
 * decoded with dmtxread (then parsed as domain.md §5.1 says) and its QR with zbarimg (then verified with the
 * verification feature's own function); the structure tree and language are checked; a changed beneficiary issues a
 * new card while the old one stays downloadable; another member's ids are 404 (AC-02).
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestApp, testClock, testConfig, type TestApp } from '../../../test/app.ts';
import { createTestDatabase, testDriver, type TestDatabase } from '../../../test/db.ts';
import { parseAmcDataMatrix } from '../../domain/documents/tp-card.ts';
import { formatEuros } from '../../domain/money.ts';
import { sessionProbe } from '../auth/recovery-test-kit.ts';
import { Browser, type Kit } from '../auth/session-test-kit.ts';
import { seedDemoData } from '../demo/seed-demo-data.ts';
import { verifyDocumentCode } from '../verification/verification-code.ts';
import { documentListResponse } from './api-schemas.ts';
import { currentDocuments, factsHash } from './document-facts.ts';

const config = testConfig();
const TODAY = '2026-11-26';
const plain = (text: string) => text.replace(/\s+/g, ' ');

describe(`documents (${testDriver()})`, () => {
  let db: TestDatabase;
  let t: TestApp;
  let kit: Kit;
  let members: Record<string, string>;
  let dir: string;
  const file = (name: string, bytes: Buffer) => {
    const at = path.join(dir, name);
    writeFileSync(at, bytes);
    return at;
  };
  const pdftotext = (at: string, page?: number) =>
    plain(execFileSync('/usr/bin/pdftotext', ['-enc', 'UTF-8', ...(page ? ['-f', String(page), '-l', String(page)] : []), at, '-'], { encoding: 'utf8' }));
  const pdfinfo = (at: string, ...args: string[]) => execFileSync('/usr/bin/pdfinfo', [...args, at], { encoding: 'utf8' });
  /** The QR codes of an image, and only those (other symbologies could misread the DataMatrix or the text as a 1D code). */
  const readQr = (image: string) => execFileSync('/usr/bin/zbarimg', ['--raw', '-q', '-Sdisable', '-Sqrcode.enable', image], { encoding: 'utf8' }).trim();
  /** One page as a PNG at `dpi`, or its top left corner of `crop` pixels. */
  const png = (at: string, page: number, dpi: number, crop?: { width: number; height: number }) => {
    const prefix = path.join(dir, `${path.basename(at, '.pdf')}-p${page}-${dpi}${crop ? '-crop' : ''}`);
    const area = crop ? ['-x', '0', '-y', '0', '-W', String(crop.width), '-H', String(crop.height)] : [];
    execFileSync('/usr/bin/pdftoppm', ['-r', String(dpi), '-f', String(page), '-l', String(page), ...area, '-singlefile', '-png', at, prefix]);
    return `${prefix}.png`;
  };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'documents-'));
    db = await createTestDatabase();
    await seedDemoData(db, { households: 4, referenceDate: TODAY, keys: config.secrets });
    const { rows } = await db.query<{ id: string; member_number: string }>('SELECT id, member_number FROM member');
    members = Object.fromEntries(rows.map((r) => [r.member_number, r.id]));
    const clock = testClock(`${TODAY}T10:00:00Z`);
    t = await createTestApp({ name: 'documents', clock: clock.now, db, extraFeatures: [sessionProbe] });
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
  /** The PDF link of an HTML document page. */
  const pdfLink = (html: string) => /href="(\/documents\/[0-9a-f-]{36}\/pdf)"/.exec(html)![1]!;
  async function download(browser: Browser, url: string, name: string): Promise<string> {
    const response = await browser.get(url);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/pdf');
    expect(response.headers['cache-control']).toBe('no-store');
    return file(name, response.rawPayload);
  }

  test('the card: pavé normalisé, R, beneficiaries, domains, contact; a phone page; tagged, in French, fonts embedded', async () => {
    const browser = await browserFor('A0000001');
    const page = await browser.get('/documents/carte-tiers-payant');
    expect(page.statusCode).toBe(200);
    expect(plain(page.body)).toContain('AMC#1#123456789##A0000001#SP');
    const pdf = await download(browser, pdfLink(page.body), 'card.pdf');
    const text = pdftotext(pdf, 1);
    for (const expected of [
      'Carte de tiers payant', 'Période de validité : du 01/01/2026 au 31/12/2026', 'N° AMC : 123456789', 'Type de convention : SP', 'Critère secondaire de routage :',
      'N° adhérent : A0000001', 'MARTIN Marie — naissance 10/01/1985 — rang 1 — 2 85 •• •• ••• ••• ', 'PHAR 100 %', 'MEDG 100 %', 'OPTI sur PEC', 'DENT sur PEC', 'HOSP sur PEC',
      'Professionnels de santé : Mutuelle des Tilleuls, 04 72 00 00 10 — opérateur de tiers payant : SP santé', 'Recto', 'Verso',
    ]) expect(text).toContain(expected);
    expect(text).toMatch(/\bR\b/);
    // The twins: same birth date, rang 1 and 2.
    expect(text).toMatch(/rang 2/);
    const phone = pdftotext(pdf, 2);
    expect(phone).toContain('version pour téléphone');
    expect(phone).toContain('N° adhérent : A0000001');
    const info = pdfinfo(pdf);
    expect(info).toMatch(/^Pages:\s+2$/m);
    expect(info).toMatch(/^Tagged:\s+yes$/m);
    expect(info).toMatch(/^Title:\s+Carte de tiers payant — Mutuelle des Tilleuls$/m);
    expect(pdfinfo(pdf, '-f', '2', '-l', '2')).toMatch(/Page\s+2 size:\s+255\.1\d* x 510\.2/);
    const fonts = execFileSync('/usr/bin/pdffonts', [pdf], { encoding: 'utf8' }).split('\n').slice(2).filter(Boolean);
    for (const f of fonts) expect(f).toMatch(/DejaVuSans.*\byes\s+yes\s+yes\b/);
  });

  test('the card’s DataMatrix decodes (dmtxread) to the AMC payload of domain.md §5.1; its QR decodes (zbarimg) to a code that verifies', async () => {
    const browser = await browserFor('A0000001');
    const page = await browser.get('/documents/carte-tiers-payant');
    const pdf = await download(browser, pdfLink(page.body), 'card-codes.pdf');
    const phone = png(pdf, 2, 150);
    const decoded = execFileSync('/usr/bin/dmtxread', ['-N1', '-m', '20000', phone], { encoding: 'utf8' }).trim();
    expect(parseAmcDataMatrix(decoded)).toEqual({
      amcNumber: '123456789', routingCriterion: '', memberNumber: 'A0000001', conventions: [{ type: 'SP', letters: 'PGSLRFIKY23C1TEOADH' }],
    });
    // The card-sized front, printed at 300 dpi: the A4 page's top left corner.
    const front = png(pdf, 1, 300, { width: 1250, height: 1150 });
    expect(execFileSync('/usr/bin/dmtxread', ['-N1', '-m', '20000', front], { encoding: 'utf8' }).trim()).toBe(decoded);

    const qr = readQr(phone);
    expect(qr).toMatch(/^https:\/\/espace\.test\/verifier\?code=/);
    const outcome = verifyDocumentCode(config, qr, TODAY);
    expect(outcome.status).toBe('authentic');
    const [card] = (await currentDocuments(db, { dataEncryptionKey: config.secrets.dataEncryptionKey, nirPolicy: 'masked' }, members.A0000001!, TODAY)).filter((d) => d.kind === 'CARTE_TP');
    expect(outcome.fields).toMatchObject({ documentType: 'CARTE_TP', memberNumber: 'A0000001', validFrom: '2026-01-01', validUntil: '2026-12-31', documentHash: factsHash(card!.facts) });
    expect(outcome.fields!.beneficiaries[0]).toEqual({ initials: 'M.M.', birthDate: '1985-01-10' });
    // The QR on the back of the card-sized attestation decodes to the same code (20 mm, 0.26 mm modules: rendered at 600 dpi,
    // as a laser printer prints it; at 300 dpi a module is three pixels and some signatures' patterns blur).
    expect(readQr(png(pdf, 1, 600, { width: 4960, height: 2300 }))).toBe(qr);
    // Rendering and decoding images with external tools: slow on a busy machine, not a speed check.
  }, 180_000);

  test('the PDFs are tagged: StructTreeRoot, MarkInfo Marked, /Lang (fr-FR), headings, figures with alt text, tables', async () => {
    const browser = await browserFor('A0000002');
    const card = await download(browser, pdfLink((await browser.get('/documents/carte-tiers-payant')).body), 'tagged-card.pdf');
    const rights = await download(browser, pdfLink((await browser.get('/documents/attestation-droits')).body), 'tagged-rights.pdf');
    for (const at of [card, rights]) {
      // pdfkit writes no object streams: the catalog and the structure elements are plain text in the file.
      const raw = readFileSync(at).toString('latin1');
      expect(raw).toMatch(/\/StructTreeRoot \d+ 0 R/);
      const markInfo = /\/MarkInfo (\d+) 0 R/.exec(raw)![1]!;
      expect(raw).toMatch(new RegExp(`\\n${markInfo} 0 obj\\n<<\\n/Marked true\\n>>`));
      expect(raw).toContain('/Lang (fr-FR)');
      expect(raw).toContain('/DisplayDocTitle true');
      const tree = pdfinfo(at, '-struct');
      expect(tree).toContain('H1');
      expect(tree).toContain('Figure');
    }
    const cardTree = pdfinfo(card, '-struct');
    // Two DataMatrix and two QR codes, each a Figure with its alt text.
    expect(cardTree.match(/Figure/g)).toHaveLength(4);
    expect(readFileSync(card).toString('latin1').match(/\/Alt /g)).toHaveLength(4);
    expect(pdfinfo(rights, '-struct')).toMatch(/Table[\s\S]*THead[\s\S]*TH[\s\S]*TBody[\s\S]*TD/);
  });

  test('the attestation de droits: contract, guarantee, responsable, beneficiaries, period; CSS with type and every dated period', async () => {
    const browser = await browserFor('A0000002');
    const page = await browser.get('/documents/attestation-droits');
    expect(page.statusCode).toBe(200);
    const text = pdftotext(await download(browser, pdfLink(page.body), 'rights-css.pdf'));
    for (const expected of [
      'Attestation de droits', 'N° AMC de l’organisme : 123456789', 'N° adhérent : A0000002', 'Garantie :', 'Contrat responsable : oui', 'Période attestée : du 01/01/2026 au 31/12/2026',
      'Complémentaire santé solidaire sans participation', '01/01/2023', '31/12/2023', '01/01/2024', '01/01/2025', '31/12/2026', 'Présentez votre carte Vitale et cette attestation',
    ]) expect(text).toContain(expected);
  });

  test('the attestation of a former ACS member lists the ACS periods, with the contract level, up to 31/10/2019', async () => {
    const browser = await browserFor('A0000003');
    const page = await browser.get('/documents/attestation-droits');
    const text = pdftotext(await download(browser, pdfLink(page.body), 'rights-acs.pdf'));
    expect(text).toContain('Aide au paiement d’une complémentaire santé (ACS), contrat C');
    for (const date of ['01/11/2016', '31/10/2017', '01/11/2017', '31/10/2018', '01/11/2018', '31/10/2019']) expect(text).toContain(date);
    expect(page.body).toContain('contrat C');
  });

  test('« Mes documents » lists the card, the attestations, the bulletin, the échéancier, the statement and the letters; each PDF says what it must', async () => {
    const browser = await browserFor('A0000001');
    const page = await browser.get('/documents');
    expect(page.statusCode).toBe(200);
    expect(page.headers['cache-control']).toBe('no-store');
    const body = plain(page.body);
    for (const title of ['Carte de tiers payant', 'Attestation de droits', 'Attestation fiscale 2025', 'Attestation fiscale 2024', 'Bulletin d’adhésion (contrat C-A0000001)', 'Échéancier de cotisations 2026 (contrat C-A0000001)', 'Relevé de remboursements 2026']) {
      expect(body).toContain(title);
    }
    expect(body).toContain('href="/remboursements/releve.pdf?annee=2026"');
    expect(Buffer.byteLength(page.body)).toBeLessThan(60 * 1024);

    const api = await browser.get('/api/v1/documents');
    const list = documentListResponse.parse(api.json());
    const byTitle = (title: string) => list.documents.find((d) => d.title === title)!;

    const paid2025 = (await db.query<{ total: string }>(
      `SELECT sum(k.amount_cents) AS total FROM contribution k JOIN contract c ON c.id = k.contract_id WHERE c.member_id = $1 AND k.paid_on BETWEEN '2025-01-01' AND '2025-12-31'`,
      [members.A0000001],
    )).rows[0]!.total;
    expect(Number(paid2025)).toBeGreaterThan(0);
    const fiscal = pdftotext(await download(browser, byTitle('Attestation fiscale 2025').downloadUrl, 'fiscal.pdf'));
    expect(fiscal).toContain(`Total ${formatEuros(Number(paid2025))}`.replace(/\s+/g, ' '));
    expect(fiscal).toContain('contrat « Madelin »');
    expect(fiscal).toContain('article 154 bis du code général des impôts');

    const bulletin = pdftotext(await download(browser, byTitle('Bulletin d’adhésion (contrat C-A0000001)').downloadUrl, 'bulletin.pdf'));
    // pdftotext guesses word gaps between a bold label and its value: compare without spaces.
    const squeezed = bulletin.replace(/\s/g, '');
    for (const expected of ['Bulletin d’adhésion', 'Date d’effet : 01/01/2020', 'Référence unique de mandat (RUM) : SEPA-A0000001', 'Identifiant créancier SEPA (ICS) : FR72ZZZ123456', 'Mandat de prélèvement SEPA', 'Prélèvement SEPA mensuel', 'Régime obligatoire']) {
      expect(squeezed).toContain(expected.replace(/\s/g, ''));
    }
    expect(squeezed).toMatch(/Comptedébité:FR\d{2}(••••){4}••[0-9A-Z]{5}Titulaire/);

    const schedule = pdftotext(await download(browser, byTitle('Échéancier de cotisations 2026 (contrat C-A0000001)').downloadUrl, 'schedule.pdf'));
    for (const expected of ['du 01/12/2026 au 31/12/2026', '05/12/2026', 'À venir', 'Prélevée', 'pré-notification', 'FR72ZZZ123456']) expect(schedule).toContain(expected);

    // Each generated document also has its HTML page.
    for (const d of list.documents.filter((d) => d.htmlUrl)) expect((await browser.get(d.htmlUrl!)).statusCode).toBe(200);
  });

  test('a letter the mutuelle sent is listed and downloadable; another member cannot get it', async () => {
    const memberId = members.A0000003!;
    const fileName = `${randomUUID().replace(/-/g, '')}.pdf`;
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO letter (member_id, kind, status, file_name, recipient_address, idempotency_key, generated_at) VALUES ($1, 'SECURITY_NOTICE', 'GENERATED', $2, '{"lines":[]}', $3, now()) RETURNING id`,
      [memberId, fileName, `documents-test:${fileName}`],
    );
    const letterBytes = Buffer.from('%PDF-1.7\n% lettre de test\n%%EOF\n');
    const { lettersDir, writeFileAtomic } = await import('../letters/generate-letter-job.ts');
    await writeFileAtomic(lettersDir(t.config.dataDir), fileName, letterBytes);
    const owner = await browserFor('A0000003');
    expect(plain((await owner.get('/documents')).body)).toContain('Courrier : information de sécurité');
    const got = await owner.get(`/documents/${rows[0]!.id}/pdf`);
    expect(got.statusCode).toBe(200);
    expect(got.rawPayload.equals(letterBytes)).toBe(true);
    const other = await browserFor('A0000004');
    expect((await other.get(`/documents/${rows[0]!.id}/pdf`)).statusCode).toBe(404);
    expect((await other.get(`/api/v1/documents/${rows[0]!.id}`)).statusCode).toBe(404);
  });

  test('changing a beneficiary issues a new card; the previous version stays listed and downloadable with its old content', async () => {
    const browser = await browserFor('A0000004');
    const first = await browser.get('/documents/carte-tiers-payant');
    const firstPdf = pdfLink(first.body);
    const { rows } = await db.query<{ id: string; first_name: string }>(`SELECT id, first_name FROM beneficiary WHERE member_id = $1 AND relationship = 'SPOUSE'`, [members.A0000004]);
    const spouse = rows[0]!;
    await db.query(`UPDATE beneficiary SET first_name = 'Anne-Sophie' WHERE id = $1`, [spouse.id]);

    const second = await browser.get('/documents/carte-tiers-payant');
    expect(pdfLink(second.body)).not.toBe(firstPdf);
    expect(second.body).toContain('version 2');
    const list = documentListResponse.parse((await browser.get('/api/v1/documents')).json()).documents.filter((d) => d.type === 'CARTE_TP');
    expect(list.map((d) => [d.version, d.current])).toEqual([[2, true], [1, false]]);
    const listing = plain((await browser.get('/documents')).body);
    expect(listing).toContain('Versions précédentes');
    expect(pdftotext(await download(browser, pdfLink(second.body), 'card-v2.pdf'))).toContain('Anne-Sophie');
    const old = pdftotext(await download(browser, firstPdf, 'card-v1.pdf'));
    expect(old).toContain(spouse.first_name);
    expect(old).not.toContain('Anne-Sophie');
    // Nothing changed since: no version 3.
    await browser.get('/documents');
    expect((await db.query(`SELECT 1 FROM member_document WHERE member_id = $1 AND kind = 'CARTE_TP'`, [members.A0000004])).rows).toHaveLength(2);
  });

  test('AC-02: another member’s document id, an unknown id and a malformed id are 404 on the page, the PDF and the API', async () => {
    const owner = await browserFor('A0000002');
    const ownId = /href="\/documents\/([0-9a-f-]{36})\/pdf"/.exec((await owner.get('/documents/carte-tiers-payant')).body)![1]!;
    const other = await browserFor('A0000001');
    for (const id of [ownId, randomUUID(), 'not-a-uuid', '..%2F..%2Fetc%2Fpasswd']) {
      for (const url of [`/documents/${id}`, `/documents/${id}/pdf`, `/api/v1/documents/${id}`]) {
        const response = await other.get(url);
        expect(response.statusCode, url).toBe(404);
        expect(response.body).not.toContain('A0000002');
      }
    }
  });

  test('a visitor is sent to the login page; the API answers 401', async () => {
    for (const url of ['/documents', '/documents/carte-tiers-payant', `/documents/${randomUUID()}/pdf`]) {
      const response = await t.app.inject({ method: 'GET', url });
      expect(response.statusCode).toBe(303);
      expect(response.headers.location).toMatch(/^\/connexion/);
    }
    for (const url of ['/api/v1/documents', `/api/v1/documents/${randomUUID()}`]) {
      const response = await t.app.inject({ method: 'GET', url });
      expect(response.statusCode).toBe(401);
      expect(response.json()).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
    }
  });

  test('the NIR policy: masked by default, in full, or left out', async () => {
    const base = { dataEncryptionKey: config.secrets.dataEncryptionKey };
    const nirOnCard = async (nirPolicy: 'full' | 'masked' | 'none') => {
      const card = (await currentDocuments(db, { ...base, nirPolicy }, members.A0000001!, TODAY)).find((d) => d.kind === 'CARTE_TP')!;
      return card.facts.kind === 'CARTE_TP' ? card.facts.beneficiaries[0]!.nir : undefined;
    };
    expect(await nirOnCard('masked')).toMatch(/^2 85 •• •• ••• ••• \d\d$/);
    expect(await nirOnCard('full')).toMatch(/^2 85 01 \d\d \d{3} \d{3} \d\d$/);
    expect(await nirOnCard('none')).toBeNull();
  });
});
