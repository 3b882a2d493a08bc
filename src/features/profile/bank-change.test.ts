/**
 * Changing the IBAN (issue 8 acceptance 2): FRD-01…07 over the pages, with a moving clock; the payment run at 71 h
 * and 73 h after a confirmation (FRD-03).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { testLogger } from '../../../test/app.ts';
import { testDriver } from '../../../test/db.ts';
import { queuedEmails } from '../../../test/mail-jobs.ts';
import { parsePain001 } from '../../../test/pain001.ts';
import { insertHousehold } from '../../db/repositories/household.ts';
import { maskIban } from '../../domain/identity/iban.ts';
import { DEMO_PAYMENTS_DEBTOR } from '../../platform/config.ts';
import { newNir, TEST_IBAN } from '../auth/recovery-test-kit.ts';
import { Browser, startKit, type Kit } from '../auth/session-test-kit.ts';
import { runPayments } from '../payments/run-payments.ts';
import { exeBytes, realPdf } from '../uploads/upload-fixtures.ts';
import { activateDueAccounts, BANK_CHANGE_LIMITS } from './bank-change.ts';
import { auditActions, FULL_IBAN, lettersTo, MEMBER_CODE, memberEvents, newProfileMember, NIR_LIKE, randomIban } from './profile-test-kit.ts';

const driver = testDriver();
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
let kit: Kit;
beforeAll(async () => {
  kit = await startKit('profile-bank');
});
afterAll(async () => kit.close());

const key = () => kit.t.config.secrets.dataEncryptionKey;
const plain = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/&#x27;|&#39;/g, '’').replace(/\s+/g, ' ');

async function loggedIn(email: 'verified' | null = 'verified') {
  const member = await newProfileMember(kit, email);
  const browser = new Browser(kit);
  await browser.startSession(member.memberId);
  await browser.get('/profil/banque/modifier');
  return { member, browser };
}

/** Posts the change form (multipart, as the browser does) with the member's access code unless told otherwise. */
async function askChange(browser: Browser, fields: { iban: string; bic?: string; titulaire?: string; code?: string; extra?: Record<string, string>; rib?: { name: string; type: string; data: Buffer } }) {
  await browser.get('/profil/banque/modifier');
  const boundary = `----profil${randomBytes(6).toString('hex')}`;
  const parts = Object.entries({ _csrf: browser.csrf, iban: fields.iban, bic: fields.bic ?? '', titulaire: fields.titulaire ?? 'CLAIRE DURAND', code: fields.code ?? MEMBER_CODE, ...fields.extra })
    .map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`)
    .join('');
  const file = fields.rib
    ? Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="rib"; filename="${fields.rib.name}"\r\nContent-Type: ${fields.rib.type}\r\n\r\n`), fields.rib.data, Buffer.from('\r\n')])
    : Buffer.alloc(0);
  const response = await kit.t.app.inject({
    method: 'POST', url: '/profil/banque/modifier', remoteAddress: browser.ip,
    headers: { cookie: browser.header(), 'user-agent': browser.userAgent, 'content-type': `multipart/form-data; boundary=${boundary}` },
    payload: Buffer.concat([Buffer.from(parts), file, Buffer.from(`--${boundary}--\r\n`)]),
  });
  browser.remember(response);
  return response;
}

const codeMailTo = async (to: string) => {
  const mail = (await queuedEmails(kit.db, to)).filter((m) => m.subject === 'Votre code de confirmation de coordonnées bancaires').at(-1)!;
  return { mail, code: /saisissez ce code pour confirmer : (\d{6})/.exec(mail.text)![1]! };
};

async function confirmForm(browser: Browser) {
  const page = await browser.get('/profil/banque/confirmer');
  const hidden = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(page.body)?.[1] ?? '';
  return { page, demande: hidden('demande'), iban: hidden('iban'), bic: hidden('bic'), titulaire: hidden('titulaire') };
}

const changeOf = async (memberId: string) =>
  (await kit.db.query<{ id: string; status: string; end_reason: string | null; review_reasons: string[] }>('SELECT id, status, end_reason, review_reasons FROM bank_account_change WHERE member_id = $1 ORDER BY requested_at', [memberId])).rows;
const accountsOf = async (memberId: string) =>
  (await kit.db.query<{ status: string; iban_masked: string }>('SELECT status, iban_masked FROM bank_account WHERE member_id = $1 ORDER BY created_at', [memberId])).rows;

/** From the change form to a confirmed change (code by email). */
async function confirmedChange(browser: Browser, email: string, iban: string) {
  expect((await askChange(browser, { iban })).headers.location).toBe('/profil/banque/confirmer');
  const form = await confirmForm(browser);
  const { code } = await codeMailTo(email);
  return browser.post('/profil/banque/confirmer', { demande: form.demande, iban: form.iban, bic: form.bic, titulaire: form.titulaire, code });
}

describe(`IBAN change (${driver})`, () => {
  test('the page shows the account in force masked, its holder and its BIC; never the IBAN in full', async () => {
    const { browser } = await loggedIn();
    const page = await browser.get('/profil/banque');
    expect(page.statusCode).toBe(200);
    expect(plain(page.body)).toContain('FR76 •••• •••• •••• •••• ••90 189');
    expect(plain(page.body)).toContain('Claire Durand');
    expect(page.body).not.toMatch(FULL_IBAN);
  });

  test('FRD-01 the change needs the access code: a wrong one is refused and counts towards the lock (THR-01), the third locks', async () => {
    const { member, browser } = await loggedIn();
    const iban = randomIban();
    for (let i = 1; i <= 2; i++) {
      const wrong = await askChange(browser, { iban, code: '000000' });
      expect(wrong.statusCode).toBe(400);
      expect(plain(wrong.body)).toContain('Le code d’accès est incorrect');
      expect(wrong.body).toContain(`value="${iban}"`);
    }
    const third = await askChange(browser, { iban, code: '000000' });
    expect(third.statusCode).toBe(423);
    const { rows } = await kit.db.query<{ consecutive_failures: number; locked_until: Date | null }>('SELECT consecutive_failures, locked_until FROM member_credential WHERE member_id = $1', [member.memberId]);
    expect(rows[0]!.consecutive_failures).toBe(3);
    expect(rows[0]!.locked_until).not.toBeNull();
    // Locked: even the right code is refused now.
    expect((await askChange(browser, { iban })).statusCode).toBe(423);
    expect(await changeOf(member.memberId)).toEqual([]);
    expect((await queuedEmails(kit.db, member.email!)).map((m) => m.subject)).toContain('Accès à votre espace adhérent suspendu');
  });

  test('VAL-02 the IBAN and the BIC are checked with the domain functions; a malformed one is refused before the code is verified', async () => {
    const { member, browser } = await loggedIn();
    const refused = await askChange(browser, { iban: 'FR7630006000011234567890188', bic: 'AGRI', code: '000000' });
    expect(refused.statusCode).toBe(400);
    const text = plain(refused.body);
    expect(text).toContain('clé de contrôle incorrecte');
    expect(text).toContain('Un BIC comporte 8 ou 11 caractères');
    expect((await kit.db.query<{ consecutive_failures: number }>('SELECT consecutive_failures FROM member_credential WHERE member_id = $1', [member.memberId])).rows[0]!.consecutive_failures).toBe(0);
    expect(plain((await askChange(browser, { iban: 'US64SVBKUS6S3300958879' })).body)).toMatch(/doit commencer par le code d.un pays/);
  });

  test('the RIB sent as proof is checked like every upload (FILE-01) and kept sealed with the request', async () => {
    const { member, browser } = await loggedIn();
    const refused = await askChange(browser, { iban: randomIban(), rib: { name: 'rib.pdf', type: 'application/pdf', data: exeBytes() } });
    expect(refused.statusCode).toBe(400);
    expect(plain(refused.body)).toContain('« rib.pdf » n’est ni un PDF, ni une image JPEG ou PNG');
    expect(await changeOf(member.memberId)).toEqual([]);
    const pdf = await realPdf('RIB — Claire Durand');
    expect((await askChange(browser, { iban: randomIban(), rib: { name: 'mon-rib.pdf', type: 'application/pdf', data: pdf } })).headers.location).toBe('/profil/banque/confirmer');
    const { rows } = await kit.db.query<{ original_name: string; media_type: string; sealed: Uint8Array }>(
      'SELECT f.original_name, f.media_type, f.sealed FROM bank_account_change c JOIN stored_file f ON f.id = c.rib_file_id WHERE c.member_id = $1',
      [member.memberId],
    );
    expect(rows.map((r) => [r.original_name, r.media_type])).toEqual([['mon-rib.pdf', 'application/pdf']]);
    expect(Buffer.from(rows[0]!.sealed).includes(Buffer.from('%PDF'))).toBe(false);
  });

  test('FRD-01 a confirmation code issued for IBAN X cannot confirm IBAN Y; the right details with the code confirm X', async () => {
    const { member, browser } = await loggedIn();
    const x = randomIban();
    const y = randomIban();
    await askChange(browser, { iban: x });
    const form = await confirmForm(browser);
    // What you see is what you sign: the page shows X in full, and its form posts X.
    expect(plain(form.page.body)).toContain(x.replace(/(.{4})(?=.)/g, '$1 '));
    expect(form.iban).toBe(x);
    const { mail, code } = await codeMailTo(member.email!);
    expect(mail.text).toContain(maskIban(x));
    expect(mail.text).not.toMatch(FULL_IBAN);
    const forged = await browser.post('/profil/banque/confirmer', { demande: form.demande, iban: y, bic: '', titulaire: form.titulaire, code });
    expect(forged.statusCode).toBe(400);
    expect(plain(forged.body)).toContain('Ce code ne confirme pas ce compte');
    expect((await changeOf(member.memberId))[0]!.status).toBe('AWAITING_CODE');
    const forgedHolder = await browser.post('/profil/banque/confirmer', { demande: form.demande, iban: x, bic: '', titulaire: 'MALLORY', code });
    expect(forgedHolder.statusCode).toBe(400);
    const right = await browser.post('/profil/banque/confirmer', { demande: form.demande, iban: x, bic: '', titulaire: form.titulaire, code });
    expect(right.headers.location).toBe('/profil/banque?fait=confirme');
    expect(await accountsOf(member.memberId)).toEqual([{ status: 'ACTIVE', iban_masked: maskIban(TEST_IBAN) }, { status: 'PENDING', iban_masked: maskIban(x) }]);
    const { rows } = await kit.db.query<{ details: { detailsMatch: boolean } }>(`SELECT details FROM audit_log WHERE subject_id = $1 AND action = 'bank.change.code_failed' ORDER BY id`, [member.memberId]);
    expect(rows.map((r) => r.details.detailsMatch)).toEqual([false, false]);
  });

  test('FRD-01 the code of an earlier request (IBAN X) does not confirm a newer one (IBAN Y)', async () => {
    const { member, browser } = await loggedIn();
    await askChange(browser, { iban: randomIban() });
    const { code: codeOfX } = await codeMailTo(member.email!);
    kit.clock.advance(1_000);
    const y = randomIban();
    await askChange(browser, { iban: y });
    const form = await confirmForm(browser);
    expect(form.iban).toBe(y);
    const { code: codeOfY } = await codeMailTo(member.email!);
    if (codeOfX !== codeOfY) {
      expect((await browser.post('/profil/banque/confirmer', { demande: form.demande, iban: y, bic: '', titulaire: form.titulaire, code: codeOfX })).statusCode).toBe(400);
    }
    expect((await changeOf(member.memberId)).map((c) => [c.status, c.end_reason])).toEqual([['VOIDED', 'SUPERSEDED'], ['AWAITING_CODE', null]]);
  });

  test('FRD-01 three wrong codes void the request; the right code afterwards changes nothing', async () => {
    const { member, browser } = await loggedIn();
    await askChange(browser, { iban: randomIban() });
    const form = await confirmForm(browser);
    const { code } = await codeMailTo(member.email!);
    const wrong = code === '000000' ? '111111' : '000000';
    const post = (c: string) => browser.post('/profil/banque/confirmer', { demande: form.demande, iban: form.iban, bic: form.bic, titulaire: form.titulaire, code: c });
    expect(plain((await post(wrong)).body)).toContain('Il vous reste 2 essais');
    expect(plain((await post(wrong)).body)).toContain('Il vous reste 1 essai');
    expect((await post(wrong)).headers.location).toBe('/profil/banque?fait=annulee');
    expect((await changeOf(member.memberId))[0]).toMatchObject({ status: 'VOIDED', end_reason: 'WRONG_CODES' });
    expect((await post(code)).headers.location).toBe('/profil/banque');
    expect(await accountsOf(member.memberId)).toEqual([{ status: 'ACTIVE', iban_masked: maskIban(TEST_IBAN) }]);
    expect(await memberEvents(kit.db, member.memberId)).toEqual(['BANK_CHANGE_REQUESTED', 'BANK_CHANGE_VOIDED']);
  });

  test('FRD-01 the emailed code expires after 10 minutes', async () => {
    const { member, browser } = await loggedIn();
    await askChange(browser, { iban: randomIban() });
    const form = await confirmForm(browser);
    const { code } = await codeMailTo(member.email!);
    kit.clock.advance(BANK_CHANGE_LIMITS.emailCodeTtlMs + 1_000);
    expect((await browser.post('/profil/banque/confirmer', { demande: form.demande, iban: form.iban, bic: form.bic, titulaire: form.titulaire, code })).headers.location).toBe('/profil/banque?fait=annulee');
    expect((await changeOf(member.memberId))[0]).toMatchObject({ status: 'VOIDED', end_reason: 'EXPIRED' });
  });

  test('FRD-01 without an email the code comes by letter (8 characters, 30 days), and confirms the same way', async () => {
    const { member, browser } = await loggedIn(null);
    const iban = randomIban();
    expect((await askChange(browser, { iban })).headers.location).toBe('/profil/banque/confirmer');
    const letter = (await lettersTo(kit.db, key(), member.memberId)).find((l) => l.subject === 'Votre code de confirmation de coordonnées bancaires')!;
    expect(letter.paragraphs.join(' ')).toContain(maskIban(iban));
    expect(letter.paragraphs.join(' ')).not.toMatch(FULL_IBAN);
    const code = /code de confirmation ([0-9A-Z]{4} [0-9A-Z]{4})/.exec(letter.paragraphs.join(' '))![1]!;
    kit.clock.advance(5 * DAY);
    await browser.startSession(member.memberId);
    const form = await confirmForm(browser);
    expect(plain(form.page.body)).toContain('Les 8 caractères reçus par courrier');
    const done = await browser.post('/profil/banque/confirmer', { demande: form.demande, iban: form.iban, bic: form.bic, titulaire: form.titulaire, code: code.toLowerCase() });
    expect(done.headers.location).toBe('/profil/banque?fait=confirme');
  });

  test('FRD-02 FRD-03 confirmed: cooling-off shown, notices by email and letter with a « ce n’est pas moi » code that restores the old IBAN', async () => {
    const { member, browser } = await loggedIn();
    const iban = randomIban();
    const confirmedAt = kit.clock.now();
    expect((await confirmedChange(browser, member.email!, iban)).headers.location).toBe('/profil/banque?fait=confirme');
    const page = plain((await browser.get('/profil/banque?fait=confirme')).body);
    expect(page).toContain('Changement de compte en cours');
    expect(page).toContain(maskIban(iban));
    expect(page).toContain('nous continuons de verser sur le compte ci-dessus');
    expect(page).toContain('FR76 •••• •••• •••• •••• ••90 189');

    const notice = (await queuedEmails(kit.db, member.email!)).find((m) => m.subject === 'Modification de vos coordonnées bancaires')!;
    expect(notice.text).toContain(maskIban(iban));
    expect(notice.text).toContain(maskIban(TEST_IBAN));
    const letter = (await lettersTo(kit.db, key(), member.memberId)).find((l) => l.subject === 'Modification de vos coordonnées bancaires')!;
    expect(letter.recipient[0]).toBe('Mme Claire DURAND');
    for (const text of [notice.text, notice.html, ...letter.paragraphs]) {
      expect(text).not.toMatch(FULL_IBAN);
      expect(text).not.toMatch(NIR_LIKE);
      expect(text).not.toMatch(/code d’accès\s*:/);
    }
    const cancelCode = /annulation-banque\?code=([0-9A-Z]{16})/.exec(notice.text)![1]!;
    // The letter prints the same code, grouped for typing.
    expect(letter.paragraphs.join(' ')).toContain(cancelCode.replace(/(.{4})(?=.)/g, '$1-'));

    // « Ce n'est pas moi » from another device, without a session, 71 hours later: the change is cancelled, sessions end.
    kit.clock.advance(71 * HOUR);
    const stranger = new Browser(kit);
    const landing = await stranger.get(`/annulation-banque?code=${cancelCode}`);
    expect(landing.statusCode).toBe(303);
    const form = await stranger.get('/annulation-banque');
    expect(form.body).toContain(`value="${cancelCode}"`);
    const cancelled = await stranger.post('/annulation-banque', { code: cancelCode });
    expect(cancelled.statusCode).toBe(200);
    expect(plain(cancelled.body)).toContain('Changement de compte annulé');
    expect(await browser.whoami()).toBeNull();
    expect(await accountsOf(member.memberId)).toEqual([{ status: 'ACTIVE', iban_masked: maskIban(TEST_IBAN) }, { status: 'CANCELLED', iban_masked: maskIban(iban) }]);
    expect((await changeOf(member.memberId))[0]).toMatchObject({ status: 'CANCELLED', end_reason: 'NOT_ME' });
    expect((await stranger.post('/annulation-banque', { code: cancelCode })).statusCode).toBe(400);
    expect(confirmedAt.getTime()).toBeLessThan(kit.clock.now().getTime());
    expect(await memberEvents(kit.db, member.memberId)).toEqual(['BANK_CHANGE_REQUESTED', 'BANK_CHANGE_CONFIRMED', 'BANK_CHANGE_CANCELLED']);
    expect(await auditActions(kit.db, member.memberId)).toEqual(expect.arrayContaining(['bank.change.requested', 'bank.change.confirmed', 'bank.change.cancelled']));
  });

  test('FRD-02 the previous email is told too when the email changed in the last 30 days', async () => {
    const { member, browser } = await loggedIn();
    // The member changed their email 10 days ago (outside the 7 days of FRD-04, inside the 30 of FRD-02).
    await kit.db.query(`UPDATE email_address SET replaced_at = $2 WHERE member_id = $1`, [member.memberId, new Date(kit.clock.now().getTime() - 10 * DAY)]);
    await kit.db.transaction(async (tx) => {
      const { replaceEmail } = await import('../../db/repositories/contacts.ts');
      await tx.query(`UPDATE email_address SET replaced_at = NULL WHERE member_id = $1`, [member.memberId]);
      await replaceEmail(tx, kit.t.config.secrets, { memberId: member.memberId, beneficiaryId: null, address: 'claire.recente@exemple.fr', at: new Date(kit.clock.now().getTime() - 10 * DAY) });
    });
    expect((await confirmedChange(browser, 'claire.recente@exemple.fr', randomIban())).headers.location).toBe('/profil/banque?fait=confirme');
    for (const to of [member.email!, 'claire.recente@exemple.fr']) {
      expect((await queuedEmails(kit.db, to)).filter((m) => m.subject === 'Modification de vos coordonnées bancaires')).toHaveLength(1);
    }
  });

  test('the member can cancel their own change during the cooling-off; after 72 hours the « ce n’est pas moi » code no longer cancels', async () => {
    const first = await loggedIn();
    await confirmedChange(first.browser, first.member.email!, randomIban());
    const { demande } = { demande: (await changeOf(first.member.memberId))[0]!.id };
    expect((await first.browser.post('/profil/banque/annuler', { demande })).headers.location).toBe('/profil/banque?fait=annule');
    expect((await changeOf(first.member.memberId))[0]).toMatchObject({ status: 'CANCELLED', end_reason: 'MEMBER' });

    const second = await loggedIn();
    await confirmedChange(second.browser, second.member.email!, randomIban());
    const notice = (await queuedEmails(kit.db, second.member.email!)).find((m) => m.subject === 'Modification de vos coordonnées bancaires')!;
    const cancelCode = /annulation-banque\?code=([0-9A-Z]{16})/.exec(notice.text)![1]!;
    kit.clock.advance(BANK_CHANGE_LIMITS.coolingOffMs + 60_000);
    const late = new Browser(kit);
    await late.get('/annulation-banque');
    expect((await late.post('/annulation-banque', { code: cancelCode })).statusCode).toBe(400);
    expect((await changeOf(second.member.memberId))[0]!.status).toBe('CONFIRMED');
  });

  test('FRD-03 a payment run at 71 h pays the old IBAN, at 73 h the new one (fake clock); the job then marks the new account ACTIVE', async () => {
    // Confirmed at 23:30 UTC, so that 71 h and 73 h later are two payment days (one transfer per member and day).
    const sinceMidnight = kit.clock.now().getTime() % DAY;
    kit.clock.advance((23.5 * HOUR - sinceMidnight + DAY) % DAY);
    const { member, browser } = await loggedIn();
    const iban = randomIban();
    const confirmedAt = kit.clock.now();
    await confirmedChange(browser, member.email!, iban);
    const paymentsDir = path.join(mkdtempSync(path.join(tmpdir(), 'espace-profile-pay-')), 'payments');
    const pay = async (at: Date, amc: number) => {
      const { rows: [st] } = await kit.db.query<{ id: string }>(`INSERT INTO statement (member_id, source, statement_number, liquidation_date) VALUES ($1, 'NOEMIE', $2, '2026-03-10') RETURNING id`, [
        member.memberId, `T${randomBytes(6).toString('hex')}`,
      ]);
      const { rows: [b] } = await kit.db.query<{ id: string }>(`SELECT id FROM beneficiary WHERE member_id = $1 AND relationship = 'SELF'`, [member.memberId]);
      await kit.db.query(
        `INSERT INTO claim_line (statement_id, member_id, beneficiary_id, line_number, care_date, family, act_code, charged_cents, base_cents, amo_rate_bp, amo_cents, flat_fee_cents,
           deductible_cents, amo_net_cents, amc_cents, remaining_cents, rule, explanation, status, received_at, liquidated_at)
         VALUES ($1, $2, $3, 1, '2026-03-09', 'CONSULTATION', 'G', $4, 1000, 7000, 700, 0, 0, 700, $5, 300, 'TEST', 'Test', 'LIQUIDATED', $6, $6)`,
        [st!.id, member.memberId, b!.id, amc + 1000, amc, at],
      );
      const today = at.toISOString().slice(0, 10);
      const summary = await runPayments(kit.db, { today, now: at, paymentsDir, debtor: DEMO_PAYMENTS_DEBTOR, keys: kit.t.config.secrets, logger: testLogger('profile-pay') });
      expect(summary.payments).toBeGreaterThanOrEqual(1);
      const file = readdirSync(paymentsDir).filter((f) => f.endsWith('.xml')).sort().find((f) => f.includes(today))!;
      const transfers = parsePain001(readFileSync(path.join(paymentsDir, file), 'utf8')).Document.CstmrCdtTrfInitn.PmtInf.CdtTrfTxInf;
      return transfers.find((t) => Math.round(Number(t.Amt.InstdAmt['#text']) * 100) === amc)!.CdtrAcct.Id.IBAN;
    };
    expect(await pay(new Date(confirmedAt.getTime() + 71 * HOUR), 1234)).toBe(TEST_IBAN);
    await activateDueAccounts(kit.db, new Date(confirmedAt.getTime() + 71 * HOUR));
    expect((await accountsOf(member.memberId)).map((a) => a.status)).toEqual(['ACTIVE', 'PENDING']);
    expect(await pay(new Date(confirmedAt.getTime() + 73 * HOUR), 4321)).toBe(iban);
    expect((await accountsOf(member.memberId)).map((a) => a.status)).toEqual(['ACTIVE', 'PENDING']);
    expect(await activateDueAccounts(kit.db, new Date(confirmedAt.getTime() + 73 * HOUR))).toBeGreaterThanOrEqual(1);
    expect((await accountsOf(member.memberId)).map((a) => a.status)).toEqual(['REPLACED', 'ACTIVE']);
    expect(await memberEvents(kit.db, member.memberId)).toContain('BANK_ACCOUNT_ACTIVE');
  });

  describe('requests the member cannot complete alone go to the advisor queue', () => {
    const reviewOf = async (memberId: string) => (await kit.db.query<{ kind: string; reasons: string[]; status: string }>('SELECT kind, reasons, status FROM advisor_review WHERE member_id = $1', [memberId])).rows;

    test('FRD-04 an IBAN change 2 days after a code reset is refused and queued for an advisor (no code sent, notices with the cancel code)', async () => {
      const { member, browser } = await loggedIn();
      await kit.db.query(`INSERT INTO audit_log (occurred_at, actor_type, actor_id, action, subject_type, subject_id) VALUES ($1, 'member', $2, 'auth.reset.completed', 'member', $2)`, [
        new Date(kit.clock.now().getTime() - 2 * DAY), member.memberId,
      ]);
      const iban = randomIban();
      const queued = await askChange(browser, { iban });
      expect(queued.headers.location).toBe('/profil/banque?fait=demande');
      expect((await changeOf(member.memberId))[0]).toMatchObject({ status: 'REVIEW', review_reasons: ['RECENT_CODE_RESET'] });
      expect(await reviewOf(member.memberId)).toEqual([{ kind: 'BANK_ACCOUNT_CHANGE', reasons: ['RECENT_CODE_RESET'], status: 'OPEN' }]);
      expect((await queuedEmails(kit.db, member.email!)).map((m) => m.subject)).not.toContain('Votre code de confirmation de coordonnées bancaires');
      expect((await queuedEmails(kit.db, member.email!)).map((m) => m.subject)).toContain('Modification de vos coordonnées bancaires');
      const page = plain((await browser.get('/profil/banque?fait=demande')).body);
      expect(page).toContain('Demande transmise à un conseiller');
      expect(page).toContain('votre code d’accès a été réinitialisé il y a moins de 7 jours');
      expect(await accountsOf(member.memberId)).toEqual([{ status: 'ACTIVE', iban_masked: maskIban(TEST_IBAN) }]);
      expect((await askChange(browser, { iban: randomIban() })).statusCode).toBe(409);
      expect(await memberEvents(kit.db, member.memberId)).toEqual(['BANK_CHANGE_IN_REVIEW']);
      // Withdrawn by the member: the queue item is closed.
      expect((await browser.post('/profil/banque/annuler', { demande: (await changeOf(member.memberId))[0]!.id })).headers.location).toBe('/profil/banque?fait=annule');
      expect((await reviewOf(member.memberId))[0]!.status).toBe('WITHDRAWN');
    });

    test('FRD-04 8 days after the reset the change is self-service again; an email change or a new device in the last 7 days queues it', async () => {
      const a = await loggedIn();
      await kit.db.query(`INSERT INTO audit_log (occurred_at, actor_type, actor_id, action, subject_type, subject_id) VALUES ($1, 'member', $2, 'auth.reset.completed', 'member', $2)`, [
        new Date(kit.clock.now().getTime() - 8 * DAY), a.member.memberId,
      ]);
      expect((await askChange(a.browser, { iban: randomIban() })).headers.location).toBe('/profil/banque/confirmer');

      const b = await loggedIn();
      await b.browser.post('/profil/email', { email: `nouvelle-${randomBytes(3).toString('hex')}@exemple.fr` });
      const link = /jeton=([A-Za-z0-9_-]{43})/.exec((await queuedEmails(kit.db)).filter((m) => m.subject === 'Confirmez votre nouvelle adresse email').at(-1)!.text)![1]!;
      const other = new Browser(kit);
      await other.get(`/profil/email/confirmer?jeton=${link}`);
      await other.get('/profil/email/confirmer');
      await other.post('/profil/email/confirmer', { jeton: link });
      kit.clock.advance(2 * DAY);
      await b.browser.startSession(b.member.memberId);
      expect((await askChange(b.browser, { iban: randomIban() })).headers.location).toBe('/profil/banque?fait=demande');
      expect((await changeOf(b.member.memberId))[0]!.review_reasons).toEqual(['RECENT_EMAIL_CHANGE']);

      const c = await loggedIn();
      await c.browser.trust(c.member.memberId);
      expect((await askChange(c.browser, { iban: randomIban() })).headers.location).toBe('/profil/banque?fait=demande');
      expect((await changeOf(c.member.memberId))[0]!.review_reasons).toEqual(['RECENT_NEW_DEVICE']);
    });

    test('FRD-06 a second self-service change within 30 days goes to review', async () => {
      const { member, browser } = await loggedIn();
      await confirmedChange(browser, member.email!, randomIban());
      kit.clock.advance(4 * DAY);
      await browser.startSession(member.memberId);
      expect((await askChange(browser, { iban: randomIban() })).headers.location).toBe('/profil/banque?fait=demande');
      expect((await changeOf(member.memberId))[1]!.review_reasons).toEqual(['SECOND_CHANGE_IN_30_DAYS']);
    });

    test('FRD-05 the same IBAN on more than 2 households: the third one adding it goes to review, the second does not', async () => {
      const shared = randomIban();
      const keys = kit.t.config.secrets;
      const household = async () =>
        kit.db.transaction((tx) =>
          insertHousehold(tx, keys, {
            organisationId: kit.organisationId, memberNumber: `M${randomBytes(5).toString('hex').toUpperCase()}`, nir: newNir(),
            beneficiaries: [{ relationship: 'SELF', lastName: 'Mule', firstName: 'Marc', sex: 'M', birthDate: '1990-01-01', birthRank: 1, insuredNir: newNir(), ownNir: null, amoFund: '069', noemie: 'ACTIVE' }],
            contracts: [], rights: [], email: null, phones: [],
            address: { recipient: 'MARC MULE', streetNumber: '1', street: 'rue A', complement: null, postalCode: '69001', city: 'Lyon', country: 'FR' },
            bankAccount: { iban: shared, bic: null, holderName: 'MARC MULE' }, createdAt: new Date('2021-01-01T00:00:00Z'),
          }),
        );
      await household();
      const second = await loggedIn();
      expect((await askChange(second.browser, { iban: shared })).headers.location).toBe('/profil/banque/confirmer');
      await household();
      const third = await loggedIn();
      expect((await askChange(third.browser, { iban: shared })).headers.location).toBe('/profil/banque?fait=demande');
      expect((await changeOf(third.member.memberId))[0]).toMatchObject({ status: 'REVIEW', review_reasons: ['SHARED_IBAN'] });
      expect(await reviewOf(third.member.memberId)).toEqual([{ kind: 'BANK_ACCOUNT_CHANGE', reasons: ['SHARED_IBAN'], status: 'OPEN' }]);
    });
  });

  test('FRD-07 LOG-02 no email, letter or audit row of the whole flow holds a full IBAN, a NIR or a code', async () => {
    const { member, browser } = await loggedIn();
    const iban = randomIban();
    await confirmedChange(browser, member.email!, iban);
    const { code } = await codeMailTo(member.email!);
    const mails = (await queuedEmails(kit.db, member.email!)).filter((m) => m.subject !== 'Votre code de confirmation de coordonnées bancaires');
    for (const m of mails) expect(m.text).not.toContain(code);
    const audit = JSON.stringify((await kit.db.query(`SELECT details FROM audit_log WHERE subject_id = $1`, [member.memberId])).rows);
    expect(audit).not.toMatch(FULL_IBAN);
    expect(audit).not.toContain(code);
    expect(audit).not.toContain(MEMBER_CODE);
    const dump = JSON.stringify((await kit.db.query('SELECT * FROM bank_account_change WHERE member_id = $1', [member.memberId])).rows);
    expect(dump).not.toMatch(FULL_IBAN);
  });
});
