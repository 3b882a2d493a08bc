/**
 * The JSON twins of the login pages under /api/v1/auth/* (issue 4, « API »), for a future mobile app. They call the
 * same use cases as the pages: verifyLogin, complete-login.ts (lock notice, then the session or the new-device
 * challenge), new-device.ts (answerChallenge, rememberDevice), requestCodeReset, and the same session store, cookies
 * and emails.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { AppError } from '../../platform/errors.ts';
import { SESSION_LIMITS } from '../../platform/http/sessions.ts';
import type { Feature, RouteContext } from '../../platform/http/server.ts';
import type { AccessCodeVerifier } from '../../platform/access-code-hash.ts';
import {
  codeResetRequest,
  deviceCheckRequest,
  emptyRequest,
  loginRequest,
  type CodeResetResponse,
  type DeviceCheckResponse,
  type LoginResponse,
  type PasskeyLoginResponse,
  type SessionResponse,
} from './api-schemas.ts';
import { maskEmail } from './login-routes.ts';
import {
  answerChallenge,
  deviceLabel,
  COOKIE_OPTIONS,
  DEVICE_COOKIE,
  NEW_DEVICE_LIMITS,
  normaliseAnswer,
  PENDING_COOKIE,
  readPending,
  writeAudit,
} from './new-device.ts';
import type { RecoveryDeps } from './recovery-common.ts';
import { requestCodeReset, RESET_REQUESTED_MESSAGE } from './request-code-reset.ts';
import { CODE_FORMAT_MESSAGE, LOGIN_CHALLENGE_MESSAGE, LOGIN_FAILED_MESSAGE, LOGIN_THROTTLED_MESSAGE, verifyLogin } from './verify-login.ts';
import { newLoginChallenge, type LoginChallenge } from './login-challenge.ts';
import { completePasskeyLogin, issuePasskeyLoginOptions, PASSKEY_LOGIN_FAILED } from './passkey-routes.ts';
import { confirmNewDevice, notifyLock, openSessionOrChallenge, setPendingLogin } from './complete-login.ts';

/** API-only error codes, in the same `{error:{code,message}}` shape as platform/errors.ts. */
export const API_ERRORS = {
  INVALID_CREDENTIALS: { status: 401, message: LOGIN_FAILED_MESSAGE },
  DEVICE_CHECK_EXPIRED: { status: 401, message: 'La confirmation de cet appareil a expiré ou a été annulée. Connectez-vous à nouveau pour recevoir un nouveau code.' },
  DEVICE_CHECK_UNAVAILABLE: { status: 409, message: 'Cet appareil ne peut pas être confirmé en ligne. Demandez un courrier avec « code oublié » ou appelez-nous.' },
  DEVICE_CODE_INVALID: { status: 422, message: 'Code incorrect.' },
  CHALLENGE_REQUIRED: { status: 428, message: LOGIN_CHALLENGE_MESSAGE },
  PASSKEY_LOGIN_FAILED: { status: 401, message: PASSKEY_LOGIN_FAILED },
} as const;

function apiError(reply: FastifyReply, code: keyof typeof API_ERRORS, extra: { attemptsLeft?: number; message?: string; challenge?: LoginChallenge } = {}) {
  const { status, message } = API_ERRORS[code];
  return reply.status(status).send({ error: { code, message, ...extra } });
}

/** VAL-03: strict schema; a failure names the fields (never echoes the values). */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return parsed.data;
  const fields: Record<string, string> = {};
  for (const issue of parsed.error.issues) {
    if (issue.code === 'unrecognized_keys') for (const key of issue.keys) fields[key.slice(0, 50)] = 'Champ inconnu.';
    else fields[String(issue.path[0] ?? '_')] = 'Valeur invalide.';
  }
  throw new AppError('VALIDATION', undefined, fields);
}

export type AuthApiOptions = { verifier?: AccessCodeVerifier };

export function authApiRoutes(options: AuthApiOptions = {}): Feature {
  return (app, context) => registerAuthApi(app, context, options);
}

function registerAuthApi(app: Parameters<Feature>[0], context: RouteContext, options: AuthApiOptions): void {
  const { config, db, clock, page, jobs, jobDefinitions, sessions } = context;
  const { organisation } = page;
  const pepper = config.secrets.codePepper;
  const cookieSecret = config.secrets.sessionSecret;
  const mailCommon = { organisationName: organisation.name, phone: organisation.phone, publicUrl: config.publicUrl };
  const loginContext = { ...context, mailCommon };
  const recoveryDeps: RecoveryDeps = {
    db, jobs, jobDefinitions, publicUrl: config.publicUrl, pepper,
    keys: { dataEncryptionKey: config.secrets.dataEncryptionKey, blindIndexKey: config.secrets.blindIndexKey },
  };
  // ------------------------------------------------------------------------------------------------------------
  app.get('/api/v1/auth/session', async (request, reply) => {
    const session = request.session?.kind === 'member' ? request.session : null;
    const expiresAt = session
      ? new Date(Math.min(session.lastSeenAt.getTime() + SESSION_LIMITS.member.idleMs, new Date(session.absoluteExpiresAt).getTime())).toISOString()
      : null;
    const body: SessionResponse = { authenticated: session !== null, expiresAt, csrfToken: request.csrfToken };
    return reply.header('cache-control', 'no-store').send(body);
  });

  // ------------------------------------------------------------------------------------------------------------
  app.post('/api/v1/auth/login', async (request, reply) => {
    const { nir, code, challenge } = parseBody(loginRequest, request.body);
    const now = clock();
    const ip = request.ip;
    const outcome = await verifyLogin(db, { nir, code, ip, now, challenge: challenge ?? null, device: deviceLabel(request.headers['user-agent']) }, { keys: { blindIndexKey: config.secrets.blindIndexKey }, pepper, verifier: options.verifier });
    switch (outcome.kind) {
      case 'VALIDATION': {
        const fields: Record<string, string> = { [outcome.field]: outcome.message };
        if (outcome.field === 'nir' && !/^[0-9]{6}$/.test(code)) fields.code = CODE_FORMAT_MESSAGE;
        throw new AppError('VALIDATION', undefined, fields);
      }
      case 'THROTTLED':
        throw new AppError('RATE_LIMITED', LOGIN_THROTTLED_MESSAGE);
      case 'CHALLENGE':
        return apiError(reply, 'CHALLENGE_REQUIRED', { message: outcome.message, challenge: newLoginChallenge(pepper, ip, now) });
      case 'INVALID':
      case 'LOCKED': {
        if (outcome.kind === 'INVALID' && outcome.lockedNow) await notifyLock(loginContext, outcome.lockedNow, now);
        return apiError(reply, 'INVALID_CREDENTIALS');
      }
      case 'SUCCESS':
        break;
    }
    const { memberId, attemptId } = outcome;
    const result = await openSessionOrChallenge(loginContext, request, reply, { memberId, attemptId, now, channel: 'API' });
    if (result.kind === 'SESSION') {
      const body: LoginResponse = { status: 'AUTHENTICATED' };
      return reply.header('cache-control', 'no-store').send(body);
    }
    setPendingLogin(reply, cookieSecret, { attemptId, method: result.method, now, next: '' });
    const body: LoginResponse = { status: 'DEVICE_CHECK_REQUIRED', method: result.method, maskedEmail: result.email ? maskEmail(result.email) : null };
    return reply.header('cache-control', 'no-store').send(body);
  });

  // ------------------------------------------------------------------------------------------------------------
  app.post('/api/v1/auth/device-check', async (request, reply) => {
    const { code } = parseBody(deviceCheckRequest, request.body);
    const now = clock();
    const ip = request.ip;
    const pending = readPending(cookieSecret, request.cookies[PENDING_COOKIE], now);
    const expired = () => {
      reply.clearCookie(PENDING_COOKIE, COOKIE_OPTIONS);
      return apiError(reply, 'DEVICE_CHECK_EXPIRED');
    };
    if (!pending) return expired();
    if (pending.method !== 'EMAIL' && pending.method !== 'LETTER') return apiError(reply, 'DEVICE_CHECK_UNAVAILABLE');
    const method = pending.method;
    const answer = normaliseAnswer(method, code);
    if (answer === null) throw new AppError('VALIDATION', undefined, { code: method === 'EMAIL' ? 'Le code de confirmation comporte exactement 6 chiffres.' : 'Le code d’activation comporte 8 lettres et chiffres.' });
    const result = await db.transaction(async (tx) => {
      const outcome = await answerChallenge(tx, { attemptId: pending.attemptId, method, answer, now, pepper });
      if (outcome.kind === 'RIGHT') {
        const { token } = await confirmNewDevice(tx, loginContext, request, reply, { memberId: outcome.memberId, attemptId: pending.attemptId, method, now, channel: 'API' });
        return { kind: 'RIGHT' as const, token };
      }
      if (outcome.memberId) {
        const action = outcome.kind === 'VOID' ? 'auth.device.challenge.voided' : 'auth.device.challenge.failure';
        await writeAudit(tx, { now, ip, actorType: 'anonymous', actorId: null, action, memberId: outcome.memberId, details: { attemptId: pending.attemptId, method, channel: 'API' } });
      }
      return outcome;
    });
    if (result.kind === 'VOID') return expired();
    if (result.kind === 'WRONG') return apiError(reply, 'DEVICE_CODE_INVALID', { attemptsLeft: result.attemptsLeft });
    reply.clearCookie(PENDING_COOKIE, COOKIE_OPTIONS);
    reply.setCookie(DEVICE_COOKIE, result.token, { ...COOKIE_OPTIONS, maxAge: Math.floor(NEW_DEVICE_LIMITS.trustedDeviceMs / 1000) });
    const body: DeviceCheckResponse = { status: 'AUTHENTICATED' };
    return reply.header('cache-control', 'no-store').send(body);
  });

  // ------------------------------------------------------------------------------------------------------------
  // Passkeys: the same two steps as /connexion/cle/options and /connexion/cle (passkey-routes.ts).
  app.post('/api/v1/auth/passkey/options', async (request, reply) => {
    parseBody(emptyRequest, request.body);
    const options = await issuePasskeyLoginOptions(context, request, reply);
    return reply.header('cache-control', 'no-store').send(options);
  });

  app.post('/api/v1/auth/passkey/login', async (request, reply) => {
    if (!(await completePasskeyLogin(context, request, reply, 'API'))) return apiError(reply, 'PASSKEY_LOGIN_FAILED');
    const body: PasskeyLoginResponse = { status: 'AUTHENTICATED' };
    return reply.header('cache-control', 'no-store').send(body);
  });

  // ------------------------------------------------------------------------------------------------------------
  app.post('/api/v1/auth/logout', async (request: FastifyRequest, reply) => {
    parseBody(emptyRequest, request.body);
    const session = request.session;
    if (session?.kind === 'member') {
      await writeAudit(db, { now: clock(), ip: request.ip, actorType: 'member', actorId: session.subjectId, action: 'auth.logout', memberId: session.subjectId, details: { channel: 'API' } });
    }
    await sessions.end(request, reply);
    return reply.status(204).send();
  });

  // ------------------------------------------------------------------------------------------------------------
  app.post('/api/v1/auth/code-reset-requests', async (request, reply) => {
    const { nir } = parseBody(codeResetRequest, request.body);
    const outcome = await requestCodeReset(recoveryDeps, { nir, ip: request.ip, now: clock() });
    if (outcome.kind === 'VALIDATION') throw new AppError('VALIDATION', undefined, { nir: outcome.message });
    // ENUM-01: one answer, whatever the NIR and whatever was sent.
    const body: CodeResetResponse = { message: RESET_REQUESTED_MESSAGE };
    return reply.status(202).header('cache-control', 'no-store').send(body);
  });
}
