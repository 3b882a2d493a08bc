/**
 * The documents API (/api/v1/documents, issue 7): path and response schemas (the handlers return exactly these
 * fields) and the route table the OpenAPI document is generated from.
 */
import { z } from 'zod';
import { errorResponse } from '../auth/api-schemas.ts';
import type { ApiRoute } from '../../platform/http/openapi.ts';
import { DOCUMENT_KINDS } from './document-facts.ts';

export const documentParams = z.strictObject({ id: z.uuid() });

export const documentItem = z.strictObject({
  id: z.uuid(),
  type: z.enum([...DOCUMENT_KINDS, 'COURRIER']).describe('CARTE_TP, ATTESTATION_DROITS, ATTESTATION_FISCALE, BULLETIN_ADHESION, ECHEANCIER, or COURRIER (a letter the mutuelle sent)'),
  title: z.string().describe('« Carte de tiers payant », « Attestation fiscale 2025 »…'),
  version: z.number().int().nullable().describe('Version of a generated document (1, 2…); null for a letter'),
  current: z.boolean().describe('The latest version of a document the member can still get today'),
  issuedAt: z.iso.datetime(),
  downloadUrl: z.string().describe('GET with the session: the PDF'),
  htmlUrl: z.string().nullable().describe('The accessible HTML page of the document; null for a letter'),
});

export const documentListResponse = z.strictObject({ documents: z.array(documentItem) });

const error = (description: string) => ({ description, schema: errorResponse });

export const DOCUMENT_API_ROUTES = [
  {
    method: 'GET', path: '/api/v1/documents', operationId: 'listDocuments', tag: 'documents',
    summary: 'The member’s documents, newest first: card, attestations, bulletin, échéancier (a new version is issued when their content changed) and letters',
    responses: { 200: { description: 'Every version', schema: documentListResponse }, 401: error('UNAUTHENTICATED') },
  },
  {
    method: 'GET', path: '/api/v1/documents/:id', operationId: 'downloadDocument', tag: 'documents',
    summary: 'One document as a tagged PDF (application/pdf)',
    responses: { 200: { description: 'The PDF (application/pdf)' }, 401: error('UNAUTHENTICATED'), 404: error('NOT_FOUND: unknown id or another member’s document') },
  },
] as const satisfies readonly ApiRoute[];
