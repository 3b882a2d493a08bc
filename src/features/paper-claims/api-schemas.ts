/**
 * POST /api/v1/reimbursements/paper-claims (issue 6): the multipart body (same fields as the page's form), the
 * response (the handler returns exactly these fields) and the OpenAPI route entry.
 */
import { z } from 'zod';
import type { ApiRoute } from '../../platform/http/openapi.ts';

export const paperClaimBody = z.strictObject({
  beneficiaire: z.uuid().describe('A beneficiary of the household (GET /api/v1/reimbursements lists them)'),
  date_soins: z.string().describe('Date of care, AAAA-MM-JJ or JJ/MM/AAAA; not in the future, at most two years ago'),
  nature: z.string().describe('Kind of care: a coverage family code (CONSULTATION, PHARMACY, OPTICS_FRAME…)'),
  montant: z.string().describe('Amount paid in euros, French format accepted: « 1 234,56 »'),
  professionnel: z.string().max(100).optional().describe('Professional or establishment'),
  commentaire: z.string().max(1000).optional(),
  fichiers: z.array(z.string().meta({ format: 'binary' })).min(1).describe('1 to UPLOAD_MAX_FILES files (PDF, JPEG, PNG), UPLOAD_MAX_FILE_MB each; type checked by content'),
});

export const paperClaimResponse = z.strictObject({
  id: z.uuid().describe('The paper claim'),
  lineId: z.uuid().describe('Its reimbursement line (GET /api/v1/reimbursements/{id}), status RECEIVED until processed'),
  status: z.literal('RECEIVED'),
  receivedAt: z.iso.datetime(),
  files: z.array(z.strictObject({ id: z.uuid(), name: z.string().describe('Sanitised original name'), url: z.string().describe('Download (the member’s own files only)') })),
});

const fileProblem = z.strictObject({
  name: z.string(),
  code: z.enum(['FILE_EMPTY', 'FILE_TOO_LARGE', 'FILE_TYPE_REFUSED', 'FILE_TYPE_MISMATCH', 'FILE_PDF_ACTIVE_CONTENT', 'FILE_PDF_ENCRYPTED', 'FILE_UNREADABLE', 'FILE_TOO_MANY_PIXELS']),
  message: z.string(),
});

export const paperClaimError = z.strictObject({
  error: z.strictObject({
    code: z.string().describe('VALIDATION, PAYLOAD_TOO_LARGE (a file over the limit, or the request), UNSUPPORTED_MEDIA_TYPE (not PDF/JPEG/PNG, or content and extension disagree), UNAUTHENTICATED, CSRF'),
    message: z.string().describe('French message for people'),
    fields: z.record(z.string(), z.string()).optional().describe('Message per form field (fichiers for the files)'),
    files: z.array(fileProblem).optional().describe('Each refused file with its stable code'),
  }),
});

const error = (description: string) => ({ description, schema: paperClaimError });

export const PAPER_CLAIM_API_ROUTE = {
  method: 'POST', path: '/api/v1/reimbursements/paper-claims', operationId: 'submitPaperClaim', tag: 'reimbursements',
  summary: 'Send a feuille de soins, invoice or S3125 with its files: creates a line in status RECEIVED (amounts pending)',
  body: paperClaimBody, bodyMediaType: 'multipart/form-data',
  responses: {
    201: { description: 'Received', schema: paperClaimResponse },
    400: error('VALIDATION: a field or file refused'),
    401: error('UNAUTHENTICATED'),
    403: error('CSRF'),
    413: error('PAYLOAD_TOO_LARGE: a file over UPLOAD_MAX_FILE_MB, or the whole request too large'),
    415: error('UNSUPPORTED_MEDIA_TYPE: a file that is not PDF, JPEG or PNG by its content, or whose extension disagrees'),
  },
} as const satisfies ApiRoute;
