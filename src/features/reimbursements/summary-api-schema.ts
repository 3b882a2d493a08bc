/**
 * The « Bilan annuel » API (/api/v1/reimbursements/summary, issue 6): its query and response schemas (the handler
 * returns exactly these fields, a test parses its answers with them) and its entry for the OpenAPI route table.
 */
import { z } from 'zod';
import { errorResponse } from '../auth/api-schemas.ts';

export const summaryQuery = z.strictObject({
  annee: z.coerce.number().int().min(1990).max(2100).optional().or(z.literal('').transform(() => undefined)).describe('Year of care; default: the latest year on record'),
});

const cents = z.number().int();
const amounts = { lines: z.number().int(), chargedCents: cents, amoNetCents: cents.describe('Paid by the Sécurité sociale (after PF and franchise)'), amcCents: cents.describe('Paid by the mutuelle'), remainingCents: cents.describe('Reste à charge') };
const totals = z.strictObject(amounts);
const careGroup = z.strictObject({
  code: z.enum(['consultations', 'actes', 'pharmacie', 'analyses', 'auxiliaires', 'dentaire', 'optique', 'audition', 'hospitalisation', 'transport']),
  label: z.string(),
  ...amounts,
});

export const summaryResponseSchema = z.strictObject({
  year: z.number().int(),
  years: z.array(z.number().int()).describe('Years with care on record, newest first'),
  totals,
  careGroups: z.array(careGroup).describe('Care groups with lines, in a fixed order'),
  beneficiaries: z.array(z.strictObject({ id: z.uuid(), firstName: z.string(), totals, careGroups: z.array(careGroup) })),
  counters: z.strictObject({
    date: z.iso.date().describe('The day the counters are computed for (Europe/Paris)'),
    year: z.number().int(),
    beneficiaries: z.array(
      z.strictObject({
        beneficiaryId: z.uuid(),
        firstName: z.string(),
        guarantee: z.strictObject({ productCode: z.string(), productLabel: z.string(), aid: z.enum(['NONE', 'CSS', 'CSS_PARTICIPATION', 'ACS_A', 'ACS_B', 'ACS_C']) }).nullable(),
        annualAllowances: z.array(
          z.strictObject({ counter: z.string(), kind: z.enum(['ANNUAL_CAP', 'YEARLY_FLAT']), label: z.string(), limitCents: cents, usedCents: cents, remainingCents: cents.describe('Never below 0') }),
        ),
        optics: z
          .strictObject({ lastEquipmentDate: z.iso.date().nullable(), periodMonths: z.number().int(), nextCoveredFrom: z.iso.date(), coveredNow: z.boolean() })
          .nullable(),
        hearingAids: z
          .strictObject({
            devicesInPeriod: z.number().int(), lastDeviceDate: z.iso.date().nullable(), periodMonths: z.number().int(), devicesPerPeriod: z.number().int(),
            nextCoveredFrom: z.iso.date(), coveredNow: z.boolean(),
          })
          .nullable(),
        teletransmission: z.strictObject({ status: z.enum(['ACTIVE', 'PENDING', 'REJECTED', 'NONE']), since: z.iso.date().nullable(), amoFund: z.string().nullable() }),
      }),
    ),
  }),
});

const error = (description: string) => ({ description, schema: errorResponse });

/** For the OpenAPI route table (same shape as the other reimbursement routes). */
export const SUMMARY_API_ROUTE = {
  method: 'GET', path: '/api/v1/reimbursements/summary', operationId: 'reimbursementSummary', tag: 'reimbursements',
  summary: 'Yearly summary (household, beneficiaries, care groups) and the counters: annual caps left, next optical equipment and hearing aid, télétransmission',
  query: summaryQuery,
  responses: { 200: { description: 'The summary', schema: summaryResponseSchema }, 400: error('VALIDATION: not a year between 1990 and 2100'), 401: error('UNAUTHENTICATED') },
} as const;
