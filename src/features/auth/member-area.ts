import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Queryable } from '../../db/database.ts';
import { AppError } from '../../platform/errors.ts';

/** Shared by the member-area routes: the landing page, the access check and the body of a bare form. */
export const MEMBER_HOME = '/espace';

/** A form with nothing but its CSRF token (logout, revoke, end a session…). */
export const csrfOnlyBody = z.strictObject({ _csrf: z.string().max(200) });

/** WEB-05: only a relative path inside the member area (/espace…, /remboursements…, /documents…, /profil…); anything else (//evil.test, https:evil, /\evil…) is dropped. */
export function safeNext(next: string | undefined | null): string | null {
  if (typeof next !== 'string' || next.length > 300) return null;
  return /^\/(?:espace|remboursements|documents|profil)(?:\/[A-Za-z0-9_-]+)*\/?(?:\?[A-Za-z0-9_=&%-]*)?$/.test(next) ? next : null;
}

/** The member session, or a redirect to the login page that comes back here (GET only). */
export function requireMember(request: FastifyRequest, reply: FastifyReply): string | null {
  if (request.session?.kind === 'member') return request.session.subjectId;
  const next = request.method === 'GET' ? safeNext(request.url) : null;
  void reply.redirect(next ? `/connexion?next=${encodeURIComponent(next)}` : '/connexion', 303);
  return null;
}

/** Who is looking: the ouvrant droit sees the household; a beneficiary with a login of their own, only their part. */
export type Viewer = { memberId: string; beneficiaryId: string | null };

/**
 * The viewer of a page that a beneficiary's own login may open too, or a redirect to the login page. Such routes say
 * so with `config: { beneficiaries: true }`; on every other route a beneficiary's session counts as none (sessions.ts).
 */
export function requireViewer(request: FastifyRequest, reply: FastifyReply): Viewer | null {
  const memberId = requireMember(request, reply);
  return memberId ? { memberId, beneficiaryId: request.session!.beneficiaryId } : null;
}

/** The viewer of an API call (same rule), or 401. */
export function apiViewer(request: FastifyRequest): Viewer {
  if (request.session?.kind !== 'member') throw new AppError('UNAUTHENTICATED');
  return { memberId: request.session.subjectId, beneficiaryId: request.session.beneficiaryId };
}

/** The first name shown in the member bar: the ouvrant droit's, or the beneficiary's of their own login. */
export async function firstNameOf(db: Queryable, who: string | Viewer): Promise<string> {
  const viewer = typeof who === 'string' ? { memberId: who, beneficiaryId: null } : who;
  const { rows } = await db.query<{ first_name: string }>(
    `SELECT first_name FROM beneficiary WHERE member_id = $1 AND ${viewer.beneficiaryId ? 'id = $2' : `relationship = 'SELF'`} LIMIT 1`,
    viewer.beneficiaryId ? [viewer.memberId, viewer.beneficiaryId] : [viewer.memberId],
    { prepare: true },
  );
  return rows[0]?.first_name ?? '';
}
