/** Query and path schemas of the reimbursements pages and API (shared with the OpenAPI route table). */
import { z } from 'zod';
import { CARE_GROUP_CODES, STATUS_SLUGS, type StatusSlug } from '../../domain/claims/labels.ts';
import { isIsoDate } from '../../domain/dates.ts';

/** A period end in the query string: AAAA-MM-JJ, a real calendar date (within the years PostgreSQL and the year filter accept). */
const isoDate = z.string().refine((v) => isIsoDate(v) && v >= '1990-01-01' && v <= '2100-12-31');

export const listQuery = z.strictObject({
  annee: z.coerce.number().int().min(1990).max(2100).optional().or(z.literal('').transform(() => undefined)),
  beneficiaire: z.uuid().optional().or(z.literal('').transform(() => undefined)),
  soins: z.enum(CARE_GROUP_CODES).optional().or(z.literal('').transform(() => undefined)),
  statut: z.enum(Object.keys(STATUS_SLUGS) as [StatusSlug, ...StatusSlug[]]).optional().or(z.literal('').transform(() => undefined)),
  du: isoDate.optional().or(z.literal('').transform(() => undefined)),
  au: isoDate.optional().or(z.literal('').transform(() => undefined)),
  apres: z.string().max(120).optional(),
});
export const lineParams = z.strictObject({ id: z.uuid() });
