/**
 * The member's own sessions and trusted devices (SES-06, AC-02), as use cases shared by the pages under
 * /profil/securite and the JSON API under /api/v1/profile/security. Access is checked here: only the member's own rows
 * are listed or ended, and anything else is « not found » (null).
 */
import type { Database, Queryable } from '../../db/database.ts';
import { approximatePlace } from '../../domain/access/approximate-place.ts';
import { SESSION_LIMITS } from '../../platform/http/sessions.ts';
import { deviceLabel, listTrustedDevices, revokeTrustedDevice, writeAudit, type TrustedDevice } from './new-device.ts';

export type ActiveSession = {
  /** A random id of its own (never the cookie's), which the member may post back to end it. */
  publicId: string;
  createdAt: Date;
  lastSeenAt: Date;
  /** « Réseau 81.250.x.x »: the class of the IP, never the address (approximate-place.ts). */
  place: string;
  /** « Firefox sur Windows » */
  device: string;
  current: boolean;
};

/** The member's live sessions (not idle, not past their absolute end), the current one first. */
export async function listMemberSessions(q: Queryable, memberId: string, input: { currentIdHash: string | null; now: Date }): Promise<ActiveSession[]> {
  const { now, currentIdHash } = input;
  const { rows } = await q.query<{ public_id: string; id_hash: string; created_at: Date; last_seen_at: Date; ip: string | null; user_agent: string | null }>(
    `SELECT public_id, id_hash, created_at, last_seen_at, ip, user_agent FROM session
      WHERE kind = 'member' AND subject_id = $1 AND absolute_expires_at > $2 AND last_seen_at > $3
      ORDER BY (id_hash = $4) DESC, last_seen_at DESC, public_id`,
    [memberId, now, new Date(now.getTime() - SESSION_LIMITS.member.idleMs), currentIdHash ?? ''],
  );
  return rows.map((r) => ({
    publicId: r.public_id,
    createdAt: new Date(r.created_at),
    lastSeenAt: new Date(r.last_seen_at),
    place: approximatePlace(r.ip),
    device: deviceLabel(r.user_agent ?? undefined),
    current: r.id_hash === currentIdHash,
  }));
}

export type Channel = 'PAGE' | 'API';
type Who = { memberId: string; ip: string; now: Date; channel: Channel };
const channelDetail = (channel: Channel) => (channel === 'API' ? { channel } : {});

/** Ends one of the member's sessions; null when it is not theirs or already gone (404). Tells whether it was this one. */
export async function endMemberSession(db: Database, who: Who, input: { publicId: string; currentIdHash: string | null }): Promise<{ wasCurrent: boolean } | null> {
  const { memberId, ip, now } = who;
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<{ id_hash: string }>(`DELETE FROM session WHERE public_id = $1 AND kind = 'member' AND subject_id = $2 RETURNING id_hash`, [input.publicId, memberId]);
    if (!rows[0]) return null;
    await writeAudit(tx, { now, ip, actorType: 'member', actorId: memberId, action: 'auth.session.ended', memberId, details: { sessionId: input.publicId, ...channelDetail(who.channel) } });
    return { wasCurrent: rows[0].id_hash === input.currentIdHash };
  });
}

/** « Terminer toutes les autres sessions »: `endOthers` is the session store's, which keeps the caller's own. */
export async function endOtherMemberSessions(db: Database, who: Who, endOthers: (tx: Queryable) => Promise<number>): Promise<number> {
  const { memberId, ip, now } = who;
  return db.transaction(async (tx) => {
    const count = await endOthers(tx);
    await writeAudit(tx, { now, ip, actorType: 'member', actorId: memberId, action: 'auth.session.ended', memberId, details: { others: count, ...channelDetail(who.channel) } });
    return count;
  });
}

export type { TrustedDevice };

/** The member's trusted devices (AUTH-05), the one this browser's cookie names marked. */
export function listMemberDevices(q: Queryable, memberId: string, input: { deviceCookie: string | undefined; now: Date }): Promise<TrustedDevice[]> {
  return listTrustedDevices(q, memberId, input.deviceCookie, input.now);
}

/** Revokes one of the member's trusted devices; null when not theirs or already gone (404). */
export async function revokeMemberDevice(db: Database, who: Who, deviceId: string): Promise<{ tokenHash: string } | null> {
  const { memberId, ip, now } = who;
  return db.transaction(async (tx) => {
    const done = await revokeTrustedDevice(tx, memberId, deviceId, now);
    if (done) await writeAudit(tx, { now, ip, actorType: 'member', actorId: memberId, action: 'auth.device.revoked', memberId, details: { deviceId, ...channelDetail(who.channel) } });
    return done;
  });
}

/** When the member's access code was last set (by them, a reset or an activation letter); null before any. */
export async function accessCodeSetAt(q: Queryable, memberId: string): Promise<Date | null> {
  const { rows } = await q.query<{ code_set_at: Date }>('SELECT code_set_at FROM member_credential WHERE member_id = $1', [memberId]);
  return rows[0] ? new Date(rows[0].code_set_at) : null;
}
