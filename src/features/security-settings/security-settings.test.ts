/**
 * /profil/securite (issue 8): the overview of sessions, devices, passkeys and the code; the 301s from the old
 * addresses; SES-06 (a code change ends the other sessions); and the JSON twins under /api/v1/profile/security with
 * their access checks (AC-02 foreign ids → 404, AC-03 unknown keys → 400, SES-05 CSRF).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { testDriver } from '../../../test/db.ts';
import { Browser, MEMBER_CODE, newMember, startKit, UA_CHROME, type Kit } from '../auth/session-test-kit.ts';

let kit: Kit;
beforeAll(async () => {
  kit = await startKit('security-settings');
});
afterAll(async () => {
  await kit?.close();
});

const NEW_CODE = '730519';

async function api(browser: Browser, method: 'GET' | 'POST', url: string, body?: unknown, csrf: string | null = browser.csrf) {
  const response = await kit.t.app.inject({
    method, url, remoteAddress: browser.ip,
    headers: { cookie: browser.header(), 'user-agent': browser.userAgent, ...(csrf ? { 'x-csrf-token': csrf } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
  });
  browser.remember(response);
  return response;
}

describe(`security settings (${testDriver()})`, () => {
  test('the overview gathers the code, the open sessions, the trusted devices and the passkeys, with their actions', async () => {
    const m = await newMember(kit);
    const here = new Browser(kit);
    const there = new Browser(kit, UA_CHROME, '81.250.12.34');
    await here.trust(m.memberId);
    await here.startSession(m.memberId);
    await there.startSession(m.memberId);
    const page = await here.get('/profil/securite');
    expect(page.statusCode).toBe(200);
    const html = page.body;
    expect(html).toContain('<h1>Sécurité de mon compte</h1>');
    expect(html).toContain('Votre code d’accès a été choisi le 01/01/2026.');
    expect(html).toContain('href="/profil/securite/code"');
    // Both sessions, this one marked, the other with its « Terminer » form; the place is a network, not the address.
    expect(html.match(/\(cette session\)/g)).toHaveLength(1);
    expect(html).toContain('Réseau 81.250.x.x');
    expect(html).not.toContain('81.250.12.34');
    expect(html).toMatch(/action="\/profil\/securite\/sessions\/[0-9a-f-]{36}\/fin"/);
    expect(html).toContain('action="/profil/securite/sessions/fin-des-autres"');
    // The trusted device of this browser, removable.
    expect(html).toContain('(cet appareil)');
    expect(html).toMatch(/action="\/profil\/securite\/appareils\/[0-9a-f-]{36}\/retirer"/);
    expect(html).toContain('Aucune clé d’accès n’est enregistrée.');
    expect(html).toContain('href="/profil/acces"');
  });

  test('a visitor is sent to the login page, which comes back to the overview', async () => {
    const response = await new Browser(kit).get('/profil/securite');
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/connexion?next=%2Fprofil%2Fsecurite');
  });

  test('the old addresses of the security pages answer 301 to their new place, query string kept', async () => {
    const b = new Browser(kit);
    for (const [old, target] of [
      ['/espace/code', '/profil/securite/code'],
      ['/espace/appareils?retire=1', '/profil/securite/appareils?retire=1'],
      ['/espace/sessions', '/profil/securite/sessions'],
      ['/espace/cles-d-acces', '/profil/securite/cles-d-acces'],
    ] as const) {
      const response = await b.get(old);
      expect(response.statusCode, old).toBe(301);
      expect(response.headers.location, old).toBe(target);
    }
  });

  test('SES-06 AUTH-07 a code change at /profil/securite/code needs the current code and ends every other session', async () => {
    const m = await newMember(kit);
    const here = new Browser(kit);
    const there = new Browser(kit, UA_CHROME);
    await here.startSession(m.memberId);
    await there.startSession(m.memberId);
    await here.get('/profil/securite/code');
    const wrong = await here.post('/profil/securite/code', { current: '111111', code: NEW_CODE, confirmation: NEW_CODE });
    expect(wrong.statusCode).toBe(400);
    expect(await there.whoami()).toBe(m.memberId);
    const done = await here.post('/profil/securite/code', { current: MEMBER_CODE, code: NEW_CODE, confirmation: NEW_CODE });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe('/profil/securite/code?modifie=1');
    expect(await there.whoami()).toBeNull();
    expect(await here.whoami()).toBe(m.memberId);
  });

  test('API: the sessions list, ending one, ending the others; a foreign id is 404', async () => {
    const m = await newMember(kit);
    const other = await newMember(kit);
    const here = new Browser(kit);
    const there = new Browser(kit, UA_CHROME, '100.72.3.4');
    const third = new Browser(kit);
    const stranger = new Browser(kit);
    for (const b of [here, there, third]) await b.startSession(m.memberId);
    await stranger.startSession(other.memberId);
    const list = await api(here, 'GET', '/api/v1/profile/security/sessions');
    expect(list.statusCode).toBe(200);
    const sessions = (list.json() as { sessions: { id: string; device: string; place: string; current: boolean }[] }).sessions;
    expect(sessions).toHaveLength(3);
    expect(sessions[0]).toMatchObject({ current: true, device: 'Firefox sur Linux' });
    expect(Object.keys(sessions[0]!).sort()).toEqual(['createdAt', 'current', 'device', 'id', 'lastSeenAt', 'place']);
    const mobile = sessions.find((s) => s.place === 'Réseau d’opérateur partagé (souvent mobile)')!;
    expect(mobile).toBeDefined();
    expect(JSON.stringify(sessions)).not.toContain('100.72.3.4');

    const theirs = ((await api(stranger, 'GET', '/api/v1/profile/security/sessions')).json() as { sessions: { id: string }[] }).sessions[0]!.id;
    expect((await api(here, 'POST', `/api/v1/profile/security/sessions/${theirs}/end`, {})).statusCode).toBe(404);
    expect(await stranger.whoami()).toBe(other.memberId);
    expect((await api(here, 'POST', '/api/v1/profile/security/sessions/not-an-id/end', {})).statusCode).toBe(404);
    expect((await api(here, 'POST', `/api/v1/profile/security/sessions/${mobile.id}/end`, {}, null)).statusCode).toBe(403);
    // AC-03: no other key is accepted, and nothing is ended then.
    const injected = await api(here, 'POST', `/api/v1/profile/security/sessions/${mobile.id}/end`, { memberId: other.memberId });
    expect(injected.statusCode).toBe(400);
    expect((injected.json() as { error: { code: string; fields: Record<string, string> } }).error).toMatchObject({ code: 'VALIDATION', fields: { memberId: 'Champ inconnu.' } });
    expect(await there.whoami()).toBe(m.memberId);

    expect((await api(here, 'POST', `/api/v1/profile/security/sessions/${mobile.id}/end`, {})).statusCode).toBe(204);
    expect(await there.whoami()).toBeNull();
    const others = await api(here, 'POST', '/api/v1/profile/security/sessions/end-others', {});
    expect(others.json()).toEqual({ ended: 1 });
    expect(await third.whoami()).toBeNull();
    expect(await here.whoami()).toBe(m.memberId);
    expect(await stranger.whoami()).toBe(other.memberId);
    const { rows } = await kit.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE subject_id = $1 AND action = 'auth.session.ended' AND details->>'channel' = 'API'`, [m.memberId]);
    expect(rows[0]!.n).toBe(2);
  });

  test('API: the trusted devices, revoking one (this browser’s cookie is cleared); a foreign device is 404; no session is 401', async () => {
    const m = await newMember(kit);
    const other = await newMember(kit);
    const here = new Browser(kit);
    const stranger = new Browser(kit);
    await here.trust(m.memberId);
    await stranger.trust(other.memberId);
    await here.startSession(m.memberId);
    await stranger.startSession(other.memberId);
    const devices = (await api(here, 'GET', '/api/v1/profile/security/devices')).json() as { devices: { id: string; label: string; current: boolean; lastUsedAt: string | null }[] };
    expect(devices.devices).toHaveLength(1);
    expect(devices.devices[0]).toMatchObject({ label: 'Firefox sur Linux', current: true });
    const theirs = ((await api(stranger, 'GET', '/api/v1/profile/security/devices')).json() as { devices: { id: string }[] }).devices[0]!.id;
    expect((await api(here, 'POST', `/api/v1/profile/security/devices/${theirs}/revoke`, {})).statusCode).toBe(404);
    const revoked = await api(here, 'POST', `/api/v1/profile/security/devices/${devices.devices[0]!.id}/revoke`, {});
    expect(revoked.statusCode).toBe(204);
    expect(revoked.cookies.find((c) => c.name === '__Host-espace-appareil')?.value).toBe('');
    expect(((await api(here, 'GET', '/api/v1/profile/security/devices')).json() as { devices: unknown[] }).devices).toEqual([]);
    expect(((await api(stranger, 'GET', '/api/v1/profile/security/devices')).json() as { devices: unknown[] }).devices).toHaveLength(1);
    const anonymous = new Browser(kit);
    expect((await api(anonymous, 'GET', '/api/v1/profile/security/devices', undefined, null)).statusCode).toBe(401);
  });
});
