/**
 * SES-06 (sessions list, end one, end the others) and SES-02 (the session end on every member page, the keep-alive
 * POST behind « Rester connecté ») over inject, on the test driver (PGlite, or Postgres with TEST_DATABASE_URL).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { testDriver } from '../../../test/db.ts';
import { SESSION_LIMITS } from '../../platform/http/sessions.ts';
import { Browser, newMember, startKit, UA_CHROME, UA_FIREFOX, type Kit } from './session-test-kit.ts';
import { memberBar } from './session-routes.ts';

const MINUTE = 60_000;
let kit: Kit;

beforeAll(async () => {
  kit = await startKit('sessions-page');
});
afterAll(async () => {
  await kit?.close();
});

const publicIds = (html: string) => [...html.matchAll(/action="\/profil\/securite\/sessions\/([0-9a-f-]{36})\/fin"/g)].map((m) => m[1]!);

describe(`member sessions page (${testDriver()})`, () => {
  test('SES-06 lists the member’s active sessions only: this one marked, device label, approximate place (never the IP), dates; expired ones left out', async () => {
    const m = await newMember(kit);
    const other = await newMember(kit);
    const here = new Browser(kit, UA_FIREFOX, '10.20.30.40');
    const there = new Browser(kit, UA_CHROME, '10.20.31.41');
    const idle = new Browser(kit, UA_CHROME);
    const stranger = new Browser(kit);
    await idle.startSession(m.memberId);
    kit.clock.advance(10 * MINUTE);
    await here.startSession(m.memberId);
    await there.startSession(m.memberId);
    await stranger.startSession(other.memberId);
    kit.clock.advance(6 * MINUTE); // `idle` is now past the 15-minute idle limit

    const page = await here.get('/profil/securite/sessions');
    expect(page.statusCode).toBe(200);
    const html = page.body;
    expect(html).toContain('<h1 id="titre-sessions">Mes sessions</h1>');
    expect(html.match(/\(cette session\)/g)).toHaveLength(1);
    expect(html).toMatch(/Firefox.*\(cette session\)/s);
    expect(html).toContain('Chrome');
    // The class of the IP and its /16 network, never the address (issue 8).
    expect(html).toContain('Réseau privé (10.20.x.x)');
    expect(html).not.toContain('10.20.30.40');
    expect(html).not.toContain('10.20.31.41');
    expect(html).toContain('12 mars 2026');
    // One « Terminer » form: the other live session; never the stranger's, never the idle one.
    expect(publicIds(html)).toHaveLength(1);
    expect(html).toContain('action="/profil/securite/sessions/fin-des-autres"');
  });

  test('SES-06 ending another session logs that browser out; a foreign or unknown id is 404 and ends nothing', async () => {
    const m = await newMember(kit);
    const other = await newMember(kit);
    const here = new Browser(kit);
    const there = new Browser(kit, UA_CHROME);
    const stranger = new Browser(kit);
    await here.startSession(m.memberId);
    await there.startSession(m.memberId);
    await stranger.startSession(other.memberId);
    const strangerId = publicIds((await stranger.get('/profil/securite/sessions')).body);
    expect(strangerId).toEqual([]); // the stranger alone: no other session of theirs
    const { rows } = await kit.db.query<{ public_id: string }>(`SELECT public_id FROM session WHERE subject_id = $1`, [other.memberId]);
    const foreignId = rows[0]!.public_id;

    await here.get('/profil/securite/sessions');
    expect((await here.post(`/profil/securite/sessions/${foreignId}/fin`)).statusCode).toBe(404);
    expect((await here.post('/profil/securite/sessions/pas-un-uuid/fin')).statusCode).toBe(404);
    expect(await stranger.whoami()).toBe(other.memberId);

    const [target] = publicIds((await here.get('/profil/securite/sessions')).body);
    const ended = await here.post(`/profil/securite/sessions/${target}/fin`);
    expect(ended.statusCode).toBe(303);
    expect(ended.headers.location).toBe('/profil/securite/sessions?fin=1');
    expect(await there.whoami()).toBeNull();
    expect(await here.whoami()).toBe(m.memberId);
    expect((await here.get('/profil/securite/sessions?fin=1')).body).toContain('La session a été terminée.');
    // Gone already: not found.
    expect((await here.post(`/profil/securite/sessions/${target}/fin`)).statusCode).toBe(404);
    const { rows: audit } = await kit.db.query<{ action: string }>(`SELECT action FROM audit_log WHERE subject_id = $1 AND action = 'auth.session.ended'`, [m.memberId]);
    expect(audit).toHaveLength(1);
  });

  test('SES-06 « Terminer toutes les autres sessions » keeps only this one; CSRF and login are required', async () => {
    const m = await newMember(kit);
    const here = new Browser(kit);
    const others = [new Browser(kit), new Browser(kit, UA_CHROME), new Browser(kit)];
    await here.startSession(m.memberId);
    for (const b of others) await b.startSession(m.memberId);
    await here.get('/profil/securite/sessions');

    expect((await here.post('/profil/securite/sessions/fin-des-autres', { _csrf: 'faux' })).statusCode).toBe(403);
    for (const b of others) expect(await b.whoami()).toBe(m.memberId);

    const done = await here.post('/profil/securite/sessions/fin-des-autres');
    expect(done.headers.location).toBe('/profil/securite/sessions?fin=autres');
    for (const b of others) expect(await b.whoami()).toBeNull();
    expect(await here.whoami()).toBe(m.memberId);
    const page = (await here.get('/profil/securite/sessions?fin=autres')).body;
    expect(page).toContain('Toutes les autres sessions ont été terminées.');
    expect(page).toContain('Aucune autre session n’est ouverte.');

    const anonymous = new Browser(kit);
    const redirect = await anonymous.get('/profil/securite/sessions');
    expect(redirect.statusCode).toBe(303);
    expect(redirect.headers.location).toBe('/connexion?next=%2Fprofil%2Fsecurite%2Fsessions');
  });

  test('SES-02 every member page says when the session ends, and switches the header to « Mon espace » + « Se déconnecter »', async () => {
    const m = await newMember(kit);
    const b = new Browser(kit);
    await b.startSession(m.memberId);
    for (const url of ['/espace', '/profil/securite/appareils', '/profil/securite/sessions', '/profil/securite/code']) {
      const html = (await b.get(url)).body;
      // 10:00 UTC is 11:00 in Paris (winter time) + 15 minutes.
      expect(html, url).toMatch(/Votre session expire à <span class="session-end-time">11 h \d\d<\/span> sans activité\./);
      expect(html, url).toContain('data-seconds-left="900"');
      expect(html, url).toContain('<script src="/static/session-warning.js" defer></script>');
      expect(html, url).toContain('>Mon espace</a>');
      expect(html.match(/>Se déconnecter<\/button>/g), url).toHaveLength(1);
      expect(html, url).not.toContain('>Se connecter<');
    }
    expect((await b.get('/espace')).body).toContain('<a href="/profil/securite/sessions">Mes sessions</a>');
    // Public pages keep « Se connecter » and no script.
    const home = (await new Browser(kit).get('/')).body;
    expect(home).not.toContain('session-warning.js');
    expect(home).not.toContain('Votre session expire');
  });

  test('SES-02 the session end is the idle limit, or the absolute limit when sooner', () => {
    const now = new Date('2026-03-12T10:00:00Z');
    const request = (lastSeenAt: Date, absoluteExpiresAt: Date) =>
      ({ csrfToken: 't', session: { kind: 'member', subjectId: 'x', createdAt: now, lastSeenAt, absoluteExpiresAt } }) as unknown as Parameters<typeof memberBar>[0];
    expect(memberBar(request(now, new Date(now.getTime() + 3_600_000)), 'A', now)).toMatchObject({ secondsLeft: SESSION_LIMITS.member.idleMs / 1000 });
    const soon = new Date(now.getTime() + 5 * MINUTE);
    expect(memberBar(request(now, soon), 'A', now)).toMatchObject({ secondsLeft: 300, sessionEndsAt: soon });
  });

  test('SES-02 « Rester connecté »: the keep-alive POST touches the session and says when it now ends; it needs the CSRF header and a session', async () => {
    const m = await newMember(kit);
    const b = new Browser(kit);
    await b.startSession(m.memberId);
    kit.clock.advance(13 * MINUTE);
    const noToken = await kit.t.app.inject({ method: 'POST', url: '/espace/session/prolonger', headers: { cookie: b.header() }, remoteAddress: b.ip });
    expect(noToken.statusCode).toBe(403);
    const ok = await kit.t.app.inject({ method: 'POST', url: '/espace/session/prolonger', headers: { cookie: b.header(), 'x-csrf-token': b.csrf }, remoteAddress: b.ip });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ ended: false, secondsLeft: 900 });
    kit.clock.advance(13 * MINUTE); // 26 minutes after the page, 13 after the keep-alive: still alive
    expect(await b.whoami()).toBe(m.memberId);
    kit.clock.advance(16 * MINUTE);
    const late = await kit.t.app.inject({ method: 'POST', url: '/espace/session/prolonger', headers: { cookie: b.header(), 'x-csrf-token': b.csrf }, remoteAddress: b.ip });
    expect(late.statusCode).toBe(403); // the session is gone, so is the token bound to it
  });
});
