import { afterAll, beforeAll, expect, test } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { features } from '../src/features/index.ts';
import { createPlatform, loadPageContext } from '../src/platform/app.ts';
import { buildServer, type Feature } from '../src/platform/http/server.ts';
import { testConfig, testLogger } from './app.ts';
import { createTestDatabase, type TestDatabase } from './db.ts';

/**
 * AUTH-04: every route is either on this documented public list or refuses a visitor without a session.
 * A new public route must be added here on purpose, with its reason. (Static files are served by the platform, before any
 * feature, from public/ only: see the WEB-04 tests.)
 */
const PUBLIC_ROUTES: Record<string, string> = {
  'GET /': 'home page',
  'GET /accessibilite': 'accessibility statement',
  'GET /mentions-legales': 'legal notice',
  'GET /healthz': 'load balancer health check',
  'GET /dev/courriels': 'dev mailbox (absent in production)',
  'GET /dev/courriels/:file': 'dev mailbox (absent in production)',
  'GET /connexion': 'login form',
  'POST /connexion': 'login',
  'GET /connexion/appareil': 'new-device check (needs the signed pending-login cookie)',
  'POST /connexion/appareil': 'new-device check (needs the signed pending-login cookie)',
  'POST /deconnexion': 'logout (harmless without a session)',
  'GET /code-oublie': 'forgotten code form',
  'POST /code-oublie': 'forgotten code request',
  'GET /code-oublie/demande-enregistree': 'generic answer',
  'GET /code-oublie/nouveau': 'reset link landing (needs the token)',
  'POST /code-oublie/nouveau': 'new code (needs the token)',
  'GET /code-oublie/code-enregistre': 'confirmation page after a reset (static text)',
  'GET /activation': 'activation form',
  'POST /connexion/cle/options': 'passkey login: a challenge (rate-limited per IP)',
  'POST /connexion/cle': 'passkey login: the signed answer',
  'GET /api/v1/openapi.json': 'API description',
  'GET /api/v1/auth/session': 'tells a JSON client whether it is logged in, and its CSRF token',
  'POST /api/v1/auth/login': 'login (JSON)',
  'POST /api/v1/auth/device-check': 'new-device check (JSON; needs the pending-login cookie)',
  'POST /api/v1/auth/logout': 'logout (JSON)',
  'POST /api/v1/auth/code-reset-requests': 'forgotten code request (JSON)',
  'POST /api/v1/auth/passkey/options': 'passkey login: a challenge (JSON, rate-limited per IP)',
  'POST /api/v1/auth/passkey/login': 'passkey login: the signed answer (JSON)',
  'POST /activation': 'activation with the letter code',
  'GET /verifier': 'checks the signed code of a card or an attestation, for the professionals shown it (issue 7)',
  'GET /api/v1/verify': 'the same check (JSON)',
  'GET /.well-known/jwks.json': 'public keys of the document signatures',
  'GET /profil/email/confirmer': 'email change link landing (needs the token of the link sent to the new address)',
  'POST /profil/email/confirmer': 'email change confirmation (needs the token)',
  'POST /api/v1/profile/email-change/confirm': 'the same confirmation (JSON; needs the token)',
  'GET /annulation-banque': '« ce n’est pas moi » form for an IBAN change (FRD-02; the member may be locked out)',
  'POST /annulation-banque': 'cancels an IBAN change with the notice’s 80-bit code',
  'POST /api/v1/profile/bank-account/not-me': 'the same cancellation (JSON)',
  'GET /espace/code': '301 to /profil/securite/code (issue 8 moved the page; the target checks the session)',
  'GET /espace/appareils': '301 to /profil/securite/appareils (moved page)',
  'GET /espace/sessions': '301 to /profil/securite/sessions (moved page)',
  'GET /espace/cles-d-acces': '301 to /profil/securite/cles-d-acces (moved page)',
};
const isPublic = (method: string, url: string) =>
  Object.keys(PUBLIC_ROUTES).some((entry) => {
    const [m, pattern] = entry.split(' ') as [string, string];
    return m === method && (pattern.endsWith('*') ? url.startsWith(pattern.slice(0, -1)) : pattern === url);
  });

const routes: { method: string; url: string }[] = [];
const recorder: Feature = (app) => {
  app.addHook('onRoute', (route) => {
    for (const method of ([] as string[]).concat(route.method)) if (method !== 'HEAD') routes.push({ method, url: route.url });
  });
};

let db: TestDatabase;
let app: FastifyInstance;
let stop: () => Promise<void>;
beforeAll(async () => {
  db = await createTestDatabase();
  const config = testConfig();
  const logger = testLogger('route-registry');
  const platform = await createPlatform(config, db, logger);
  app = await buildServer({ config, db, logger, clock: () => new Date(), page: await loadPageContext(db), jobs: platform.jobs, jobDefinitions: platform.jobDefinitions }, [recorder, ...features]);
  await app.ready();
  stop = async () => {
    await app.close();
    await platform.jobs.stop();
    await platform.mailer.close();
    await db.close();
  };
});
afterAll(async () => stop());

test('AUTH-04 every route outside the documented public list refuses a visitor without a session', async () => {
  expect(routes.length).toBeGreaterThan(10);
  const guarded = routes.filter((r) => !isPublic(r.method, r.url));
  expect(guarded.length).toBeGreaterThan(0);
  const open: string[] = [];
  for (const route of guarded) {
    const url = route.url.replace(/:[A-Za-z]+/g, '00000000-0000-4000-8000-000000000000').replace(/\*$/, 'x');
    // A browser would also send the CSRF cookie and token: get them, so that the answer is about the session, not CSRF.
    const page = await app.inject({ method: 'GET', url: '/connexion' });
    const cookie = page.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
    const response = await app.inject({
      method: route.method as 'GET', url, headers: { cookie, accept: 'text/html', 'x-csrf-token': csrf }, payload: route.method === 'GET' ? undefined : { _csrf: csrf },
    });
    const refused = response.statusCode === 401 || response.statusCode === 403 || response.statusCode === 404 || ([302, 303].includes(response.statusCode) && String(response.headers.location).startsWith('/connexion'));
    if (!refused) open.push(`${route.method} ${route.url} answered ${response.statusCode} ${response.headers.location ?? ''}`);
  }
  expect(open).toEqual([]);
});

test('AUTH-04 every documented public route exists (the list does not rot)', () => {
  for (const entry of Object.keys(PUBLIC_ROUTES)) {
    const [method, pattern] = entry.split(' ') as [string, string];
    expect(routes.some((r) => r.method === method && (r.url === pattern || (pattern.endsWith('*') && r.url.startsWith(pattern.slice(0, -1))))), entry).toBe(true);
  }
});
