/**
 * Routes of « Mes remboursements » (issue 6): pages and their JSON twins under /api/v1/reimbursements, over the same
 * use cases. Query strings are parsed by the schemas below; a value outside them is a 400 with a French message.
 */
import { h } from 'preact';
import type { z } from 'zod';
import { AppError } from '../../platform/errors.ts';
import { sendPage } from '../../platform/http/render.ts';
import type { Feature } from '../../platform/http/server.ts';
import { memberBar } from '../auth/session-routes.ts';
import { apiViewer, firstNameOf, requireViewer } from '../auth/member-area.ts';
import { paperClaimOfLine } from '../paper-claims/submit-paper-claim.ts';
import { listReimbursements, type ReimbursementFilters } from './list-reimbursements.ts';
import { ReimbursementDetailPage, ReimbursementsPage } from './pages.tsx';
import { getReimbursement } from './reimbursement-detail.ts';
import type { reimbursementDetailResponse, reimbursementListResponse } from './api-schemas.ts';
import { lineParams, listQuery } from './routes-schemas.ts';

export { listQuery };

export function parseFilters(query: unknown): ReimbursementFilters {
  const parsed = listQuery.safeParse(query ?? {});
  if (!parsed.success) {
    throw new AppError('VALIDATION', 'Un des filtres n’est pas reconnu : choisissez l’année, le bénéficiaire, les soins et l’état dans les listes, et les dates au format AAAA-MM-JJ.');
  }
  const q = parsed.data;
  if (q.du && q.au && q.du > q.au) throw new AppError('VALIDATION', 'La période est inversée : la date de début (du) doit précéder la date de fin (au).');
  return { year: q.annee, beneficiaryId: q.beneficiaire, group: q.soins, status: q.statut, from: q.du, to: q.au, after: q.apres };
}

/** Every route here serves the ouvrant droit (the household) and a beneficiary's own login (their lines only). */
export const forBeneficiaries = { config: { beneficiaries: true } } as const;

export const reimbursementRoutes: Feature = (app, { db, page, clock }) => {
  const organisation = page.organisation;

  app.get('/remboursements', forBeneficiaries, async (request, reply) => {
    const viewer = requireViewer(request, reply);
    if (!viewer) return reply;
    const filters = parseFilters(request.query);
    const list = await listReimbursements(db, viewer, filters);
    return sendPage(reply, h(ReimbursementsPage, { organisation, member: memberBar(request, list.viewerFirstName, clock()), list, filters }));
  });

  app.get('/remboursements/:id', forBeneficiaries, async (request, reply) => {
    const viewer = requireViewer(request, reply);
    if (!viewer) return reply;
    const params = lineParams.safeParse(request.params);
    if (!params.success) throw new AppError('NOT_FOUND');
    const [line, firstName, sent] = await Promise.all([getReimbursement(db, viewer, params.data.id), firstNameOf(db, viewer), paperClaimOfLine(db, viewer, params.data.id)]);
    return sendPage(reply, h(ReimbursementDetailPage, { organisation, member: memberBar(request, firstName, clock()), line, sent }));
  });

  app.get('/api/v1/reimbursements', forBeneficiaries, async (request, reply): Promise<z.infer<typeof reimbursementListResponse>> => {
    const list = await listReimbursements(db, apiViewer(request), parseFilters(request.query));
    void reply.header('cache-control', 'no-store');
    return {
      lines: list.rows.map((r) => ({
        id: r.id, careDate: r.careDate, beneficiaryId: r.beneficiaryId, beneficiaryFirstName: r.beneficiaryFirstName, provider: r.provider, act: r.act,
        chargedCents: r.chargedCents, amoNetCents: r.amoNetCents, amcCents: r.amcCents, remainingCents: r.remainingCents, status: r.status,
        statusLabel: r.statusLabel, paidOn: r.paidOn, channel: r.channel, amountsPending: r.amountsPending,
      })),
      next: list.next,
      totals: list.totals,
      years: list.years,
      beneficiaries: list.beneficiaries,
    };
  });

  app.get('/api/v1/reimbursements/:id', forBeneficiaries, async (request, reply): Promise<z.infer<typeof reimbursementDetailResponse>> => {
    const viewer = apiViewer(request);
    const params = lineParams.safeParse(request.params);
    if (!params.success) throw new AppError('NOT_FOUND');
    const line = await getReimbursement(db, viewer, params.data.id);
    void reply.header('cache-control', 'no-store');
    return {
      id: line.id, careDate: line.careDate, beneficiaryId: line.beneficiaryId, beneficiaryFirstName: line.beneficiaryFirstName, provider: line.provider,
      act: line.act, statementNumber: line.statementNumber, quantity: line.quantity, chargedCents: line.chargedCents, baseCents: line.baseCents,
      amoRateBp: line.amoRateBp, amoCents: line.amoCents, flatFeeCents: line.flatFeeCents, deductibleCents: line.deductibleCents, amoNetCents: line.amoNetCents,
      amcCents: line.amcCents, remainingCents: line.remainingCents, status: line.status, statusLabel: line.statusLabel, channel: line.channel, amountsPending: line.amountsPending,
      explanation: line.explanation, rejectionReason: line.rejectionReason, timeline: line.timeline, payment: line.payment,
    };
  });
};
