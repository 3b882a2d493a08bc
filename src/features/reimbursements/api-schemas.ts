/**
 * The reimbursements API (/api/v1/reimbursements, issue 6): response schemas (the handlers return exactly these
 * fields) and the route table the OpenAPI document is generated from.
 */
import { z } from 'zod';
import { errorResponse } from '../auth/api-schemas.ts';
import type { ApiRoute } from '../../platform/http/openapi.ts';
import { listQuery } from './routes-schemas.ts';
import { SUMMARY_API_ROUTE } from './summary-api-schema.ts';

const status = z.enum(['RECEIVED', 'LIQUIDATED', 'PAID', 'REJECTED']).describe('RECEIVED reçu, LIQUIDATED en cours, PAID payé, REJECTED rejeté');
const cents = z.number().int();
const totals = z.strictObject({ lines: z.number().int(), chargedCents: cents, amoNetCents: cents, amcCents: cents, remainingCents: cents });

export const reimbursementLine = z.strictObject({
  id: z.uuid(),
  careDate: z.iso.date(),
  beneficiaryId: z.uuid(),
  beneficiaryFirstName: z.string(),
  provider: z.string(),
  act: z.string().describe('The act in plain French'),
  chargedCents: cents,
  amoNetCents: cents.describe('Paid by the Sécurité sociale (after PF and franchise)'),
  amcCents: cents.describe('Paid by the mutuelle'),
  remainingCents: cents.describe('Reste à charge'),
  status,
  statusLabel: z.string().describe('« Reçu », « En cours », « Payé le 14/01/2026 », « Rejeté »'),
  paidOn: z.iso.date().nullable(),
  channel: z.string().describe('Télétransmission, Feuille de soins papier or Tiers payant'),
  amountsPending: z.boolean().describe('A paper claim not processed yet: amoNetCents and amcCents are not known (0), remainingCents is the amount paid'),
});

export const reimbursementListResponse = z.strictObject({
  lines: z.array(reimbursementLine),
  next: z.string().nullable().describe('Pass as `apres` for the next page; null on the last page'),
  totals,
  years: z.array(z.number().int()),
  beneficiaries: z.array(z.strictObject({ id: z.uuid(), firstName: z.string() })),
});

export const reimbursementDetailResponse = z.strictObject({
  ...reimbursementLine.omit({ paidOn: true }).shape,
  statementNumber: z.string(),
  quantity: z.number().int(),
  baseCents: cents,
  amoRateBp: z.number().int(),
  amoCents: cents,
  flatFeeCents: cents,
  deductibleCents: cents,
  explanation: z.string().describe('The coverage engine’s French explanation of the reste à charge'),
  rejectionReason: z.string().nullable(),
  timeline: z.array(z.strictObject({ status, label: z.string(), at: z.iso.datetime() })),
  payment: z
    .union([
      z.strictObject({ kind: z.literal('MEMBER'), paidOn: z.iso.date(), maskedIban: z.string().nullable().describe('The account credited, masked: FR76 •••• •••• •••• •••• ••89 123 (null for transfers older than per-transfer records)') }),
      z.strictObject({ kind: z.literal('PROVIDER') }),
    ])
    .nullable(),
});

const error = (description: string) => ({ description, schema: errorResponse });

export const REIMBURSEMENT_API_ROUTES = [
  {
    method: 'GET', path: '/api/v1/reimbursements', operationId: 'listReimbursements', tag: 'reimbursements',
    summary: 'The household’s reimbursement lines, newest care first, 25 a page, with the totals of the filter',
    query: listQuery,
    responses: { 200: { description: 'One page', schema: reimbursementListResponse }, 400: error('VALIDATION: a filter outside its values'), 401: error('UNAUTHENTICATED') },
  },
  {
    method: 'GET', path: '/api/v1/reimbursements/:id', operationId: 'getReimbursement', tag: 'reimbursements',
    summary: 'One line: amounts, explanation, status timeline, payment',
    responses: { 200: { description: 'The line', schema: reimbursementDetailResponse }, 401: error('UNAUTHENTICATED'), 404: error('NOT_FOUND: unknown id or another household’s line') },
  },
  SUMMARY_API_ROUTE,
] as const satisfies readonly ApiRoute[];
