import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RouteContext } from '../../platform/http/server.ts';
import type { Queryable } from '../../db/database.ts';
import { newDeviceCodeMail } from './login-mails.ts';
import { COOKIE_OPTIONS, DEVICE_COOKIE, deviceLabel, issueChallenge, NEW_DEVICE_LIMITS, PENDING_COOKIE, rememberDevice, signPending, useTrustedDevice, writeAudit, type ChallengeMethod } from './new-device.ts';
import { sendSecurityNotice } from './security-notices.ts';
import { needsEmailCheck } from './session-routes.ts';
import type { LockNotice } from './verify-login.ts';
import type { IssuedChallenge } from './new-device.ts';

type Method = IssuedChallenge['method'];

/** What the login page and the JSON API do once verifyLogin has spoken: one implementation, two channels. */
export type LoginChannel = 'PAGE' | 'API';

type Context = Pick<RouteContext, 'db' | 'jobs' | 'jobDefinitions' | 'sessions' | 'config'> & {
  mailCommon: { organisationName: string; phone: string; publicUrl: string };
};

/** The beneficiary whose own NIR and code made this login (verifyLogin records it), null for the ouvrant droit's. */
async function beneficiaryOfAttempt(tx: Queryable, attemptId: string): Promise<string | null> {
  const { rows } = await tx.query<{ beneficiary_id: string | null }>('SELECT beneficiary_id FROM login_attempt WHERE id = $1', [attemptId]);
  return rows[0]?.beneficiary_id ?? null;
}

/** THR-04: the member hears of a lock, by email at a verified address or else by letter. */
export async function notifyLock(context: Context, lock: LockNotice, now: Date): Promise<void> {
  await context.db.transaction((tx) => sendSecurityNotice(tx, context, lock.memberId, { kind: 'LOCK', lock: lock.kind }, now));
}

/**
 * The right answer to a new-device check (AUTH-05), in the caller's transaction: remembers the browser, opens the
 * session, audits both and sends the new-device notice (AUTH-06). The caller sets the returned token as DEVICE_COOKIE.
 */
export async function confirmNewDevice(
  tx: Queryable,
  context: Context,
  request: FastifyRequest,
  reply: FastifyReply,
  input: { memberId: string; attemptId: string; method: ChallengeMethod; now: Date; channel: LoginChannel },
): Promise<{ token: string }> {
  const { memberId, attemptId, method, now, channel } = input;
  const ip = request.ip;
  const channelDetail = channel === 'API' ? { channel } : {};
  const userAgent = request.headers['user-agent'];
  const device = await rememberDevice(tx, memberId, userAgent, now);
  const beneficiaryId = await beneficiaryOfAttempt(tx, attemptId);
  await context.sessions.start(tx, reply, request, 'member', memberId, beneficiaryId);
  const whose = { device: deviceLabel(userAgent), ...(beneficiaryId ? { beneficiaryId } : {}) };
  await writeAudit(tx, { now, ip, actorType: 'member', actorId: memberId, action: 'auth.device.new', memberId, details: { attemptId, deviceId: device.deviceId, method, ...channelDetail } });
  await writeAudit(tx, { now, ip, actorType: 'member', actorId: memberId, action: 'auth.session.start', memberId, details: { attemptId, deviceId: device.deviceId, via: 'NEW_DEVICE', ...whose, ...channelDetail } });
  await sendSecurityNotice(tx, context, memberId, { kind: 'NEW_DEVICE', deviceLabel: deviceLabel(userAgent), deviceId: device.deviceId }, now);
  return { token: device.token };
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
      const beneficiaryId = await beneficiaryOfAttempt(tx, attemptId);
      await sessions.start(tx, reply, request, 'member', memberId, beneficiaryId);
      await writeAudit(tx, { now, ip, actorType: 'member', actorId: memberId, action: 'auth.session.start', memberId, details: { attemptId, deviceId, via: 'TRUSTED_DEVICE', device: deviceLabel(request.headers['user-agent']), ...(beneficiaryId ? { beneficiaryId } : {}), ...channelDetail } });
      // The email check is a page of the member area (the household's address: not a beneficiary's page); the API leaves it to the app.
      return { kind: 'SESSION', checkEmail: channel === 'PAGE' && !beneficiaryId && (await needsEmailCheck(tx, config.secrets.dataEncryptionKey, memberId, now)) };
    }
    const challenge = await issueChallenge(tx, { memberId, attemptId, now, pepper: config.secrets.codePepper, dataKey: config.secrets.dataEncryptionKey });
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
