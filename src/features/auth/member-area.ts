import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Queryable } from '../../db/database.ts';

/** Shared by the member-area routes: the landing page, the access check and the body of a bare form. */
export const MEMBER_HOME = '/espace';

/** A form with nothing but its CSRF token (logout, revoke, end a session…). */
export const csrfOnlyBody = z.strictObject({ _csrf: z.string().max(200) });

/** WEB-05: only a relative path inside the member area (/espace…, /remboursements…); anything else (//evil.test, https:evil, /\evil…) is dropped. */
export function safeNext(next: string | undefined | null): string | null {
  if (typeof next !== 'string' || next.length > 300) return null;
  return /^\/(?:espace|remboursements)(?:\/[A-Za-z0-9_-]+)*\/?(?:\?[A-Za-z0-9_=&%-]*)?$/.test(next) ? next : null;
}

/** The member session, or a redirect to the login page that comes back here (GET only). */
export function requireMember(request: FastifyRequest, reply: FastifyReply): string | null {
  if (request.session?.kind === 'member') return request.session.subjectId;
  const next = request.method === 'GET' ? safeNext(request.url) : null;
  void reply.redirect(next ? `/connexion?next=${encodeURIComponent(next)}` : '/connexion', 303);
  return null;
}

export async function firstNameOf(db: Queryable, memberId: string): Promise<string> {
  const { rows } = await db.query<{ first_name: string }>(`SELECT first_name FROM beneficiary WHERE member_id = $1 AND relationship = 'SELF' LIMIT 1`, [memberId]);
  return rows[0]?.first_name ?? '';
}
