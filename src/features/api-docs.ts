/** `GET /api/v1/openapi.json`: the whole JSON API, generated from each feature's route table (platform/http/openapi.ts). */
import type { Feature } from '../platform/http/server.ts';
import { openApiDocument, type ApiRoute } from '../platform/http/openapi.ts';
import { AUTH_API_ROUTES } from './auth/api-schemas.ts';
import { DOCUMENT_API_ROUTES } from './documents/api-schemas.ts';
import { PAPER_CLAIM_API_ROUTE } from './paper-claims/api-schemas.ts';
import { PROFILE_API_ROUTES } from './profile/api-schemas.ts';
import { REIMBURSEMENT_API_ROUTES } from './reimbursements/api-schemas.ts';
import { VERIFICATION_API_ROUTE } from './verification/api-schemas.ts';
import { PRIVACY_API_ROUTES } from './privacy/api-schemas.ts';
import { SECURITY_API_ROUTES } from './security-settings/api-schemas.ts';

export const API_ROUTES: readonly ApiRoute[] = [...AUTH_API_ROUTES, ...REIMBURSEMENT_API_ROUTES, PAPER_CLAIM_API_ROUTE, ...DOCUMENT_API_ROUTES, ...PROFILE_API_ROUTES, ...SECURITY_API_ROUTES, ...PRIVACY_API_ROUTES, VERIFICATION_API_ROUTE];

export const apiDocsRoutes: Feature = (app, { config }) => {
  const document = openApiDocument(config.publicUrl, API_ROUTES);
  app.get('/api/v1/openapi.json', async (_request, reply) => reply.header('cache-control', 'no-cache').send(document));
};
