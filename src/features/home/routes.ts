import { h } from 'preact';
import { sendPage } from '../../platform/http/render.ts';
import type { Feature } from '../../platform/http/server.ts';
import { MEMBER_HOME } from '../auth/member-area.ts';
import { HomePage } from './home-page.tsx';
import { AccessibilityPage, LegalPage } from './public-pages.tsx';

export const homeRoutes: Feature = (app, { page }) => {
  const organisation = page.organisation;
  // A member with a session lands on their dashboard (the page after login); visitors get the public home. After a
  // logout (POST /deconnexion → 303 /?deconnexion=1) the session is gone, and the home page says so.
  app.get('/', async (request, reply) => {
    if (request.session?.kind === 'member') return reply.redirect(MEMBER_HOME, 303);
    const loggedOut = (request.query as Record<string, unknown> | undefined)?.deconnexion === '1';
    return sendPage(reply, h(HomePage, { organisation, notice: loggedOut ? 'Vous êtes déconnecté. À bientôt !' : null }));
  });
  app.get('/accessibilite', async (_request, reply) => sendPage(reply, h(AccessibilityPage, { organisation })));
  app.get('/mentions-legales', async (_request, reply) => sendPage(reply, h(LegalPage, { organisation })));
};
