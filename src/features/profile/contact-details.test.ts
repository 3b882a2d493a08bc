/**
 * « Mes coordonnées » over HTTP (issue 8): email change by a link sent to the new address, phones in E.164, postal
 * addresses with their history, the mailing address for letters, a beneficiary's own details; DATA-02 on what is
 * stored; AC-02/AC-03 on the forms.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { testDriver } from '../../../test/db.ts';
import { queuedEmails } from '../../../test/mail-jobs.ts';
import { currentEmail } from '../../db/repositories/contacts.ts';
import { decryptField } from '../../platform/crypto.ts';
import { queueLetter } from '../letters/queue-letter.ts';
import { Browser, startKit, type Kit } from '../auth/session-test-kit.ts';
import { auditActions, lettersTo, memberEvents, newProfileMember } from './profile-test-kit.ts';

const driver = testDriver();
let kit: Kit;
beforeAll(async () => {
  kit = await startKit('profile-contacts');
});
afterAll(async () => kit.close());

const key = () => kit.t.config.secrets.dataEncryptionKey;
const plain = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/&#x27;|&#39;/g, '’').replace(/\s+/g, ' ');

async function loggedIn(email: 'verified' | null = 'verified') {
  const member = await newProfileMember(kit, email);
  const browser = new Browser(kit);
  await browser.startSession(member.memberId);
  await browser.get('/profil');
  return { member, browser };
}

const linkIn = (text: string) => /(https:\/\/espace\.test\/profil\/email\/confirmer\?jeton=[A-Za-z0-9_-]{43})/.exec(text)?.[1] ?? null;

describe(`contact details (${driver})`, () => {
  test('a visitor without a session is sent to the login page', async () => {
    const visitor = new Browser(kit);
    const response = await visitor.get('/profil');
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/connexion?next=%2Fprofil');
  });

  test('the page shows the household’s email, phones, address and beneficiaries, with the profile navigation', async () => {
    const { member, browser } = await loggedIn();
    const page = await browser.get('/profil');
    expect(page.statusCode).toBe(200);
    const text = plain(page.body);
    expect(text).toContain(member.email!);
    expect(text).toContain('3 rue des Lilas');
    expect(text).toContain('Reçoit vos courriers');
    expect(text).toContain('Léo Durand');
    expect(page.body).toContain('<nav class="profile-nav" aria-label="Mon profil">');
    expect(page.body).toContain('href="/profil" aria-current="page"');
  });

  test('email change: the link goes to the new address, which is used only once it is confirmed; the old one gets a notice', async () => {
    const { member, browser } = await loggedIn();
    const requested = await browser.post('/profil/email', { email: 'Claire.Nouvelle@Exemple.FR' });
    expect(requested.statusCode).toBe(303);
    expect(requested.headers.location).toBe('/profil?fait=email-envoye');
    // Nothing changed yet: the current address is still the old one.
    expect((await currentEmail(kit.db, key(), member.memberId))?.address).toBe(member.email);
    const mail = (await queuedEmails(kit.db, 'Claire.Nouvelle@exemple.fr')).at(-1)!;
    expect(mail.subject).toBe('Confirmez votre nouvelle adresse email');
    const link = linkIn(mail.text)!;
    expect(link).not.toBeNull();
    expect(plain((await browser.get('/profil')).body)).toContain('En attente de confirmation : Claire.Nouvelle@exemple.fr');

    // The link, opened without a session (another device): its token leaves the address bar at once (RST-01 pattern).
    const phone = new Browser(kit);
    const landing = await phone.get(link.replace('https://espace.test', ''));
    expect(landing.statusCode).toBe(303);
    expect(landing.headers.location).toBe('/profil/email/confirmer');
    const form = await phone.get('/profil/email/confirmer');
    expect(form.statusCode).toBe(200);
    expect(plain(form.body)).toContain('C•••e@exemple.fr');
    const token = new URL(link).searchParams.get('jeton')!;
    const confirmed = await phone.post('/profil/email/confirmer', { jeton: token });
    expect(confirmed.statusCode).toBe(200);
    expect(plain(confirmed.body)).toContain('Adresse email confirmée');

    const now = await currentEmail(kit.db, key(), member.memberId);
    expect(now).toMatchObject({ address: 'Claire.Nouvelle@exemple.fr' });
    expect(now!.verifiedAt).not.toBeNull();
    const notice = (await queuedEmails(kit.db, member.email!)).at(-1)!;
    expect(notice.subject).toBe('Votre adresse email a été modifiée');
    expect(notice.text).toContain('C•••e@exemple.fr');
    // History kept: the old row is replaced, not overwritten.
    const { rows } = await kit.db.query<{ replaced_at: Date | null }>('SELECT replaced_at FROM email_address WHERE member_id = $1 ORDER BY created_at', [member.memberId]);
    expect(rows.map((r) => r.replaced_at !== null)).toEqual([true, false]);
    // Single use.
    expect((await phone.post('/profil/email/confirmer', { jeton: token })).statusCode).toBe(410);
    expect(await auditActions(kit.db, member.memberId)).toEqual(expect.arrayContaining(['profile.email.change_requested', 'profile.email.changed']));
    expect(await memberEvents(kit.db, member.memberId)).toEqual(['EMAIL_CHANGE_REQUESTED', 'EMAIL_CHANGED']);
  });

  test('email change: only the newest link is valid, a link expires after 24 hours, a wrong address is refused with its message', async () => {
    const { member, browser } = await loggedIn();
    const bad = await browser.post('/profil/email', { email: 'pas-une-adresse' });
    expect(bad.statusCode).toBe(400);
    expect(plain(bad.body)).toContain('Cette adresse email n’est pas valide');
    expect(bad.body).toContain('value="pas-une-adresse"');
    await browser.post('/profil/email', { email: 'premiere@exemple.fr' });
    await browser.post('/profil/email', { email: 'seconde@exemple.fr' });
    const first = linkIn((await queuedEmails(kit.db, 'premiere@exemple.fr')).at(-1)!.text)!;
    const second = linkIn((await queuedEmails(kit.db, 'seconde@exemple.fr')).at(-1)!.text)!;
    const other = new Browser(kit);
    expect((await other.get(first.replace('https://espace.test', ''))).statusCode).toBe(410);
    kit.clock.advance(24 * 3_600_000 + 1_000);
    expect((await other.get(second.replace('https://espace.test', ''))).statusCode).toBe(410);
    expect((await currentEmail(kit.db, key(), member.memberId))?.address).toBe(member.email);
  });

  test('phones: French forms are stored as E.164, sealed (DATA-02); a wrong number is refused and nothing changes; the history stays', async () => {
    const { member, browser } = await loggedIn();
    const saved = await browser.post('/profil/telephones', { mobile: '06.12.34.56.78', fixe: '+33 (0)4 72 00 00 00' });
    expect(saved.headers.location).toBe('/profil?fait=telephones');
    const page = plain((await browser.get('/profil?fait=telephones')).body);
    expect(page).toContain('Vos numéros de téléphone sont enregistrés.');
    const { rows } = await kit.db.query<{ kind: string; e164: string | null; e164_enc: string }>('SELECT kind, e164, e164_enc FROM phone_number WHERE member_id = $1 ORDER BY kind', [member.memberId]);
    expect(rows.map((r) => [r.kind, r.e164, decryptField(key(), r.e164_enc)])).toEqual([['LANDLINE', null, '+33472000000'], ['MOBILE', null, '+33612345678']]);

    const refused = await browser.post('/profil/telephones', { mobile: '04 72 00 00 01', fixe: '' });
    expect(refused.statusCode).toBe(400);
    expect(plain(refused.body)).toContain('Ce numéro est celui d’un téléphone fixe');
    expect((await kit.db.query('SELECT 1 FROM phone_number WHERE member_id = $1 AND replaced_at IS NULL', [member.memberId])).rows.length).toBe(2);

    await browser.post('/profil/telephones', { mobile: '0033 7 00 00 00 01', fixe: '' });
    const all = await kit.db.query<{ kind: string; replaced: boolean }>('SELECT kind, replaced_at IS NOT NULL AS replaced FROM phone_number WHERE member_id = $1 ORDER BY created_at, kind', [member.memberId]);
    expect(all.rows).toEqual([{ kind: 'LANDLINE', replaced: true }, { kind: 'MOBILE', replaced: true }, { kind: 'MOBILE', replaced: false }]);
  });

  test('addresses: a change is a new row (history kept) that stays the mailing address; letters go to the address chosen', async () => {
    const { member, browser } = await loggedIn();
    const [home] = (await kit.db.query<{ id: string }>('SELECT id FROM postal_address WHERE member_id = $1', [member.memberId])).rows;
    const edit = await browser.get(`/profil/adresses/${home!.id}`);
    expect(edit.statusCode).toBe(200);
    const changed = await browser.post(`/profil/adresses/${home!.id}`, { libelle: 'Domicile', destinataire: '', numero: '12 bis', voie: 'avenue Jean Jaurès', complement: 'Bâtiment B', code_postal: '69007', commune: 'Lyon', pays: 'FR' });
    expect(changed.headers.location).toBe('/profil?fait=adresse');
    const rows = (await kit.db.query<{ id: string; street: string; replaced: boolean }>('SELECT id, street, replaced_at IS NOT NULL AS replaced FROM postal_address WHERE member_id = $1 ORDER BY created_at', [member.memberId])).rows;
    expect(rows.map((r) => [r.street, r.replaced])).toEqual([['rue des Lilas', true], ['avenue Jean Jaurès', false]]);
    const mailing = async () => (await kit.db.query<{ mailing_address_id: string }>('SELECT mailing_address_id FROM member WHERE id = $1', [member.memberId])).rows[0]!.mailing_address_id;
    expect(await mailing()).toBe(rows[1]!.id);

    // A second address, abroad; letters then go there once it is chosen.
    const added = await browser.post('/profil/adresses', { libelle: 'Résidence en Belgique', destinataire: '', numero: '7', voie: 'rue de la Loi', complement: '', code_postal: '1000', commune: 'Bruxelles', pays: 'BE' });
    expect(added.headers.location).toBe('/profil?fait=adresse');
    const belgium = (await kit.db.query<{ id: string }>(`SELECT id FROM postal_address WHERE member_id = $1 AND country = 'BE'`, [member.memberId])).rows[0]!.id;
    expect(await mailing()).toBe(rows[1]!.id);
    expect((await browser.post('/profil/courrier', { adresse: belgium })).headers.location).toBe('/profil?fait=courrier');
    expect(await mailing()).toBe(belgium);
    await kit.db.transaction((tx) =>
      queueLetter(tx, kit.t.jobs, kit.t.jobDefinitions.generateLetter, { memberId: member.memberId, kind: 'SECURITY_NOTICE', content: { subject: 'Test', paragraphs: ['Test.'] }, idempotencyKey: `test:${belgium}`, at: kit.clock.now() }),
    );
    expect((await lettersTo(kit.db, key(), member.memberId)).at(-1)!.recipient).toEqual(['Claire DURAND', '7 rue de la Loi', '1000 BRUXELLES', 'BELGIQUE']);
    // The mailing address cannot be removed; the other one can.
    expect((await browser.post(`/profil/adresses/${belgium}/suppression`)).statusCode).toBe(409);
    expect((await browser.post(`/profil/adresses/${rows[1]!.id}/suppression`)).headers.location).toBe('/profil?fait=adresse-supprimee');
    expect(await auditActions(kit.db, member.memberId)).toEqual(['profile.address.changed', 'profile.address.added', 'profile.mailing_address.chosen', 'profile.address.removed']);
  });

  test('a wrong address comes back with each field’s message and what was typed; nothing is written', async () => {
    const { member, browser } = await loggedIn();
    const refused = await browser.post('/profil/adresses', { libelle: '', destinataire: '', numero: '', voie: '', complement: '', code_postal: '6900', commune: 'Lyon', pays: 'FR' });
    expect(refused.statusCode).toBe(400);
    const text = plain(refused.body);
    expect(text).toContain('Le code postal comporte 5 chiffres');
    expect(text).toContain('Indiquez la voie');
    expect(refused.body).toContain('value="6900"');
    expect((await kit.db.query('SELECT 1 FROM postal_address WHERE member_id = $1', [member.memberId])).rows.length).toBe(1);
  });

  test('a beneficiary’s own phone and address, where they differ; AC-02 another household’s beneficiary or address is not found', async () => {
    const { member, browser } = await loggedIn();
    const [child] = (await kit.db.query<{ id: string }>(`SELECT id FROM beneficiary WHERE member_id = $1 AND relationship = 'CHILD'`, [member.memberId])).rows;
    expect((await browser.get(`/profil/beneficiaires/${child!.id}`)).statusCode).toBe(200);
    expect((await browser.post('/profil/telephones', { mobile: '07 11 22 33 44', fixe: '', beneficiaire: child!.id })).headers.location).toBe(`/profil/beneficiaires/${child!.id}?fait=telephones`);
    const saved = await browser.post(`/profil/beneficiaires/${child!.id}/adresse`, { destinataire: 'LEO DURAND', numero: '5', voie: 'rue des Étudiants', complement: 'Chambre 12', code_postal: '38000', commune: 'Grenoble', pays: 'FR' });
    expect(saved.headers.location).toBe(`/profil/beneficiaires/${child!.id}?fait=adresse`);
    const page = plain((await browser.get('/profil')).body);
    expect(page).toContain('Téléphone : 07 11 22 33 44');
    expect(page).toContain('Adresse : 5 rue des Étudiants, 38000 Grenoble');
    // The household's mailing address did not move.
    const { rows } = await kit.db.query<{ beneficiary_id: string | null }>('SELECT p.beneficiary_id FROM member m JOIN postal_address p ON p.id = m.mailing_address_id WHERE m.id = $1', [member.memberId]);
    expect(rows[0]!.beneficiary_id).toBeNull();

    const other = await loggedIn();
    expect((await other.browser.get(`/profil/beneficiaires/${child!.id}`)).statusCode).toBe(404);
    expect((await other.browser.post('/profil/telephones', { mobile: '07 00 00 00 00', fixe: '', beneficiaire: child!.id })).statusCode).toBe(404);
    const [address] = (await kit.db.query<{ id: string }>('SELECT id FROM postal_address WHERE member_id = $1 AND beneficiary_id IS NULL', [member.memberId])).rows;
    expect((await other.browser.get(`/profil/adresses/${address!.id}`)).statusCode).toBe(404);
    expect((await other.browser.post('/profil/courrier', { adresse: address!.id })).statusCode).toBe(404);
    expect((await other.browser.post(`/profil/adresses/${address!.id}/suppression`)).statusCode).toBe(404);
  });

  test('DATA-02 one byte flipped in a sealed email in the database makes the page fail loudly (500), never show another value', async () => {
    const { member, browser } = await loggedIn();
    const { rows } = await kit.db.query<{ id: string; address_enc: string }>('SELECT id, address_enc FROM email_address WHERE member_id = $1', [member.memberId]);
    const parts = rows[0]!.address_enc.split('.');
    const data = Buffer.from(parts[4]!, 'base64url');
    data[0]! ^= 0x01;
    parts[4] = data.toString('base64url');
    await kit.db.query('UPDATE email_address SET address_enc = $2 WHERE id = $1', [rows[0]!.id, parts.join('.')]);
    const page = await browser.get('/profil');
    expect(page.statusCode).toBe(500);
    expect(page.body).not.toContain(member.email!.slice(1));
  });

  test('AC-03 a form with an extra field (memberId, verified, status) is refused and changes nothing', async () => {
    const { member, browser } = await loggedIn();
    const victim = await newProfileMember(kit);
    for (const extra of [{ memberId: victim.memberId }, { verified: 'true' }, { status: 'ACTIVE' }] as Record<string, string>[]) {
      expect((await browser.post('/profil/telephones', { mobile: '06 99 99 99 99', fixe: '', ...extra })).statusCode).toBe(400);
      expect((await browser.post('/profil/email', { email: 'intrus@exemple.fr', ...extra })).statusCode).toBe(400);
    }
    expect((await kit.db.query('SELECT 1 FROM phone_number WHERE member_id = ANY($1::uuid[])', [[member.memberId, victim.memberId]])).rows.length).toBe(0);
    expect((await kit.db.query('SELECT 1 FROM email_change WHERE member_id = ANY($1::uuid[])', [[member.memberId, victim.memberId]])).rows.length).toBe(0);
  });
});
