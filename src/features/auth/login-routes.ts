/**
 * Member login over HTTP (issue 4): /connexion (NIR + code), /connexion/appareil (new-device check, AUTH-05),
 * /deconnexion, and the member's devices page /profil/securite/appareils (issue 8 moved it under the profile) (the member home /espace is features/dashboard).
 *
 * ENUM-01: a wrong code, an unknown NIR, a locked account and an account without code or email get the same page,
 * status and headers; only the CSRF token and the NIR the visitor typed (shown again in its field) differ. Per-IP
 * throttling (THR-03) says so in its own words and with 429: it depends on the client, not on the account.
 */
import type { FastifyReply } from 'fastify';
import { h } from 'preact';
import { z } from 'zod';
import { parseNir } from '../../domain/identity/nir.ts';
import type { AccessCodeVerifier } from '../../platform/access-code-hash.ts';
import { AppError } from '../../platform/errors.ts';
import { sendPage } from '../../platform/http/render.ts';
import type { Feature, RouteContext } from '../../platform/http/server.ts';
import { DeviceCheckPage, DevicesPage, LoginPage, type LoginPageProps } from './login-page.tsx';
import {
  COOKIE_OPTIONS,
  DEVICE_COOKIE,
  NEW_DEVICE_LIMITS,
  PENDING_COOKIE,
  answerChallenge,
  deviceLabel,
  findChallenge,
  normaliseAnswer,
  readPending,
  tokenHash,
  verifiedEmailOf,
  writeAudit,
  type ChallengeMethod,
} from './new-device.ts';
import { listMemberDevices, revokeMemberDevice } from './member-sessions.ts';
import { SECURITY_PATHS } from './security-paths.ts';
import { EMAIL_CHECK_PATH, memberBar, needsEmailCheck, registerSessionRoutes } from './session-routes.ts';
import { CODE_FORMAT_MESSAGE, LOGIN_FAILED_MESSAGE, LOGIN_THROTTLED_MESSAGE, verifyLogin } from './verify-login.ts';
import { csrfOnlyBody, firstNameOf, MEMBER_HOME, requireMember, safeNext } from './member-area.ts';
import { loginChallengeRequired, newLoginChallenge } from './login-challenge.ts';
import { confirmNewDevice, notifyLock, openSessionOrChallenge, setPendingLogin } from './complete-login.ts';

// VAL-03: every body and parameter through a strict schema (unknown keys refused), with length caps.
const loginBody = z.strictObject({
  _csrf: z.string().max(200),
  nir: z.string().max(100),
  code: z.string().max(100),
  next: z.string().max(500).optional(),
  challengeToken: z.string().max(200).optional(),
  challengeAnswer: z.string().max(20).optional(),
});
const loginQuery = z.object({ next: z.string().max(500).optional(), motif: z.string().max(30).optional() });
const deviceBody = z.strictObject({ _csrf: z.string().max(200), code: z.string().max(100) });
const deviceParams = z.strictObject({ id: z.uuid() });
const devicesQuery = z.object({ retire: z.string().max(5).optional() });

const NOTICES: Record<string, string> = {
  expire: 'Le délai pour confirmer cet appareil est dépassé. Connectez-vous à nouveau pour recevoir un nouveau code.',
  annule: 'Après trop de codes erronés, la confirmation de cet appareil est annulée. Connectez-vous à nouveau pour recevoir un nouveau code.',
  session: 'Votre session a pris fin. Connectez-vous à nouveau.',
};

/** c•••@exemple.fr */
export function maskEmail(address: string): string {
  const [local = '', domain = ''] = address.split('@');
  return `${local.slice(0, 1)}•••@${domain}`;
}

export type LoginRouteOptions = {
  /** Tests count or cheapen verifications; the default is argon2id with the OWASP parameters. */
  verifier?: AccessCodeVerifier;
};

export function loginRoutes(options: LoginRouteOptions = {}): Feature {
  return (app, context) => registerLoginRoutes(app, context, options);
}

function registerLoginRoutes(app: Parameters<Feature>[0], context: RouteContext, options: LoginRouteOptions): void {
  const { config, db, clock, page, sessions } = context;
  const { organisation } = page;
  const pepper = config.secrets.codePepper;
  const cookieSecret = config.secrets.sessionSecret;
  const mailCommon = { organisationName: organisation.name, phone: organisation.phone, publicUrl: config.publicUrl };
  const loginContext = { ...context, mailCommon };

  const challengeFor = async (ip: string, now: Date) => ((await loginChallengeRequired(db, ip, now)) ? newLoginChallenge(pepper, ip, now) : null);
  const renderLogin = (reply: FastifyReply, props: Omit<LoginPageProps, 'organisation'>, status = 200) => sendPage(reply, h(LoginPage, { organisation, ...props }), status);


  const setDeviceCookie = (reply: FastifyReply, token: string) =>
    reply.setCookie(DEVICE_COOKIE, token, { ...COOKIE_OPTIONS, maxAge: Math.floor(NEW_DEVICE_LIMITS.trustedDeviceMs / 1000) });

  // ------------------------------------------------------------------------------------------------------------
  app.get('/connexion', async (request, reply) => {
    const query = loginQuery.safeParse(request.query);
    const next = query.success ? safeNext(query.data.next) : null;
    if (request.session?.kind === 'member') return reply.redirect(next ?? MEMBER_HOME, 303);
    const motif = query.success ? query.data.motif : undefined;
    const challenge = await challengeFor(request.ip, clock());
    return renderLogin(reply, { csrfToken: request.csrfToken, nir: '', next, fieldErrors: {}, formError: null, notice: motif ? (NOTICES[motif] ?? null) : null, challenge });
  });

  app.post('/connexion', async (request, reply) => {
    const parsed = loginBody.safeParse(request.body);
    if (!parsed.success) throw new AppError('VALIDATION');
    const { nir, code, challengeToken, challengeAnswer } = parsed.data;
    const next = safeNext(parsed.data.next);
    const now = clock();
    const ip = request.ip;
    // An empty answer field counts as no answer: the question is asked again, not marked wrong.
    const challenge = challengeToken !== undefined && (challengeAnswer ?? '').trim() !== '' ? { token: challengeToken, answer: challengeAnswer! } : null;
    const outcome = await verifyLogin(db, { nir, code, ip, now, challenge, device: deviceLabel(request.headers['user-agent']) }, { keys: { blindIndexKey: config.secrets.blindIndexKey }, pepper, verifier: options.verifier });
    // Any refusal shows the next attempt's question when this network now needs one (THR-03).
    const again = async (status: number, fieldErrors: LoginPageProps['fieldErrors'], formError: string | null) =>
      renderLogin(reply, { csrfToken: request.csrfToken, nir, next, fieldErrors, formError, notice: null, challenge: await challengeFor(ip, now) }, status);

    switch (outcome.kind) {
      case 'VALIDATION': {
        // Both fields at once, in the words of the use case (checked before any lookup).
        const parsedNir = parseNir(nir);
        const fieldErrors: LoginPageProps['fieldErrors'] = {};
        if (!parsedNir.ok) fieldErrors.nir = nir.trim() === '' ? 'Saisissez votre numéro de Sécurité sociale.' : parsedNir.error.message;
        if (!/^[0-9]{6}$/.test(code)) fieldErrors.code = code === '' ? 'Saisissez votre code d’accès à 6 chiffres.' : CODE_FORMAT_MESSAGE;
        return again(400, fieldErrors, null);
      }
      case 'THROTTLED':
        return again(429, {}, LOGIN_THROTTLED_MESSAGE);
      case 'CHALLENGE':
        return again(400, outcome.answered ? { challengeAnswer: 'Réponse incorrecte : répondez à la nouvelle question, en chiffres.' } : {}, outcome.message);
      case 'INVALID':
      case 'LOCKED': {
        if (outcome.kind === 'INVALID' && outcome.lockedNow) await notifyLock(loginContext, outcome.lockedNow, now);
        return again(401, {}, LOGIN_FAILED_MESSAGE);
      }
      case 'SUCCESS':
        break;
    }
    const { memberId, attemptId } = outcome;
    const result = await openSessionOrChallenge(loginContext, request, reply, { memberId, attemptId, now, channel: 'PAGE' });
    if (result.kind === 'SESSION') return reply.redirect(result.checkEmail ? EMAIL_CHECK_PATH : (next ?? MEMBER_HOME), 303);
    setPendingLogin(reply, cookieSecret, { attemptId, method: result.method, now, next: next ?? '' });
    return reply.redirect('/connexion/appareil', 303);
  });

  // ------------------------------------------------------------------------------------------------------------
  const restart = (reply: FastifyReply, motif: 'expire' | 'annule') => {
    reply.clearCookie(PENDING_COOKIE, COOKIE_OPTIONS);
    return reply.redirect(`/connexion?motif=${motif}`, 303);
  };

  app.get('/connexion/appareil', async (request, reply) => {
    const now = clock();
    const pending = readPending(cookieSecret, request.cookies[PENDING_COOKIE], now);
    if (!pending) return restart(reply, 'expire');
    let maskedEmail: string | null = null;
    if (pending.method === 'EMAIL' || pending.method === 'LETTER') {
      const challenge = await findChallenge(db, pending.attemptId, now);
      if (!challenge) return restart(reply, 'expire');
      if (pending.method === 'EMAIL') {
        const email = await verifiedEmailOf(db, config.secrets.dataEncryptionKey, challenge.memberId);
        maskedEmail = email ? maskEmail(email) : null;
      }
    }
    return sendPage(reply, h(DeviceCheckPage, { organisation, csrfToken: request.csrfToken, method: pending.method, maskedEmail, error: null }));
  });

  app.post('/connexion/appareil', async (request, reply) => {
    const parsed = deviceBody.safeParse(request.body);
    if (!parsed.success) throw new AppError('VALIDATION');
    const now = clock();
    const ip = request.ip;
    const pending = readPending(cookieSecret, request.cookies[PENDING_COOKIE], now);
    if (!pending || (pending.method !== 'EMAIL' && pending.method !== 'LETTER')) return restart(reply, 'expire');
    const method: ChallengeMethod = pending.method;
    const again = async (memberId: string, error: string) => {
      const email = method === 'EMAIL' ? await verifiedEmailOf(db, config.secrets.dataEncryptionKey, memberId) : null;
      return sendPage(reply, h(DeviceCheckPage, { organisation, csrfToken: request.csrfToken, method, maskedEmail: email ? maskEmail(email) : null, error }), 400);
    };
    const answer = normaliseAnswer(method, parsed.data.code);
    if (answer === null) {
      const challenge = await findChallenge(db, pending.attemptId, now);
      if (!challenge) return restart(reply, 'expire');
      return again(challenge.memberId, method === 'EMAIL' ? 'Le code de confirmation comporte exactement 6 chiffres.' : 'Le code d’activation comporte 8 lettres et chiffres.');
    }
    const result = await db.transaction(async (tx) => {
      const outcome = await answerChallenge(tx, { attemptId: pending.attemptId, method, answer, now, pepper });
      const base = { now, ip, attemptId: pending.attemptId };
      if (outcome.kind === 'RIGHT') {
        const { memberId } = outcome;
        const { token } = await confirmNewDevice(tx, loginContext, request, reply, { memberId, attemptId: base.attemptId, method, now, channel: 'PAGE' });
        return { kind: 'RIGHT' as const, token, checkEmail: await needsEmailCheck(tx, config.secrets.dataEncryptionKey, memberId, now) };
      }
      if (outcome.memberId) {
        const action = outcome.kind === 'VOID' ? 'auth.device.challenge.voided' : 'auth.device.challenge.failure';
        await writeAudit(tx, { now, ip, actorType: 'anonymous', actorId: null, action, memberId: outcome.memberId, details: { attemptId: base.attemptId, method } });
      }
      return outcome;
    });
    if (result.kind === 'RIGHT') {
      reply.clearCookie(PENDING_COOKIE, COOKIE_OPTIONS);
      setDeviceCookie(reply, result.token);
      if (result.checkEmail) return reply.redirect(EMAIL_CHECK_PATH, 303);
      return reply.redirect(pending.next ? (safeNext(pending.next) ?? MEMBER_HOME) : MEMBER_HOME, 303);
    }
    if (result.kind === 'VOID') return restart(reply, result.memberId ? 'annule' : 'expire');
    const left = result.attemptsLeft;
    return again(result.memberId, `Code incorrect. Vérifiez le code ${method === 'EMAIL' ? 'reçu par email' : 'du courrier'} : ${left === 1 ? 'il vous reste 1 essai' : `il vous reste ${left} essais`}.`);
  });

  registerSessionRoutes(app, context);

  // ------------------------------------------------------------------------------------------------------------
  app.post('/deconnexion', async (request, reply) => {
    if (!csrfOnlyBody.safeParse(request.body).success) throw new AppError('VALIDATION');
    const session = request.session;
    if (session?.kind === 'member') {
      await writeAudit(db, { now: clock(), ip: request.ip, actorType: 'member', actorId: session.subjectId, action: 'auth.logout', memberId: session.subjectId, details: {} });
    }
    await sessions.end(request, reply);
    return reply.redirect('/?deconnexion=1', 303);
  });

  // ------------------------------------------------------------------------------------------------------------
  // The member home (MEMBER_HOME, /espace) is the dashboard feature's page (features/dashboard/routes.ts).
  app.get(SECURITY_PATHS.devices, async (request, reply) => {
    const memberId = requireMember(request, reply);
    if (!memberId) return reply;
    const query = devicesQuery.safeParse(request.query);
    const devices = await listMemberDevices(db, memberId, { deviceCookie: request.cookies[DEVICE_COOKIE], now: clock() });
    const notice = query.success && query.data.retire === '1' ? 'L’appareil a été retiré : il devra être confirmé par un code à sa prochaine connexion.' : null;
    const firstName = await firstNameOf(db, memberId);
    return sendPage(reply, h(DevicesPage, { organisation, csrfToken: request.csrfToken, firstName, devices, notice, member: memberBar(request, firstName, clock()) }));
  });

  app.post(`${SECURITY_PATHS.devices}/:id/retirer`, async (request, reply) => {
    if (!csrfOnlyBody.safeParse(request.body).success) throw new AppError('VALIDATION');
    const memberId = requireMember(request, reply);
    if (!memberId) return reply;
    const params = deviceParams.safeParse(request.params);
    if (!params.success) throw new AppError('NOT_FOUND');
    const revoked = await revokeMemberDevice(db, { memberId, ip: request.ip, now: clock(), channel: 'PAGE' }, params.data.id);
    // AC-02: another member's device, or one already gone, is simply not found.
    if (!revoked) throw new AppError('NOT_FOUND');
    const own = request.cookies[DEVICE_COOKIE];
    if (own && tokenHash(own) === revoked.tokenHash) reply.clearCookie(DEVICE_COOKIE, COOKIE_OPTIONS);
    return reply.redirect(`${SECURITY_PATHS.devices}?retire=1`, 303);
  });
}
