import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestApp, testClock, type TestApp } from '../../../test/app.ts';
import { AppError } from '../errors.ts';
import type { Feature } from './server.ts';

const clock = testClock();

// Routes that exist only in this test: a form, a session start, a failing handler.
const probe: Feature = (app, { sessions, db }) => {
  app.get('/test/form', async (request) => ({ csrf: request.csrfToken, session: request.session }));
  app.post('/test/form', async () => ({ ok: true }));
  app.post('/test/login', async (request, reply) => {
    await db.transaction((tx) => sessions.start(tx, reply, request, 'member', '00000000-0000-4000-8000-000000000001'));
    return { ok: true };
  });
  app.post('/test/logout', async (request, reply) => {
    await sessions.end(request, reply);
    return { ok: true };
  });
  app.get('/test/crash', async () => {
    throw new Error('secret internal detail at /srv/app.ts:42');
  });
  app.get('/test/typed', async () => {
    throw new AppError('LOCKED');
  });
};

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ name: 'http', clock: clock.now, extraFeatures: [probe] });
});
afterAll(async () => t.close());

async function browser() {
  const page = await t.app.inject({ method: 'GET', url: '/test/form' });
  const cookies: Record<string, string> = Object.fromEntries(page.cookies.map((c) => [c.name, c.value]));
  return {
    cookies,
    csrf: page.json<{ csrf: string }>().csrf,
    header: () => Object.entries(cookies).map(([k, v]) => `${k}=${v}`).join('; '),
    remember(response: { cookies: { name: string; value: string }[] }) {
      for (const c of response.cookies) cookies[c.name] = c.value;
    },
  };
}

describe('pages', () => {
  test('the home page presents the mutuelle and the login entry, in French', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.body).toContain('<html lang="fr">');
    expect(response.body).toContain('href="/connexion"');
    expect(response.body).toContain('Aller au contenu');
  });

  test('an unknown page gets the French 404 page; the API gets a JSON error with a stable code', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/nulle-part' });
    expect(page.statusCode).toBe(404);
    expect(page.body).toContain('Page introuvable');
    const api = await t.app.inject({ method: 'GET', url: '/api/v1/nulle-part' });
    expect(api.statusCode).toBe(404);
    expect(api.json()).toEqual({ error: { code: 'NOT_FOUND', message: expect.stringContaining("n'existe pas") } });
  });

  test('WEB-04 an unexpected error shows a generic French page without any internal detail', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/test/crash' });
    expect(response.statusCode).toBe(500);
    expect(response.body).toContain('Une erreur est survenue');
    expect(response.body).not.toContain('secret internal detail');
    expect(response.body).not.toContain('.ts');
  });

  test('typed errors map once to their status and code', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/test/typed', headers: { accept: 'application/json' } });
    expect(response.statusCode).toBe(423);
    expect(response.json().error.code).toBe('LOCKED');
  });

  test('malformed JSON gets a 400 with a stable code, never a 500', async () => {
    const response = await t.app.inject({ method: 'POST', url: '/api/v1/x', headers: { 'content-type': 'application/json' }, payload: '{' });
    expect(response.statusCode).toBeLessThan(500);
    expect(response.json().error.code).toMatch(/^[A-Z_]+$/);
  });

  test('VAL-03 a body over 100 kB is refused with 413', async () => {
    const b = await browser();
    const response = await t.app.inject({
      method: 'POST', url: '/test/form', headers: { cookie: b.header(), 'content-type': 'application/x-www-form-urlencoded' },
      payload: `_csrf=${b.csrf}&x=${'a'.repeat(110 * 1024)}`,
    });
    expect(response.statusCode).toBe(413);
  });
});

describe('WEB-02 security headers on every registered route', () => {
  test('CSP, HSTS, nosniff, referrer policy, frame denial and no-store', async () => {
    const urls = ['/', '/connexion', '/accessibilite', '/mentions-legales', '/healthz', '/nulle-part', '/test/crash'];
    for (const url of urls) {
      const { headers } = await t.app.inject({ method: 'GET', url });
      expect(headers['content-security-policy'], url).toContain("object-src 'none'");
      expect(headers['content-security-policy'], url).toContain("frame-ancestors 'none'");
      expect(headers['content-security-policy'], url).toContain("base-uri 'none'");
      expect(headers['content-security-policy'], url).not.toContain('unsafe-inline');
      expect(headers['strict-transport-security'], url).toBe('max-age=31536000; includeSubDomains');
      expect(headers['x-content-type-options'], url).toBe('nosniff');
      expect(headers['referrer-policy'], url).toBe('same-origin');
      expect(headers['cache-control'], url).toBe('no-store');
    }
  });

  test('static assets are cacheable and still carry nosniff', async () => {
    const { statusCode, headers } = await t.app.inject({ method: 'GET', url: '/static/site.css' });
    expect(statusCode).toBe(200);
    expect(headers['cache-control']).toContain('max-age=3600');
    expect(headers['x-content-type-options']).toBe('nosniff');
  });

  test('WEB-04 no directory listing, no dotfiles, no traversal out of public/', async () => {
    for (const url of ['/static/', '/static/.git/config', '/static/../package.json', '/static/%2e%2e/package.json', '/.git/config', '/package.json']) {
      const { statusCode } = await t.app.inject({ method: 'GET', url });
      expect(statusCode, url).toBeGreaterThanOrEqual(400);
    }
  });

  test('WEB-04 TRACE is not served', async () => {
    const { statusCode } = await t.app.inject({ method: 'TRACE' as 'GET', url: '/' });
    expect(statusCode).toBeGreaterThanOrEqual(400);
  });
});

describe('SES-05 CSRF', () => {
  test('a form post without the token is refused', async () => {
    const b = await browser();
    const response = await t.app.inject({ method: 'POST', url: '/test/form', headers: { cookie: b.header() }, payload: { x: '1' } });
    expect(response.statusCode).toBe(403);
    expect(response.body).toContain('Le formulaire a expiré');
  });

  test('a post with the token from another browser is refused', async () => {
    const mine = await browser();
    const theirs = await browser();
    const response = await t.app.inject({ method: 'POST', url: '/test/form', headers: { cookie: mine.header() }, payload: { _csrf: theirs.csrf } });
    expect(response.statusCode).toBe(403);
  });

  test('a cross-origin post is refused even with a valid token', async () => {
    const b = await browser();
    const response = await t.app.inject({ method: 'POST', url: '/test/form', headers: { cookie: b.header(), origin: 'https://evil.test' }, payload: { _csrf: b.csrf } });
    expect(response.statusCode).toBe(403);
  });

  test('a same-origin post with the token goes through', async () => {
    const b = await browser();
    const response = await t.app.inject({ method: 'POST', url: '/test/form', headers: { cookie: b.header(), origin: 'https://espace.test' }, payload: { _csrf: b.csrf } });
    expect(response.statusCode).toBe(200);
  });
});

describe('sessions', () => {
  async function loggedIn() {
    const b = await browser();
    const login = await t.app.inject({ method: 'POST', url: '/test/login', headers: { cookie: b.header() }, payload: { _csrf: b.csrf } });
    expect(login.statusCode).toBe(200);
    b.remember(login);
    return b;
  }
  const sessionOf = async (b: Awaited<ReturnType<typeof browser>>) =>
    (await t.app.inject({ method: 'GET', url: '/test/form', headers: { cookie: b.header() } })).json<{ session: unknown }>().session;

  test('SES-04 session cookies are __Host-, Secure, HttpOnly, SameSite=Lax, Path=/', async () => {
    const b = await browser();
    const login = await t.app.inject({ method: 'POST', url: '/test/login', headers: { cookie: b.header() }, payload: { _csrf: b.csrf } });
    const setCookies = ([] as string[]).concat(login.headers['set-cookie'] ?? []);
    const session = setCookies.find((c) => c.startsWith('__Host-espace-session='));
    expect(session).toBeDefined();
    expect(session).toMatch(/; Path=\/(;|$)/);
    expect(session).toContain('Secure');
    expect(session).toContain('HttpOnly');
    expect(session).toContain('SameSite=Lax');
    expect(session).not.toContain('Domain=');
  });

  test('SES-01 the session id is random, at least 128 bits, stored only as a hash', async () => {
    const a = await loggedIn();
    const b = await loggedIn();
    const idA = a.cookies['__Host-espace-session']!;
    expect(idA).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(idA).not.toBe(b.cookies['__Host-espace-session']);
    const { rows } = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM session WHERE id_hash = $1', [idA]);
    expect(rows[0]!.n).toBe(0);
  });

  test('SES-02 a member session expires after 15 minutes idle, not before', async () => {
    const b = await loggedIn();
    clock.advance(14 * 60_000 + 59_000);
    expect(await sessionOf(b)).not.toBeNull();
    clock.advance(14 * 60_000 + 59_000);
    expect(await sessionOf(b)).not.toBeNull();
    clock.advance(15 * 60_000 + 1_000);
    expect(await sessionOf(b)).toBeNull();
  });

  test('SES-02 last_seen_at is written at most once a minute: page views within it write nothing, and idle expiry is at most a minute early', async () => {
    const b = await loggedIn();
    const hash = createHash('sha256').update(b.cookies['__Host-espace-session']!).digest('base64url');
    const lastSeen = async () => (await t.db.query<{ at: Date }>('SELECT last_seen_at AS at FROM session WHERE id_hash = $1', [hash])).rows[0]!.at.getTime();
    const start = await lastSeen();
    clock.advance(59_000);
    expect(await sessionOf(b)).not.toBeNull();
    expect(await lastSeen()).toBe(start);
    clock.advance(2_000);
    expect(await sessionOf(b)).not.toBeNull();
    expect(await lastSeen()).toBe(start + 61_000);
    // Seen 30 s after that write (nothing written), then idle: the session ends 15 min after the write, 14 min 31 s
    // after the last view.
    clock.advance(30_000);
    expect(await sessionOf(b)).not.toBeNull();
    expect(await lastSeen()).toBe(start + 61_000);
    clock.advance(14 * 60_000 + 31_000);
    expect(await sessionOf(b)).toBeNull();
  });

  test('SES-02 a member session ends after 4 hours even when active', async () => {
    const b = await loggedIn();
    for (let minutes = 0; minutes < 239; minutes += 10) {
      clock.advance(10 * 60_000);
      if (minutes < 230) expect(await sessionOf(b)).not.toBeNull();
    }
    clock.advance(2 * 60_000);
    expect(await sessionOf(b)).toBeNull();
  });

  test('after a session expires, the next page gives a CSRF token that works without the dead cookie', async () => {
    const b = await loggedIn();
    clock.advance(16 * 60_000);
    const page = await t.app.inject({ method: 'GET', url: '/test/form', headers: { cookie: b.header() } });
    expect(page.json().session).toBeNull();
    const withoutSession = Object.entries(b.cookies).filter(([k]) => k !== '__Host-espace-session').map(([k, v]) => `${k}=${v}`).join('; ');
    const post = await t.app.inject({ method: 'POST', url: '/test/form', headers: { cookie: withoutSession }, payload: { _csrf: page.json().csrf } });
    expect(post.statusCode).toBe(200);
  });

  test('SES-03 logout kills the server-side session and sends Clear-Site-Data', async () => {
    const b = await loggedIn();
    const stolenCookie = b.header();
    const logout = await t.app.inject({ method: 'POST', url: '/test/logout', headers: { cookie: stolenCookie }, payload: { _csrf: (await t.app.inject({ method: 'GET', url: '/test/form', headers: { cookie: stolenCookie } })).json().csrf } });
    expect(logout.statusCode).toBe(200);
    expect(logout.headers['clear-site-data']).toBe('"cache", "storage"');
    expect(([] as string[]).concat(logout.headers['set-cookie'] ?? []).some((c) => c.startsWith('__Host-espace-session=;'))).toBe(true);
    expect(await sessionOf({ ...b, header: () => stolenCookie })).toBeNull();
  });
});

test('healthz answers 200 with a reachable database', async () => {
  const response = await t.app.inject({ method: 'GET', url: '/healthz' });
  expect(response.statusCode).toBe(200);
  expect(response.json()).toEqual({ status: 'ok' });
});
