/**
 * /api/v1/profile (issue 8 « API »): the profile with explicit fields (IBAN masked, no NIR), the sub-resources over the
 * same use cases as the pages, and AC-03 — extra fields (`memberId`, `verified`, `status`) are refused and change nothing.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { testDriver } from '../../../test/db.ts';
import { queuedEmails } from '../../../test/mail-jobs.ts';
import { maskIban } from '../../domain/identity/iban.ts';
import { TEST_IBAN } from '../auth/recovery-test-kit.ts';
import { Browser, startKit, type Kit } from '../auth/session-test-kit.ts';
import { FULL_IBAN, MEMBER_CODE, newProfileMember, randomIban } from './profile-test-kit.ts';

const driver = testDriver();
let kit: Kit;
beforeAll(async () => {
  kit = await startKit('profile-api');
});
afterAll(async () => kit.close());

type Json = Record<string, unknown>;

/** A JSON client on a member session: the CSRF token from GET /api/v1/auth/session, in the header. */
async function client() {
  const member = await newProfileMember(kit);
  const browser = new Browser(kit);
  await browser.startSession(member.memberId);
  const session = await browser.get('/api/v1/auth/session');
  const csrf = (session.json() as { csrfToken: string }).csrfToken;
  const call = async (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, body?: Json) => {
    const response = await kit.t.app.inject({
      method, url, remoteAddress: browser.ip,
      headers: { cookie: browser.header(), 'x-csrf-token': csrf, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { payload: JSON.stringify(body) } : {}),
    });
    browser.remember(response);
    return response;
  };
  return { member, browser, call };
}

const count = async (sql: string, params: unknown[]) => (await kit.db.query(sql, params)).rows.length;

describe(`profile API (${driver})`, () => {
  test('GET /api/v1/profile: explicit fields, IBAN masked, no NIR; 401 without a session', async () => {
    const { member, call } = await client();
    const response = await call('GET', '/api/v1/profile');
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    const body = response.json() as { member: Json; email: Json; addresses: Json[]; beneficiaries: Json[]; bank: { account: Json; change: unknown } };
    expect(Object.keys(body).sort()).toEqual(['addresses', 'bank', 'beneficiaries', 'email', 'member', 'pendingEmail', 'phones']);
    expect(body.email).toEqual({ address: member.email, verified: true });
    expect(body.addresses).toHaveLength(1);
    expect(body.addresses[0]).toMatchObject({ street: 'rue des Lilas', postalCode: '69003', mailing: true });
    expect(body.beneficiaries.map((b) => b.firstName)).toEqual(['Léo']);
    expect(body.bank).toEqual({ account: { maskedIban: maskIban(TEST_IBAN), holderName: 'Claire Durand', bic: null, inForceSince: '2020-01-01T09:00:00.000Z' }, change: null });
    expect(response.body).not.toContain(member.nir);
    expect(response.body).not.toMatch(FULL_IBAN);
    expect((await kit.t.app.inject({ method: 'GET', url: '/api/v1/profile' })).statusCode).toBe(401);
  });

  test('AC-03 extra fields (memberId, verified, status) are refused with 400 and change nothing', async () => {
    const { member, call } = await client();
    const victim = await newProfileMember(kit);
    const addressId = ((await call('GET', '/api/v1/profile')).json() as { addresses: { id: string }[] }).addresses[0]!.id;
    const attempts: [('POST' | 'PUT'), string, Json][] = [
      ['PUT', '/api/v1/profile/phones', { mobile: '06 12 34 56 78', landline: null, memberId: victim.memberId }],
      ['POST', '/api/v1/profile/email-change', { address: 'intrus@exemple.fr', verified: true }],
      ['POST', '/api/v1/profile/addresses', { street: 'rue X', postalCode: '75001', city: 'Paris', memberId: victim.memberId }],
      ['PUT', `/api/v1/profile/addresses/${addressId}`, { street: 'rue X', postalCode: '75001', city: 'Paris', status: 'REPLACED' }],
      ['PUT', '/api/v1/profile/mailing-address', { addressId, memberId: victim.memberId }],
      ['POST', '/api/v1/profile/bank-account/changes', { iban: randomIban(), holderName: 'X', accessCode: MEMBER_CODE, status: 'CONFIRMED' }],
      ['POST', '/api/v1/profile/bank-account/changes', { iban: randomIban(), holderName: 'X', accessCode: MEMBER_CODE, verified: true, memberId: victim.memberId }],
    ];
    for (const [method, url, body] of attempts) {
      const response = await call(method, url, body);
      expect(response.statusCode, `${method} ${url}`).toBe(400);
      const error = (response.json() as { error: { code: string; fields: Record<string, string> } }).error;
      expect(error.code).toBe('VALIDATION');
      for (const extra of ['memberId', 'verified', 'status'].filter((k) => k in body)) expect(error.fields[extra]).toBe('Champ inconnu.');
    }
    for (const who of [member.memberId, victim.memberId]) {
      expect(await count('SELECT 1 FROM phone_number WHERE member_id = $1', [who])).toBe(0);
      expect(await count('SELECT 1 FROM email_change WHERE member_id = $1', [who])).toBe(0);
      expect(await count('SELECT 1 FROM postal_address WHERE member_id = $1', [who])).toBe(1);
      expect(await count('SELECT 1 FROM bank_account_change WHERE member_id = $1', [who])).toBe(0);
    }
    // Nor was the access code verified (no failure counted): the body was refused first.
    expect((await kit.db.query<{ n: number }>('SELECT consecutive_failures AS n FROM member_credential WHERE member_id = $1', [member.memberId])).rows[0]!.n).toBe(0);
  });

  test('phones, addresses and the mailing address through the API', async () => {
    const { call } = await client();
    expect((await call('PUT', '/api/v1/profile/phones', { mobile: '0033 6 11 22 33 44', landline: '' })).json()).toEqual({ mobile: '+33611223344', landline: null });
    const refused = await call('PUT', '/api/v1/profile/phones', { mobile: '12', landline: null });
    expect(refused.statusCode).toBe(400);
    expect((refused.json() as { error: { fields: Record<string, string> } }).error.fields.mobile).toContain('10 chiffres');
    const added = await call('POST', '/api/v1/profile/addresses', { label: 'Vacances', streetNumber: '2', street: 'chemin des Vignes', postalCode: '33000', city: 'Bordeaux', country: 'FR' });
    expect(added.statusCode).toBe(201);
    const { id } = added.json() as { id: string };
    const bad = await call('POST', '/api/v1/profile/addresses', { street: 'x', postalCode: '123', city: 'Paris' });
    expect((bad.json() as { error: { fields: Record<string, string> } }).error.fields).toMatchObject({ postalCode: expect.any(String), street: expect.any(String) });
    expect((await call('PUT', '/api/v1/profile/mailing-address', { addressId: id })).statusCode).toBe(200);
    const changed = await call('PUT', `/api/v1/profile/addresses/${id}`, { label: 'Vacances', streetNumber: '4', street: 'chemin des Vignes', postalCode: '33000', city: 'Bordeaux', country: 'FR' });
    const newId = (changed.json() as { id: string }).id;
    const profile = (await call('GET', '/api/v1/profile')).json() as { addresses: { id: string; streetNumber: string; mailing: boolean }[] };
    expect(profile.addresses.find((a) => a.mailing)).toMatchObject({ id: newId, streetNumber: '4' });
    expect((await call('DELETE', `/api/v1/profile/addresses/${newId}`)).statusCode).toBe(409);
    const other = await client();
    expect((await other.call('DELETE', `/api/v1/profile/addresses/${newId}`)).statusCode).toBe(404);
    expect((await other.call('PUT', `/api/v1/profile/mailing-address`, { addressId: newId })).statusCode).toBe(404);
  });

  test('email change through the API: 202, the link’s token confirms (no session needed)', async () => {
    const { member, call } = await client();
    const requested = await call('POST', '/api/v1/profile/email-change', { address: 'api.nouvelle@exemple.fr' });
    expect(requested.statusCode).toBe(202);
    const token = /jeton=([A-Za-z0-9_-]{43})/.exec((await queuedEmails(kit.db, 'api.nouvelle@exemple.fr')).at(-1)!.text)![1]!;
    const visitor = new Browser(kit);
    const session = await visitor.get('/api/v1/auth/session');
    const csrf = (session.json() as { csrfToken: string }).csrfToken;
    const confirm = (t: string) =>
      kit.t.app.inject({ method: 'POST', url: '/api/v1/profile/email-change/confirm', headers: { cookie: visitor.header(), 'x-csrf-token': csrf, 'content-type': 'application/json' }, payload: JSON.stringify({ token: t }) });
    expect((await confirm(token)).statusCode).toBe(200);
    expect((await confirm(token)).statusCode).toBe(410);
    expect(((await call('GET', '/api/v1/profile')).json() as { email: Json }).email).toEqual({ address: 'api.nouvelle@exemple.fr', verified: true });
    expect((await queuedEmails(kit.db, member.email!)).at(-1)!.subject).toBe('Votre adresse email a été modifiée');
  });

  test('FRD-01 FRD-02 the IBAN change through the API: code re-entry, the code bound to the IBAN shown, cooling-off, « ce n’est pas moi »', async () => {
    const { member, call } = await client();
    const iban = randomIban();
    expect((await call('POST', '/api/v1/profile/bank-account/changes', { iban, holderName: 'CLAIRE DURAND', accessCode: '000000' })).statusCode).toBe(400);
    const asked = await call('POST', '/api/v1/profile/bank-account/changes', { iban, holderName: 'CLAIRE DURAND', accessCode: MEMBER_CODE });
    expect(asked.statusCode).toBe(202);
    const change = (asked.json() as { change: { id: string; status: string; channel: string; maskedIban: string } }).change;
    expect(change).toMatchObject({ status: 'AWAITING_CODE', channel: 'EMAIL', maskedIban: maskIban(iban) });
    const current = (await call('GET', '/api/v1/profile/bank-account/changes/current')).json() as { iban: string };
    expect(current.iban).toBe(iban.replace(/(.{4})(?=.)/g, '$1 '));
    const code = /confirmer : (\d{6})/.exec((await queuedEmails(kit.db, member.email!)).filter((m) => m.subject.startsWith('Votre code de confirmation')).at(-1)!.text)![1]!;
    const other = randomIban();
    const forged = await call('POST', `/api/v1/profile/bank-account/changes/${change.id}/confirm`, { iban: other, holderName: 'CLAIRE DURAND', code });
    expect(forged.statusCode).toBe(422);
    expect((forged.json() as { error: { code: string; attemptsLeft: number } }).error).toMatchObject({ code: 'BAD_CODE', attemptsLeft: 2 });
    const done = await call('POST', `/api/v1/profile/bank-account/changes/${change.id}/confirm`, { iban: current.iban, holderName: 'CLAIRE DURAND', code });
    expect(done.statusCode).toBe(200);
    expect(done.json()).toMatchObject({ status: 'COOLING_OFF', noticeEmails: 1, noticeLetter: true });
    const bank = (await call('GET', '/api/v1/profile/bank-account')).json() as { account: { maskedIban: string }; change: { status: string; effectiveAt: string } };
    expect(bank.account.maskedIban).toBe(maskIban(TEST_IBAN));
    expect(bank.change.status).toBe('COOLING_OFF');
    expect(new Date(bank.change.effectiveAt).getTime() - kit.clock.now().getTime()).toBe(72 * 3_600_000);
    const cancelCode = /code=([0-9A-Z]{16})/.exec((await queuedEmails(kit.db, member.email!)).filter((m) => m.subject === 'Modification de vos coordonnées bancaires').at(-1)!.text)![1]!;
    const visitor = new Browser(kit);
    const csrf = ((await visitor.get('/api/v1/auth/session')).json() as { csrfToken: string }).csrfToken;
    const notMe = await kit.t.app.inject({ method: 'POST', url: '/api/v1/profile/bank-account/not-me', headers: { cookie: visitor.header(), 'x-csrf-token': csrf, 'content-type': 'application/json' }, payload: JSON.stringify({ code: cancelCode }) });
    expect(notMe.statusCode).toBe(200);
    expect((await call('GET', '/api/v1/profile')).statusCode).toBe(401);
  });
});
