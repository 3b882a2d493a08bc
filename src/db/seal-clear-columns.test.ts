import { afterAll, beforeAll, expect, test } from 'vitest';
import { testConfig } from '../../test/app.ts';
import { createTestDatabase, type TestDatabase } from '../../test/db.ts';
import { decryptField } from '../platform/crypto.ts';
import { createHouseholdMember, TEST_IBAN } from '../features/auth/recovery-test-kit.ts';
import { currentEmail, currentPhones } from './repositories/contacts.ts';
import { insertOrganisation } from './repositories/organisation.ts';
import { sealClearColumns } from './seal-clear-columns.ts';

const keys = testConfig().secrets;
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => db.close());

test('DATA-02 emails and phones written in clear before migration 0016 are sealed at start-up, and accounts get their masked IBAN', async () => {
  const { id: organisationId } = await insertOrganisation(db, {
    name: 'Mutuelle Test', amcNumber: '987654321', addressLine1: '1 rue du Test', addressLine2: null, postalCode: '69003', city: 'Lyon', phone: '04 00 00 00 00', professionalPhone: null, email: null,
  });
  const member = await createHouseholdMember(db, keys, { organisationId, email: 'verified' });
  // The rows as the portal wrote them before issue 8: clear email and phone, no masked IBAN.
  await db.query(`UPDATE email_address SET address = 'ancienne.adresse@exemple.fr', address_enc = NULL, address_hmac = NULL WHERE member_id = $1`, [member.memberId]);
  await db.query(`INSERT INTO phone_number (member_id, kind, e164, created_at) VALUES ($1, 'MOBILE', '+33612345678', now())`, [member.memberId]);
  await db.query(`UPDATE bank_account SET iban_masked = NULL WHERE member_id = $1`, [member.memberId]);
  expect((await currentEmail(db, keys.dataEncryptionKey, member.memberId))?.address).toBe('ancienne.adresse@exemple.fr');

  const counts = await sealClearColumns(db, keys);
  expect(counts.emails).toBeGreaterThanOrEqual(1);
  expect(counts.phones).toBeGreaterThanOrEqual(1);
  expect(counts.accounts).toBeGreaterThanOrEqual(1);
  const { rows } = await db.query<{ address: string | null; address_enc: string }>(`SELECT address, address_enc FROM email_address WHERE member_id = $1`, [member.memberId]);
  expect(rows[0]!.address).toBeNull();
  expect(decryptField(keys.dataEncryptionKey, rows[0]!.address_enc)).toBe('ancienne.adresse@exemple.fr');
  expect((await db.query(`SELECT count(*)::int AS n FROM email_address WHERE address IS NOT NULL`)).rows[0]).toEqual({ n: 0 });
  expect((await db.query(`SELECT count(*)::int AS n FROM phone_number WHERE e164 IS NOT NULL`)).rows[0]).toEqual({ n: 0 });
  expect((await currentPhones(db, keys.dataEncryptionKey, member.memberId)).map((p) => p.e164)).toEqual(['+33612345678']);
  const { rows: accounts } = await db.query<{ iban_masked: string }>(`SELECT iban_masked FROM bank_account WHERE member_id = $1`, [member.memberId]);
  expect(accounts[0]!.iban_masked).toBe('FR76 •••• •••• •••• •••• ••90 189');
  expect(TEST_IBAN.endsWith('90189')).toBe(true);

  expect(await sealClearColumns(db, keys)).toEqual({ emails: 0, phones: 0, accounts: 0 });
});
