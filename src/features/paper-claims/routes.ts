/**
 * Paper claims (issue 6): the guide and form at /remboursements/papier, its JSON twin
 * POST /api/v1/reimbursements/paper-claims, and the download of a file the member sent. Both posts are multipart,
 * parsed only in this scope (uploads/multipart.ts), and call submitPaperClaim.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { h } from 'preact';
import type { z } from 'zod';
import { parisDate } from '../../domain/dates.ts';
import { AppError } from '../../platform/errors.ts';
import { sendPage } from '../../platform/http/render.ts';
import type { Feature } from '../../platform/http/server.ts';
import { memberBar } from '../auth/session-routes.ts';
import { firstNameOf, requireMember } from '../auth/member-area.ts';
import type { Viewer } from '../reimbursements/list-reimbursements.ts';
import { downloadHeaders, downloadRouteOptions, readStoredFile } from '../uploads/file-store.ts';
import { filesOf, registerMultipart, textFieldsOf } from '../uploads/multipart.ts';
import type { paperClaimResponse } from './api-schemas.ts';
import { PaperClaimPage, type PaperClaimPageProps } from './paper-claim-page.tsx';
import { paperClaimFields, PaperClaimRefused, submitPaperClaim, type PaperClaimFields } from './submit-paper-claim.ts';
import { fileParams, sentQuery } from './routes-schemas.ts';

const EMPTY: PaperClaimFields = paperClaimFields.parse({});

/** The ouvrant droit, for the whole household: a beneficiary's own login is not offered these routes (yet). */
const householdOf = (memberId: string): Viewer => ({ memberId, beneficiaryId: null });

export const paperClaimRoutes: Feature = async (app, { db, page, clock, config }) => {
  const organisation = page.organisation;
  const key = config.secrets.dataEncryptionKey;
  const limits = config.uploads;

  async function showForm(request: FastifyRequest, reply: FastifyReply, memberId: string, extra: Pick<PaperClaimPageProps, 'values' | 'errors' | 'sent'>, status = 200) {
    const now = clock();
    const [firstName, beneficiaries] = await Promise.all([
      firstNameOf(db, memberId),
      db.query<{ id: string; first_name: string }>(`SELECT id, first_name FROM beneficiary WHERE member_id = $1 ORDER BY relationship = 'SELF' DESC, birth_date`, [memberId]),
    ]);
    const props: PaperClaimPageProps = {
      organisation, member: memberBar(request, firstName, now), beneficiaries: beneficiaries.rows.map((b) => ({ id: b.id, firstName: b.first_name })),
      limits, today: parisDate(now), ...extra,
    };
    return sendPage(reply, h(PaperClaimPage, props), status);
  }

  app.get('/remboursements/papier', async (request, reply) => {
    const memberId = requireMember(request, reply);
    if (!memberId) return reply;
    const query = sentQuery.safeParse(request.query ?? {});
    let sent: PaperClaimPageProps['sent'] = null;
    if (query.success && query.data.envoye) {
      const { rows } = await db.query<{ received_at: Date }>(
        `SELECT s.received_at FROM claim_line c JOIN statement s ON s.id = c.statement_id WHERE c.id = $1 AND c.member_id = $2 AND s.source = 'PAPER'`,
        [query.data.envoye, memberId],
      );
      if (rows[0]) sent = { lineId: query.data.envoye, receivedOn: parisDate(new Date(rows[0].received_at)) };
    }
    return showForm(request, reply, memberId, { values: EMPTY, errors: {}, sent });
  });

  app.get('/remboursements/papier/fichiers/:id', downloadRouteOptions, async (request, reply) => {
    const memberId = requireMember(request, reply);
    if (!memberId) return reply;
    const params = fileParams.safeParse(request.params);
    if (!params.success) throw new AppError('NOT_FOUND');
    const file = await readStoredFile(db, key, memberId, params.data.id);
    return reply.headers(downloadHeaders(file)).send(file.data);
  });

  // Multipart is parsed in this scope only; the member is known before a byte of the body is read.
  await app.register(async (scope) => {
    await registerMultipart(scope, limits);

    scope.post('/remboursements/papier', {
      onRequest: async (request, reply) => {
        if (!requireMember(request, reply)) return reply;
      },
    }, async (request, reply) => {
      const memberId = request.session!.subjectId;
      const parsed = paperClaimFields.safeParse(textFieldsOf(request));
      const values = parsed.success ? parsed.data : EMPTY;
      try {
        const claim = await submitPaperClaim(db, { key, limits, now: clock() }, householdOf(memberId), values, filesOf(request, 'fichiers'));
        return reply.redirect(`/remboursements/papier?envoye=${claim.lineId}`, 303);
      } catch (error) {
        if (!(error instanceof PaperClaimRefused)) throw error;
        return showForm(request, reply, memberId, { values, errors: error.fields ?? {}, sent: null }, error.status);
      }
    });

    scope.post('/api/v1/reimbursements/paper-claims', {
      onRequest: async (request) => {
        if (request.session?.kind !== 'member') throw new AppError('UNAUTHENTICATED');
      },
    }, async (request, reply): Promise<z.infer<typeof paperClaimResponse>> => {
      const memberId = request.session!.subjectId;
      const parsed = paperClaimFields.safeParse(textFieldsOf(request));
      if (!parsed.success) throw new AppError('VALIDATION');
      try {
        const claim = await submitPaperClaim(db, { key, limits, now: clock() }, householdOf(memberId), parsed.data, filesOf(request, 'fichiers'));
        void reply.status(201).header('cache-control', 'no-store');
        return {
          id: claim.claimId, lineId: claim.lineId, status: 'RECEIVED', receivedAt: claim.receivedAt,
          files: claim.files.map((f) => ({ id: f.id, name: f.name, url: `/remboursements/papier/fichiers/${f.id}` })),
        };
      } catch (error) {
        if (!(error instanceof PaperClaimRefused)) throw error;
        return reply.status(error.status).send({ error: { code: error.code, message: error.message, fields: error.fields, files: error.fileProblems } });
      }
    });
  });
};
