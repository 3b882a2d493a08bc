/**
 * The member home /espace (issue 6): the dashboard. A visitor without a session goes to /connexion and comes back
 * here after the login.
 */
import type { FastifyInstance } from 'fastify';
import { h } from 'preact';
import { parisDate } from '../../domain/dates.ts';
import { sendPage } from '../../platform/http/render.ts';
import type { Feature } from '../../platform/http/server.ts';
import { MEMBER_HOME, requireViewer } from '../auth/member-area.ts';
import { memberBar } from '../auth/session-routes.ts';
import { DashboardPage, type QuickLink } from './dashboard-page.tsx';
import { memberDashboard } from './member-dashboard.ts';

/**
 * The quick links, in order. One whose page is not registered (yet) is left out rather than linked to a « page
 * introuvable ».
 */
const QUICK_LINKS: QuickLink[] = [
  { href: '/remboursements', label: 'Mes remboursements' },
  { href: '/remboursements/bilan', label: 'Bilan par année' },
  { href: '/remboursements/papier', label: 'Envoyer une feuille de soins' },
  { href: '/documents/carte-tiers-payant', label: 'Ma carte de tiers payant' },
  { href: '/documents/attestation-droits', label: 'Mon attestation de droits' },
  { href: '/documents', label: 'Mes documents' },
  { href: '/profil', label: 'Mes coordonnées' },
  { href: '/profil/banque', label: 'Mes coordonnées bancaires' },
  { href: '/profil/securite', label: 'Sécurité de mon compte' },
  { href: '/profil/acces', label: 'Historique des accès' },
  { href: '/profil/notifications', label: 'Mes notifications' },
  { href: '/profil/donnees', label: 'Mes données personnelles' },
];

function availableLinks(app: FastifyInstance): QuickLink[] {
  return QUICK_LINKS.filter((link) => link.href.startsWith('#') || app.hasRoute({ method: 'GET', url: link.href }));
}

export const dashboardRoutes: Feature = (app, { db, page, clock }) => {
  const organisation = page.organisation;
  // Known once every feature is registered (the first request comes after app.ready()).
  let quickLinks: QuickLink[] | undefined;

  // A beneficiary's own login lands here too: their lines and rights only (memberDashboard).
  app.get(MEMBER_HOME, { config: { beneficiaries: true } }, async (request, reply) => {
    const viewer = requireViewer(request, reply);
    if (!viewer) return reply;
    const now = clock();
    const dashboard = await memberDashboard(db, viewer, parisDate(now));
    quickLinks ??= availableLinks(app);
    return sendPage(reply, h(DashboardPage, { organisation, member: memberBar(request, dashboard.firstName, now), dashboard, quickLinks }));
  });
};
