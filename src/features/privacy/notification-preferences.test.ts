/**
 * « Mes notifications » (issue 8): the switches per alert kind and the daily digest, saved by the page and the API and
 * read by issue 11 through notificationPreferences; security notices are always sent and are no switch; extra fields
 * are refused and change nothing (AC-03).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { testDriver } from '../../../test/db.ts';
import { Browser, newMember, startKit, type Kit } from '../auth/session-test-kit.ts';
import { DEFAULT_PREFERENCES, notificationPreferences } from './notification-preferences.ts';

let kit: Kit;
beforeAll(async () => {
  kit = await startKit('notification-preferences');
});
afterAll(async () => {
  await kit?.close();
});

const json = (b: Browser, url: string, body: unknown, csrf = b.csrf) =>
  kit.t.app.inject({ method: 'POST', url, remoteAddress: b.ip, headers: { cookie: b.header(), 'content-type': 'application/json', 'x-csrf-token': csrf }, payload: JSON.stringify(body) });

describe(`notification preferences (${testDriver()})`, () => {
  test('no row: every alert by email, no digest; the page shows them checked and the security notices as always sent, not a checkbox', async () => {
    const m = await newMember(kit);
    expect(await notificationPreferences(kit.db, m.memberId)).toEqual(DEFAULT_PREFERENCES);
    const b = new Browser(kit);
    await b.startSession(m.memberId);
    const html = (await b.get('/profil/notifications')).body;
    for (const name of ['payments', 'documents', 'requests', 'messages']) expect(html).toMatch(new RegExp(`name="${name}" value="oui" checked`));
    expect(html).toMatch(/name="dailyDigest" value="oui" aria-describedby/);
    expect(html).toContain('Avis de sécurité : toujours envoyés');
    expect(html).not.toMatch(/name="security/);
    expect(html).toContain('il ne contient jamais d’information sur votre santé');
  });

  test('the page saves what is ticked (an unticked box is « no »), and issue 11 reads it', async () => {
    const m = await newMember(kit);
    const b = new Browser(kit);
    await b.startSession(m.memberId);
    await b.get('/profil/notifications');
    const saved = await b.post('/profil/notifications', { payments: 'oui', messages: 'oui', dailyDigest: 'oui' });
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe('/profil/notifications?enregistre=1');
    expect(await notificationPreferences(kit.db, m.memberId)).toEqual({ email: { payments: true, documents: false, requests: false, messages: true }, dailyDigest: true, security: 'ALWAYS' });
    const page = (await b.get('/profil/notifications?enregistre=1')).body;
    expect(page).toContain('Vos préférences de notification ont été enregistrées.');
    expect(page).toMatch(/name="documents" value="oui" aria-describedby/);
    const { rows } = await kit.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE subject_id = $1 AND action = 'member.notifications.updated'`, [m.memberId]);
    expect(rows[0]!.n).toBe(1);
  });

  test('AC-03 extra or malformed fields are refused and change nothing, on the page and on the API', async () => {
    const m = await newMember(kit);
    const other = await newMember(kit);
    const b = new Browser(kit);
    await b.startSession(m.memberId);
    await b.get('/profil/notifications');
    expect((await b.post('/profil/notifications', { payments: 'oui', memberId: other.memberId })).statusCode).toBe(400);
    expect((await b.post('/profil/notifications', { payments: 'yes' })).statusCode).toBe(400);
    const full = { payments: false, documents: false, requests: false, messages: false, dailyDigest: true };
    expect((await json(b, '/api/v1/profile/notification-preferences', { ...full, memberId: other.memberId })).statusCode).toBe(400);
    expect((await json(b, '/api/v1/profile/notification-preferences', { ...full, security: false })).statusCode).toBe(400);
    expect((await json(b, '/api/v1/profile/notification-preferences', { payments: false })).statusCode).toBe(400);
    expect((await json(b, '/api/v1/profile/notification-preferences', full, 'wrong')).statusCode).toBe(403);
    expect(await notificationPreferences(kit.db, m.memberId)).toEqual(DEFAULT_PREFERENCES);
    expect(await notificationPreferences(kit.db, other.memberId)).toEqual(DEFAULT_PREFERENCES);

    const ok = await json(b, '/api/v1/profile/notification-preferences', full);
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ email: { payments: false, documents: false, requests: false, messages: false }, dailyDigest: true, security: 'ALWAYS' });
    expect((await b.get('/api/v1/profile/notification-preferences')).json()).toEqual(ok.json());
    expect(await notificationPreferences(kit.db, other.memberId)).toEqual(DEFAULT_PREFERENCES);
  });
});
