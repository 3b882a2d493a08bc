/**
 * Email check at login (issue 4): a member whose current email is unverified or not confirmed for 12 months is sent
 * to /espace/verifier-email after the login; « Oui, c’est la bonne » confirms it, « Plus tard » skips it for this
 * session. Over inject, on the test driver (PGlite, or Postgres with TEST_DATABASE_URL).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { testDriver } from '../../../test/db.ts';
import { Browser, newMember, startKit, type Kit } from './session-test-kit.ts';
import { EMAIL_CHECK_PATH, maskAddress, needsEmailCheck } from './session-routes.ts';

const DAY = 24 * 3_600_000;
let kit: Kit;

beforeAll(async () => {
  kit = await startKit('email-check');
});
afterAll(async () => {
  await kit?.close();
});

const confirmedAt = async (memberId: string) =>
  (await kit.db.query<{ last_confirmed_at: Date | null }>(`SELECT last_confirmed_at FROM email_address WHERE member_id = $1 AND replaced_at IS NULL`, [memberId])).rows[0]?.last_confirmed_at ?? null;
const setConfirmedAt = (memberId: string, at: Date) => kit.db.query('UPDATE email_address SET last_confirmed_at = $2 WHERE member_id = $1', [memberId, at]);
const ago = (days: number) => new Date(kit.clock.now().getTime() - days * DAY);

describe(`email check at login (${testDriver()})`, () => {
  test('asked when the address is unverified or not confirmed for 12 months; not when confirmed lately or when there is no address', async () => {
    const fresh = await newMember(kit, 'verified');
    await setConfirmedAt(fresh.memberId, ago(300));
    expect(await needsEmailCheck(kit.db, kit.t.config.secrets.dataEncryptionKey, fresh.memberId, kit.clock.now())).toBe(false);
    const old = await newMember(kit, 'verified');
    await setConfirmedAt(old.memberId, ago(366));
    expect(await needsEmailCheck(kit.db, kit.t.config.secrets.dataEncryptionKey, old.memberId, kit.clock.now())).toBe(true);
    const unverified = await newMember(kit, 'unverified');
    await setConfirmedAt(unverified.memberId, ago(1));
    expect(await needsEmailCheck(kit.db, kit.t.config.secrets.dataEncryptionKey, unverified.memberId, kit.clock.now())).toBe(true);
    const none = await newMember(kit, null);
    expect(await needsEmailCheck(kit.db, kit.t.config.secrets.dataEncryptionKey, none.memberId, kit.clock.now())).toBe(false);
  });

  test('the login lands on the check page when needed, on the member home otherwise', async () => {
    const old = await newMember(kit, 'verified');
    await setConfirmedAt(old.memberId, ago(400));
    const b = new Browser(kit);
    await b.trust(old.memberId);
    const login = await b.login(old.nir);
    expect(login.statusCode).toBe(303);
    expect(login.headers.location).toBe(EMAIL_CHECK_PATH);

    const fresh = await newMember(kit, 'verified');
    await setConfirmedAt(fresh.memberId, ago(10));
    const c = new Browser(kit);
    await c.trust(fresh.memberId);
    expect((await c.login(fresh.nir)).headers.location).toBe('/espace');
  });

  test('the page asks about the partly masked address; « Oui, c’est la bonne » confirms it and the next login goes straight in', async () => {
    const m = await newMember(kit, 'verified');
    await setConfirmedAt(m.memberId, ago(500));
    const b = new Browser(kit);
    await b.trust(m.memberId);
    await b.login(m.nir);
    const page = await b.get(EMAIL_CHECK_PATH);
    expect(page.statusCode).toBe(200);
    const masked = maskAddress(m.email!);
    expect(masked).toMatch(/^a•••\d@demo\.example$/);
    expect(page.body).toContain(`Votre adresse email est-elle toujours ${masked} ?`);
    expect(page.body).not.toContain(m.email!);
    expect(page.body).toContain('Oui, c’est la bonne');
    expect(page.body).toContain('Plus tard');
    expect(page.body).toContain('Votre session expire à');

    expect((await b.post(EMAIL_CHECK_PATH, { choix: 'n-importe' })).statusCode).toBe(400);
    expect((await b.post(EMAIL_CHECK_PATH, { choix: 'oui', _csrf: 'faux' })).statusCode).toBe(403);
    const yes = await b.post(EMAIL_CHECK_PATH, { choix: 'oui' });
    expect(yes.statusCode).toBe(303);
    expect(yes.headers.location).toBe('/espace');
    expect((await confirmedAt(m.memberId))?.getTime()).toBe(kit.clock.now().getTime());
    const { rows } = await kit.db.query(`SELECT 1 FROM audit_log WHERE subject_id = $1 AND action = 'member.email.confirmed'`, [m.memberId]);
    expect(rows).toHaveLength(1);

    const again = new Browser(kit);
    await again.trust(m.memberId);
    expect((await again.login(m.nir)).headers.location).toBe('/espace');
  });

  test('« Plus tard » skips for this session only: the address stays unconfirmed and the next login asks again', async () => {
    const m = await newMember(kit, 'verified');
    const before = ago(500);
    await setConfirmedAt(m.memberId, before);
    const b = new Browser(kit);
    await b.trust(m.memberId);
    await b.login(m.nir);
    await b.get(EMAIL_CHECK_PATH);
    const later = await b.post(EMAIL_CHECK_PATH, { choix: 'plus-tard' });
    expect(later.headers.location).toBe('/espace');
    expect((await confirmedAt(m.memberId))?.getTime()).toBe(before.getTime());
    const { rows } = await kit.db.query<{ email_check_skipped_at: Date | null }>(`SELECT email_check_skipped_at FROM session WHERE subject_id = $1`, [m.memberId]);
    expect(rows.map((r) => r.email_check_skipped_at?.getTime())).toEqual([kit.clock.now().getTime()]);
    expect((await b.get('/espace')).statusCode).toBe(200);

    const next = new Browser(kit);
    await next.trust(m.memberId);
    expect((await next.login(m.nir)).headers.location).toBe(EMAIL_CHECK_PATH);
  });

  test('without a session the page sends to the login; without an address it sends to the member home', async () => {
    expect((await new Browser(kit).get(EMAIL_CHECK_PATH)).headers.location).toBe('/connexion?next=%2Fespace%2Fverifier-email');
    const none = await newMember(kit, null);
    const b = new Browser(kit);
    await b.startSession(none.memberId);
    expect((await b.get(EMAIL_CHECK_PATH)).headers.location).toBe('/espace');
  });
});
