/**
 * The privacy API (issue 8): access history, notification preferences and the RGPD export under /api/v1/profile, over
 * the same use cases as /profil/acces, /profil/notifications and /profil/donnees. Strict schemas (VAL-03, AC-03).
 */
import { z } from 'zod';
import type { ApiRoute } from '../../platform/http/openapi.ts';
import { emptyRequest, errorResponse } from '../auth/api-schemas.ts';
import { preferencesInput } from './notification-preferences.ts';

export const cursor = z.string().regex(/^[0-9]{1,18}$/);
export const accessHistoryQuery = z.strictObject({ before: cursor.optional().describe('nextCursor of the previous page') });

export const accessEventItem = z.strictObject({
  id: z.string().describe('Cursor of this entry'),
  at: z.iso.datetime(),
  kind: z.enum(['LOGIN', 'FAILURE', 'LOCK', 'CODE', 'FILE_OPENED', 'EXPORT']),
  title: z.string().describe('What happened, in French'),
  by: z.string().describe('« Votre compte », or the staff role for FILE_OPENED (« Conseiller de la mutuelle »…)'),
  reason: z.string().nullable().describe('FILE_OPENED: the reason, in French'),
  device: z.string().nullable().describe('« Firefox sur Windows »'),
  place: z.string().nullable().describe('Class of the IP only (« Réseau 81.250.x.x »), never the address'),
});
export const accessHistoryResponse = z.strictObject({ events: z.array(accessEventItem), nextCursor: z.string().nullable() });

export const preferencesResponse = z.strictObject({
  email: z.strictObject({ payments: z.boolean(), documents: z.boolean(), requests: z.boolean(), messages: z.boolean() }),
  dailyDigest: z.boolean(),
  security: z.literal('ALWAYS').describe('Security notices are always sent; not a setting'),
});

const error = (description: string) => ({ description, schema: errorResponse });
const csrf = error('CSRF: missing or wrong X-CSRF-Token, or foreign Origin');

export const PRIVACY_API_ROUTES = [
  {
    method: 'GET', path: '/api/v1/profile/access-history', operationId: 'accessHistory', tag: 'profile',
    summary: 'Every access to the file, newest first, 20 a page: logins, failures and locks, code changes, exports, openings by the mutuelle’s staff (a beneficiary’s own login: only theirs)',
    query: accessHistoryQuery,
    responses: { 200: { description: 'One page', schema: accessHistoryResponse }, 400: error('VALIDATION: malformed cursor'), 401: error('UNAUTHENTICATED') },
  },
  {
    method: 'GET', path: '/api/v1/profile/notification-preferences', operationId: 'getNotificationPreferences', tag: 'profile',
    summary: 'Which alerts go by email, and the daily digest',
    responses: { 200: { description: 'The preferences (defaults when never saved)', schema: preferencesResponse }, 401: error('UNAUTHENTICATED') },
  },
  {
    method: 'POST', path: '/api/v1/profile/notification-preferences', operationId: 'saveNotificationPreferences', tag: 'profile',
    summary: 'Saves every switch at once (security notices are not a switch)',
    body: preferencesInput,
    responses: { 200: { description: 'The saved preferences', schema: preferencesResponse }, 400: error('VALIDATION: a missing or unknown key, or not a boolean'), 401: error('UNAUTHENTICATED'), 403: csrf },
  },
  {
    method: 'POST', path: '/api/v1/profile/data-export', operationId: 'exportPersonalData', tag: 'profile',
    summary: 'RGPD export: a ZIP (application/zip) with donnees.json and one CSV per section; NIRs and IBAN in clear; recorded and notified',
    body: emptyRequest,
    responses: { 200: { description: 'The ZIP (application/zip), never stored nor cached' }, 400: error('VALIDATION'), 401: error('UNAUTHENTICATED'), 403: csrf, 429: error('RATE_LIMITED: 5 exports per 24 hours') },
  },
] as const satisfies readonly ApiRoute[];
