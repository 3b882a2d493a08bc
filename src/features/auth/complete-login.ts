import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RouteContext } from '../../platform/http/server.ts';
import { lockNoticeMail, newDeviceCodeMail } from './login-mails.ts';
import { COOKIE_OPTIONS, DEVICE_COOKIE, issueChallenge, NEW_DEVICE_LIMITS, PENDING_COOKIE, signPending, useTrustedDevice, verifiedEmailOf, writeAudit } from './new-device.ts';
import { needsEmailCheck } from './session-routes.ts';
import type { LockNotice } from './verify-login.ts';
import type { IssuedChallenge } from './new-device.ts';

type Method = IssuedChallenge['method'];

/** What the login page and the JSON API do once verifyLogin has spoken: one implementation, two channels. */
export type LoginChannel = 'PAGE' | 'API';

type Context = Pick<RouteContext, 'db' | 'jobs' | 'jobDefinitions' | 'sessions' | 'config'> & {
  mailCommon: { organisationName: string; phone: string; publicUrl: string };
};

/** THR-04: the member hears of a lock by email when a verified address is on file. */
export async function notifyLock(context: Context, lock: LockNotice, now: Date): Promise<void> {
  const { db, jobs, jobDefinitions, mailCommon } = context;
  await db.transaction(async (tx) => {
    const to = await verifiedEmailOf(tx, lock.memberId);
    if (to) await jobs.enqueue(tx, jobDefinitions.sendEmail, lockNoticeMail({ ...mailCommon, to, temporary: lock.kind === 'TEMPORARY', lockKey: `${lock.memberId}:${now.getTime()}` }));
  });
}

export type AfterLogin =
  | { kind: 'SESSION'; checkEmail: boolean }
  | { kind: 'CHALLENGE'; method: Method; email: string | null };

/** A trusted device opens the session at once; any other browser gets a new-device challenge (AUTH-05). */
export async function openSessionOrChallenge(
  context: Context,
  request: FastifyRequest,
  reply: FastifyReply,
  login: { memberId: string; attemptId: string; now: Date; channel: LoginChannel },
): Promise<AfterLogin> {
  const { db, jobs, jobDefinitions, sessions, config, mailCommon } = context;
  const { memberId, attemptId, now, channel } = login;
  const ip = request.ip;
  const channelDetail = channel === 'API' ? { channel } : {};
  return db.transaction(async (tx) => {
    const deviceId = await useTrustedDevice(tx, memberId, request.cookies[DEVICE_COOKIE], now);
    if (deviceId) {
      await sessions.start(tx, reply, request, 'member', memberId);
      await writeAudit(tx, { now, ip, actorType: 'member', actorId: memberId, action: 'auth.session.start', memberId, details: { attemptId, deviceId, via: 'TRUSTED_DEVICE', ...channelDetail } });
      // The email check is a page of the member area; the API leaves it to the app.
      return { kind: 'SESSION', checkEmail: channel === 'PAGE' && (await needsEmailCheck(tx, memberId, now)) };
    }
    const challenge = await issueChallenge(tx, { memberId, attemptId, now, pepper: config.secrets.codePepper });
    if (challenge.method === 'EMAIL') {
      await jobs.enqueue(tx, jobDefinitions.sendEmail, newDeviceCodeMail({ ...mailCommon, to: challenge.email, code: challenge.code, challengeId: challenge.challengeId }));
    }
    await writeAudit(tx, {
      now, ip, actorType: 'anonymous', actorId: null, action: 'auth.device.challenge', memberId,
      details: { attemptId, method: challenge.method, ...channelDetail, ...('challengeId' in challenge ? { challengeId: challenge.challengeId } : {}) },
    });
    return { kind: 'CHALLENGE', method: challenge.method, email: challenge.method === 'EMAIL' ? challenge.email : null };
  });
}

/** The signed cookie that carries a pending login to the new-device check. */
export function setPendingLogin(reply: FastifyReply, secret: Buffer, pending: { attemptId: string; method: Method; now: Date; next: string }): void {
  const value = signPending(secret, { attemptId: pending.attemptId, method: pending.method, expiresAt: pending.now.getTime() + NEW_DEVICE_LIMITS.pendingCookieMs, next: pending.next });
  reply.setCookie(PENDING_COOKIE, value, { ...COOKIE_OPTIONS, maxAge: Math.floor(NEW_DEVICE_LIMITS.pendingCookieMs / 1000) });
}
