import { createHash, createHmac } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Database, Queryable } from '../../db/database.ts';
import { randomToken, safeEqual } from '../crypto.ts';
import { AppError } from '../errors.ts';

export type SessionKind = 'member' | 'advisor';

export type Session = {
  kind: SessionKind;
  /** The member (household) or the advisor. */
  subjectId: string;
  /** A beneficiary who logged in with their own NIR: the session sees only their part of the household (null otherwise). */
  beneficiaryId: string | null;
  createdAt: Date;
  lastSeenAt: Date;
  absoluteExpiresAt: Date;
};

/** SES-02: member idle 15 min / absolute 4 h; advisor idle 30 min / absolute 4 h. */
export const SESSION_LIMITS: Record<SessionKind, { idleMs: number; absoluteMs: number; cookie: string }> = {
  member: { idleMs: 15 * 60_000, absoluteMs: 4 * 3_600_000, cookie: '__Host-espace-session' },
  advisor: { idleMs: 30 * 60_000, absoluteMs: 4 * 3_600_000, cookie: '__Host-espace-conseiller' },
};
/** last_seen_at is written at most this often: a page view is then a read, and idle expiry is at most this much early. */
export const LAST_SEEN_RESOLUTION_MS = 60_000;
const CSRF_COOKIE = '__Host-espace-csrf';
const COOKIE_OPTIONS = { path: '/', httpOnly: true, secure: true, sameSite: 'lax' } as const;

declare module 'fastify' {
  interface FastifyRequest {
    /** The member or advisor session, loaded from the database for each request (null when anonymous). */
    session: Session | null;
    /** The anti-CSRF token to put in every form of the page. */
    csrfToken: string;
  }
}

const hashId = (id: string) => createHash('sha256').update(id).digest('base64url');

export type SessionStore = {
  start(tx: Queryable, reply: FastifyReply, request: FastifyRequest, kind: SessionKind, subjectId: string, beneficiaryId?: string | null): Promise<void>;
  end(request: FastifyRequest, reply: FastifyReply): Promise<void>;
  endAllFor(tx: Queryable, kind: SessionKind, subjectId: string, exceptIdOf?: FastifyRequest): Promise<number>;
};

/**
 * Opaque server-side sessions (SES-01…04) and signed double-submit CSRF tokens bound to the session (SES-05).
 * `clock` is injected so that tests move time instead of waiting.
 */
export function registerSessions(
  app: FastifyInstance,
  options: { db: Database; secret: Buffer; clock: () => Date; publicOrigin: string },
): SessionStore {
  const { db, secret, clock } = options;
  app.decorateRequest('session', null);
  app.decorateRequest('csrfToken', '');

  app.addHook('onRequest', async (request, reply) => {
    const session = await loadSession(request, reply);
    // Default deny: a beneficiary's own login reaches only the routes made for it (their lines, the dashboard); on
    // the household's other pages (code, passkeys, sessions, bank account…) it is no session at all.
    request.session = session?.beneficiaryId && request.routeOptions.config?.beneficiaries !== true ? null : session;
    let csrfSeed = request.cookies[CSRF_COOKIE];
    if (!csrfSeed || !/^[A-Za-z0-9_-]{43}$/.test(csrfSeed)) {
      csrfSeed = randomToken();
      reply.setCookie(CSRF_COOKIE, csrfSeed, COOKIE_OPTIONS);
      request.cookies[CSRF_COOKIE] = csrfSeed;
    }
    request.csrfToken = csrfTokenFor(csrfSeed, sessionCookieOf(request));
  });

  // Every state-changing request carries the token and, when the browser says where it comes from, our origin.
  app.addHook('preHandler', async (request) => {
    if (['GET', 'HEAD', 'OPTIONS'].includes(request.method)) return;
    if (request.routeOptions.config?.csrf === false) return;
    const origin = request.headers.origin;
    if (origin && origin !== options.publicOrigin) throw new AppError('CSRF');
    const body = request.body as Record<string, unknown> | undefined;
    const sent = (typeof body?._csrf === 'string' ? body._csrf : undefined) ?? request.headers['x-csrf-token'];
    if (typeof sent !== 'string' || !safeEqual(sent, request.csrfToken)) throw new AppError('CSRF');
  });

  function csrfTokenFor(seed: string, sessionId: string | undefined): string {
    return createHmac('sha256', secret).update(`${seed}|${sessionId ?? ''}`).digest('base64url');
  }

  function sessionCookieOf(request: FastifyRequest): string | undefined {
    const kind: SessionKind = request.url.startsWith('/conseiller') ? 'advisor' : 'member';
    return request.cookies[SESSION_LIMITS[kind].cookie];
  }

  async function loadSession(request: FastifyRequest, reply: FastifyReply): Promise<Session | null> {
    const kind: SessionKind = request.url.startsWith('/conseiller') ? 'advisor' : 'member';
    const id = request.cookies[SESSION_LIMITS[kind].cookie];
    if (!id) return null;
    const now = clock();
    const limits = SESSION_LIMITS[kind];
    // A page view reads the row (a prepared statement); last_seen_at is written only when it is over a minute old, so
    // most page views commit no write.
    const { rows } = await db.query<{ subject_id: string; beneficiary_id: string | null; created_at: Date; last_seen_at: Date; absolute_expires_at: Date }>(
      `SELECT subject_id, beneficiary_id, created_at, last_seen_at, absolute_expires_at FROM session
        WHERE id_hash = $1 AND kind = $2 AND last_seen_at > $4 AND absolute_expires_at > $3`,
      [hashId(id), kind, now, new Date(now.getTime() - limits.idleMs)],
      { prepare: true },
    );
    const row = rows[0];
    if (!row) {
      reply.clearCookie(limits.cookie, COOKIE_OPTIONS);
      // The page's CSRF token must not be bound to a cookie the browser is about to drop.
      delete request.cookies[limits.cookie];
      return null;
    }
    const touched = row.last_seen_at.getTime() <= now.getTime() - LAST_SEEN_RESOLUTION_MS;
    if (touched) await db.query('UPDATE session SET last_seen_at = $2 WHERE id_hash = $1 AND last_seen_at < $2', [hashId(id), now], { prepare: true });
    return {
      kind, subjectId: row.subject_id, beneficiaryId: row.beneficiary_id, createdAt: row.created_at,
      lastSeenAt: touched ? now : row.last_seen_at, absoluteExpiresAt: row.absolute_expires_at,
    };
  }

  return {
    // SES-01: a new random id at every login, the previous one (if any) is deleted.
    async start(tx, reply, request, kind, subjectId, beneficiaryId = null) {
      const limits = SESSION_LIMITS[kind];
      const previous = request.cookies[limits.cookie];
      if (previous) await tx.query('DELETE FROM session WHERE id_hash = $1', [hashId(previous)]);
      const id = randomToken(32);
      const now = clock();
      await tx.query(
        `INSERT INTO session (id_hash, kind, subject_id, beneficiary_id, created_at, last_seen_at, absolute_expires_at, ip, user_agent)
         VALUES ($1, $2, $3, $8, $4, $4, $5, $6, $7)`,
        [hashId(id), kind, subjectId, now, new Date(now.getTime() + limits.absoluteMs), request.ip, String(request.headers['user-agent'] ?? '').slice(0, 300), beneficiaryId],
      );
      reply.setCookie(limits.cookie, id, COOKIE_OPTIONS);
    },
    // SES-03: the server-side row is gone, so the old cookie is worthless.
    async end(request, reply) {
      for (const [kind, limits] of Object.entries(SESSION_LIMITS)) {
        const id = request.cookies[limits.cookie];
        if (id) await db.query('DELETE FROM session WHERE id_hash = $1 AND kind = $2', [hashId(id), kind]);
        reply.clearCookie(limits.cookie, COOKIE_OPTIONS);
      }
      // Not "cookies": that would also wipe the trusted-device cookie; the session cookies are expired just above.
      reply.header('Clear-Site-Data', '"cache", "storage"');
    },
    async endAllFor(tx, kind, subjectId, except) {
      const keep = except ? request2hash(except, kind) : null;
      const { rowCount } = await tx.query('DELETE FROM session WHERE kind = $1 AND subject_id = $2 AND id_hash IS DISTINCT FROM $3', [kind, subjectId, keep]);
      return rowCount;
    },
  };

  function request2hash(request: FastifyRequest, kind: SessionKind): string | null {
    const id = request.cookies[SESSION_LIMITS[kind].cookie];
    return id ? hashId(id) : null;
  }
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** false for the few endpoints authenticated otherwise (none yet). */
    csrf?: boolean;
    /** true for the routes that serve a beneficiary's own login, scoped to their lines (Viewer); others see no session. */
    beneficiaries?: boolean;
  }
}
