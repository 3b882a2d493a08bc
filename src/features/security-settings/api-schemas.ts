/**
 * The security API (/api/v1/profile/security/*, issue 8): the member's sessions and trusted devices, over the same use
 * cases as /profil/securite (auth/member-sessions.ts). Strict request schemas (VAL-03), explicit response fields.
 */
import { z } from 'zod';
import type { ApiRoute } from '../../platform/http/openapi.ts';
import { emptyRequest, errorResponse } from '../auth/api-schemas.ts';

export const idParams = z.strictObject({ id: z.uuid() });

export const sessionItem = z.strictObject({
  id: z.uuid().describe('Public id of the session (never the cookie)'),
  device: z.string().describe('« Firefox sur Windows », from the user agent'),
  place: z.string().describe('Class of the IP only: « Réseau 81.250.x.x », « Réseau privé (10.20.x.x) »… never the address'),
  createdAt: z.iso.datetime(),
  lastSeenAt: z.iso.datetime(),
  current: z.boolean().describe('The session making this call'),
});
export const sessionListResponse = z.strictObject({ sessions: z.array(sessionItem) });
export const endOthersResponse = z.strictObject({ ended: z.number().int().describe('How many other sessions were ended') });

export const deviceItem = z.strictObject({
  id: z.uuid(),
  label: z.string().describe('« Firefox sur Windows »'),
  createdAt: z.iso.datetime(),
  lastUsedAt: z.iso.datetime().nullable(),
  current: z.boolean().describe('The device whose cookie came with this call'),
});
export const deviceListResponse = z.strictObject({ devices: z.array(deviceItem) });

const error = (description: string) => ({ description, schema: errorResponse });
const PREFIX = '/api/v1/profile/security';
const common = { 401: error('UNAUTHENTICATED'), 403: error('CSRF: missing or wrong X-CSRF-Token, or foreign Origin') };

export const SECURITY_API_ROUTES = [
  {
    method: 'GET', path: `${PREFIX}/sessions`, operationId: 'listSessions', tag: 'profile',
    summary: 'The member’s open sessions (SES-06), this one first',
    responses: { 200: { description: 'Live sessions', schema: sessionListResponse }, 401: common[401] },
  },
  {
    method: 'POST', path: `${PREFIX}/sessions/:id/end`, operationId: 'endSession', tag: 'profile',
    summary: 'Ends one of the member’s sessions (this one too: the cookie is then cleared)',
    body: emptyRequest,
    responses: { 204: { description: 'Ended' }, 400: error('VALIDATION'), ...common, 404: error('NOT_FOUND: unknown id, already ended, or another member’s session (AC-02)') },
  },
  {
    method: 'POST', path: `${PREFIX}/sessions/end-others`, operationId: 'endOtherSessions', tag: 'profile',
    summary: 'Ends every session of the member but this one',
    body: emptyRequest,
    responses: { 200: { description: 'How many were ended', schema: endOthersResponse }, 400: error('VALIDATION'), ...common },
  },
  {
    method: 'GET', path: `${PREFIX}/devices`, operationId: 'listTrustedDevices', tag: 'profile',
    summary: 'The member’s trusted devices (a login from one skips the emailed device check, AUTH-05)',
    responses: { 200: { description: 'Devices still trusted', schema: deviceListResponse }, 401: common[401] },
  },
  {
    method: 'POST', path: `${PREFIX}/devices/:id/revoke`, operationId: 'revokeTrustedDevice', tag: 'profile',
    summary: 'Revokes a trusted device: its next login needs the device check again',
    body: emptyRequest,
    responses: { 204: { description: 'Revoked' }, 400: error('VALIDATION'), ...common, 404: error('NOT_FOUND: unknown id, already revoked, or another member’s device (AC-02)') },
  },
] as const satisfies readonly ApiRoute[];
