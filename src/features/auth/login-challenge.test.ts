/**
 * THR-03 (issue 4): the login challenge past the per-IP soft thresholds, the global failure-rate alarm, and both on
 * the page (no script: a labelled field) and in the API (428 CHALLENGE_REQUIRED).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { testDriver } from '../../../test/db.ts';
import { checkFailureRate, checkLoginChallenge, LOGIN_CHALLENGE_LIMITS, newLoginChallenge } from './login-challenge.ts';
import { answerOf } from './login-challenge-test-kit.ts';
import { newIp } from './recovery-test-kit.ts';
import { Browser, MEMBER_CODE, newMember, startKit, type Kit } from './session-test-kit.ts';

const MINUTE = 60_000;
let kit: Kit;

beforeAll(async () => {
  kit = await startKit('login-challenge');
});
afterAll(async () => {
  await kit?.close();
});

const secret = () => kit.t.config.secrets.codePepper;
const questionIn = (html: string) => /<label for="challengeAnswer">Question de sécurité : (Combien font [^<]+ \?)<\/label>/.exec(html)?.[1] ?? null;
const wrongLogins = async (browser: Browser, n: number) => {
  await browser.get('/connexion');
  for (let i = 0; i < n; i++) expect((await browser.post('/connexion', { nir: (await newMember(kit)).nir, code: '000001' })).statusCode).toBe(401);
};

/** Failed login_attempt rows at given times (the alarm counts rows, whatever their IP or account). */
async function failures(count: number, at: (i: number) => Date) {
  for (let i = 0; i < count; i++) {
    await kit.db.query(`INSERT INTO login_attempt (id, ip, nir_hmac, outcome, attempted_at) VALUES ($1, $2, 'x', 'FAILURE', $3)`, [randomUUID(), newIp(), at(i)]);
  }
}

describe(`THR-03 login challenge and alarm (${testDriver()})`, () => {
  test('THR-03 from the 4th failure in an hour from one IP, the login asks a question (no script); without its answer nothing is verified', async () => {
    const member = await newMember(kit);
    const browser = new Browser(kit);
    await browser.trust(member.memberId);
    expect(questionIn((await browser.get('/connexion')).body)).toBeNull();
    await wrongLogins(browser, 3);
    const page = await browser.get('/connexion');
    const question = questionIn(page.body);
    expect(question).toMatch(/^Combien font \S+ (plus|moins) \S+ \?$/);
    expect(page.body).toMatch(/<input type="hidden" name="challengeToken" value="[A-Za-z0-9_-]{22}\.\d+\.[A-Za-z0-9_-]{43}"\/>/);
    expect(page.body).toContain('inputmode="numeric"');

    // The right code without the answer: refused before any lookup, the question asked again.
    const { rows: before } = await kit.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM login_attempt WHERE ip = $1`, [browser.ip]);
    const unanswered = await browser.post('/connexion', { nir: member.nir, code: MEMBER_CODE });
    expect(unanswered.statusCode).toBe(400);
    expect(unanswered.body).toContain('Par sécurité, répondez à la question ci-dessous');
    expect(questionIn(unanswered.body)).not.toBeNull();
    const { rows: after } = await kit.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM login_attempt WHERE ip = $1`, [browser.ip]);
    expect(after[0]!.n).toBe(before[0]!.n);

    // A wrong answer: refused, with a new question and the error on the field.
    const token = () => /name="challengeToken" value="([^"]+)"/.exec(lastBody)![1]!;
    let lastBody = unanswered.body;
    const wrong = await browser.post('/connexion', { nir: member.nir, code: MEMBER_CODE, challengeToken: token(), challengeAnswer: String(Number(answerOf(questionIn(lastBody)!)) + 1) });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain('Réponse incorrecte : répondez à la nouvelle question, en chiffres.');
    expect(wrong.body).toContain('aria-invalid="true"');
    lastBody = wrong.body;

    // The right answer lets the attempt through: the right code opens the session.
    const usedToken = token();
    const ok = await browser.post('/connexion', { nir: member.nir, code: MEMBER_CODE, challengeToken: usedToken, challengeAnswer: answerOf(questionIn(lastBody)!) });
    expect(ok.statusCode).toBe(303);
    expect(await browser.whoami()).toBe(member.memberId);
    const { rows } = await kit.db.query<{ details: { reason: string; answered: boolean } }>(`SELECT details FROM audit_log WHERE ip = $1 AND action = 'auth.login.challenged' ORDER BY id`, [browser.ip]);
    expect(rows.map((r) => r.details)).toEqual([{ reason: 'IP_FAILURES', answered: false }, { reason: 'IP_FAILURES', answered: true }]);
  });

  test('THR-03 a challenge serves once, only from its own IP and for 10 minutes; a forged one fails', async () => {
    const ip = newIp();
    const now = kit.clock.now();
    const check = (token: string, answer: string, at = now, from = ip) => kit.db.transaction((tx) => checkLoginChallenge(tx, secret(), { token, answer, ip: from, now: at }));
    const a = newLoginChallenge(secret(), ip, now);
    expect(await check(a.token, answerOf(a.question))).toBe(true);
    expect(await check(a.token, answerOf(a.question))).toBe(false);
    const b = newLoginChallenge(secret(), ip, now);
    expect(await check(b.token, answerOf(b.question), now, newIp())).toBe(false);
    const c = newLoginChallenge(secret(), ip, now);
    expect(await check(c.token, answerOf(c.question), new Date(now.getTime() + LOGIN_CHALLENGE_LIMITS.challengeTtlMs))).toBe(false);
    const d = newLoginChallenge(secret(), ip, now);
    const [nonce, expiry] = d.token.split('.');
    expect(await check(`${nonce}.${expiry}.${'A'.repeat(43)}`, answerOf(d.question))).toBe(false);
    const e = newLoginChallenge(Buffer.alloc(32, 7), ip, now);
    expect(await check(e.token, answerOf(e.question))).toBe(false);
  });

  test('THR-03 hard limits stay: with every challenge solved, the 11th failure of the minute from one IP still gets 429', async () => {
    const browser = new Browser(kit);
    await wrongLogins(browser, 3);
    for (let i = 3; i < 10; i++) {
      const page = await browser.get('/connexion');
      const token = /name="challengeToken" value="([^"]+)"/.exec(page.body)![1]!;
      const answered = await browser.post('/connexion', { nir: (await newMember(kit)).nir, code: '000001', challengeToken: token, challengeAnswer: answerOf(questionIn(page.body)!) });
      expect(answered.statusCode).toBe(401);
    }
    const page = await browser.get('/connexion');
    const token = /name="challengeToken" value="([^"]+)"/.exec(page.body)![1]!;
    const refused = await browser.post('/connexion', { nir: (await newMember(kit)).nir, code: MEMBER_CODE, challengeToken: token, challengeAnswer: answerOf(questionIn(page.body)!) });
    expect(refused.statusCode).toBe(429);
  });

  test('THR-03 the alarm rises at 3× the baseline of failed logins, puts the challenge on every IP, and falls back once the rate is normal', async () => {
    const t0 = new Date(kit.clock.now().getTime() + 2 * 24 * 60 * MINUTE);
    // Baseline: 1 440 failures over the previous 24 h, i.e. 5 per 5 minutes, below the floor of 10 → threshold 30.
    await kit.db.query(
      `INSERT INTO login_attempt (id, ip, nir_hmac, outcome, attempted_at)
       SELECT gen_random_uuid(), '10.200.0.1', 'x', 'FAILURE', $1::timestamptz - (g * interval '1 minute') FROM generate_series(6, 1445) AS g`,
      [t0],
    );
    await failures(LOGIN_CHALLENGE_LIMITS.alarmFactor * LOGIN_CHALLENGE_LIMITS.alarmBaselineFloor - 1, (i) => new Date(t0.getTime() - 4 * MINUTE + i * 1000));
    expect(await checkFailureRate(kit.db, t0)).toMatchObject({ failures: 29, baseline: 10, raised: false, active: false });
    await failures(1, () => new Date(t0.getTime() - MINUTE));
    expect(await checkFailureRate(kit.db, t0)).toMatchObject({ failures: 30, raised: true, active: true });
    // Still high a minute later: kept up, not raised twice.
    expect(await checkFailureRate(kit.db, new Date(t0.getTime() + 30_000))).toMatchObject({ raised: false, active: true });
    const { rows } = await kit.db.query<{ details: { failures: number; baseline: number } }>(`SELECT details FROM audit_log WHERE action = 'auth.alarm.raised' AND occurred_at = $1`, [t0]);
    expect(rows.map((r) => r.details)).toEqual([{ kind: 'LOGIN_FAILURE_RATE', failures: 30, baseline: 10, windowMinutes: 5 }]);

    // Meanwhile a fresh IP with no failure gets the question too (moved clock: the app sees t0).
    kit.clock.advance(t0.getTime() + 60_000 - kit.clock.now().getTime());
    const fresh = new Browser(kit);
    expect(questionIn((await fresh.get('/connexion')).body)).not.toBeNull();
    const member = await newMember(kit);
    expect((await fresh.post('/connexion', { nir: member.nir, code: MEMBER_CODE })).statusCode).toBe(400);

    // 15 minutes after the last high reading, with the rate back to normal, the alarm is down.
    const later = new Date(t0.getTime() + 30_000 + LOGIN_CHALLENGE_LIMITS.alarmHoldMs + 1);
    expect(await checkFailureRate(kit.db, later)).toMatchObject({ raised: false, active: false });
    kit.clock.advance(later.getTime() - kit.clock.now().getTime());
    expect(questionIn((await new Browser(kit).get('/connexion')).body)).toBeNull();
  });

  test('THR-03 the API answers 428 CHALLENGE_REQUIRED with the question; the answer in `challenge` lets the login through', async () => {
    const member = await newMember(kit);
    const ip = newIp();
    const api = async (body: unknown, csrf: { cookie: string; token: string }) =>
      kit.t.app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: ip, headers: { cookie: csrf.cookie, 'x-csrf-token': csrf.token, 'content-type': 'application/json' }, payload: JSON.stringify(body) });
    const session = await kit.t.app.inject({ method: 'GET', url: '/api/v1/auth/session', remoteAddress: ip });
    const csrf = { cookie: session.cookies.map((c) => `${c.name}=${c.value}`).join('; '), token: (session.json() as { csrfToken: string }).csrfToken };
    for (let i = 0; i < 3; i++) expect((await api({ nir: (await newMember(kit)).nir, code: '000001' }, csrf)).statusCode).toBe(401);
    const required = await api({ nir: member.nir, code: MEMBER_CODE }, csrf);
    expect(required.statusCode).toBe(428);
    const error = (required.json() as { error: { code: string; message: string; challenge: { token: string; question: string } } }).error;
    expect(error).toMatchObject({ code: 'CHALLENGE_REQUIRED', message: expect.stringContaining('répondez à la question') });
    const through = await api({ nir: member.nir, code: MEMBER_CODE, challenge: { token: error.challenge.token, answer: answerOf(error.challenge.question) } }, csrf);
    expect(through.statusCode).toBe(200);
    expect(through.json()).toMatchObject({ status: 'DEVICE_CHECK_REQUIRED' });
  });
});
