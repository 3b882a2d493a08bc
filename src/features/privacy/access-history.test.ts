/**
 * « Historique des accès » (issue 8): the member's own logins, failures, locks and code changes, and every opening of
 * the file by the mutuelle's staff (the audit row the back office of issue 9 will write through
 * recordMemberFileOpened), with keyset pagination that works without script; a beneficiary's own login sees only theirs.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { testConfig } from '../../../test/app.ts';
import { testDriver } from '../../../test/db.ts';
import { hashAccessCode } from '../../platform/access-code-hash.ts';
import { blindIndex } from '../../platform/crypto.ts';
import { newNir } from '../auth/recovery-test-kit.ts';
import { Browser, MEMBER_CODE, newMember, startKit, UA_CHROME, UA_FIREFOX, type Kit } from '../auth/session-test-kit.ts';
import { recordMemberFileOpened } from './advisor-access.ts';

const secrets = testConfig().secrets;
const MINUTE = 60_000;
let kit: Kit;
beforeAll(async () => {
  kit = await startKit('access-history');
});
afterAll(async () => {
  await kit?.close();
});

/** « 12/03/2026 à 11:01 », Paris time. */
const paris = (d: Date) => new Intl.DateTimeFormat('fr-FR', { dateStyle: 'short', timeStyle: 'short', timeZone: 'Europe/Paris' }).format(d).replace(' ', ' à ');
const ADVISOR = '0190a6b2-0000-7000-8000-00000000a001';
/** The titles of the listed entries, in page order. */
const titles = (html: string) => [...html.matchAll(/<li><p><strong>(.*?)<\/strong><\/p>/g)].map((m) => m[1]!);
type ApiPage = { events: { id: string; at: string; kind: string; title: string; by: string; reason: string | null; device: string | null; place: string | null }[]; nextCursor: string | null };
const apiPage = async (b: Browser, query = '') => {
  const response = await b.get(`/api/v1/profile/access-history${query}`);
  return { status: response.statusCode, body: response.json() as ApiPage };
};

describe(`access history (${testDriver()})`, () => {
  test('LOG-01 lists the member’s own logins, failed attempts, the lock and the code change, with the device and the network, never the IP', async () => {
    const m = await newMember(kit);
    const stranger = await newMember(kit);
    const b = new Browser(kit, UA_CHROME, '81.250.77.66');
    const attacker = new Browser(kit, UA_FIREFOX, '100.72.1.2');
    await b.trust(m.memberId);
    expect((await b.login(m.nir, '000001')).statusCode).toBe(401);
    kit.clock.advance(MINUTE);
    const loggedInAt = kit.clock.now();
    expect((await b.login(m.nir)).headers.location).toMatch(/^\/espace/);
    kit.clock.advance(MINUTE);
    await b.get('/profil/securite/code');
    expect((await b.post('/profil/securite/code', { current: MEMBER_CODE, code: '730519', confirmation: '730519' })).statusCode).toBe(303);
    kit.clock.advance(MINUTE);
    for (const code of ['000002', '000003', '000004']) await attacker.login(m.nir, code);
    await new Browser(kit).login(stranger.nir, '000009');
    kit.clock.advance(MINUTE);

    const page = await b.get('/profil/acces');
    expect(page.statusCode).toBe(200);
    const html = page.body;
    expect(html).toContain('<h1>Historique des accès à mon dossier</h1>');
    expect(titles(html)).toEqual([
      'Compte bloqué temporairement après 3 codes erronés',
      'Tentative de connexion : code d’accès erroné',
      'Tentative de connexion : code d’accès erroné',
      'Code d’accès modifié',
      'Connexion',
      'Tentative de connexion : code d’accès erroné',
    ]);
    expect(html).toContain('Appareil : Chrome sur Linux · Lieu approximatif : Réseau 81.250.x.x');
    expect(html).toContain('Appareil : Firefox sur Linux · Lieu approximatif : Réseau d’opérateur partagé (souvent mobile)');
    expect(html).toContain(`Le ${paris(loggedInAt)} — Votre compte`);
    expect(html).not.toContain('81.250.77.66');
    expect(html).not.toContain('100.72.1.2');
    expect(html).not.toContain('Voir les accès plus anciens');

    const { body } = await apiPage(b);
    expect(body.events.map((e) => e.kind)).toEqual(['LOCK', 'FAILURE', 'FAILURE', 'CODE', 'LOGIN', 'FAILURE']);
    expect(body.nextCursor).toBeNull();
    expect(JSON.stringify(body)).not.toMatch(/81\.250\.77|100\.72\.1\.2/);
  });

  test('ADV-02 every opening of the file by the staff shows its date, role and reason, never the advisor; a role or reason off the lists is refused', async () => {
    const m = await newMember(kit);
    const at = new Date(kit.clock.now().getTime() - 30 * MINUTE);
    await recordMemberFileOpened(kit.db, { advisorId: ADVISOR, memberId: m.memberId, role: 'conseiller', reason: 'CLAIM_PROCESSING', record: { type: 'reimbursement', id: 'x1' }, ip: '10.9.9.9', at });
    await recordMemberFileOpened(kit.db, { advisorId: ADVISOR, memberId: m.memberId, role: 'medecin_conseil', reason: 'CARE_REQUEST', ip: '10.9.9.9', at: new Date(at.getTime() + MINUTE) });
    await expect(recordMemberFileOpened(kit.db, { advisorId: ADVISOR, memberId: m.memberId, role: 'stagiaire' as 'conseiller', reason: 'CLAIM_PROCESSING', ip: '10.9.9.9', at })).rejects.toThrow();
    await expect(recordMemberFileOpened(kit.db, { advisorId: ADVISOR, memberId: m.memberId, role: 'conseiller', reason: 'CURIOSITY' as 'CONTRACT', ip: '10.9.9.9', at })).rejects.toThrow();
    const { rows } = await kit.db.query<{ actor_type: string; actor_id: string; action: string; subject_type: string; subject_id: string; details: unknown }>(
      `SELECT actor_type, actor_id, action, subject_type, subject_id, details FROM audit_log WHERE subject_id = $1 AND action = 'member.file.opened' ORDER BY occurred_at`,
      [m.memberId],
    );
    expect(rows).toHaveLength(2);
    expect(rows[0]).toEqual({ actor_type: 'advisor', actor_id: ADVISOR, action: 'member.file.opened', subject_type: 'member', subject_id: m.memberId, details: { role: 'conseiller', reason: 'CLAIM_PROCESSING', record: { type: 'reimbursement', id: 'x1' } } });

    const b = new Browser(kit);
    await b.startSession(m.memberId);
    const html = (await b.get('/profil/acces')).body;
    expect(titles(html)).toEqual(['Dossier consulté par la mutuelle', 'Dossier consulté par la mutuelle']);
    expect(html).toContain(`Le ${paris(new Date(at.getTime() + MINUTE))} — Médecin-conseil`);
    expect(html).toContain('Motif : Traitement d’une demande de prise en charge');
    expect(html).toContain(`Le ${paris(at)} — Conseiller de la mutuelle`);
    expect(html).toContain('Motif : Traitement d’un remboursement');
    expect(html).not.toContain(ADVISOR);
    expect(html).not.toContain('10.9.');
  });

  test('keyset pagination: 20 a page through plain links, newest first, every entry once (ties on the same instant included)', async () => {
    const m = await newMember(kit);
    const other = await newMember(kit);
    const base = new Date('2026-02-01T08:00:00Z').getTime();
    for (let i = 0; i < 45; i++) {
      // Entries 10 and 11 share one instant: the id breaks the tie.
      const at = new Date(base + (i === 11 ? 10 : i) * MINUTE);
      await recordMemberFileOpened(kit.db, { advisorId: ADVISOR, memberId: m.memberId, role: 'conseiller', reason: 'MEMBER_REQUEST', ip: '10.0.0.1', at });
    }
    await recordMemberFileOpened(kit.db, { advisorId: ADVISOR, memberId: other.memberId, role: 'conseiller', reason: 'MEMBER_REQUEST', ip: '10.0.0.1', at: new Date(base) });
    const b = new Browser(kit);
    await b.startSession(m.memberId);

    let html = (await b.get('/profil/acces')).body;
    expect(titles(html)).toHaveLength(20);
    expect(html).not.toContain('Revenir aux accès les plus récents');
    const seen: string[] = [];
    let query = '';
    for (const expected of [20, 20, 5]) {
      const { body } = await apiPage(b, query);
      expect(body.events).toHaveLength(expected);
      seen.push(...body.events.map((e) => e.id));
      const next = /href="\/profil\/acces\?avant=([0-9]+)"/.exec(html)?.[1] ?? null;
      expect(next).toBe(body.nextCursor);
      if (!next) break;
      query = `?before=${next}`;
      html = (await b.get(`/profil/acces?avant=${next}`)).body;
      expect(html).toContain('Revenir aux accès les plus récents');
    }
    expect(html).not.toContain('Voir les accès plus anciens');
    expect(new Set(seen).size).toBe(45);
    const { rows } = await kit.db.query<{ id: string }>(`SELECT id::text AS id FROM audit_log WHERE subject_id = $1 ORDER BY occurred_at DESC, id DESC`, [m.memberId]);
    expect(seen).toEqual(rows.map((r) => r.id));

    // A cursor of another member's history finds nothing to page from; a malformed one is refused.
    const foreign = (await kit.db.query<{ id: string }>(`SELECT id::text AS id FROM audit_log WHERE subject_id = $1`, [other.memberId])).rows[0]!.id;
    expect((await apiPage(b, `?before=${foreign}`)).body).toEqual({ events: [], nextCursor: null });
    expect((await b.get('/profil/acces?avant=abc')).statusCode).toBe(400);
    expect((await b.get('/api/v1/profile/access-history?before=1;DROP')).statusCode).toBe(400);
    expect((await b.get('/api/v1/profile/access-history?memberId=x')).statusCode).toBe(400);
  });

  test('AC-04 a beneficiary with a login of their own sees only their own accesses; the ouvrant droit does not see theirs', async () => {
    const m = await newMember(kit);
    const { rows } = await kit.db.query<{ id: string }>(`SELECT id FROM beneficiary WHERE member_id = $1 AND relationship = 'CHILD'`, [m.memberId]);
    const child = rows[0]!.id;
    const childNir = newNir();
    await kit.db.query('UPDATE beneficiary SET own_nir_hmac = $2 WHERE id = $1', [child, blindIndex(secrets.blindIndexKey, childNir)]);
    await kit.db.query('INSERT INTO beneficiary_credential (beneficiary_id, code_hash, code_set_at) VALUES ($1, $2, $3)', [child, await hashAccessCode(MEMBER_CODE, secrets.codePepper), new Date('2026-01-01T00:00:00Z')]);
    const parent = new Browser(kit, UA_FIREFOX);
    const own = new Browser(kit, UA_CHROME);
    await parent.trust(m.memberId);
    await own.trust(m.memberId);
    expect((await parent.login(m.nir)).headers.location).toMatch(/^\/espace/);
    kit.clock.advance(MINUTE);
    await own.login(childNir, '000001');
    kit.clock.advance(MINUTE);
    expect((await own.login(childNir)).headers.location).toBe('/espace');
    const at = kit.clock.now();
    await recordMemberFileOpened(kit.db, { advisorId: ADVISOR, memberId: m.memberId, beneficiaryId: child, role: 'gestionnaire_prestations', reason: 'CLAIM_PROCESSING', ip: '10.0.0.1', at });
    await recordMemberFileOpened(kit.db, { advisorId: ADVISOR, memberId: m.memberId, role: 'conseiller', reason: 'CONTRACT', ip: '10.0.0.1', at });

    const mine = await own.get('/profil/acces');
    expect(mine.statusCode).toBe(200);
    expect(titles(mine.body).sort()).toEqual(['Connexion', 'Dossier consulté par la mutuelle', 'Tentative de connexion : code d’accès erroné'].sort());
    expect(mine.body).toContain('Gestionnaire des remboursements');
    expect(mine.body).not.toContain('Motif : Gestion de votre contrat');
    expect(mine.body).toContain('Chrome sur Linux');
    expect(mine.body).not.toContain('Firefox sur Linux');
    expect((await apiPage(own)).body.events.map((e) => e.kind).sort()).toEqual(['FAILURE', 'FILE_OPENED', 'LOGIN']);

    const household = (await parent.get('/profil/acces')).body;
    expect(titles(household).sort()).toEqual(['Connexion', 'Dossier consulté par la mutuelle', 'Dossier consulté par la mutuelle'].sort());
    expect(household).not.toContain('Chrome sur Linux');
  });
});
