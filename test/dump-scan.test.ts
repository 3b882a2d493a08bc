/**
 * Issue 8 acceptance 4 (DATA-02, DATA-03): a dump of a seeded database holds no NIR and no IBAN in clear, and a sealed
 * field with one ciphertext byte flipped fails loudly with a typed error (the AES-GCM check), never garbage.
 *
 * On PostgreSQL the dump is `pg_dump` of the test database. PGlite has no pg_dump of its own here; its dump facility,
 * `dumpDataDir`, gives the raw data directory (heap pages and WAL, where a short text value sits in clear), which is
 * scanned byte for byte. On both, a clear NIR and IBAN planted afterwards must then be found: the scan can fail.
 * Email addresses and phone numbers are still in clear until issue 8 part A seals them, so only NIR and IBAN are
 * scanned (the wording).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createHouseholdMember, newNir, TEST_IBAN } from '../src/features/auth/recovery-test-kit.ts';
import { seedDemoData } from '../src/features/demo/seed-demo-data.ts';
import { fillEveryHouseholdTable } from '../src/features/privacy/household-fixtures.ts';
import { openBytes } from '../src/features/uploads/file-store.ts';
import { decryptField, DecryptionError } from '../src/platform/crypto.ts';
import { testConfig } from './app.ts';
import { createTestDatabase, testDriver, type TestDatabase } from './db.ts';
import { findSensitive } from './log-scan.ts';

const secrets = testConfig().secrets;
const key = secrets.dataEncryptionKey;

async function dump(db: TestDatabase): Promise<string> {
  if (db.url) {
    const { rows } = await db.query<{ v: string }>(`SELECT current_setting('server_version_num') AS v`);
    const major = Math.floor(Number(rows[0]!.v) / 10_000);
    const bin = `/usr/lib/postgresql/${major}/bin/pg_dump`;
    return execFileSync(existsSync(bin) ? bin : 'pg_dump', ['--no-owner', '--dbname', db.url], { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
  }
  const pglite = (db as unknown as { pglite: { dumpDataDir(c: 'none'): Promise<Blob>; query(sql: string): Promise<unknown> } }).pglite;
  await pglite.query('CHECKPOINT');
  const tar = await pglite.dumpDataDir('none');
  // latin1 keeps every byte as one character: ASCII text in the pages reads as is.
  return Buffer.from(await tar.arrayBuffer()).toString('latin1');
}

/** Flips one bit of the ciphertext part of a `v1.<iv>.<tag>.<data>` field. */
function flipCiphertext(sealed: string, part = 3): string {
  const parts = sealed.split('.');
  const bytes = Buffer.from(parts[part]!, 'base64url');
  bytes[bytes.length >> 1] = bytes[bytes.length >> 1]! ^ 0x01;
  parts[part] = bytes.toString('base64url');
  return parts.join('.');
}

describe(`database dump (${testDriver()})`, () => {
  let db: TestDatabase;
  let memberId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedDemoData(db, { households: 20, referenceDate: '2026-11-26', keys: secrets, years: 1 });
    const organisationId = (await db.query<{ id: string }>('SELECT id FROM organisation LIMIT 1')).rows[0]!.id;
    memberId = (await createHouseholdMember(db, secrets, { organisationId, email: 'verified', code: '482915', pepper: secrets.codePepper })).memberId;
    await fillEveryHouseholdTable(db, memberId, secrets, new Date('2026-11-26T10:00:00Z'));
  });
  afterAll(async () => db?.close());

  test('DATA-02 DATA-03 acceptance 4: the dump of a seeded database holds no NIR and no IBAN in clear; one planted afterwards is found', async () => {
    const { rows } = await db.query<{ members: number; accounts: number; beneficiaries: number }>(
      'SELECT (SELECT count(*)::int FROM member) AS members, (SELECT count(*)::int FROM bank_account) AS accounts, (SELECT count(*)::int FROM beneficiary) AS beneficiaries',
    );
    expect(rows[0]!.members).toBeGreaterThanOrEqual(21);
    expect(rows[0]!.accounts).toBeGreaterThanOrEqual(21);
    const text = await dump(db);
    expect(text.length).toBeGreaterThan(100_000);
    expect(findSensitive(text)).toEqual([]);
    // The seed's IBAN of the test household is really in there, sealed: decrypting its row gives it back.
    const { rows: [account] } = await db.query<{ iban_enc: string }>('SELECT iban_enc FROM bank_account WHERE member_id = $1', [memberId]);
    expect(decryptField(key, account!.iban_enc)).toBe(TEST_IBAN);
    expect(text).toContain(account!.iban_enc);

    const nir = newNir();
    await db.query('CREATE TABLE dump_scan_canary (note text)');
    await db.query('INSERT INTO dump_scan_canary (note) VALUES ($1), ($2)', [`nir ${nir}`, `iban ${TEST_IBAN}`]);
    const planted = findSensitive(await dump(db));
    expect(planted).toEqual(expect.arrayContaining([nir, TEST_IBAN]));
    await db.query('DROP TABLE dump_scan_canary');
  });

  test('DATA-02 flipping one ciphertext byte of a stored field fails with a DecryptionError (AES-GCM authentication), never a garbled value', async () => {
    const { rows: [member] } = await db.query<{ nir_enc: string }>('SELECT nir_enc FROM member WHERE id = $1', [memberId]);
    const { rows: [account] } = await db.query<{ id: string; iban_enc: string }>('SELECT id, iban_enc FROM bank_account WHERE member_id = $1', [memberId]);
    expect(decryptField(key, member!.nir_enc)).toMatch(/^[0-9]{15}$/);
    await db.query('UPDATE bank_account SET iban_enc = $2 WHERE id = $1', [account!.id, flipCiphertext(account!.iban_enc)]);
    const { rows: [stored] } = await db.query<{ iban_enc: string }>('SELECT iban_enc FROM bank_account WHERE id = $1', [account!.id]);
    const failure = (() => {
      try {
        return decryptField(key, stored!.iban_enc);
      } catch (error) {
        return error;
      }
    })();
    expect(failure).toBeInstanceOf(DecryptionError);
    expect(failure).toMatchObject({ code: 'DECRYPTION_FAILED', reason: 'AUTHENTICATION' });
    // The tag and the IV are checked as well; a cut tag or another format is refused as such.
    expect(() => decryptField(key, flipCiphertext(member!.nir_enc, 2))).toThrow(DecryptionError);
    expect(() => decryptField(key, flipCiphertext(member!.nir_enc, 1))).toThrow(DecryptionError);
    const [v, id, iv, tag, data] = member!.nir_enc.split('.');
    expect(() => decryptField(key, [v, id, iv, Buffer.from(tag!, 'base64url').subarray(0, 8).toString('base64url'), data].join('.'))).toThrow(expect.objectContaining({ reason: 'FORMAT' }));
    // Another key: the value names the key that sealed it, which is not configured.
    expect(() => decryptField(Buffer.alloc(32, 7), member!.nir_enc)).toThrow(expect.objectContaining({ reason: 'UNKNOWN_KEY' }));

    // The sealed bytes of an uploaded file too.
    const { rows: [file] } = await db.query<{ sealed: Uint8Array }>('SELECT sealed FROM stored_file WHERE member_id = $1 LIMIT 1', [memberId]);
    const sealed = Buffer.from(file!.sealed);
    expect(openBytes(key, sealed).toString()).toContain('%PDF');
    sealed[sealed.length - 1] = sealed[sealed.length - 1]! ^ 0x80;
    expect(() => openBytes(key, sealed)).toThrow(expect.objectContaining({ code: 'DECRYPTION_FAILED', reason: 'AUTHENTICATION' }));
  });
});
