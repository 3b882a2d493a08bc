/**
 * Routes of « Mes documents » (issue 7): the list, the card and the attestation de droits as they stand today, each
 * version as an HTML page and as a PDF, and the JSON twins under /api/v1/documents. Every URL is checked against the
 * session's member on each request: another member's id, like an unknown one, is a 404 (AC-02).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { h } from 'preact';
import type { z } from 'zod';
import type { Queryable } from '../../db/database.ts';
import { parisDate } from '../../domain/dates.ts';
import { AppError } from '../../platform/errors.ts';
import { sendPage } from '../../platform/http/render.ts';
import type { Feature } from '../../platform/http/server.ts';
import { firstNameOf, requireMember } from '../auth/member-area.ts';
import { memberBar } from '../auth/session-routes.ts';
import { lettersDir } from '../letters/generate-letter-job.ts';
import { documentParams, type documentListResponse } from './api-schemas.ts';
import { documentCodes, documentPdf, documentsDeps } from './document-output.ts';
import { documentView } from './document-views.ts';
import { currentDocument, getDocument, getLetter, listLetters, refreshDocuments, type DocumentsDeps, type StoredDocument } from './member-documents.ts';
import { DocumentPage, DocumentsPage } from './pages.tsx';

/** The dashboard's quick links point here: the card and the attestation as they stand today. */
export const CARD_PATH = '/documents/carte-tiers-payant';
export const RIGHTS_CERTIFICATE_PATH = '/documents/attestation-droits';

const FILE_NAMES: Record<string, string> = {
  CARTE_TP: 'carte-tiers-payant', ATTESTATION_DROITS: 'attestation-droits', ATTESTATION_FISCALE: 'attestation-fiscale', BULLETIN_ADHESION: 'bulletin-adhesion', ECHEANCIER: 'echeancier',
};

function apiMember(request: FastifyRequest): string {
  if (request.session?.kind !== 'member') throw new AppError('UNAUTHENTICATED');
  return request.session.subjectId;
}

const idOf = (params: unknown): string => {
  const parsed = documentParams.safeParse(params);
  if (!parsed.success) throw new AppError('NOT_FOUND');
  return parsed.data.id;
};

const sendPdf = (reply: FastifyReply, fileName: string, pdf: Buffer) =>
  reply.type('application/pdf').header('content-disposition', `attachment; filename="${fileName}"`).header('cache-control', 'no-store').send(pdf);

/** A version of the member's documents, else one of their letters, as a PDF; anything else is NOT_FOUND. */
async function pdfOf(db: Queryable, deps: DocumentsDeps, dataDir: string, memberId: string, id: string): Promise<{ fileName: string; pdf: Buffer }> {
  const stored = await getDocument(db, deps, memberId, id).catch((error: unknown) => {
    if (error instanceof AppError && error.code === 'NOT_FOUND') return null;
    throw error;
  });
  if (stored) return { fileName: `${FILE_NAMES[stored.kind]}-${stored.scope ? `${stored.scope.replace(/[^A-Za-z0-9-]+/g, '-')}-` : ''}v${stored.version}.pdf`, pdf: await documentPdf(stored) };
  const letter = await getLetter(db, memberId, id);
  const pdf = await readFile(path.join(lettersDir(dataDir), letter.fileName)).catch(() => {
    throw new AppError('NOT_FOUND');
  });
  return { fileName: `courrier-${parisDate(letter.issuedAt)}.pdf`, pdf };
}

export const documentRoutes: Feature = (app, { db, page, clock, config }) => {
  const organisation = page.organisation;
  const deps = documentsDeps(config);

  const showDocument = async (request: FastifyRequest, reply: FastifyReply, memberId: string, stored: StoredDocument) => {
    const firstName = await firstNameOf(db, memberId);
    const codes = documentCodes(stored);
    void reply.header('cache-control', 'no-store');
    return sendPage(reply, h(DocumentPage, { organisation, member: memberBar(request, firstName, clock()), document: stored, view: documentView(stored.facts), codes }));
  };

  app.get('/documents', async (request, reply) => {
    const memberId = requireMember(request, reply);
    if (!memberId) return reply;
    const now = clock();
    const [documents, letters, firstName] = await Promise.all([refreshDocuments(db, deps, memberId, now), listLetters(db, memberId), firstNameOf(db, memberId)]);
    void reply.header('cache-control', 'no-store');
    return sendPage(reply, h(DocumentsPage, { organisation, member: memberBar(request, firstName, now), documents, letters, year: Number(parisDate(now).slice(0, 4)) }));
  });

  for (const [url, kind] of [[CARD_PATH, 'CARTE_TP'], [RIGHTS_CERTIFICATE_PATH, 'ATTESTATION_DROITS']] as const) {
    app.get(url, async (request, reply) => {
      const memberId = requireMember(request, reply);
      if (!memberId) return reply;
      return showDocument(request, reply, memberId, await currentDocument(db, deps, memberId, kind, clock()));
    });
  }

  app.get('/documents/:id', async (request, reply) => {
    const memberId = requireMember(request, reply);
    if (!memberId) return reply;
    return showDocument(request, reply, memberId, await getDocument(db, deps, memberId, idOf(request.params)));
  });

  app.get('/documents/:id/pdf', async (request, reply) => {
    const memberId = requireMember(request, reply);
    if (!memberId) return reply;
    const { fileName, pdf } = await pdfOf(db, deps, config.dataDir, memberId, idOf(request.params));
    return sendPdf(reply, fileName, pdf);
  });

  app.get('/api/v1/documents', async (request, reply): Promise<z.infer<typeof documentListResponse>> => {
    const memberId = apiMember(request);
    const [documents, letters] = await Promise.all([refreshDocuments(db, deps, memberId, clock()), listLetters(db, memberId)]);
    void reply.header('cache-control', 'no-store');
    const items = [
      ...documents.map((d) => ({
        id: d.id, type: d.kind, title: d.title, version: d.version, current: d.current, issuedAt: d.issuedAt.toISOString(),
        downloadUrl: `/api/v1/documents/${d.id}`, htmlUrl: `/documents/${d.id}`,
      })),
      ...letters.map((l) => ({
        id: l.id, type: 'COURRIER' as const, title: l.title, version: null, current: true, issuedAt: l.issuedAt.toISOString(), downloadUrl: `/api/v1/documents/${l.id}`, htmlUrl: null,
      })),
    ].sort((a, b) => (a.issuedAt < b.issuedAt ? 1 : a.issuedAt > b.issuedAt ? -1 : 0));
    return { documents: items };
  });

  app.get('/api/v1/documents/:id', async (request, reply) => {
    const memberId = apiMember(request);
    const { fileName, pdf } = await pdfOf(db, deps, config.dataDir, memberId, idOf(request.params));
    return sendPdf(reply, fileName, pdf);
  });
};
