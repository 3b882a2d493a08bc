/** The JSON twins of the privacy pages (issue 8): the same use cases, the same access rules, explicit fields. */
import type { z } from 'zod';
import { AppError } from '../../platform/errors.ts';
import type { Feature } from '../../platform/http/server.ts';
import { parseBody } from '../auth/api-routes.ts';
import { emptyRequest } from '../auth/api-schemas.ts';
import { apiViewer } from '../auth/member-area.ts';
import { accessHistory } from './access-history.ts';
import { accessHistoryQuery, type accessHistoryResponse, type preferencesResponse } from './api-schemas.ts';
import { exportPersonalData } from './export-personal-data.ts';
import { notificationPreferences, preferencesInput, saveNotificationPreferences } from './notification-preferences.ts';
import { exportDeps, sendExport } from './routes.ts';

function memberOnly(request: Parameters<typeof apiViewer>[0]): string {
  if (request.session?.kind !== 'member') throw new AppError('UNAUTHENTICATED');
  return request.session.subjectId;
}

export const privacyApiRoutes: Feature = (app, context) => {
  const { db, clock } = context;

  app.get('/api/v1/profile/access-history', { config: { beneficiaries: true } }, async (request): Promise<z.infer<typeof accessHistoryResponse>> => {
    const viewer = apiViewer(request);
    const query = accessHistoryQuery.safeParse(request.query ?? {});
    if (!query.success) throw new AppError('VALIDATION', undefined, { before: 'Valeur invalide.' });
    const page = await accessHistory(db, viewer, { before: query.data.before ?? null });
    return {
      events: page.events.map((e) => ({ id: e.id, at: e.at.toISOString(), kind: e.kind, title: e.title, by: e.by, reason: e.reason, device: e.device, place: e.place })),
      nextCursor: page.nextCursor,
    };
  });

  app.get('/api/v1/profile/notification-preferences', async (request): Promise<z.infer<typeof preferencesResponse>> => notificationPreferences(db, memberOnly(request)));

  app.post('/api/v1/profile/notification-preferences', async (request): Promise<z.infer<typeof preferencesResponse>> => {
    const memberId = memberOnly(request);
    const input = parseBody(preferencesInput, request.body);
    return saveNotificationPreferences(db, { memberId, ip: request.ip, now: clock(), channel: 'API' }, input);
  });

  app.post('/api/v1/profile/data-export', async (request, reply) => {
    const memberId = memberOnly(request);
    parseBody(emptyRequest, request.body);
    return sendExport(reply, await exportPersonalData(exportDeps(context), { memberId, ip: request.ip, now: clock(), channel: 'API' }));
  });
};
