/**
 * Passkeys over HTTP (issue 4). Registration for a logged-in member: /profil/securite/cles-d-acces (list, remove),
 * POST /profil/securite/cles-d-acces/options then POST /profil/securite/cles-d-acces (JSON, called by /static/passkey.js). Login:
 * POST /connexion/cle/options then POST /connexion/cle. Every POST carries the CSRF token (X-CSRF-Token header for the
 * JSON calls). A passkey login opens the session without the emailed new-device code (the key is device-bound and
 * unlocked by the device), does not add a trusted device, and never bypasses the member lock (passkey-login.ts).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { h } from 'preact';
import { z } from 'zod';
import { randomToken } from '../../platform/crypto.ts';
import { AppError } from '../../platform/errors.ts';
import { sendPage } from '../../platform/http/render.ts';
import type { Feature, RouteContext } from '../../platform/http/server.ts';
import { SESSION_LIMITS } from '../../platform/http/sessions.ts';
import { COOKIE_OPTIONS, deviceLabel, writeAudit } from './new-device.ts';
import { PASSKEY_LIMITS, PASSKEY_LOGIN_COOKIE, listPasskeys, recentLoginOptions, relyingParty, removePasskey } from './passkey-common.ts';
import { loginOptions, loginWithPasskey } from './passkey-login.ts';
import { PasskeysPage } from './passkey-page.tsx';
import { registerPasskey, registrationOptions } from './passkey-registration.ts';
import { sendSecurityNotice } from './security-notices.ts';
import { SECURITY_PATHS } from './security-paths.ts';
import { firstNameOf, requireMember } from './member-area.ts';

export const PASSKEY_LOGIN_FAILED = 'La connexion avec une clé d’accès n’a pas abouti. Réessayez, ou connectez-vous avec votre numéro de Sécurité sociale et votre code d’accès.';
export const PASSKEY_REGISTRATION_FAILED = 'La clé d’accès n’a pas pu être ajoutée. Réessayez depuis cette page.';

const b64 = z.string().regex(/^[A-Za-z0-9_-]*={0,2}$/);
const credentialId = b64.min(16).max(1400);
const extensions = z.object({}).loose();
const TRANSPORTS = ['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb'] as const;
type Transport = (typeof TRANSPORTS)[number];
// Transports this library does not know yet are dropped rather than refused.
const transports = z
  .array(z.string().max(20))
  .max(10)
  .transform((list) => list.filter((t): t is Transport => (TRANSPORTS as readonly string[]).includes(t)));

// VAL-03: strict shapes with caps; only the fields /static/passkey.js sends.
const registrationBody = z.strictObject({
  id: credentialId,
  rawId: credentialId,
  type: z.literal('public-key'),
  response: z.strictObject({ clientDataJSON: b64.max(4000), attestationObject: b64.max(20_000), transports: transports.optional() }),
  clientExtensionResults: extensions,
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
});
export const authenticationBody = z.strictObject({
  id: credentialId,
  rawId: credentialId,
  type: z.literal('public-key'),
  response: z.strictObject({ clientDataJSON: b64.max(4000), authenticatorData: b64.max(4000), signature: b64.max(1000), userHandle: b64.max(200).optional() }),
  clientExtensionResults: extensions,
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
});
const removeBody = z.strictObject({ _csrf: z.string().max(200), id: z.string().max(1400) });
const pageQuery = z.object({ retire: z.string().max(5).optional(), ajout: z.string().max(5).optional() });

export const passkeyRoutes: Feature = (app, context) => register(app, context);

function register(app: Parameters<Feature>[0], context: RouteContext): void {
  const { config, db, clock, page, jobs, jobDefinitions } = context;
  const { organisation } = page;
  const rp = relyingParty(config.publicUrl, organisation.name);
  const memberCookie = SESSION_LIMITS.member.cookie;
  const noticeDeps = { config, jobs, jobDefinitions, mailCommon: { organisationName: organisation.name, phone: organisation.phone, publicUrl: config.publicUrl } };

  /** The JSON endpoints answer 401 without a member session (the script shows the message). */
  function memberOf(request: FastifyRequest): { memberId: string; sessionCookie: string } {
    const cookie = request.cookies[memberCookie];
    if (request.session?.kind !== 'member' || !cookie) throw new AppError('UNAUTHENTICATED');
    return { memberId: request.session.subjectId, sessionCookie: cookie };
  }

  // ------------------------------------------------------------------------------------------------------------
  app.get(SECURITY_PATHS.passkeys, async (request, reply) => {
    const memberId = requireMember(request, reply);
    if (!memberId) return reply;
    const query = pageQuery.safeParse(request.query);
    const notice =
      query.success && query.data.retire === '1'
        ? 'La clé d’accès a été retirée : elle ne permet plus de vous connecter.'
        : query.success && query.data.ajout === '1'
          ? 'La clé d’accès a été ajoutée : vous pourrez l’utiliser à votre prochaine connexion.'
          : null;
    return sendPage(reply, h(PasskeysPage, { organisation, csrfToken: request.csrfToken, firstName: await firstNameOf(db, memberId), passkeys: await listPasskeys(db, memberId), notice }));
  });

  app.post(`${SECURITY_PATHS.passkeys}/options`, async (request, reply) => {
    const { memberId, sessionCookie } = memberOf(request);
    const displayName = (await firstNameOf(db, memberId)) || 'Adhérent';
    const options = await db.transaction((tx) =>
      registrationOptions(tx, { rp, memberId, displayName, sessionCookie, ip: request.ip, now: clock(), secret: config.secrets.sessionSecret }),
    );
    return reply.header('Cache-Control', 'no-store').send(options);
  });

  app.post(SECURITY_PATHS.passkeys, async (request, reply) => {
    const { memberId, sessionCookie } = memberOf(request);
    const parsed = registrationBody.safeParse(request.body);
    if (!parsed.success) throw new AppError('VALIDATION', PASSKEY_REGISTRATION_FAILED);
    const now = clock();
    const ip = request.ip;
    const label = deviceLabel(request.headers['user-agent']);
    const outcome = await db.transaction(async (tx) => {
      const result = await registerPasskey(tx, { rp, memberId, sessionCookie, response: parsed.data, label, now });
      if (result.kind === 'REGISTERED') {
        await writeAudit(tx, { now, ip, actorType: 'member', actorId: memberId, action: 'auth.passkey.registered', memberId, details: { credentialId: result.credentialId, label } });
        await sendSecurityNotice(tx, noticeDeps, memberId, { kind: 'PASSKEY_ADDED', label, credentialId: result.credentialId }, now);
      }
      return result;
    });
    if (outcome.kind !== 'REGISTERED') {
      await writeAudit(db, { now, ip, actorType: 'member', actorId: memberId, action: 'auth.passkey.registration.failure', memberId, details: { reason: outcome.reason } });
      throw new AppError('VALIDATION', PASSKEY_REGISTRATION_FAILED);
    }
    return reply.send({ redirect: `${SECURITY_PATHS.passkeys}?ajout=1` });
  });

  app.post(`${SECURITY_PATHS.passkeys}/retirer`, async (request, reply) => {
    const memberId = requireMember(request, reply);
    if (!memberId) return reply;
    const parsed = removeBody.safeParse(request.body);
    if (!parsed.success) throw new AppError('VALIDATION');
    const now = clock();
    const removed = await db.transaction(async (tx) => {
      const done = await removePasskey(tx, memberId, parsed.data.id, now);
      if (done) await writeAudit(tx, { now, ip: request.ip, actorType: 'member', actorId: memberId, action: 'auth.passkey.removed', memberId, details: { credentialId: parsed.data.id } });
      return done;
    });
    // AC-02: another member's passkey, or one already removed, is simply not found.
    if (!removed) throw new AppError('NOT_FOUND');
    return reply.redirect(`${SECURITY_PATHS.passkeys}?retire=1`, 303);
  });

  // ------------------------------------------------------------------------------------------------------------
  app.post('/connexion/cle/options', async (request, reply) => {
    const options = await issuePasskeyLoginOptions(context, request, reply);
    return reply.header('Cache-Control', 'no-store').send(options);
  });

  app.post('/connexion/cle', async (request, reply: FastifyReply) => {
    if (await completePasskeyLogin(context, request, reply, 'PAGE')) return reply.send({ redirect: '/espace' });
    return reply.status(401).send({ error: { code: 'UNAUTHENTICATED', message: PASSKEY_LOGIN_FAILED } });
  });
}

type PasskeyContext = Pick<RouteContext, 'db' | 'clock' | 'config' | 'page' | 'sessions'>;

/** The discoverable-credential options of a passkey login and its opaque cookie; shared by the page and the API. */
export async function issuePasskeyLoginOptions(context: PasskeyContext, request: FastifyRequest, reply: FastifyReply) {
  const { db, clock, config, page } = context;
  const now = clock();
  if ((await recentLoginOptions(db, request.ip, now)) >= PASSKEY_LIMITS.loginOptionsPerIp) throw new AppError('RATE_LIMITED');
  const cookie = randomToken(32);
  const rp = relyingParty(config.publicUrl, page.organisation.name);
  const options = await db.transaction((tx) => loginOptions(tx, { rp, cookie, ip: request.ip, now }));
  reply.setCookie(PASSKEY_LOGIN_COOKIE, cookie, { ...COOKIE_OPTIONS, maxAge: Math.floor(PASSKEY_LIMITS.challengeTtlMs / 1000) });
  return options;
}

/**
 * Checks the signed assertion of a passkey login (loginWithPasskey) and opens the session; false for any failure,
 * audited with its reason (LOG-01) while the caller gives one generic answer. Shared by the page and the API.
 */
export async function completePasskeyLogin(context: PasskeyContext, request: FastifyRequest, reply: FastifyReply, channel: 'PAGE' | 'API'): Promise<boolean> {
  const { db, clock, config, page, sessions } = context;
  const now = clock();
  const ip = request.ip;
  const rp = relyingParty(config.publicUrl, page.organisation.name);
  const channelDetail = channel === 'API' ? { channel } : {};
  const cookie = request.cookies[PASSKEY_LOGIN_COOKIE];
  reply.clearCookie(PASSKEY_LOGIN_COOKIE, COOKIE_OPTIONS);
  const parsed = authenticationBody.safeParse(request.body);
  const outcome = await db.transaction(async (tx) => {
    // A malformed answer still consumes nothing: it is refused like any other failure.
    if (!parsed.success) return { kind: 'FAILURE' as const, memberId: null, reason: 'MALFORMED' as const };
    const result = await loginWithPasskey(tx, { rp, cookie, response: parsed.data, now });
    if (result.kind === 'SUCCESS') {
      const { memberId, credentialId } = result;
      await sessions.start(tx, reply, request, 'member', memberId);
      await writeAudit(tx, { now, ip, actorType: 'member', actorId: memberId, action: 'auth.passkey.login', memberId, details: { credentialId, ...channelDetail } });
      await writeAudit(tx, { now, ip, actorType: 'member', actorId: memberId, action: 'auth.session.start', memberId, details: { credentialId, via: 'PASSKEY', device: deviceLabel(request.headers['user-agent']), ...channelDetail } });
    }
    return result;
  });
  if (outcome.kind === 'SUCCESS') return true;
  await writeAudit(db, { now, ip, actorType: 'anonymous', actorId: null, action: 'auth.passkey.failure', memberId: outcome.memberId, details: { reason: outcome.reason, ...channelDetail } });
  return false;
}
