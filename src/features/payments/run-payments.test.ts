import { randomBytes, randomInt } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { testConfig, testLogger } from '../../../test/app.ts';
import { createTestDatabase, testDriver, type TestDatabase } from '../../../test/db.ts';
import { findSensitive } from '../../../test/log-scan.ts';
import { parsePain001 } from '../../../test/pain001.ts';
import { PassThrough } from 'node:stream';
import { payCommand } from '../../cli/commands/pay.ts';
import { ibanFromBban, ribKey } from '../../domain/identity/iban.ts';
import { computeNirKey } from '../../domain/identity/nir.ts';
import { insertHousehold } from '../../db/repositories/household.ts';
import { insertOrganisation } from '../../db/repositories/organisation.ts';
import { DEMO_PAYMENTS_DEBTOR } from '../../platform/config.ts';
import { createJobs } from '../../platform/jobs.ts';
import { createLogger } from '../../platform/logger.ts';
import { createRunPaymentsJob, RUN_PAYMENTS_CRON, RUN_PAYMENTS_JOB } from './run-payments-job.ts';
import { paymentFileName, runPayments, type RunPaymentsOptions } from './run-payments.ts';

const driver = testDriver();
const keys = testConfig().secrets;
const NOW = new Date('2026-11-26T05:00:00Z');
const DEBTOR = { ...DEMO_PAYMENTS_DEBTOR };

type Account = { iban: string; bic: string | null; holderName: string } | null;
type Member = { memberId: string; memberNumber: string; beneficiaryId: string; iban: string | null };

function randomIban(): string {
  const bank = String(randomInt(10_000, 99_999));
  const branch = String(randomInt(0, 99_999)).padStart(5, '0');
  const account = String(randomInt(0, 2 ** 47)).padStart(11, '0').slice(-11);
  return ibanFromBban('FR', `${bank}${branch}${account}${ribKey(bank, branch, account)}`);
}

function randomNir(): string {
  const body = `2${String(randomInt(50, 99))}${String(randomInt(1, 12)).padStart(2, '0')}69${String(randomInt(1, 999)).padStart(3, '0')}${String(randomInt(1, 999)).padStart(3, '0')}`;
  return body + computeNirKey(body);
}

describe(`payments (${driver})`, () => {
  let db: TestDatabase;
  let organisationId: string;
  let statementSeq = 0;
  const dirs: string[] = [];
  const logger = testLogger('payments');

  const newDir = () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'espace-payments-'));
    dirs.push(dir);
    return path.join(dir, 'payments');
  };
  const options = (today: string, paymentsDir: string, overrides: Partial<RunPaymentsOptions> = {}): RunPaymentsOptions => ({
    today,
    now: NOW,
    paymentsDir,
    debtor: DEBTOR,
    keys,
    logger,
    ...overrides,
  });

  async function newMember(account: Account = { iban: randomIban(), bic: 'PSSTFRPPXXX', holderName: 'Hélène Bérénice' }): Promise<Member> {
    const memberNumber = `P${randomBytes(5).toString('hex').toUpperCase()}`;
    const inserted = await db.transaction((tx) =>
      insertHousehold(tx, keys, {
        organisationId,
        memberNumber,
        nir: randomNir(),
        beneficiaries: [{ relationship: 'SELF', lastName: 'Bérénice', firstName: 'Hélène', sex: 'F', birthDate: '1980-05-04', birthRank: 1, insuredNir: randomNir(), ownNir: null, amoFund: '069', noemie: 'ACTIVE' }],
        contracts: [],
        rights: [],
        email: null,
        phones: [],
        address: { recipient: 'HELENE BERENICE', streetNumber: '3', street: 'rue des Lilas', complement: null, postalCode: '69003', city: 'Lyon', country: 'FR' },
        bankAccount: account,
        createdAt: new Date('2020-01-01T09:00:00Z'),
      }),
    );
    return { memberId: inserted.memberId, memberNumber, beneficiaryId: inserted.beneficiaryIds[0]!, iban: account?.iban ?? null };
  }

  /** LIQUIDATED lines with these mutuelle parts (cents), with their RECEIVED and LIQUIDATED history. */
  async function addLines(member: Member, amcs: number[], thirdPartyPayment = false): Promise<string[]> {
    statementSeq += 1;
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO statement (member_id, source, statement_number, liquidation_date) VALUES ($1, 'NOEMIE', $2, '2026-11-20') RETURNING id`,
      [member.memberId, `T${randomBytes(6).toString('hex')}-${statementSeq}`],
    );
    const ids: string[] = [];
    for (const [i, amc] of amcs.entries()) {
      const line = await db.query<{ id: string }>(
        `INSERT INTO claim_line (statement_id, member_id, beneficiary_id, line_number, care_date, family, act_code, charged_cents, base_cents, amo_rate_bp,
           amo_cents, flat_fee_cents, deductible_cents, amo_net_cents, amc_cents, remaining_cents, third_party_payment, rule, explanation, status, received_at, liquidated_at)
         VALUES ($1, $2, $3, $4, '2026-11-18', 'CONSULTATION', 'G', $5, 1000, 7000, 700, 0, 0, 700, $6, 300, $7, 'TEST', 'Test', 'LIQUIDATED', '2026-11-20T06:00:00Z',
                 '2026-11-21T08:00:00Z') RETURNING id`,
        [rows[0]!.id, member.memberId, member.beneficiaryId, i + 1, amc + 1000, amc, thirdPartyPayment],
      );
      ids.push(line.rows[0]!.id);
    }
    return ids;
  }

  const linesOf = (ids: string[]) =>
    db
      .query<{ id: string; status: string; paid_at: string | null; payment_id: string | null }>(`SELECT id, status, paid_at, payment_id FROM claim_line WHERE id = ANY($1::uuid[]) ORDER BY id`, [ids])
      .then((r) => r.rows);
  const historyOf = (ids: string[]) =>
    db
      .query<{ claim_line_id: string; status: string; changed_at: Date }>(`SELECT claim_line_id, status, changed_at FROM claim_line_status WHERE claim_line_id = ANY($1::uuid[]) ORDER BY id`, [ids])
      .then((r) => r.rows);
  const paymentsOf = (member: Member) =>
    db
      .query<{ id: string; amount_cents: number; payment_date: string; end_to_end_id: string; bank_account_id: string; payment_file_id: string }>(
        `SELECT id, amount_cents, payment_date, end_to_end_id, bank_account_id, payment_file_id FROM payment WHERE member_id = $1 ORDER BY payment_date`,
        [member.memberId],
      )
      .then((r) => r.rows);
  const filesIn = (dir: string) => readdirSync(dir).sort();

  beforeAll(async () => {
    db = await createTestDatabase();
    organisationId = (
      await insertOrganisation(db, {
        name: 'Mutuelle des Tilleuls',
        amcNumber: String(randomInt(1, 2_000_000_000)),
        addressLine1: '12 rue des Tilleuls',
        addressLine2: null,
        postalCode: '69003',
        city: 'Lyon',
        phone: '04 72 00 00 00',
        professionalPhone: null,
        email: null,
      })
    ).id;
  });

  afterAll(async () => {
    await db?.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  describe('a day with members to pay', () => {
    const today = '2026-11-02';
    let dir: string;
    let marie: Member;
    let jean: Member;
    let marieLines: string[];
    let jeanLines: string[];
    let summary: Awaited<ReturnType<typeof runPayments>>;

    beforeAll(async () => {
      dir = newDir();
      marie = await newMember({ iban: randomIban(), bic: 'PSSTFRPPXXX', holderName: 'Marie Lefèvre-Œuvray' });
      jean = await newMember({ iban: randomIban(), bic: null, holderName: 'JEAN DUPONT & FILS' });
      marieLines = [...(await addLines(marie, [1230, 45])), ...(await addLines(marie, [9999]))];
      jeanLines = await addLines(jean, [10, 20]);
      summary = await runPayments(db, options(today, dir));
    });

    test('one transfer per member, of the sum of the mutuelle parts of their lines', async () => {
      expect(summary).toMatchObject({ payments: 2, lines: 5, totalCents: 1230 + 45 + 9999 + 10 + 20, membersWithoutAccount: 0, membersDeferred: 0, linesWithoutTransfer: 0 });
      const [mariePayment] = await paymentsOf(marie);
      const [jeanPayment] = await paymentsOf(jean);
      expect(await paymentsOf(marie)).toHaveLength(1);
      expect(mariePayment).toMatchObject({ amount_cents: 11_274, payment_date: today, end_to_end_id: `RMB-20261102-${marie.memberNumber}` });
      expect(jeanPayment).toMatchObject({ amount_cents: 30, payment_date: today, end_to_end_id: `RMB-20261102-${jean.memberNumber}` });
      const { rows: accounts } = await db.query<{ id: string }>(`SELECT id FROM bank_account WHERE member_id = $1 AND status = 'ACTIVE'`, [marie.memberId]);
      expect(mariePayment!.bank_account_id).toBe(accounts[0]!.id);
    });

    test('the lines are PAID on the payment date, linked to their transfer, with a PAID row in their history', async () => {
      const [mariePayment] = await paymentsOf(marie);
      const [jeanPayment] = await paymentsOf(jean);
      for (const line of await linesOf(marieLines)) expect(line).toMatchObject({ status: 'PAID', paid_at: today, payment_id: mariePayment!.id });
      for (const line of await linesOf(jeanLines)) expect(line).toMatchObject({ status: 'PAID', paid_at: today, payment_id: jeanPayment!.id });
      const history = await historyOf(marieLines);
      for (const id of marieLines) {
        // Received and liquidated are columns of the line: the transfer is its first later change.
        expect(history.filter((h) => h.claim_line_id === id).map((h) => h.status)).toEqual(['PAID']);
      }
      expect(history.filter((h) => h.status === 'PAID').map((h) => new Date(h.changed_at).toISOString())).toEqual(marieLines.map(() => NOW.toISOString()));
    });

    test('each transfer leaves one REIMBURSEMENT_PAID event for the notifications', async () => {
      const { rows } = await db.query<{ member_id: string; kind: string; subject_type: string; subject_id: string; occurred_at: Date }>(
        `SELECT member_id, kind, subject_type, subject_id, occurred_at FROM member_event WHERE member_id = ANY($1::uuid[]) ORDER BY member_id`,
        [[marie.memberId, jean.memberId]],
      );
      const expected = await Promise.all([marie, jean].map(async (m) => ({ member_id: m.memberId, kind: 'REIMBURSEMENT_PAID', subject_type: 'payment', subject_id: (await paymentsOf(m))[0]!.id, occurred_at: NOW })));
      expect(rows.map((r) => ({ ...r, occurred_at: new Date(r.occurred_at) }))).toEqual(expected.sort((a, b) => a.member_id.localeCompare(b.member_id)));
    });

    test('the file holds exactly what the database records: transfers, amounts, accounts, control sum', async () => {
      expect(filesIn(dir)).toEqual([summary.fileName]);
      const file = path.join(dir, summary.fileName!);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(statSync(dir).mode & 0o777).toBe(0o700);
      const { rows: files } = await db.query<{ id: string; message_id: string; execution_date: string; file_name: string; transfers: number; total_cents: number }>(
        `SELECT id, message_id, execution_date, file_name, transfers, total_cents FROM payment_file WHERE file_name = $1`,
        [summary.fileName],
      );
      const record = files[0]!;
      expect(summary.fileName).toBe(paymentFileName(today, record.message_id));
      expect(record).toMatchObject({ execution_date: today, transfers: 2, total_cents: summary.totalCents });

      const doc = parsePain001(readFileSync(file, 'utf8')).Document.CstmrCdtTrfInitn;
      expect(doc.GrpHdr).toMatchObject({ MsgId: record.message_id, NbOfTxs: '2', CtrlSum: '113.04', InitgPty: { Nm: 'Mutuelle des Tilleuls' } });
      expect(doc.PmtInf).toMatchObject({ ReqdExctnDt: today, NbOfTxs: '2', CtrlSum: '113.04', DbtrAcct: { Id: { IBAN: DEBTOR.iban } }, DbtrAgt: { FinInstnId: { BIC: DEBTOR.bic } } });
      const byEndToEnd = new Map(doc.PmtInf.CdtTrfTxInf.map((t) => [t.PmtId.EndToEndId, t]));
      const { rows: payments } = await db.query<{ end_to_end_id: string; amount_cents: number; member_id: string }>(`SELECT end_to_end_id, amount_cents, member_id FROM payment WHERE payment_file_id = $1`, [record.id]);
      expect(payments).toHaveLength(2);
      for (const p of payments) {
        const member = p.member_id === marie.memberId ? marie : jean;
        const tx = byEndToEnd.get(p.end_to_end_id)!;
        expect(tx.Amt.InstdAmt).toEqual({ '#text': (p.amount_cents / 100).toFixed(2), '@_Ccy': 'EUR' });
        expect(tx.CdtrAcct.Id.IBAN).toBe(member.iban);
        expect(tx.RmtInf!.Ustrd).toBe(`Remboursement mutuelle ${member.memberNumber} du 02/11/2026`);
      }
      expect(byEndToEnd.get(`RMB-20261102-${marie.memberNumber}`)).toMatchObject({ Cdtr: { Nm: 'Marie Lefevre-OEuvray' }, CdtrAgt: { FinInstnId: { BIC: 'PSSTFRPPXXX' } } });
      expect(byEndToEnd.get(`RMB-20261102-${jean.memberNumber}`)).toMatchObject({ Cdtr: { Nm: 'JEAN DUPONT + FILS' } });
      expect(byEndToEnd.get(`RMB-20261102-${jean.memberNumber}`)!.CdtrAgt).toBeUndefined();
    });

    test('running again the same day pays nothing twice and writes no file', async () => {
      const again = await runPayments(db, options(today, dir));
      expect(again).toMatchObject({ payments: 0, lines: 0, totalCents: 0, fileName: null });
      expect(filesIn(dir)).toEqual([summary.fileName]);
      expect(await paymentsOf(marie)).toHaveLength(1);
    });
  });

  test('a line whose mutuelle part is 0 is PAID without a transfer; no file when nothing is owed', async () => {
    const dir = newDir();
    const member = await newMember();
    const lines = await addLines(member, [0, 0]);
    const summary = await runPayments(db, options('2026-11-03', dir));
    expect(summary).toMatchObject({ payments: 0, lines: 0, linesWithoutTransfer: 2, fileName: null });
    for (const line of await linesOf(lines)) expect(line).toMatchObject({ status: 'PAID', paid_at: '2026-11-03', payment_id: null });
    expect((await historyOf(lines)).filter((h) => h.status === 'PAID')).toHaveLength(2);
    expect(await paymentsOf(member)).toEqual([]);
    expect(filesIn(dir)).toEqual([]);
  });

  test('tiers-payant lines (the mutuelle pays the professional) are not paid to the member', async () => {
    const dir = newDir();
    const member = await newMember();
    const lines = await addLines(member, [2500], true);
    await runPayments(db, options('2026-11-04', dir));
    expect(await linesOf(lines)).toMatchObject([{ status: 'LIQUIDATED', payment_id: null, paid_at: null }]);
    expect(await paymentsOf(member)).toEqual([]);
  });

  test('members without an account in force that can be paid keep their lines LIQUIDATED, counted and logged by member number only', async () => {
    const dir = newDir();
    const none = await newMember(null);
    const pending = await newMember();
    // Its only account is a change still in its cooling-off (in force tomorrow): nothing is in force today.
    await db.query(`UPDATE bank_account SET status = 'PENDING', effective_at = $2 WHERE member_id = $1`, [pending.memberId, new Date(NOW.getTime() + 24 * 3_600_000)]);
    const unreadable = await newMember();
    await db.query(`UPDATE bank_account SET iban_enc = 'v1.AAAA.BBBB.CCCC' WHERE member_id = $1`, [unreadable.memberId]);
    const paid = await newMember();
    const waiting = [...(await addLines(none, [1500, 0])), ...(await addLines(pending, [700])), ...(await addLines(unreadable, [800]))];
    await addLines(paid, [100]);
    const lines: string[] = [];
    const memoryLogger = createLogger({ level: 'debug', destination: { write: (line: string) => lines.push(line) } });

    const summary = await runPayments(db, options('2026-11-05', dir, { logger: memoryLogger }));
    expect(summary).toMatchObject({ payments: 1, membersWithoutAccount: 3, linesWithoutTransfer: 1 });
    const states = await linesOf(waiting);
    expect(states.filter((l) => l.status === 'LIQUIDATED')).toHaveLength(3);
    expect(states.filter((l) => l.status === 'PAID' && l.payment_id === null)).toHaveLength(1); // none's 0 line
    for (const m of [none, pending, unreadable]) expect(await paymentsOf(m)).toEqual([]);

    const log = lines.join('');
    for (const m of [none, pending, unreadable]) expect(log).toContain(m.memberNumber);
    expect(log).toContain('NO_ACTIVE_ACCOUNT');
    expect(log).toContain('UNUSABLE_ACCOUNT');
    expect(findSensitive(log)).toEqual([]);
    expect(log).not.toContain('[IBAN]');
    expect(log).not.toContain('[NIR]');
    for (const m of [pending, paid]) expect(log).not.toContain(m.iban!.slice(4));
  });

  test('a new line of a member already paid that day waits for the next day’s transfer', async () => {
    const dir = newDir();
    const member = await newMember();
    await addLines(member, [1000]);
    const first = await runPayments(db, options('2026-11-06', dir));
    expect(first).toMatchObject({ payments: 1, totalCents: 1000 });

    const late = await addLines(member, [250]);
    const sameDay = await runPayments(db, options('2026-11-06', dir));
    expect(sameDay).toMatchObject({ payments: 0, membersDeferred: 1, fileName: null });
    expect(await linesOf(late)).toMatchObject([{ status: 'LIQUIDATED', payment_id: null }]);

    const nextDay = await runPayments(db, options('2026-11-07', dir));
    expect(nextDay).toMatchObject({ payments: 1, totalCents: 250, membersDeferred: 0 });
    const payments = await paymentsOf(member);
    expect(payments.map((p) => [p.payment_date, p.amount_cents])).toEqual([
      ['2026-11-06', 1000],
      ['2026-11-07', 250],
    ]);
    expect(await linesOf(late)).toMatchObject([{ status: 'PAID', paid_at: '2026-11-07', payment_id: payments[1]!.id }]);
    expect(filesIn(dir)).toHaveLength(2);
  });

  test('two runs at the same time pay each line once, in one file', async () => {
    const dir = newDir();
    const members = await Promise.all([newMember(), newMember(), newMember()]);
    const lines = (await Promise.all(members.map((m) => addLines(m, [300, 400])))).flat();
    const results = await Promise.all([runPayments(db, options('2026-11-09', dir)), runPayments(db, options('2026-11-09', dir))]);
    expect(results.map((r) => r.payments).sort()).toEqual([0, 3]);
    expect(results.filter((r) => r.fileName !== null)).toHaveLength(1);
    expect(filesIn(dir)).toHaveLength(1);
    const states = await linesOf(lines);
    expect(states.every((l) => l.status === 'PAID' && l.payment_id !== null)).toBe(true);
    const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM claim_line_status WHERE claim_line_id = ANY($1::uuid[]) AND status = 'PAID'`, [lines]);
    expect(rows[0]!.n).toBe(lines.length);
    for (const m of members) expect(await paymentsOf(m)).toHaveLength(1);
  });

  test('a transaction that fails leaves no file for the bank, no payment, and the lines LIQUIDATED; the next run pays them', async () => {
    const dir = newDir();
    const member = await newMember();
    const lines = await addLines(member, [1999]);
    // The last write of the run fails: the file is on disk (temporary name) by then.
    await db.exec(`
      CREATE FUNCTION payments_test_fail() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'outbox unavailable'; END; $$ LANGUAGE plpgsql;
      CREATE TRIGGER payments_test_fail BEFORE INSERT ON member_event FOR EACH ROW EXECUTE FUNCTION payments_test_fail();
    `);
    try {
      await expect(runPayments(db, options('2026-11-10', dir))).rejects.toThrow('outbox unavailable');
    } finally {
      await db.exec('DROP TRIGGER payments_test_fail ON member_event; DROP FUNCTION payments_test_fail();');
    }
    expect(filesIn(dir)).toEqual([]);
    expect(await paymentsOf(member)).toEqual([]);
    expect((await db.query(`SELECT 1 FROM payment_file WHERE execution_date = '2026-11-10'`)).rows).toEqual([]);
    expect(await linesOf(lines)).toMatchObject([{ status: 'LIQUIDATED', payment_id: null, paid_at: null }]);

    const retry = await runPayments(db, options('2026-11-10', dir));
    expect(retry).toMatchObject({ payments: 1, totalCents: 1999 });
    expect(filesIn(dir)).toEqual([retry.fileName]);
  });

  test('a run stopped between its commit and its rename is published by the next run; a file no commit recorded is removed', async () => {
    const dir = newDir();
    const member = await newMember();
    await addLines(member, [4321]);
    const first = await runPayments(db, options('2026-11-11', dir));
    const finalPath = path.join(dir, first.fileName!);
    const content = readFileSync(finalPath, 'utf8');
    // As if the process had died just after COMMIT, and another had died before its own.
    renameSync(finalPath, path.join(dir, `.${first.fileName}.tmp`));
    const orphan = paymentFileName('2026-11-11', 'PAY20261111-000000000000');
    writeFileSync(path.join(dir, `.${orphan}.tmp`), '<Document/>');

    const next = await runPayments(db, options('2026-11-11', dir));
    expect(next).toMatchObject({ payments: 0, fileName: null });
    expect(filesIn(dir)).toEqual([first.fileName]);
    expect(readFileSync(finalPath, 'utf8')).toBe(content);
  });

  test('the daily job is scheduled by cron and runs the payments of the day in Paris', async () => {
    const dir = newDir();
    const member = await newMember();
    await addLines(member, [555]);
    // 23:30 UTC on 11-11 is already 11-12 in Paris.
    const job = createRunPaymentsJob({ db, paymentsDir: dir, debtor: DEBTOR, keys, clock: () => new Date('2026-11-11T23:30:00Z') });
    expect(job.cron).toBe(RUN_PAYMENTS_CRON);
    await job.handler({}, { jobId: 'test', log: logger });
    expect((await paymentsOf(member)).map((p) => p.payment_date)).toEqual(['2026-11-12']);

    const jobs = await createJobs(db, [job], { logger });
    try {
      const { rows } = await db.query<{ name: string; cron: string }>(`SELECT name, cron FROM pgboss.schedule WHERE name = $1`, [RUN_PAYMENTS_JOB]);
      expect(rows).toEqual([{ name: RUN_PAYMENTS_JOB, cron: '0 5 * * *' }]);
    } finally {
      await jobs.stop();
    }
  });

  test('without a debtor account (production without PAYMENTS_DEBTOR_IBAN) the job pays nothing', async () => {
    const dir = newDir();
    const member = await newMember();
    const lines = await addLines(member, [600]);
    const job = createRunPaymentsJob({ db, paymentsDir: dir, debtor: null, keys, clock: () => NOW });
    await job.handler({}, { jobId: 'test', log: logger });
    expect(await linesOf(lines)).toMatchObject([{ status: 'LIQUIDATED' }]);
    // Paid by the next test's run instead.
  });

  test('espace pay runs the same use case and prints the summary (JSON with --json); bad arguments and a missing debtor are refused', async () => {
    const config = { ...testConfig(), paymentsDir: newDir() };
    const run = async (args: string[], cfg = config) => {
      const stdout = new PassThrough();
      const stderr = new PassThrough();
      let out = '';
      let err = '';
      stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
      stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
      const code = await payCommand(args, { config: cfg, logger }, { stdout, stderr, db, now: () => new Date('2026-11-13T10:00:00Z') });
      return { code, out, err };
    };
    expect(await run(['--date', '2026-11-12'])).toMatchObject({ code: 2, err: expect.stringContaining('--date') });
    expect(await run(['--date', '13/11/2026'])).toMatchObject({ code: 2 });
    expect(await run(['--now'])).toMatchObject({ code: 2, err: expect.stringContaining('Usage') });
    expect(await run([], { ...config, paymentsDebtor: null })).toMatchObject({ code: 78, err: expect.stringContaining('PAYMENTS_DEBTOR_IBAN') });

    const member = await newMember();
    await addLines(member, [1234]);
    const json = await run(['--json', '--date', '2026-11-14']);
    expect(json.code).toBe(0);
    const summary = JSON.parse(json.out) as { date: string; payments: number; totalCents: number; fileName: string; filePath: string };
    expect(summary).toMatchObject({ date: '2026-11-14', fileName: expect.stringMatching(/^SCT-2026-11-14-PAY20261114-[0-9a-f]{12}\.xml$/) });
    expect(summary.payments).toBeGreaterThanOrEqual(1); // with the previous test's member
    expect(summary.filePath).toBe(path.join(config.paymentsDir, summary.fileName));
    expect(await paymentsOf(member)).toMatchObject([{ payment_date: '2026-11-14', amount_cents: 1234 }]);

    const text = await run([]);
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/^Aucun virement à émettre le 13\/11\/2026\.\n/);
  });
});
