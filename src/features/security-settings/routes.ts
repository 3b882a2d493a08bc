/**
 * /profil/securite (issue 8): the overview of the account's security, and the permanent redirects from the addresses
 * the security pages had before (issue 4). The topic pages themselves (code, sessions, devices, passkeys) are the auth
 * feature's, under /profil/securite/…; their actions lead back to them.
 */
import { h } from 'preact';
import { sendPage } from '../../platform/http/render.ts';
import type { Feature } from '../../platform/http/server.ts';
import { firstNameOf, requireMember } from '../auth/member-area.ts';
import { accessCodeSetAt, listMemberDevices, listMemberSessions } from '../auth/member-sessions.ts';
import { DEVICE_COOKIE } from '../auth/new-device.ts';
import { listPasskeys } from '../auth/passkey-common.ts';
import { LEGACY_SECURITY_PATHS, SECURITY_PATHS } from '../auth/security-paths.ts';
import { currentIdHash, memberBar } from '../auth/session-routes.ts';
import { SecurityPage } from './security-page.tsx';

export const securitySettingsRoutes: Feature = (app, { db, clock, page }) => {
  const { organisation } = page;

  app.get(SECURITY_PATHS.hub, async (request, reply) => {
    const memberId = requireMember(request, reply);
    if (!memberId) return reply;
    const now = clock();
    const [codeSetAt, sessions, devices, passkeys, firstName] = await Promise.all([
      accessCodeSetAt(db, memberId),
      listMemberSessions(db, memberId, { currentIdHash: currentIdHash(request), now }),
      listMemberDevices(db, memberId, { deviceCookie: request.cookies[DEVICE_COOKIE], now }),
      listPasskeys(db, memberId),
      firstNameOf(db, memberId),
    ]);
    return sendPage(reply, h(SecurityPage, { organisation, member: memberBar(request, firstName, now), overview: { codeSetAt, sessions, devices, passkeys } }));
  });

  // The query string goes along (« ?retire=1 »…); the target path is fixed, so this cannot redirect elsewhere.
  for (const [legacy, target] of Object.entries(LEGACY_SECURITY_PATHS)) {
    app.get(legacy, async (request, reply) => {
      const query = request.url.indexOf('?');
      return reply.redirect(query >= 0 ? `${target}${request.url.slice(query)}` : target, 301);
    });
  }
};
