/**
 * The member's privacy pages (issue 8): « Historique des accès » /profil/acces (a beneficiary's own login too, scoped
 * to their accesses), « Mes notifications » /profil/notifications and « Mes données » /profil/donnees (the household's
 * ouvrant droit only), with their JSON twins under /api/v1/profile (api-routes.ts).
 */
import type { FastifyReply } from 'fastify';
import { h } from 'preact';
import { z } from 'zod';
import { AppError } from '../../platform/errors.ts';
import { sendPage } from '../../platform/http/render.ts';
import type { Feature, RouteContext } from '../../platform/http/server.ts';
import { firstNameOf, requireMember, requireViewer } from '../auth/member-area.ts';
import { verifiedEmailOf } from '../auth/new-device.ts';
import { memberBar } from '../auth/session-routes.ts';
import { accessHistory } from './access-history.ts';
import { AccessHistoryPage } from './access-history-page.tsx';
import { DataExportPage } from './data-export-page.tsx';
import { exportPersonalData, type ExportDeps, type PersonalDataExport } from './export-personal-data.ts';
import { notificationPreferences, saveNotificationPreferences } from './notification-preferences.ts';
import { NotificationsPage } from './notifications-page.tsx';
import { ACCESS_HISTORY_PATH, DATA_EXPORT_PATH, NOTIFICATIONS_PATH } from './paths.ts';

const historyQuery = z.strictObject({ avant: z.string().regex(/^[0-9]{1,18}$/).optional() });
const checked = z.literal('oui').optional();
const preferencesForm = z.strictObject({ _csrf: z.string().max(200), payments: checked, documents: checked, requests: checked, messages: checked, dailyDigest: checked });
const savedQuery = z.object({ enregistre: z.string().max(5).optional() });

export function exportDeps(context: RouteContext): ExportDeps {
  const { db, jobs, jobDefinitions, config, page } = context;
  return {
    db, jobs, jobDefinitions, config,
    mailCommon: { organisationName: page.organisation.name, phone: page.organisation.phone, publicUrl: config.publicUrl },
  };
}

/** The archive as a download that no one keeps: no-store (set for every response), attachment, no sniffing. */
export function sendExport(reply: FastifyReply, result: PersonalDataExport): FastifyReply {
  return reply
    .header('content-type', 'application/zip')
    .header('content-disposition', `attachment; filename="${result.fileName}"`)
    .header('cache-control', 'no-store')
    .send(Buffer.from(result.zip));
}

export const privacyRoutes: Feature = (app, context) => {
  const { db, clock, config } = context;
  const { organisation } = context.page;

  // --- Access history ------------------------------------------------------------------------------------------
  app.get(ACCESS_HISTORY_PATH, { config: { beneficiaries: true } }, async (request, reply) => {
    const viewer = requireViewer(request, reply);
    if (!viewer) return reply;
    const query = historyQuery.safeParse(request.query);
    if (!query.success) throw new AppError('VALIDATION');
    const before = query.data.avant ?? null;
    const page = await accessHistory(db, viewer, { before });
    const bar = memberBar(request, await firstNameOf(db, viewer), clock());
    return sendPage(reply, h(AccessHistoryPage, { organisation, member: bar, events: page.events, nextCursor: page.nextCursor, older: before !== null, ownOnly: viewer.beneficiaryId !== null }));
  });

  // --- Notification preferences ----------------------------------------------------------------------------------
  app.get(NOTIFICATIONS_PATH, async (request, reply) => {
    const memberId = requireMember(request, reply);
    if (!memberId) return reply;
    const saved = savedQuery.safeParse(request.query);
    const [preferences, email, firstName] = await Promise.all([notificationPreferences(db, memberId), verifiedEmailOf(db, config.secrets.dataEncryptionKey, memberId), firstNameOf(db, memberId)]);
    return sendPage(
      reply,
      h(NotificationsPage, { organisation, member: memberBar(request, firstName, clock()), preferences, saved: saved.success && saved.data.enregistre === '1', hasEmail: email !== null }),
    );
  });

  app.post(NOTIFICATIONS_PATH, async (request, reply) => {
    const memberId = requireMember(request, reply);
    if (!memberId) return reply;
    const form = preferencesForm.safeParse(request.body);
    if (!form.success) throw new AppError('VALIDATION');
    const f = form.data;
    await saveNotificationPreferences(db, { memberId, ip: request.ip, now: clock(), channel: 'PAGE' }, {
      payments: f.payments === 'oui', documents: f.documents === 'oui', requests: f.requests === 'oui', messages: f.messages === 'oui', dailyDigest: f.dailyDigest === 'oui',
    });
    return reply.redirect(`${NOTIFICATIONS_PATH}?enregistre=1`, 303);
  });

  // --- RGPD export ---------------------------------------------------------------------------------------------------
  app.get(DATA_EXPORT_PATH, async (request, reply) => {
    const memberId = requireMember(request, reply);
    if (!memberId) return reply;
    return sendPage(reply, h(DataExportPage, { organisation, member: memberBar(request, await firstNameOf(db, memberId), clock()), error: null }));
  });

  app.post(DATA_EXPORT_PATH, async (request, reply) => {
    const memberId = requireMember(request, reply);
    if (!memberId) return reply;
    if (!z.strictObject({ _csrf: z.string().max(200) }).safeParse(request.body).success) throw new AppError('VALIDATION');
    try {
      return sendExport(reply, await exportPersonalData(exportDeps(context), { memberId, ip: request.ip, now: clock(), channel: 'PAGE' }));
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'RATE_LIMITED') throw error;
      const bar = memberBar(request, await firstNameOf(db, memberId), clock());
      return sendPage(reply, h(DataExportPage, { organisation, member: bar, error: error.message }), 429);
    }
  });
};
