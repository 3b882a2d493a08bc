/** The JSON twins of /profil/securite's sessions and devices (issue 8): the same use cases, the same audit rows. */
import type { z } from 'zod';
import { AppError } from '../../platform/errors.ts';
import type { Feature } from '../../platform/http/server.ts';
import { parseBody } from '../auth/api-routes.ts';
import { emptyRequest } from '../auth/api-schemas.ts';
import { endMemberSession, endOtherMemberSessions, listMemberDevices, listMemberSessions, revokeMemberDevice } from '../auth/member-sessions.ts';
import { COOKIE_OPTIONS, DEVICE_COOKIE, tokenHash } from '../auth/new-device.ts';
import { currentIdHash } from '../auth/session-routes.ts';
import { idParams, type deviceListResponse, type endOthersResponse, type sessionListResponse } from './api-schemas.ts';

/** The ouvrant droit's session (a beneficiary's own login is no session here: sessions.ts), or 401. */
function apiMemberOf(request: { session: { kind: string; subjectId: string } | null }): string {
  if (request.session?.kind !== 'member') throw new AppError('UNAUTHENTICATED');
  return request.session.subjectId;
}

const idOf = (params: unknown): string => {
  const parsed = idParams.safeParse(params);
  if (!parsed.success) throw new AppError('NOT_FOUND');
  return parsed.data.id;
};

export const securityApiRoutes: Feature = (app, { db, clock, sessions }) => {
  app.get('/api/v1/profile/security/sessions', async (request): Promise<z.infer<typeof sessionListResponse>> => {
    const memberId = apiMemberOf(request);
    const list = await listMemberSessions(db, memberId, { currentIdHash: currentIdHash(request), now: clock() });
    return {
      sessions: list.map((s) => ({ id: s.publicId, device: s.device, place: s.place, createdAt: s.createdAt.toISOString(), lastSeenAt: s.lastSeenAt.toISOString(), current: s.current })),
    };
  });

  app.post('/api/v1/profile/security/sessions/:id/end', async (request, reply) => {
    const memberId = apiMemberOf(request);
    parseBody(emptyRequest, request.body);
    const ended = await endMemberSession(db, { memberId, ip: request.ip, now: clock(), channel: 'API' }, { publicId: idOf(request.params), currentIdHash: currentIdHash(request) });
    if (!ended) throw new AppError('NOT_FOUND');
    if (ended.wasCurrent) await sessions.end(request, reply);
    return reply.status(204).send();
  });

  app.post('/api/v1/profile/security/sessions/end-others', async (request): Promise<z.infer<typeof endOthersResponse>> => {
    const memberId = apiMemberOf(request);
    parseBody(emptyRequest, request.body);
    const ended = await endOtherMemberSessions(db, { memberId, ip: request.ip, now: clock(), channel: 'API' }, (tx) => sessions.endAllFor(tx, 'member', memberId, request));
    return { ended };
  });

  app.get('/api/v1/profile/security/devices', async (request): Promise<z.infer<typeof deviceListResponse>> => {
    const memberId = apiMemberOf(request);
    const devices = await listMemberDevices(db, memberId, { deviceCookie: request.cookies[DEVICE_COOKIE], now: clock() });
    return {
      devices: devices.map((d) => ({ id: d.id, label: d.label, createdAt: d.createdAt.toISOString(), lastUsedAt: d.lastUsedAt?.toISOString() ?? null, current: d.current })),
    };
  });

  app.post('/api/v1/profile/security/devices/:id/revoke', async (request, reply) => {
    const memberId = apiMemberOf(request);
    parseBody(emptyRequest, request.body);
    const revoked = await revokeMemberDevice(db, { memberId, ip: request.ip, now: clock(), channel: 'API' }, idOf(request.params));
    if (!revoked) throw new AppError('NOT_FOUND');
    const own = request.cookies[DEVICE_COOKIE];
    if (own && tokenHash(own) === revoked.tokenHash) reply.clearCookie(DEVICE_COOKIE, COOKIE_OPTIONS);
    return reply.status(204).send();
  });
};
