import { h } from 'preact';
import { sendPage } from '../../platform/http/render.ts';
import type { Feature } from '../../platform/http/server.ts';
import { HomePage } from './home-page.tsx';
import { AccessibilityPage, LegalPage, LoginComingPage } from './public-pages.tsx';

export const homeRoutes: Feature = (app, { page }) => {
  const organisation = page.organisation;
  app.get('/', async (_request, reply) => sendPage(reply, h(HomePage, { organisation })));
  app.get('/connexion', async (_request, reply) => sendPage(reply, h(LoginComingPage, { organisation })));
  app.get('/accessibilite', async (_request, reply) => sendPage(reply, h(AccessibilityPage, { organisation })));
  app.get('/mentions-legales', async (_request, reply) => sendPage(reply, h(LegalPage, { organisation })));
};
