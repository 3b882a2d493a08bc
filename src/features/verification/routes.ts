/**
 * Public verification of signed document codes (issue 7): the page /verifier (form, and ?code= from a QR code), its
 * JSON twin GET /api/v1/verify, and the public keys at /.well-known/jwks.json. No session: these are for professionals
 * and administrations shown a card or an attestation.
 */
import { h } from 'preact';
import { AppError } from '../../platform/errors.ts';
import { sendPage } from '../../platform/http/render.ts';
import type { Feature } from '../../platform/http/server.ts';
import { MAX_INPUT_LENGTH, verifyQuery } from './api-schemas.ts';
import { verificationAnswer } from './verification-answer.ts';
import { publicJwks } from './verification-code.ts';
import { VerificationPage } from './verification-page.tsx';

export const verificationRoutes: Feature = (app, { config, page, clock }) => {
  const organisation = page.organisation;
  const jwks = publicJwks(config);

  app.get('/verifier', async (request, reply) => {
    const raw = (request.query as Record<string, unknown> | undefined)?.code;
    // Whatever arrives (repeated, too long) gets an answer on the page rather than an error page.
    const input = typeof raw === 'string' ? raw.slice(0, MAX_INPUT_LENGTH) : Array.isArray(raw) ? String(raw[0] ?? '').slice(0, MAX_INPUT_LENGTH) : '';
    const answer = input.trim() === '' ? null : verificationAnswer(config, input, clock(), organisation.name);
    // The answer shows a member number and birth dates: not kept by caches, not indexed.
    void reply.header('cache-control', 'no-store').header('x-robots-tag', 'noindex');
    return sendPage(reply, h(VerificationPage, { organisation, input, answer }));
  });

  app.get('/api/v1/verify', async (request, reply) => {
    const parsed = verifyQuery.safeParse(request.query ?? {});
    if (!parsed.success) throw new AppError('VALIDATION', 'Indiquez un seul paramètre « code » de 1 à 4 096 caractères.', { code: 'Code de vérification manquant ou trop long.' });
    void reply.header('cache-control', 'no-store');
    return verificationAnswer(config, parsed.data.code, clock(), organisation.name);
  });

  app.get('/.well-known/jwks.json', async (_request, reply) => reply.header('cache-control', 'public, max-age=3600').header('access-control-allow-origin', '*').send(jwks));
};
