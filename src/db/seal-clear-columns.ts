/**
 * After the SQL migrations, the values that SQL could not seal (it has no key): emails and phone numbers written before
 * migration 0016 are sealed and their clear column emptied (DATA-02), and accounts written before 0017 get their masked
 * IBAN. Idempotent and quick when there is nothing left; run by `espace migrate` and at every start.
 */
import { maskIban } from '../domain/identity/iban.ts';
import { decryptField, encryptField } from '../platform/crypto.ts';
import type { Database } from './database.ts';
import { sealEmail, type ContactKeys } from './repositories/contacts.ts';

const BATCH = 500;

export type SealedCounts = { emails: number; phones: number; accounts: number };

export async function sealClearColumns(db: Database, keys: ContactKeys): Promise<SealedCounts> {
  const counts: SealedCounts = { emails: 0, phones: 0, accounts: 0 };
  for (;;) {
    const done = await db.transaction(async (tx) => {
      const { rows } = await tx.query<{ id: string; address: string }>(`SELECT id, address FROM email_address WHERE address IS NOT NULL LIMIT ${BATCH} FOR UPDATE`);
      for (const row of rows) {
        const sealed = sealEmail(keys, row.address);
        await tx.query('UPDATE email_address SET address_enc = $2, address_hmac = $3, address = NULL WHERE id = $1', [row.id, sealed.enc, sealed.hmac]);
      }
      return rows.length;
    });
    counts.emails += done;
    if (done < BATCH) break;
  }
  for (;;) {
    const done = await db.transaction(async (tx) => {
      const { rows } = await tx.query<{ id: string; e164: string }>(`SELECT id, e164 FROM phone_number WHERE e164 IS NOT NULL LIMIT ${BATCH} FOR UPDATE`);
      for (const row of rows) await tx.query('UPDATE phone_number SET e164_enc = $2, e164 = NULL WHERE id = $1', [row.id, encryptField(keys.dataEncryptionKey, row.e164)]);
      return rows.length;
    });
    counts.phones += done;
    if (done < BATCH) break;
  }
  for (;;) {
    const done = await db.transaction(async (tx) => {
      const { rows } = await tx.query<{ id: string; iban_enc: string }>(`SELECT id, iban_enc FROM bank_account WHERE iban_masked IS NULL LIMIT ${BATCH} FOR UPDATE`);
      for (const row of rows) await tx.query('UPDATE bank_account SET iban_masked = $2 WHERE id = $1', [row.id, maskIban(decryptField(keys.dataEncryptionKey, row.iban_enc))]);
      return rows.length;
    });
    counts.accounts += done;
    if (done < BATCH) break;
  }
  return counts;
}
