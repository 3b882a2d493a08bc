/**
 * A beneficiary's own login (issue 6 acceptance 2, ADR 011): an adult beneficiary logs in with their own NIR and access
 * code, gets a session narrowed to their own lines, and their wrong codes count towards their own lock only.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestApp, testClock, testConfig, type TestApp } from '../../../test/app.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/db.ts';
import { hashAccessCode } from '../../platform/access-code-hash.ts';
import { blindIndex } from '../../platform/crypto.ts';
import { seedDemoData } from '../demo/seed-demo-data.ts';
import { newNir, sessionProbe } from './recovery-test-kit.ts';
import { Browser, MEMBER_CODE, type Kit } from './session-test-kit.ts';

const secrets = testConfig().secrets;

describe('a beneficiary’s own login', () => {
  let db: TestDatabase;
  let t: TestApp;
  let kit: Kit;
  let household: string;
  let spouse: { id: string; firstName: string };
  const spouseNir = newNir();

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedDemoData(db, { households: 1, referenceDate: '2026-11-26', keys: secrets });
    household = (await db.query<{ id: string }>('SELECT id FROM member')).rows[0]!.id;
    const { rows } = await db.query<{ id: string; first_name: string }>(`SELECT id, first_name FROM beneficiary WHERE member_id = $1 AND relationship = 'SPOUSE'`, [household]);
    spouse = { id: rows[0]!.id, firstName: rows[0]!.first_name };
    // Their own NIR (known here in clear) and an access code of their own.
    await db.query('UPDATE beneficiary SET own_nir_hmac = $2 WHERE id = $1', [spouse.id, blindIndex(secrets.blindIndexKey, spouseNir)]);
    await db.query('INSERT INTO beneficiary_credential (beneficiary_id, code_hash, code_set_at) VALUES ($1, $2, $3)', [
      spouse.id, await hashAccessCode(MEMBER_CODE, secrets.codePepper), new Date('2026-01-01T00:00:00Z'),
    ]);
    const clock = testClock('2026-11-26T10:00:00Z');
    t = await createTestApp({ name: 'beneficiary-login', clock: clock.now, db, extraFeatures: [sessionProbe] });
    kit = { db, t, clock, organisationId: '', close: async () => undefined };
  });
  afterAll(async () => {
    await t.close();
    await db.close();
  });

  test('AC-04 logs in with their own NIR and code and sees only their own lines; household pages see no session', async () => {
    const browser = new Browser(kit);
    await browser.trust(household);
    const login = await browser.login(spouseNir);
    expect(login.statusCode).toBe(303);
    expect(login.headers.location).toBe('/espace');
    const { rows: [session] } = await db.query<{ subject_id: string; beneficiary_id: string }>('SELECT subject_id, beneficiary_id FROM session ORDER BY created_at DESC LIMIT 1');
    expect(session).toEqual({ subject_id: household, beneficiary_id: spouse.id });

    const { rows: [own] } = await db.query<{ lines: number }>('SELECT count(*)::int AS lines FROM claim_line WHERE beneficiary_id = $1', [spouse.id]);
    const list = JSON.parse((await browser.get('/api/v1/reimbursements')).body) as { totals: { lines: number }; beneficiaries: { id: string }[] };
    expect(list.totals.lines).toBe(own!.lines);
    expect(list.beneficiaries.map((b) => b.id)).toEqual([spouse.id]);
    expect((await browser.get('/espace')).body).toContain(spouse.firstName);
    expect((await browser.get('/profil/securite/code')).statusCode).toBe(303);
  });

  test('THR-01 a beneficiary’s wrong codes lock their own access, not the household’s', async () => {
    const browser = new Browser(kit);
    const before = (await db.query<{ n: number }>('SELECT consecutive_failures AS n FROM beneficiary_credential WHERE beneficiary_id = $1', [spouse.id])).rows[0]!.n;
    const failed = await browser.login(spouseNir, '000000');
    expect(failed.statusCode).toBe(401);
    const after = (await db.query<{ n: number }>('SELECT consecutive_failures AS n FROM beneficiary_credential WHERE beneficiary_id = $1', [spouse.id])).rows[0]!.n;
    expect(after).toBe(before + 1);
    const { rows: attempts } = await db.query<{ member_id: string; beneficiary_id: string; outcome: string }>(
      `SELECT member_id, beneficiary_id, outcome FROM login_attempt WHERE outcome <> 'PENDING' ORDER BY attempted_at DESC, decided_at DESC LIMIT 1`,
    );
    expect(attempts[0]).toEqual({ member_id: household, beneficiary_id: spouse.id, outcome: 'FAILURE' });
    // A correct login clears their count again.
    await browser.trust(household);
    expect((await browser.login(spouseNir)).statusCode).toBe(303);
    expect((await db.query<{ n: number }>('SELECT consecutive_failures AS n FROM beneficiary_credential WHERE beneficiary_id = $1', [spouse.id])).rows[0]!.n).toBe(0);
  });

  test('a beneficiary without a code of their own cannot log in with their NIR (the same generic answer as a wrong code)', async () => {
    const { rows } = await db.query<{ id: string }>(`SELECT id FROM beneficiary WHERE member_id = $1 AND relationship = 'CHILD' LIMIT 1`, [household]);
    const childNir = newNir();
    await db.query('UPDATE beneficiary SET own_nir_hmac = $2 WHERE id = $1', [rows[0]!.id, blindIndex(secrets.blindIndexKey, childNir)]);
    const browser = new Browser(kit);
    await browser.trust(household);
    const answer = await browser.login(childNir);
    expect(answer.statusCode).toBe(401);
    expect(answer.body).toContain('Numéro de Sécurité sociale ou code d’accès incorrect');
    expect(await browser.whoami()).toBeNull();
  });
});
