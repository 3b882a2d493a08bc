/**
 * Emails, phone numbers and postal addresses of a household and its beneficiaries (issue 8). Emails and phones are
 * sealed per field (DATA-02), emails findable through a keyed blind index (DATA-03); a row is never updated in place:
 * a change writes a new row and sets replaced_at on the old one, so the history stays.
 */
import { emailIndexForm, type PostalAddressValue } from '../../domain/identity/contact.ts';
import { blindIndex, decryptField, encryptField, type DataKey } from '../../platform/crypto.ts';
import type { Queryable } from '../database.ts';

export type ContactKeys = { dataEncryptionKey: DataKey; blindIndexKey: Buffer };

export function sealEmail(keys: ContactKeys, address: string): { enc: string; hmac: string } {
  return { enc: encryptField(keys.dataEncryptionKey, address), hmac: blindIndex(keys.blindIndexKey, emailIndexForm(address)) };
}

export type EmailRecord = { id: string; beneficiaryId: string | null; address: string; verifiedAt: Date | null; lastConfirmedAt: Date | null; createdAt: Date; replacedAt: Date | null };

type EmailRow = { id: string; beneficiary_id: string | null; address: string | null; address_enc: string | null; verified_at: Date | null; last_confirmed_at: Date | null; created_at: Date; replaced_at: Date | null };

// A row written before migration 0016 may still be clear until the start-up step seals it.
const emailOf = (key: DataKey, r: EmailRow): EmailRecord => ({
  id: r.id,
  beneficiaryId: r.beneficiary_id,
  address: r.address_enc ? decryptField(key, r.address_enc) : r.address!,
  verifiedAt: r.verified_at ? new Date(r.verified_at) : null,
  lastConfirmedAt: r.last_confirmed_at ? new Date(r.last_confirmed_at) : null,
  createdAt: new Date(r.created_at),
  replacedAt: r.replaced_at ? new Date(r.replaced_at) : null,
});

const EMAIL_COLUMNS = 'id, beneficiary_id, address, address_enc, verified_at, last_confirmed_at, created_at, replaced_at';

/** The current email of the household (beneficiaryId null) or of one beneficiary; `verified` keeps only a verified one. */
export async function currentEmail(q: Queryable, key: DataKey, memberId: string, options: { beneficiaryId?: string | null; verified?: boolean } = {}): Promise<EmailRecord | null> {
  const { rows } = await q.query<EmailRow>(
    `SELECT ${EMAIL_COLUMNS} FROM email_address
      WHERE member_id = $1 AND beneficiary_id IS NOT DISTINCT FROM $2::uuid AND replaced_at IS NULL AND ($3::boolean IS NOT TRUE OR verified_at IS NOT NULL)
      ORDER BY created_at DESC LIMIT 1`,
    [memberId, options.beneficiaryId ?? null, options.verified ?? false],
  );
  return rows[0] ? emailOf(key, rows[0]) : null;
}

/** Every email of the household and its beneficiaries, current and past, newest first. */
export async function emailHistory(q: Queryable, key: DataKey, memberId: string): Promise<EmailRecord[]> {
  const { rows } = await q.query<EmailRow>(`SELECT ${EMAIL_COLUMNS} FROM email_address WHERE member_id = $1 ORDER BY created_at DESC, id`, [memberId]);
  return rows.map((r) => emailOf(key, r));
}

/** Replaces the current email of the household or a beneficiary by `address` (verified: it was just confirmed). */
export async function replaceEmail(tx: Queryable, keys: ContactKeys, input: { memberId: string; beneficiaryId: string | null; address: string; at: Date }): Promise<string> {
  await tx.query(`UPDATE email_address SET replaced_at = $3 WHERE member_id = $1 AND beneficiary_id IS NOT DISTINCT FROM $2::uuid AND replaced_at IS NULL`, [
    input.memberId, input.beneficiaryId, input.at,
  ]);
  const sealed = sealEmail(keys, input.address);
  const { rows } = await tx.query<{ id: string }>(
    `INSERT INTO email_address (member_id, beneficiary_id, address_enc, address_hmac, verified_at, last_confirmed_at, created_at) VALUES ($1, $2, $3, $4, $5, $5, $5) RETURNING id`,
    [input.memberId, input.beneficiaryId, sealed.enc, sealed.hmac, input.at],
  );
  return rows[0]!.id;
}

/** Removes the current email of a beneficiary (they use the household's again); the row stays in the history. */
export async function endEmail(tx: Queryable, input: { memberId: string; beneficiaryId: string; at: Date }): Promise<boolean> {
  const { rowCount } = await tx.query(`UPDATE email_address SET replaced_at = $3 WHERE member_id = $1 AND beneficiary_id = $2 AND replaced_at IS NULL`, [input.memberId, input.beneficiaryId, input.at]);
  return rowCount > 0;
}

// ---------------------------------------------------------------------------------------------------------------

export type PhoneRecord = { id: string; beneficiaryId: string | null; kind: 'MOBILE' | 'LANDLINE'; e164: string; createdAt: Date };

/** The current phones of the household and its beneficiaries. */
export async function currentPhones(q: Queryable, key: DataKey, memberId: string): Promise<PhoneRecord[]> {
  const { rows } = await q.query<{ id: string; beneficiary_id: string | null; kind: 'MOBILE' | 'LANDLINE'; e164: string | null; e164_enc: string | null; created_at: Date }>(
    `SELECT id, beneficiary_id, kind, e164, e164_enc, created_at FROM phone_number WHERE member_id = $1 AND replaced_at IS NULL ORDER BY created_at`,
    [memberId],
  );
  return rows.map((r) => ({ id: r.id, beneficiaryId: r.beneficiary_id, kind: r.kind, e164: r.e164_enc ? decryptField(key, r.e164_enc) : r.e164!, createdAt: new Date(r.created_at) }));
}

/** Sets (or with null removes) the current phone of a kind; returns whether anything changed. */
export async function replacePhone(
  tx: Queryable,
  key: DataKey,
  input: { memberId: string; beneficiaryId: string | null; kind: 'MOBILE' | 'LANDLINE'; e164: string | null; at: Date },
): Promise<boolean> {
  const current = (await currentPhones(tx, key, input.memberId)).find((p) => p.beneficiaryId === input.beneficiaryId && p.kind === input.kind);
  if ((current?.e164 ?? null) === input.e164) return false;
  if (current) await tx.query('UPDATE phone_number SET replaced_at = $2 WHERE id = $1', [current.id, input.at]);
  if (input.e164) {
    await tx.query(`INSERT INTO phone_number (member_id, beneficiary_id, kind, e164_enc, created_at) VALUES ($1, $2, $3, $4, $5)`, [
      input.memberId, input.beneficiaryId, input.kind, encryptField(key, input.e164), input.at,
    ]);
  }
  return true;
}

// ---------------------------------------------------------------------------------------------------------------

export type AddressRecord = PostalAddressValue & {
  id: string;
  beneficiaryId: string | null;
  label: string | null;
  createdAt: Date;
};

type AddressRow = {
  id: string; beneficiary_id: string | null; label: string | null; recipient: string; street_number: string | null; street: string; complement: string | null;
  postal_code: string; city: string; country: string; created_at: Date;
};

const addressOf = (r: AddressRow): AddressRecord => ({
  id: r.id, beneficiaryId: r.beneficiary_id, label: r.label, recipient: r.recipient, streetNumber: r.street_number, street: r.street, complement: r.complement,
  postalCode: r.postal_code, city: r.city, country: r.country, createdAt: new Date(r.created_at),
});

/** The current postal addresses of the household and its beneficiaries, oldest first. */
export async function currentAddresses(q: Queryable, memberId: string): Promise<AddressRecord[]> {
  const { rows } = await q.query<AddressRow>(
    `SELECT id, beneficiary_id, label, recipient, street_number, street, complement, postal_code, city, country, created_at
       FROM postal_address WHERE member_id = $1 AND replaced_at IS NULL ORDER BY created_at, id`,
    [memberId],
  );
  return rows.map(addressOf);
}

export type NewAddress = Omit<AddressRecord, 'id' | 'createdAt'>;

export async function insertAddress(tx: Queryable, memberId: string, a: NewAddress, at: Date): Promise<string> {
  const { rows } = await tx.query<{ id: string }>(
    `INSERT INTO postal_address (member_id, beneficiary_id, label, recipient, street_number, street, complement, postal_code, city, country, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
    [memberId, a.beneficiaryId, a.label, a.recipient, a.streetNumber, a.street, a.complement, a.postalCode, a.city, a.country, at],
  );
  return rows[0]!.id;
}
