/**
 * After a rotation of DATA_ENCRYPTION_KEY (docs/operations.md « Encryption keys »): every sealed value not under the
 * active key is opened (with the retired key it names) and sealed again under the active one, 500 rows per
 * transaction, so that the retired key can then be removed. Safe to run while the portal serves, and again after a
 * stop: a value already under the active key is skipped.
 */
import { bytesSealedWithActiveKey, decryptField, encryptField, keyId, openBytes, sealBytes, sealedWithActiveKey, type DataKey } from '../platform/crypto.ts';
import type { Database } from './database.ts';

/** Every sealed column of the schema (table, its primary key, the column); `bytes` for bytea, text otherwise. */
export const SEALED_COLUMNS = [
  { table: 'member', column: 'nir_enc' },
  { table: 'beneficiary', column: 'insured_nir_enc' },
  { table: 'beneficiary', column: 'own_nir_enc' },
  { table: 'unmatched_claim_line', column: 'insured_nir_enc' },
  { table: 'bank_account', column: 'iban_enc' },
  { table: 'bank_account_change', column: 'iban_enc' },
  { table: 'email_address', column: 'address_enc' },
  { table: 'email_change', column: 'address_enc' },
  { table: 'phone_number', column: 'e164_enc' },
  { table: 'letter', column: 'content_enc' },
  { table: 'member_document', column: 'facts_enc' },
  { table: 'stored_file', column: 'sealed', bytes: true },
] as const;

const BATCH = 500;

export type ResealCounts = Record<string, number>;

export async function resealAll(db: Database, key: DataKey): Promise<ResealCounts> {
  const counts: ResealCounts = {};
  const prefix = `v2.${keyId(key)}.%`;
  for (const c of SEALED_COLUMNS) {
    const bytes = 'bytes' in c && c.bytes;
    const name = `${c.table}.${c.column}`;
    counts[name] = 0;
    // Keyset pagination on id: rows this run could not improve (none expected) are not read twice.
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const done = await db.transaction(async (tx) => {
        const { rows } = await tx.query<{ id: string; value: string | Uint8Array }>(
          bytes
            ? `SELECT id::text AS id, ${c.column} AS value FROM ${c.table} WHERE id > $1::uuid AND ${c.column} IS NOT NULL AND substring(${c.column} from 2 for 6) <> $2::bytea ORDER BY id LIMIT ${BATCH} FOR UPDATE`
            : `SELECT id::text AS id, ${c.column} AS value FROM ${c.table} WHERE id > $1::uuid AND ${c.column} IS NOT NULL AND ${c.column} NOT LIKE $2 ORDER BY id LIMIT ${BATCH} FOR UPDATE`,
          [after, bytes ? Buffer.from(keyId(key), 'base64url') : prefix],
        );
        let changed = 0;
        for (const row of rows) {
          if (bytes) {
            const sealed = Buffer.from(row.value as Uint8Array);
            if (bytesSealedWithActiveKey(key, sealed)) continue;
            await tx.query(`UPDATE ${c.table} SET ${c.column} = $2 WHERE id = $1::uuid`, [row.id, sealBytes(key, openBytes(key, sealed))]);
          } else {
            const sealed = row.value as string;
            if (sealedWithActiveKey(key, sealed)) continue;
            await tx.query(`UPDATE ${c.table} SET ${c.column} = $2 WHERE id = $1::uuid`, [row.id, encryptField(key, decryptField(key, sealed))]);
          }
          changed += 1;
        }
        return { changed, last: rows.at(-1)?.id ?? null, full: rows.length === BATCH };
      });
      counts[name] += done.changed;
      if (!done.full || !done.last) break;
      after = done.last;
    }
  }
  return counts;
}
