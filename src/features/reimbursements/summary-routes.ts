/**
 * Routes of the « Bilan annuel » (issue 6): the page /remboursements/bilan and its JSON twin
 * /api/v1/reimbursements/summary, over the same two use cases (yearlySummary, householdCounters).
 */
import { h } from 'preact';
import { parisDate } from '../../domain/dates.ts';
import { AppError } from '../../platform/errors.ts';
import { sendPage } from '../../platform/http/render.ts';
import type { Feature } from '../../platform/http/server.ts';
import { apiViewer, firstNameOf, requireViewer, type Viewer } from '../auth/member-area.ts';
import { memberBar } from '../auth/session-routes.ts';
import { householdCounters, type HouseholdCounters } from './household-counters.ts';
import { summaryQuery } from './summary-api-schema.ts';
import { forBeneficiaries } from './routes.ts';
import { YearlySummaryPage } from './summary-page.tsx';
import { yearlySummary, type SummaryAmounts, type YearlySummary } from './yearly-summary.ts';

export function parseSummaryYear(query: unknown): number | null {
  const parsed = summaryQuery.safeParse(query ?? {});
  if (!parsed.success) throw new AppError('VALIDATION', 'L’année demandée n’est pas reconnue : choisissez-la dans la liste.');
  return parsed.data.annee ?? null;
}

const amounts = (a: SummaryAmounts) => ({ lines: a.lines, chargedCents: a.chargedCents, amoNetCents: a.amoNetCents, amcCents: a.amcCents, remainingCents: a.remainingCents });
const groups = (list: YearlySummary['groups']) => list.map((g) => ({ code: g.group, label: g.label, ...amounts(g) }));

/** The JSON body of /api/v1/reimbursements/summary: every field named here, nothing else (summary-api-schema.ts, docs/api/reimbursements.md). */
export function summaryResponse(summary: YearlySummary, counters: HouseholdCounters) {
  return {
    year: summary.year,
    years: summary.years,
    totals: amounts(summary.totals),
    careGroups: groups(summary.groups),
    beneficiaries: summary.beneficiaries.map((b) => ({ id: b.id, firstName: b.firstName, totals: amounts(b.totals), careGroups: groups(b.groups) })),
    counters: {
      date: counters.today,
      year: counters.year,
      beneficiaries: counters.beneficiaries.map((c) => ({
        beneficiaryId: c.beneficiaryId,
        firstName: c.firstName,
        guarantee: c.guarantee ? { productCode: c.guarantee.productCode, productLabel: c.guarantee.productLabel, aid: c.guarantee.aid } : null,
        annualAllowances: c.allowances.map((a) => ({ counter: a.counter, kind: a.kind, label: a.label, limitCents: a.limitCents, usedCents: a.usedCents, remainingCents: a.remainingCents })),
        optics: c.optics
          ? { lastEquipmentDate: c.optics.lastEquipmentDate, periodMonths: c.optics.periodMonths, nextCoveredFrom: c.optics.nextCoveredFrom, coveredNow: c.optics.coveredNow }
          : null,
        hearingAids: c.hearingAids
          ? {
              devicesInPeriod: c.hearingAids.devicesInPeriod, lastDeviceDate: c.hearingAids.lastDeviceDate, periodMonths: c.hearingAids.periodMonths,
              devicesPerPeriod: c.hearingAids.devicesPerPeriod, nextCoveredFrom: c.hearingAids.nextCoveredFrom, coveredNow: c.hearingAids.coveredNow,
            }
          : null,
        teletransmission: { status: c.teletransmission.status, since: c.teletransmission.since, amoFund: c.teletransmission.amoFund },
      })),
    },
  };
}

export const reimbursementSummaryRoutes: Feature = (app, { db, page, clock }) => {
  const organisation = page.organisation;

  async function load(viewer: Viewer, year: number | null) {
    const today = parisDate(clock());
    const [summary, counters] = await Promise.all([yearlySummary(db, viewer, year, Number(today.slice(0, 4))), householdCounters(db, viewer, today)]);
    return { summary, counters };
  }

  app.get('/remboursements/bilan', forBeneficiaries, async (request, reply) => {
    const viewer = requireViewer(request, reply);
    if (!viewer) return reply;
    const year = parseSummaryYear(request.query);
    const [{ summary, counters }, firstName] = await Promise.all([load(viewer, year), firstNameOf(db, viewer)]);
    return sendPage(reply, h(YearlySummaryPage, { organisation, member: memberBar(request, firstName, clock()), summary, counters }));
  });

  app.get('/api/v1/reimbursements/summary', forBeneficiaries, async (request, reply) => {
    const { summary, counters } = await load(apiViewer(request), parseSummaryYear(request.query));
    void reply.header('cache-control', 'no-store');
    return summaryResponse(summary, counters);
  });
};
