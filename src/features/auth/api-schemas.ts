/**
 * The JSON authentication API (/api/v1/auth/*, issue 4): request and response schemas (zod, VAL-03: unknown keys
 * refused, string lengths capped) and the OpenAPI 3.1 document generated from them with zod 4's `z.toJSONSchema`.
 * The routes (api-routes.ts) and the document read the same table, and a test checks that both list the same routes.
 */
import { z } from 'zod';
import type { ApiRoute } from '../../platform/http/openapi.ts';
import { authenticationBody } from './passkey-routes.ts';

// --- Requests -----------------------------------------------------------------------------------------------------
export const loginRequest = z.strictObject({
  nir: z.string().max(40).describe('Numéro de Sécurité sociale, 15 caractères (espaces acceptés)'),
  code: z.string().max(20).describe('Code d’accès à 6 chiffres'),
  challenge: z
    .strictObject({ token: z.string().max(200), answer: z.string().max(20).describe('The answer, in digits') })
    .optional()
    .describe('THR-03: the answer to the question of a CHALLENGE_REQUIRED error, with its token'),
});
export const passkeyLoginRequest = authenticationBody.describe('The WebAuthn assertion (AuthenticationResponseJSON) signed over the challenge of passkey/options');
export const deviceCheckRequest = z.strictObject({
  code: z.string().max(20).describe('Code à 6 chiffres reçu par email, ou code d’activation à 8 caractères du dernier courrier'),
});
export const codeResetRequest = z.strictObject({
  nir: z.string().max(40).describe('Numéro de Sécurité sociale'),
});
export const emptyRequest = z.strictObject({});

// --- Responses ----------------------------------------------------------------------------------------------------
export const deviceCheckMethod = z
  .enum(['EMAIL', 'LETTER', 'NONE', 'LIMIT'])
  .describe('EMAIL: code sent by email; LETTER: code of the newest activation letter; NONE: no way online (ask for a letter); LIMIT: too many codes requested this hour');

export const loginResponse = z.union([
  z.strictObject({ status: z.literal('AUTHENTICATED') }),
  z.strictObject({
    status: z.literal('DEVICE_CHECK_REQUIRED'),
    method: deviceCheckMethod,
    maskedEmail: z.string().nullable().describe('c•••@exemple.fr when method is EMAIL, else null'),
  }),
]);
export const deviceCheckResponse = z.strictObject({ status: z.literal('AUTHENTICATED') });
export const sessionResponse = z.strictObject({
  authenticated: z.boolean(),
  expiresAt: z.iso.datetime().nullable().describe('When the session ends if idle (15 min) or at its absolute limit (4 h), whichever comes first'),
  csrfToken: z.string().describe('Send it back in the X-CSRF-Token header of every POST'),
});
export const codeResetResponse = z.strictObject({ message: z.string() });
export const passkeyOptionsResponse = z
  .object({
    challenge: z.string().describe('base64url, single use, 5 minutes'),
    rpId: z.string(),
    timeout: z.number().int().optional(),
    userVerification: z.literal('required'),
    allowCredentials: z.array(z.object({ id: z.string(), type: z.literal('public-key') }).loose()).optional().describe('Empty: discoverable credentials'),
  })
  .loose()
  .describe('PublicKeyCredentialRequestOptionsJSON for navigator.credentials.get() or the platform API');
export const passkeyLoginResponse = z.strictObject({ status: z.literal('AUTHENTICATED') });

export const errorResponse = z.strictObject({
  error: z.strictObject({
    code: z.string().describe('Stable machine code: VALIDATION, BAD_REQUEST, CSRF, INVALID_CREDENTIALS, RATE_LIMITED, CHALLENGE_REQUIRED, DEVICE_CHECK_EXPIRED, DEVICE_CHECK_UNAVAILABLE, DEVICE_CODE_INVALID, PASSKEY_LOGIN_FAILED, UNSUPPORTED_MEDIA_TYPE, PAYLOAD_TOO_LARGE, INTERNAL'),
    message: z.string().describe('French message for people'),
    fields: z.record(z.string(), z.string()).optional().describe('VALIDATION: message per field'),
    attemptsLeft: z.number().int().optional().describe('DEVICE_CODE_INVALID: tries left on this code'),
    challenge: z
      .strictObject({ token: z.string(), question: z.string() })
      .optional()
      .describe('CHALLENGE_REQUIRED: show the question, send the answer back with the token in `challenge` of the next login'),
  }),
});

export type LoginResponse = z.infer<typeof loginResponse>;
export type DeviceCheckResponse = z.infer<typeof deviceCheckResponse>;
export type SessionResponse = z.infer<typeof sessionResponse>;
export type CodeResetResponse = z.infer<typeof codeResetResponse>;
export type PasskeyLoginResponse = z.infer<typeof passkeyLoginResponse>;

// --- The route table ----------------------------------------------------------------------------------------------
const error = (description: string) => ({ description, schema: errorResponse });
const common = { 400: error('VALIDATION (unknown key, wrong type, malformed NIR or code)'), 403: error('CSRF: missing or wrong X-CSRF-Token, or foreign Origin') };

export const API_PREFIX = '/api/v1/auth';

export const AUTH_API_ROUTES = [
  {
    method: 'GET', path: `${API_PREFIX}/session`, operationId: 'getSession', tag: 'auth',
    summary: 'Session state and the CSRF token for JSON clients (call it first: it also sets the CSRF cookie)',
    responses: { 200: { description: 'The session state', schema: sessionResponse } },
  },
  {
    method: 'POST', path: `${API_PREFIX}/login`, operationId: 'login', tag: 'auth',
    summary: 'NIR + access code. A device without a valid trusted-device cookie must then answer a device check',
    body: loginRequest,
    responses: {
      200: { description: 'AUTHENTICATED (session cookie set) or DEVICE_CHECK_REQUIRED (pending-login cookie set)', schema: loginResponse },
      ...common,
      401: error('INVALID_CREDENTIALS: the same answer for an unknown NIR, a wrong code, a locked account (ENUM-01)'),
      428: error('CHALLENGE_REQUIRED: this network must answer a question first (THR-03); `challenge` holds it'),
      429: error('RATE_LIMITED: too many failures from this client IP (THR-03)'),
    },
  },
  {
    method: 'POST', path: `${API_PREFIX}/passkey/options`, operationId: 'passkeyLoginOptions', tag: 'auth',
    summary: 'Starts a passkey login: discoverable-credential options and an opaque 5-minute cookie that binds the challenge',
    body: emptyRequest,
    responses: {
      200: { description: 'The request options (user verification required)', schema: passkeyOptionsResponse },
      ...common,
      429: error('RATE_LIMITED: too many passkey logins started from this client IP'),
    },
  },
  {
    method: 'POST', path: `${API_PREFIX}/passkey/login`, operationId: 'passkeyLogin', tag: 'auth',
    summary: 'The signed assertion: opens the session without NIR, code or device check (the key is device-bound); never while the account is locked',
    body: passkeyLoginRequest,
    responses: {
      200: { description: 'AUTHENTICATED: session cookie set', schema: passkeyLoginResponse },
      403: common[403],
      401: error('PASSKEY_LOGIN_FAILED: one answer for every failure (unknown or removed key, bad signature, replayed or expired challenge, counter, locked account, malformed body)'),
    },
  },
  {
    method: 'POST', path: `${API_PREFIX}/device-check`, operationId: 'deviceCheck', tag: 'auth',
    summary: 'The emailed one-time code (or the last activation letter’s code) for the pending login; remembers the device for 90 days',
    body: deviceCheckRequest,
    responses: {
      200: { description: 'AUTHENTICATED: session and trusted-device cookies set', schema: deviceCheckResponse },
      ...common,
      401: error('DEVICE_CHECK_EXPIRED: no pending login, code expired or voided; log in again'),
      409: error('DEVICE_CHECK_UNAVAILABLE: this login cannot be confirmed online (method NONE or LIMIT)'),
      422: error('DEVICE_CODE_INVALID: wrong code; attemptsLeft tells how many tries remain'),
    },
  },
  {
    method: 'POST', path: `${API_PREFIX}/logout`, operationId: 'logout', tag: 'auth',
    summary: 'Ends the session server-side (the trusted-device cookie stays)',
    body: emptyRequest,
    responses: { 204: { description: 'Logged out (also when there was no session)' }, ...common },
  },
  {
    method: 'POST', path: `${API_PREFIX}/code-reset-requests`, operationId: 'requestCodeReset', tag: 'auth',
    summary: 'Forgotten code: an email with a 30-minute link, or an activation letter; always the same answer',
    body: codeResetRequest,
    responses: {
      202: { description: 'Always the same body, whether the NIR is known or not (ENUM-01)', schema: codeResetResponse },
      ...common,
    },
  },
] as const satisfies readonly ApiRoute[];
