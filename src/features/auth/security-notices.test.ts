/**
 * Security notices for members without email (issue 4): the lock (THR-01/THR-04), the new device (AUTH-06) and the
 * passkey added go by SECURITY_NOTICE letter when no verified email is on file; and the activation letter's code is
 * single use (RST-04), /activation trusting the browser it was typed in.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { testDriver } from '../../../test/db.ts';
import { hashAccessCode } from '../../platform/access-code-hash.ts';
import { decryptField } from '../../platform/crypto.ts';
import { lettersOf, queuedEmails } from './recovery-test-kit.ts';
import { DEVICE_COOKIE } from './new-device.ts';
import { sendSecurityNotice } from './security-notices.ts';
import { Browser, MEMBER_CODE, newMember, startKit, type Kit } from './session-test-kit.ts';

const MINUTE = 60_000;
const ACTIVATION_CODE = 'K7PM2QXA';
const NEW_CODE = '730518';
let kit: Kit;

beforeAll(async () => {
  kit = await startKit('security-notices');
});
afterAll(async () => {
  await kit?.close();
});

const secrets = () => kit.t.config.secrets;

/** The sealed content of the member's SECURITY_NOTICE letters (what the PDFs will print), oldest first. */
async function noticeLetters(memberId: string): Promise<{ subject: string; paragraphs: string[] }[]> {
  return (await lettersOf(kit.db, memberId))
    .filter((l) => l.kind === 'SECURITY_NOTICE')
    .map((l) => (JSON.parse(decryptField(secrets().dataEncryptionKey, l.content_enc!)) as { content: { subject: string; paragraphs: string[] } }).content);
}

async function giveActivationCode(memberId: string): Promise<void> {
  const now = kit.clock.now();
  await kit.db.query(`INSERT INTO activation_code (member_id, code_hash, created_at, expires_at) VALUES ($1, $2, $3, $4)`, [
    memberId, await hashAccessCode(ACTIVATION_CODE, secrets().codePepper), now, new Date(now.getTime() + 30 * 24 * 60 * MINUTE),
  ]);
}

const wrongLogin = (nir: string) => new Browser(kit).login(nir, '000001');

describe(`security notices by letter (${testDriver()})`, () => {
  test('THR-01 THR-04 a lock sends a letter to a member without email: at most one per kind and day, the lock until reset gets its own', async () => {
    const m = await newMember(kit, null);
    for (let i = 0; i < 3; i++) expect((await wrongLogin(m.nir)).statusCode).toBe(401);
    let letters = await noticeLetters(m.memberId);
    expect(letters.map((l) => l.subject)).toEqual(['Accès à votre espace adhérent suspendu']);
    expect(letters[0]!.paragraphs[0]).toMatch(/^Le 12 mars 2026 à 11:00, après plusieurs codes d’accès erronés, l’accès à votre espace adhérent a été suspendu pendant 15 minutes\.$/);
    expect(letters[0]!.paragraphs.join(' ')).toContain('https://espace.test/code-oublie');
    for (const secret of [m.nir, MEMBER_CODE, '000001']) expect(JSON.stringify(letters)).not.toContain(secret);

    // A second temporary lock the same day: no second letter (postage; an attacker causes locks at will).
    kit.clock.advance(16 * MINUTE);
    for (let i = 0; i < 3; i++) await wrongLogin(m.nir);
    expect(await noticeLetters(m.memberId)).toHaveLength(1);
    // The 9th failure locks again (same kind, same day); the 10th locks until reset: a letter of its own.
    kit.clock.advance(16 * MINUTE);
    for (let i = 0; i < 3; i++) await wrongLogin(m.nir);
    expect(await noticeLetters(m.memberId)).toHaveLength(1);
    kit.clock.advance(16 * MINUTE);
    await wrongLogin(m.nir);
    letters = await noticeLetters(m.memberId);
    expect(letters).toHaveLength(2);
    expect(letters[1]!.paragraphs[0]).toContain('suspendu jusqu’à ce que vous choisissiez un nouveau code');
  });

  test('THR-01 a member with a verified email gets the lock notice by email, and no letter', async () => {
    const m = await newMember(kit, 'verified');
    for (let i = 0; i < 3; i++) await wrongLogin(m.nir);
    expect((await queuedEmails(kit.db, m.email!)).map((e) => e.subject)).toEqual(['Accès à votre espace adhérent suspendu']);
    expect(await lettersOf(kit.db, m.memberId)).toEqual([]);
  });

  test('AUTH-06 RST-04 a new device confirmed with the letter’s code sends a letter notice; the code is then spent', async () => {
    const m = await newMember(kit, null);
    await giveActivationCode(m.memberId);
    const browser = new Browser(kit);
    expect((await browser.login(m.nir)).headers.location).toBe('/connexion/appareil');
    await browser.get('/connexion/appareil');
    const right = await browser.post('/connexion/appareil', { code: ACTIVATION_CODE });
    expect(right.statusCode).toBe(303);
    expect(await browser.whoami()).toBe(m.memberId);
    const letters = await noticeLetters(m.memberId);
    expect(letters.map((l) => l.subject)).toEqual(['Nouvel appareil connecté à votre espace adhérent']);
    expect(letters[0]!.paragraphs[0]).toContain('(Firefox sur Linux)');
    expect(letters[0]!.paragraphs.join(' ')).toContain('https://espace.test/profil/securite/appareils');

    // Single use: another browser cannot confirm with the same letter code, it is told to ask for a letter.
    const other = new Browser(kit);
    expect((await other.login(m.nir)).headers.location).toBe('/connexion/appareil');
    const page = await other.get('/connexion/appareil');
    expect(page.body).not.toContain('action="/connexion/appareil"');
    expect((await other.post('/connexion/appareil', { code: ACTIVATION_CODE })).headers.location).toBe('/connexion?motif=expire');
    expect(await other.whoami()).toBeNull();
  });

  test('RST-04 a code spent on /activation no longer confirms a device; the browser of the activation is trusted', async () => {
    const m = await newMember(kit, null);
    await giveActivationCode(m.memberId);
    const here = new Browser(kit);
    await here.get('/activation');
    const done = await here.post('/activation', { nir: m.nir, activationCode: ACTIVATION_CODE, code: NEW_CODE, confirmation: NEW_CODE });
    expect(done.headers.location).toBe('/code-oublie/code-enregistre');
    expect(here.cookies[DEVICE_COOKIE]).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // The same browser logs in at once.
    const login = await here.login(m.nir, NEW_CODE);
    expect(login.headers.location).not.toBe('/connexion/appareil');
    expect(await here.whoami()).toBe(m.memberId);
    // Another browser cannot use the spent code.
    const there = new Browser(kit);
    expect((await there.login(m.nir, NEW_CODE)).headers.location).toBe('/connexion/appareil');
    expect((await there.get('/connexion/appareil')).body).not.toContain('action="/connexion/appareil"');
    const { rows } = await kit.db.query<{ action: string; details: { method?: string } }>(`SELECT action, details FROM audit_log WHERE subject_id = $1 AND action = 'auth.device.new'`, [m.memberId]);
    expect(rows.map((r) => r.details.method)).toEqual(['ACTIVATION']);
  });

  test('AUTH-06 a passkey added: email when verified, else a letter; without a postal address nothing can be sent', async () => {
    const noticeDeps = {
      config: kit.t.config,
      jobs: kit.t.jobs,
      jobDefinitions: kit.t.jobDefinitions,
      mailCommon: { organisationName: 'Mutuelle Test', phone: '04 00 00 00 00', publicUrl: 'https://espace.test' },
    };
    const at = kit.clock.now();
    const withEmail = await newMember(kit, 'verified');
    const withoutEmail = await newMember(kit, null);
    const send = (memberId: string, id: string) =>
      kit.db.transaction((tx) => sendSecurityNotice(tx, noticeDeps, memberId, { kind: 'PASSKEY_ADDED', label: 'Chrome sur Android', credentialId: id }, at));
    expect(await send(withEmail.memberId, 'a'.repeat(20))).toBe('EMAIL');
    expect((await queuedEmails(kit.db, withEmail.email!)).map((e) => e.subject)).toEqual(['Nouvelle clé d’accès ajoutée à votre espace adhérent']);
    expect(await send(withoutEmail.memberId, 'b'.repeat(20))).toBe('LETTER');
    expect(await send(withoutEmail.memberId, 'b'.repeat(20))).toBe('LETTER');
    const letters = await noticeLetters(withoutEmail.memberId);
    expect(letters).toHaveLength(1);
    expect(letters[0]!.paragraphs[0]).toContain('une clé d’accès (Chrome sur Android) a été ajoutée');

    const homeless = await newMember(kit, null);
    await kit.db.query(`UPDATE member SET mailing_address_id = NULL WHERE id = $1`, [homeless.memberId]);
    await kit.db.query(`DELETE FROM postal_address WHERE member_id = $1`, [homeless.memberId]);
    expect(await send(homeless.memberId, 'c'.repeat(20))).toBe('NONE');
    expect(await lettersOf(kit.db, homeless.memberId)).toEqual([]);
  });
});
