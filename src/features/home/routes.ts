import { h } from 'preact';
import { sendPage } from '../../platform/http/render.ts';
import type { Feature } from '../../platform/http/server.ts';
import { HomePage } from './home-page.tsx';
import { AccessibilityPage, LegalPage } from './public-pages.tsx';

export const homeRoutes: Feature = (app, { page }) => {
  const organisation = page.organisation;
  // After a logout (POST /deconnexion → 303 /?deconnexion=1), the home page says so.
  app.get('/', async (request, reply) => {
    const loggedOut = (request.query as Record<string, unknown> | undefined)?.deconnexion === '1';
    return sendPage(reply, h(HomePage, { organisation, notice: loggedOut ? 'Vous êtes déconnecté. À bientôt !' : null }));
  });
  app.get('/accessibilite', async (_request, reply) => sendPage(reply, h(AccessibilityPage, { organisation })));
  app.get('/mentions-legales', async (_request, reply) => sendPage(reply, h(LegalPage, { organisation })));
};
