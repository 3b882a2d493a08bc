/**
 * Exports of « Mes remboursements » (issue 6): the CSV for spreadsheets and the PDF statement, for the filter of the
 * page (same query string, same parseFilters, same viewer scope). Member session only; downloads, never cached.
 */
import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import { parisDate } from '../../domain/dates.ts';
import type { Feature } from '../../platform/http/server.ts';
import { requireViewer } from '../auth/member-area.ts';
import { exportReimbursements } from './export-reimbursements.ts';
import { reimbursementsCsv } from './reimbursements-csv.ts';
import { renderReimbursementStatement } from './render-statement.ts';
import { forBeneficiaries, parseFilters } from './routes.ts';

const download = (reply: FastifyReply, type: string, fileName: string) =>
  reply.type(type).header('content-disposition', `attachment; filename="${fileName}"`).header('cache-control', 'no-store');

export const reimbursementExportRoutes: Feature = (app, { db, page, clock }) => {
  app.get('/remboursements/export.csv', forBeneficiaries, async (request, reply) => {
    const viewer = requireViewer(request, reply);
    if (!viewer) return reply;
    const exported = await exportReimbursements(db, viewer, parseFilters(request.query));
    // One page of lines in memory at a time: the file goes out as it is read.
    return download(reply, 'text/csv; charset=utf-8', `remboursements-${parisDate(clock())}.csv`).send(Readable.from(reimbursementsCsv(exported), { objectMode: false }));
  });

  app.get('/remboursements/releve.pdf', forBeneficiaries, async (request, reply) => {
    const viewer = requireViewer(request, reply);
    if (!viewer) return reply;
    const exported = await exportReimbursements(db, viewer, parseFilters(request.query));
    const generatedAt = clock();
    const pdf = await renderReimbursementStatement({ organisationName: page.organisation.name, exported, generatedAt });
    return download(reply, 'application/pdf', `releve-remboursements-${parisDate(generatedAt)}.pdf`).send(pdf);
  });
};
