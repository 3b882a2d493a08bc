/**
 * The JSON authentication API (/api/v1/auth/*, issue 4): request and response schemas (zod, VAL-03: unknown keys
 * refused, string lengths capped) and the OpenAPI 3.1 document generated from them with zod 4's `z.toJSONSchema`.
 * The routes (api-routes.ts) and the document read the same table, and a test checks that both list the same routes.
 */
import { z } from 'zod';
import type { ApiRoute } from '../../platform/http/openapi.ts';

// --- Requests -----------------------------------------------------------------------------------------------------
export const loginRequest = z.strictObject({
  nir: z.string().max(40).describe('Numéro de Sécurité sociale, 15 caractères (espaces acceptés)'),
  code: z.string().max(20).describe('Code d’accès à 6 chiffres'),
});
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

export const errorResponse = z.strictObject({
  error: z.strictObject({
    code: z.string().describe('Stable machine code: VALIDATION, BAD_REQUEST, CSRF, INVALID_CREDENTIALS, RATE_LIMITED, DEVICE_CHECK_EXPIRED, DEVICE_CHECK_UNAVAILABLE, DEVICE_CODE_INVALID, UNSUPPORTED_MEDIA_TYPE, PAYLOAD_TOO_LARGE, INTERNAL'),
    message: z.string().describe('French message for people'),
    fields: z.record(z.string(), z.string()).optional().describe('VALIDATION: message per field'),
    attemptsLeft: z.number().int().optional().describe('DEVICE_CODE_INVALID: tries left on this code'),
  }),
});

export type LoginResponse = z.infer<typeof loginResponse>;
export type DeviceCheckResponse = z.infer<typeof deviceCheckResponse>;
export type SessionResponse = z.infer<typeof sessionResponse>;
export type CodeResetResponse = z.infer<typeof codeResetResponse>;

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
      429: error('RATE_LIMITED: too many failures from this client IP (THR-03)'),
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
