/**
 * Routes of the recovery flows (issue 4): /code-oublie (request), /code-oublie/nouveau (choose a code from the
 * emailed link), /activation (letter's code), /profil/securite/code (change, logged in). POST-redirect-GET throughout.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { h } from 'preact';
import { z } from 'zod';
import { AppError } from '../../platform/errors.ts';
import { sendPage } from '../../platform/http/render.ts';
import type { Feature } from '../../platform/http/server.ts';
import { activateAccount, ACTIVATION_FAILED_MESSAGE, ACTIVATION_THROTTLED_MESSAGE } from './activate-account.ts';
import { CHANGE_LOCKED_MESSAGE, changeCode } from './change-code.ts';
import { RECOVERY_LIMITS, type RecoveryDeps } from './recovery-common.ts';
import { ActivationPage, ChangeCodePage, CodeSavedPage, ForgotCodePage, ForgotCodeSentPage, InvalidLinkPage, NewCodePage } from './recovery-pages.tsx';
import { requestCodeReset, RESET_REQUESTED_MESSAGE } from './request-code-reset.ts';
import { checkResetLink, resetCode } from './reset-code.ts';
import { SECURITY_PATHS } from './security-paths.ts';
import { memberBar } from './session-routes.ts';
import { COOKIE_OPTIONS, DEVICE_COOKIE, NEW_DEVICE_LIMITS, rememberDevice, writeAudit } from './new-device.ts';

const text = (max: number) => z.string().max(max).default('');
const form = <T extends z.ZodRawShape>(shape: T) => z.strictObject({ _csrf: z.string().max(200), ...shape });

const forgotBody = form({ nir: text(40) });
const newCodeBody = form({ jeton: text(100), code: text(20), confirmation: text(20) });
const activationBody = form({ nir: text(40), activationCode: text(20), code: text(20), confirmation: text(20) });
const changeBody = form({ current: text(20), code: text(20), confirmation: text(20) });
const tokenQuery = z.object({ jeton: z.string().max(100).optional() });

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) throw new AppError('BAD_REQUEST');
  return parsed.data;
}

const RESET_COOKIE = '__Host-espace-reinitialisation';
const RESET_COOKIE_OPTIONS = { path: '/', httpOnly: true, secure: true, sameSite: 'lax' } as const;

const seeOther = (reply: FastifyReply, location: string) => reply.code(303).header('location', location).send();

/**
 * RST-02, for the answers to the emailed link (the only URL that carries the token). No document is ever shown at
 * that URL: a usable link is answered with a redirect, an unusable one with a page without form, which sends no
 * Referer at all. The redirect says `strict-origin` rather than `no-referrer`: Chromium keeps a redirect's
 * no-referrer policy for the page it leads to, whose form would then post with `Origin: null`, which the CSRF check
 * (SES-05) refuses. Neither policy ever sends a path or a query.
 */
const linkReferrerPolicy = {
  onSend: async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    if (!request.url.includes('?')) return payload; // the form page itself, without token in its URL
    reply.header('Referrer-Policy', reply.statusCode === 303 ? 'strict-origin' : 'no-referrer');
    return payload;
  },
};

export const recoveryRoutes: Feature = (app, context) => {
  const { config, sessions, clock, db } = context;
  const organisation = context.page.organisation;
  const deps: RecoveryDeps = {
    db: context.db,
    jobs: context.jobs,
    jobDefinitions: context.jobDefinitions,
    publicUrl: config.publicUrl,
    keys: { dataEncryptionKey: config.secrets.dataEncryptionKey, blindIndexKey: config.secrets.blindIndexKey },
    pepper: config.secrets.codePepper,
  };
  const endAllSessions = (tx: Parameters<typeof sessions.endAllFor>[0], memberId: string) => sessions.endAllFor(tx, 'member', memberId);

  // --- Forgot code -------------------------------------------------------------------------------------------
  app.get('/code-oublie', async (request, reply) => sendPage(reply, h(ForgotCodePage, { organisation, csrf: request.csrfToken })));

  app.post('/code-oublie', async (request, reply) => {
    const body = parse(forgotBody, request.body);
    const outcome = await requestCodeReset(deps, { nir: body.nir, ip: request.ip, now: clock() });
    if (outcome.kind === 'VALIDATION') return sendPage(reply, h(ForgotCodePage, { organisation, csrf: request.csrfToken, nir: body.nir, error: outcome.message }), 400);
    // ENUM-01: one answer, whatever the NIR and whatever was sent.
    return seeOther(reply, '/code-oublie/demande-enregistree');
  });

  app.get('/code-oublie/demande-enregistree', async (_request, reply) => sendPage(reply, h(ForgotCodeSentPage, { organisation, message: RESET_REQUESTED_MESSAGE })));

  // --- New code from the emailed link -----------------------------------------------------------------------
  // The emailed link: checked, then swapped at once for a page without the token in its URL (RST-01); the token rides
  // across the redirect in a short-lived cookie, then in the form's hidden field.
  app.get('/code-oublie/nouveau', linkReferrerPolicy, async (request, reply) => {
    const { jeton } = parse(tokenQuery, request.query);
    const token = jeton ?? request.cookies[RESET_COOKIE];
    if (!token || !(await checkResetLink(deps, { token, ip: request.ip, now: clock() }))) {
      reply.clearCookie(RESET_COOKIE, RESET_COOKIE_OPTIONS);
      return sendPage(reply, h(InvalidLinkPage, { organisation }), 410);
    }
    if (jeton) {
      reply.setCookie(RESET_COOKIE, jeton, { ...RESET_COOKIE_OPTIONS, maxAge: RECOVERY_LIMITS.resetLinkTtlMs / 1000 });
      return seeOther(reply, '/code-oublie/nouveau');
    }
    // The form posts the token in a hidden field.
    return sendPage(reply, h(NewCodePage, { organisation, csrf: request.csrfToken, token }));
  });

  app.post('/code-oublie/nouveau', async (request, reply) => {
    const body = parse(newCodeBody, request.body);
    const token = body.jeton || request.cookies[RESET_COOKIE] || '';
    const outcome = await resetCode(deps, { token, code: body.code, confirmation: body.confirmation, ip: request.ip, now: clock() }, endAllSessions);
    if (outcome.kind === 'REFUSED') return sendPage(reply, h(NewCodePage, { organisation, csrf: request.csrfToken, token, errors: outcome.errors }), 400);
    reply.clearCookie(RESET_COOKIE, RESET_COOKIE_OPTIONS);
    if (outcome.kind === 'INVALID_LINK') return sendPage(reply, h(InvalidLinkPage, { organisation }), 410);
    return seeOther(reply, '/code-oublie/code-enregistre');
  });

  app.get('/code-oublie/code-enregistre', async (_request, reply) => sendPage(reply, h(CodeSavedPage, { organisation })));

  // --- Activation with the letter's code --------------------------------------------------------------------
  app.get('/activation', async (request, reply) => sendPage(reply, h(ActivationPage, { organisation, csrf: request.csrfToken })));

  app.post('/activation', async (request, reply) => {
    const body = parse(activationBody, request.body);
    const now = clock();
    const outcome = await activateAccount(
      deps,
      { nir: body.nir, activationCode: body.activationCode, code: body.code, confirmation: body.confirmation, ip: request.ip, now },
      endAllSessions,
    );
    if (outcome.kind === 'DONE') {
      // The letter's code proved the postal address and is now spent (single use): this browser becomes a trusted
      // device, so that the first login from it needs no second letter.
      const { memberId } = outcome;
      const device = await db.transaction(async (tx) => {
        const remembered = await rememberDevice(tx, memberId, request.headers['user-agent'], now);
        await writeAudit(tx, { now, ip: request.ip, actorType: 'member', actorId: memberId, action: 'auth.device.new', memberId, details: { deviceId: remembered.deviceId, method: 'ACTIVATION' } });
        return remembered;
      });
      reply.setCookie(DEVICE_COOKIE, device.token, { ...COOKIE_OPTIONS, maxAge: Math.floor(NEW_DEVICE_LIMITS.trustedDeviceMs / 1000) });
      return seeOther(reply, '/code-oublie/code-enregistre');
    }
    const page = (props: { errors?: Record<string, string | undefined>; formError?: string; keepActivationCode?: boolean }, status: number) =>
      sendPage(
        reply,
        h(ActivationPage, {
          organisation,
          csrf: request.csrfToken,
          values: { nir: body.nir, activationCode: props.keepActivationCode ? body.activationCode : '' },
          ...(props.errors ? { errors: props.errors } : {}),
          ...(props.formError ? { formError: props.formError } : {}),
        }),
        status,
      );
    switch (outcome.kind) {
      case 'VALIDATION':
        return page({ errors: outcome.errors, keepActivationCode: !outcome.errors.activationCode }, 400);
      case 'THROTTLED':
        return page({ formError: ACTIVATION_THROTTLED_MESSAGE }, 429);
      case 'INVALID':
        return page({ formError: ACTIVATION_FAILED_MESSAGE }, 400);
      case 'REFUSED':
        // The letter's code was right and stays valid: it is kept in the form, only the new code is to be chosen again.
        return page({ errors: outcome.errors, keepActivationCode: true }, 400);
    }
  });

  // --- Change the code, logged in ---------------------------------------------------------------------------
  const memberOf = (request: FastifyRequest): string | null => (request.session?.kind === 'member' ? request.session.subjectId : null);

  app.get(SECURITY_PATHS.code, async (request, reply) => {
    if (!memberOf(request)) return seeOther(reply, '/connexion');
    const done = (request.query as Record<string, unknown> | undefined)?.modifie === '1';
    return sendPage(reply, h(ChangeCodePage, { organisation, csrf: request.csrfToken, done, member: memberBar(request, '', clock()) }));
  });

  app.post(SECURITY_PATHS.code, async (request, reply) => {
    const memberId = memberOf(request);
    if (!memberId) return seeOther(reply, '/connexion');
    const body = parse(changeBody, request.body);
    const outcome = await changeCode(
      deps,
      { memberId, current: body.current, code: body.code, confirmation: body.confirmation, ip: request.ip, now: clock() },
      (tx) => sessions.endAllFor(tx, 'member', memberId, request),
    );
    if (outcome.kind === 'DONE') return seeOther(reply, `${SECURITY_PATHS.code}?modifie=1`);
    const member = memberBar(request, '', clock());
    if (outcome.kind === 'LOCKED') return sendPage(reply, h(ChangeCodePage, { organisation, csrf: request.csrfToken, formError: CHANGE_LOCKED_MESSAGE, member }), 423);
    return sendPage(reply, h(ChangeCodePage, { organisation, csrf: request.csrfToken, errors: outcome.errors, member }), 400);
  });
};
