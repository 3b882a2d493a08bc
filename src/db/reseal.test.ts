import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { testConfig } from '../../test/app.ts';
import { createTestDatabase, type TestDatabase } from '../../test/db.ts';
import { dataKey, decryptField, openBytes } from '../platform/crypto.ts';
import { createHouseholdMember } from '../features/auth/recovery-test-kit.ts';
import { storeFiles } from '../features/uploads/file-store.ts';
import { insertOrganisation } from './repositories/organisation.ts';
import { resealAll, SEALED_COLUMNS } from './reseal.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => db.close());

test('DATA-02 key rotation: `espace reseal` moves every sealed value to the active key, so that the retired key can go', async () => {
  const old = randomBytes(32);
  const blindIndexKey = testConfig().secrets.blindIndexKey;
  const { id: organisationId } = await insertOrganisation(db, {
    name: 'Mutuelle Test', amcNumber: '987654321', addressLine1: '1 rue du Test', addressLine2: null, postalCode: '69003', city: 'Lyon', phone: '04 00 00 00 00', professionalPhone: null, email: null,
  });
  const member = await createHouseholdMember(db, { dataEncryptionKey: old, blindIndexKey }, { organisationId, email: 'verified' });
  await db.transaction((tx) => storeFiles(tx, old, member.memberId, [{ name: 'rib.pdf', mediaType: 'application/pdf', data: Buffer.from('%PDF-1.7 rib') }], new Date()));

  const fresh = randomBytes(32);
  const rotated = dataKey(fresh, [old]);
  const counts = await resealAll(db, rotated);
  expect(counts['member.nir_enc']).toBeGreaterThanOrEqual(1);
  expect(counts['bank_account.iban_enc']).toBeGreaterThanOrEqual(1);
  expect(counts['email_address.address_enc']).toBeGreaterThanOrEqual(1);
  expect(counts['stored_file.sealed']).toBeGreaterThanOrEqual(1);

  // Every sealed value of the schema now opens with the new key alone.
  for (const c of SEALED_COLUMNS) {
    const { rows } = await db.query<{ value: string | Uint8Array }>(`SELECT ${c.column} AS value FROM ${c.table} WHERE ${c.column} IS NOT NULL`);
    for (const row of rows) {
      if ('bytes' in c) expect(openBytes(fresh, Buffer.from(row.value as Uint8Array)).length).toBeGreaterThan(0);
      else expect(() => decryptField(fresh, row.value as string)).not.toThrow();
    }
  }
  const { rows } = await db.query<{ nir_enc: string }>('SELECT nir_enc FROM member WHERE id = $1', [member.memberId]);
  expect(decryptField(fresh, rows[0]!.nir_enc)).toBe(member.nir);
  expect(Object.values(await resealAll(db, rotated)).every((n) => n === 0)).toBe(true);
});
