/**
 * The member's own sessions (issue 4, moved under the profile by issue 8): /profil/securite/sessions (SES-06: list, end one, end all others), the keep-alive
 * POST /espace/session/prolonger used by public/session-warning.js (SES-02), and the email check after a login
 * (/espace/verifier-email). Registered by loginRoutes.
 */
import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { h } from 'preact';
import { z } from 'zod';
import type { Queryable } from '../../db/database.ts';
import { currentEmail } from '../../db/repositories/contacts.ts';
import type { DataKey } from '../../platform/crypto.ts';
import { AppError } from '../../platform/errors.ts';
import { SESSION_LIMITS } from '../../platform/http/sessions.ts';
import { sendPage } from '../../platform/http/render.ts';
import type { Feature, RouteContext } from '../../platform/http/server.ts';
import { frenchTime, type MemberBar } from '../../platform/views/layout.tsx';
import { writeAudit } from './new-device.ts';
import { endMemberSession, endOtherMemberSessions, listMemberSessions } from './member-sessions.ts';
import { SECURITY_PATHS } from './security-paths.ts';
import { EmailCheckPage, SessionsPage } from './session-pages.tsx';
import { csrfOnlyBody, firstNameOf, MEMBER_HOME, requireMember } from './member-area.ts';

const emailCheckBody = z.strictObject({ _csrf: z.string().max(200), choix: z.enum(['oui', 'plus-tard']) });
const sessionParams = z.strictObject({ id: z.uuid() });
const sessionsQuery = z.object({ fin: z.enum(['1', 'autres']).optional() });

export const EMAIL_CHECK_PATH = '/espace/verifier-email';
/** An address not confirmed for this long is asked about again at the next login. */
export const EMAIL_CONFIRMATION_MAX_AGE_MS = 365 * 24 * 3_600_000;

const MEMBER = SESSION_LIMITS.member;
/** Same digest as the session store (the table keeps only the SHA-256 of the cookie's id). */
const idHash = (id: string) => createHash('sha256').update(id).digest('base64url');
export const currentIdHash = (request: FastifyRequest): string | null => {
  const id = request.cookies[MEMBER.cookie];
  return id ? idHash(id) : null;
};

/** The header and expiry line of a member page: ends at the idle limit, or at the absolute limit if sooner. */
export function memberBar(request: FastifyRequest, firstName: string, now: Date): MemberBar {
  const session = request.session;
  const idleEnd = (session?.lastSeenAt ?? now).getTime() + MEMBER.idleMs;
  const end = Math.min(idleEnd, session?.absoluteExpiresAt.getTime() ?? idleEnd);
  return { firstName, csrfToken: request.csrfToken, sessionEndsAt: new Date(end), secondsLeft: Math.max(0, (end - now.getTime()) / 1000) };
}

/** j•••n@exemple.fr */
export function maskAddress(address: string): string {
  const at = address.lastIndexOf('@');
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  return local.length <= 2 ? `${local.slice(0, 1)}•••@${domain}` : `${local.slice(0, 1)}•••${local.slice(-1)}@${domain}`;
}

type CurrentEmail = { id: string; address: string; verified: boolean; confirmedAt: Date | null };

async function currentEmailOf(q: Queryable, key: DataKey, memberId: string): Promise<CurrentEmail | null> {
  const row = await currentEmail(q, key, memberId);
  if (!row) return null;
  return { id: row.id, address: row.address, verified: row.verifiedAt !== null, confirmedAt: row.lastConfirmedAt ?? row.verifiedAt };
}

/** After a login: is the member to be asked about their email (unverified, or not confirmed for 12 months)? */
export async function needsEmailCheck(q: Queryable, key: DataKey, memberId: string, now: Date): Promise<boolean> {
  const email = await currentEmailOf(q, key, memberId);
  if (!email) return false;
  return !email.verified || email.confirmedAt === null || now.getTime() - email.confirmedAt.getTime() > EMAIL_CONFIRMATION_MAX_AGE_MS;
}

export function registerSessionRoutes(app: Parameters<Feature>[0], context: RouteContext): void {
  const { db, clock, sessions } = context;
  const key = context.config.secrets.dataEncryptionKey;
  const { organisation } = context.page;

  // --- SES-06: the list ------------------------------------------------------------------------------------
  app.get(SECURITY_PATHS.sessions, async (request, reply) => {
    const memberId = requireMember(request, reply);
    if (!memberId) return reply;
    const now = clock();
    const list = await listMemberSessions(db, memberId, { currentIdHash: currentIdHash(request), now });
    const query = sessionsQuery.safeParse(request.query);
    const fin = query.success ? query.data.fin : undefined;
    const notice = fin === '1' ? 'La session a été terminée.' : fin === 'autres' ? 'Toutes les autres sessions ont été terminées.' : null;
    return sendPage(reply, h(SessionsPage, { organisation, member: memberBar(request, await firstNameOf(db, memberId), now), sessions: list, notice }));
  });

  app.post(`${SECURITY_PATHS.sessions}/:id/fin`, async (request, reply) => {
    if (!csrfOnlyBody.safeParse(request.body).success) throw new AppError('VALIDATION');
    const memberId = requireMember(request, reply);
    if (!memberId) return reply;
    const params = sessionParams.safeParse(request.params);
    if (!params.success) throw new AppError('NOT_FOUND');
    const ended = await endMemberSession(db, { memberId, ip: request.ip, now: clock(), channel: 'PAGE' }, { publicId: params.data.id, currentIdHash: currentIdHash(request) });
    // AC-02: another member's session, or one already gone, is simply not found.
    if (!ended) throw new AppError('NOT_FOUND');
    if (ended.wasCurrent) {
      await sessions.end(request, reply);
      return reply.redirect('/?deconnexion=1', 303);
    }
    return reply.redirect(`${SECURITY_PATHS.sessions}?fin=1`, 303);
  });

  app.post(`${SECURITY_PATHS.sessions}/fin-des-autres`, async (request, reply) => {
    if (!csrfOnlyBody.safeParse(request.body).success) throw new AppError('VALIDATION');
    const memberId = requireMember(request, reply);
    if (!memberId) return reply;
    await endOtherMemberSessions(db, { memberId, ip: request.ip, now: clock(), channel: 'PAGE' }, (tx) => sessions.endAllFor(tx, 'member', memberId, request));
    return reply.redirect(`${SECURITY_PATHS.sessions}?fin=autres`, 303);
  });

  // --- SES-02: « Rester connecté » -------------------------------------------------------------------------
  // Loading the session already moved last_seen_at (sessions.ts); this only answers when the session now ends.
  app.post('/espace/session/prolonger', async (request, reply) => {
    if (request.session?.kind !== 'member') return reply.code(401).send({ ended: true });
    const bar = memberBar(request, '', clock());
    return reply.header('cache-control', 'no-store').send({ ended: false, secondsLeft: Math.floor(bar.secondsLeft), endsAt: frenchTime(bar.sessionEndsAt) });
  });

  // --- Email check after a login -----------------------------------------------------------------------------
  // A beneficiary's own login may land here after a new-device check: the household's address is not theirs to check.
  app.get(EMAIL_CHECK_PATH, { config: { beneficiaries: true } }, async (request, reply) => {
    if (request.session?.beneficiaryId) return reply.redirect(MEMBER_HOME, 303);
    const memberId = requireMember(request, reply);
    if (!memberId) return reply;
    const email = await currentEmailOf(db, key, memberId);
    if (!email) return reply.redirect('/espace', 303);
    return sendPage(
      reply,
      h(EmailCheckPage, { organisation, member: memberBar(request, await firstNameOf(db, memberId), clock()), maskedEmail: maskAddress(email.address), verified: email.verified }),
    );
  });

  app.post(EMAIL_CHECK_PATH, async (request, reply) => {
    // AUTH-04: the session first, so that a visitor never learns anything from the body check.
    const memberId = requireMember(request, reply);
    if (!memberId) return reply;
    const body = emailCheckBody.safeParse(request.body);
    if (!body.success) throw new AppError('VALIDATION');
    const now = clock();
    await db.transaction(async (tx) => {
      if (body.data.choix === 'oui') {
        const email = await currentEmailOf(tx, key, memberId);
        if (email) await tx.query('UPDATE email_address SET last_confirmed_at = $2 WHERE id = $1', [email.id, now]);
        await writeAudit(tx, { now, ip: request.ip, actorType: 'member', actorId: memberId, action: 'member.email.confirmed', memberId, details: {} });
      } else {
        await tx.query(`UPDATE session SET email_check_skipped_at = $2 WHERE id_hash = $1 AND kind = 'member'`, [currentIdHash(request) ?? '', now]);
      }
    });
    return reply.redirect('/espace', 303);
  });
}
