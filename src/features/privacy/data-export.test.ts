/**
 * The RGPD export (issue 8, acceptance 5): every table that refers to the household — found from the schema's foreign
 * keys, so that a table added later fails here until it is exported — is in the ZIP with all the household's rows, every
 * column exported or left out for a written reason; NIRs and IBAN in clear, no secret; never cached; recorded, notified
 * and limited; a sealed field that does not open stops the export (DATA-02).
 */
import { strFromU8, unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestApp, testClock, testConfig, type TestApp } from '../../../test/app.ts';
import { queuedEmails } from '../../../test/mail-jobs.ts';
import { createTestDatabase, testDriver, type TestDatabase } from '../../../test/db.ts';
import type { Queryable } from '../../db/database.ts';
import { decryptField, DecryptionError } from '../../platform/crypto.ts';
import { seedDemoData } from '../demo/seed-demo-data.ts';
import { sessionProbe } from '../auth/recovery-test-kit.ts';
import { Browser, type Kit } from '../auth/session-test-kit.ts';
import { exportedName, exportPersonalData } from './export-personal-data.ts';
import { EXPORT_SECTIONS } from './export-registry.ts';
import { fillEveryHouseholdTable } from './household-fixtures.ts';

const secrets = testConfig().secrets;
type Fk = { table: string; column: string; parent: string; parentColumn: string };

/** Every single-column foreign key of the schema (composite ones would need a pair; there are none). */
async function foreignKeys(q: Queryable): Promise<Fk[]> {
  const { rows } = await q.query<Fk>(
    `SELECT k.conrelid::regclass::text AS table, a.attname AS column, k.confrelid::regclass::text AS parent, pa.attname AS "parentColumn"
       FROM pg_constraint k
       JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1]
       JOIN pg_attribute pa ON pa.attrelid = k.confrelid AND pa.attnum = k.confkey[1]
      WHERE k.contype = 'f' AND k.connamespace = 'public'::regnamespace AND cardinality(k.conkey) = 1`,
  );
  return rows;
}

/** The tables whose rows hang from member or beneficiary through foreign keys, at any depth. */
function householdTables(fks: Fk[]): Set<string> {
  const found = new Set(['member', 'beneficiary']);
  for (let grew = true; grew; ) {
    grew = false;
    for (const fk of fks) {
      if (found.has(fk.parent) && !found.has(fk.table)) {
        found.add(fk.table);
        grew = true;
      }
    }
  }
  return found;
}

/** A condition selecting the household's rows of `table`, built from the foreign keys alone (not from the registry). */
function householdCondition(fks: Fk[], tables: Set<string>, table: string, alias: string, depth = 0): string {
  if (table === 'member') return `${alias}.id = $1`;
  const parents = fks.filter((fk) => fk.table === table && tables.has(fk.parent) && fk.parent !== table);
  if (depth > 6 || parents.length === 0) return 'false';
  return parents
    .map((fk, i) => {
      const p = `${alias}_${i}`;
      return `${alias}.${fk.column} IN (SELECT ${p}.${fk.parentColumn} FROM ${fk.parent} ${p} WHERE ${householdCondition(fks, tables, fk.parent, p, depth + 1)})`;
    })
    .join(' OR ');
}

describe(`RGPD export (${testDriver()})`, () => {
  let db: TestDatabase;
  let t: TestApp;
  let kit: Kit;
  let memberId: string;
  let otherMemberNumber: string;
  let fks: Fk[];
  let tables: Set<string>;
  const clock = testClock('2026-11-26T10:00:00Z');

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedDemoData(db, { households: 2, referenceDate: '2026-11-26', keys: secrets, years: 1 });
    const { rows } = await db.query<{ id: string; member_number: string }>('SELECT id, member_number FROM member ORDER BY member_number');
    memberId = rows[0]!.id;
    otherMemberNumber = rows[1]!.member_number;
    await fillEveryHouseholdTable(db, memberId, secrets, clock.now());
    t = await createTestApp({ name: 'data-export', clock: clock.now, db, extraFeatures: [sessionProbe] });
    kit = { db, t, clock, organisationId: '', close: async () => undefined };
    fks = await foreignKeys(db);
    tables = householdTables(fks);
  });
  afterAll(async () => {
    await t?.close();
    await db?.close();
  });

  test('acceptance 5: every table reachable from member or beneficiary by foreign keys has an export section', () => {
    expect(tables.size).toBeGreaterThan(25);
    expect(EXPORT_SECTIONS.map((s) => s.table).sort()).toEqual([...tables].sort());
  });

  test('acceptance 5: every column of those tables is exported with a French label or left out with its reason, and no column is both', async () => {
    for (const section of EXPORT_SECTIONS) {
      const { rows } = await db.query<{ column_name: string }>(`SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1`, [section.table]);
      const listed = [...Object.keys(section.columns), ...Object.keys(section.omitted)].sort();
      expect(listed, section.table).toEqual(rows.map((r) => r.column_name).sort());
      for (const [column, reason] of Object.entries(section.omitted)) expect(reason.length, `${section.table}.${column}`).toBeGreaterThan(10);
      // Secrets and blind indexes are never exported.
      for (const column of Object.keys(section.columns)) expect(column, section.table).not.toMatch(/_hash$|_hmac$|^sealed$|^challenge$|^bound_to$/);
    }
  });

  test('acceptance 5 DATA-02: one POST gives a ZIP with every household row of every table (counted from the foreign keys), NIRs and IBAN in clear, no secret, not cached', async () => {
    const b = new Browser(kit);
    await b.startSession(memberId);
    expect((await b.get('/profil/donnees')).body).toContain('Télécharger mes données (fichier ZIP)');
    const response = await b.post('/profil/donnees');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/zip');
    expect(response.headers['content-disposition']).toBe('attachment; filename="mes-donnees-2026-11-26.zip"');
    expect(response.headers['cache-control']).toBe('no-store');
    const files = unzipSync(new Uint8Array(response.rawPayload));
    expect(Object.keys(files)).toEqual(expect.arrayContaining(['donnees.json', 'LISEZ-MOI.txt', 'historique-des-acces.csv', 'garanties.csv', ...EXPORT_SECTIONS.map((s) => `${s.file}.csv`)]));
    const data = JSON.parse(strFromU8(files['donnees.json']!)) as Record<string, { rows: Record<string, unknown>[] }>;

    const empty: string[] = [];
    for (const section of EXPORT_SECTIONS) {
      const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${section.table} t WHERE ${householdCondition(fks, tables, section.table, 't')}`, [memberId]);
      const exported = data[section.file]!.rows;
      expect(exported.length, section.table).toBeGreaterThanOrEqual(rows[0]!.n);
      if (rows[0]!.n === 0) empty.push(section.table);
      // Every exported row has exactly the exported columns.
      for (const row of exported) expect(Object.keys(row).sort(), section.table).toEqual(Object.keys(section.columns).map(exportedName).sort());
      // The CSV has the same rows, French headers, a BOM.
      const bytes = files[`${section.file}.csv`]!;
      expect([...bytes.subarray(0, 3)], section.file).toEqual([0xef, 0xbb, 0xbf]);
      const lines = strFromU8(bytes).replace(/^\uFEFF/, '').split('\r\n');
      expect(lines[0], section.file).toBe(Object.values(section.columns).join(';'));
      expect(lines.filter((l) => l !== '').length, section.file).toBeGreaterThanOrEqual(exported.length + 1);
    }
    // The fixtures give every household table at least one row, so that each count above means something.
    expect(empty).toEqual([]);

    // Sealed fields in clear: the member's NIR and the IBAN, equal to what the database holds sealed.
    const { rows: [sealed] } = await db.query<{ nir_enc: string; iban_enc: string }>(
      `SELECT m.nir_enc, (SELECT iban_enc FROM bank_account WHERE member_id = m.id ORDER BY created_at LIMIT 1) AS iban_enc FROM member m WHERE m.id = $1`, [memberId],
    );
    expect(data.adherent!.rows[0]!.nir).toBe(decryptField(secrets.dataEncryptionKey, sealed!.nir_enc));
    expect(data.adherent!.rows[0]!.nir).toMatch(/^[0-9]{13}[0-9]{2}$/);
    expect(data['comptes-bancaires']!.rows[0]!.iban).toBe(decryptField(secrets.dataEncryptionKey, sealed!.iban_enc));
    expect(data['comptes-bancaires']!.rows[0]!.iban).toMatch(/^FR[0-9]{2}[0-9A-Z]{23}$/);

    const everything = Object.values(files).map((f) => strFromU8(f)).join('\n');
    const { rows: secretsInDb } = await db.query<{ v: string }>(
      `SELECT code_hash AS v FROM member_credential WHERE member_id = $1 UNION ALL SELECT token_hash FROM trusted_device WHERE member_id = $1
       UNION ALL SELECT nir_hmac FROM member WHERE id = $1 UNION ALL SELECT iban_hmac FROM bank_account WHERE member_id = $1 UNION ALL SELECT id_hash FROM session WHERE subject_id = $1`,
      [memberId],
    );
    expect(secretsInDb.length).toBeGreaterThan(4);
    for (const { v } of secretsInDb) expect(everything).not.toContain(v);
    expect(everything).not.toContain('v1.'); // no sealed value left sealed
    expect(everything).not.toContain(otherMemberNumber);
    expect(strFromU8(files['LISEZ-MOI.txt']!)).toContain('EN CLAIR');
  });

  test('the export is recorded (access history), notified as a security notice, limited to 5 a day; the API gives the same archive', async () => {
    const { rows } = await db.query<{ id: string }>(`SELECT id FROM member ORDER BY member_number OFFSET 1 LIMIT 1`);
    const other = rows[0]!.id;
    const b = new Browser(kit);
    await b.startSession(other);
    const api = await t.app.inject({ method: 'POST', url: '/api/v1/profile/data-export', remoteAddress: b.ip, headers: { cookie: b.header(), 'content-type': 'application/json', 'x-csrf-token': b.csrf }, payload: '{}' });
    expect(api.statusCode).toBe(200);
    expect(api.headers['content-type']).toBe('application/zip');
    const data = JSON.parse(strFromU8(unzipSync(new Uint8Array(api.rawPayload))['donnees.json']!)) as Record<string, { rows: { id: string }[] }>;
    expect(data.adherent!.rows.map((r) => r.id)).toEqual([other]);
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/profile/data-export', remoteAddress: b.ip, headers: { cookie: b.header(), 'content-type': 'application/json', 'x-csrf-token': b.csrf }, payload: '{"memberId":"x"}' })).statusCode).toBe(400);
    for (let i = 0; i < 4; i++) expect((await b.post('/profil/donnees')).statusCode).toBe(200);
    const limited = await b.post('/profil/donnees');
    expect(limited.statusCode).toBe(429);
    expect(limited.body).toContain('Vous avez déjà téléchargé vos données 5 fois');

    const { rows: audit } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE subject_id = $1 AND action = 'member.data.exported'`, [other]);
    expect(audit[0]!.n).toBe(5);
    const history = (await b.get('/profil/acces')).body;
    expect(history).toContain('Export de vos données personnelles');
    const emails = await queuedEmails(db);
    const notices = emails.filter((e) => e.subject === 'Vos données personnelles ont été exportées');
    const letters = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM letter WHERE member_id = $1 AND kind = 'SECURITY_NOTICE'`, [other]);
    // By email at a verified address, else one letter a day.
    expect(notices.length + letters.rows[0]!.n).toBeGreaterThanOrEqual(1);
    for (const mail of notices) expect(mail.text).not.toMatch(/[0-9]{15}|FR[0-9]{2}[0-9A-Z]{23}/);
  });

  test('DATA-02 a sealed field whose ciphertext was altered stops the export with a DecryptionError, and nothing is recorded', async () => {
    const { rows } = await db.query<{ id: string }>(`SELECT id FROM member ORDER BY member_number OFFSET 1 LIMIT 1`);
    const victim = rows[0]!.id;
    const { rows: [account] } = await db.query<{ id: string; iban_enc: string }>('SELECT id, iban_enc FROM bank_account WHERE member_id = $1 LIMIT 1', [victim]);
    const parts = account!.iban_enc.split('.');
    const data = Buffer.from(parts[3]!, 'base64url');
    data[0] = data[0]! ^ 0x01;
    parts[3] = data.toString('base64url');
    await db.query('UPDATE bank_account SET iban_enc = $2 WHERE id = $1', [account!.id, parts.join('.')]);
    const before = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE subject_id = $1 AND action = 'member.data.exported'`, [victim]);
    // A fresh day for the limit: the previous test used up today's exports.
    const later = new Date(clock.now().getTime() + 2 * 24 * 3_600_000);
    const deps = { db, jobs: t.jobs, jobDefinitions: t.jobDefinitions, config: { secrets }, mailCommon: { organisationName: 'M', phone: '0', publicUrl: 'https://espace.test' } };
    const error = await exportPersonalData(deps, { memberId: victim, ip: '10.0.0.1', now: later, channel: 'PAGE' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DecryptionError);
    expect((error as DecryptionError).reason).toBe('AUTHENTICATION');
    const after = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE subject_id = $1 AND action = 'member.data.exported'`, [victim]);
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n);
  });
});
