/**
 * The member's bank accounts (issue 8): one rule says which account is in force at a given time, for the payment run,
 * the documents and the profile alike — the newest ACTIVE or PENDING account whose effective_at has come. A PENDING
 * account (a confirmed change in its 72-hour cooling-off, FRD-03) is therefore not paid before its time, whether or not
 * the activate-bank-accounts job has turned it ACTIVE yet; a CANCELLED one never is.
 */
import { maskIban, normaliseIban } from '../../domain/identity/iban.ts';
import { blindIndex, decryptField, encryptField, type DataKey } from '../../platform/crypto.ts';
import type { Queryable } from '../database.ts';

/**
 * A LATERAL subquery giving the account in force for `member` (a column) at `at` (a parameter or column), usable as
 * `LEFT JOIN LATERAL (${accountInForce('m.id', '$2')}) a ON true`. Both arguments are SQL written by the caller, never input.
 */
export function accountInForce(member: string, at: string): string {
  return `SELECT ba.* FROM bank_account ba
           WHERE ba.member_id = ${member} AND ba.status IN ('ACTIVE', 'PENDING') AND coalesce(ba.effective_at, ba.created_at) <= ${at}
           ORDER BY coalesce(ba.effective_at, ba.created_at) DESC, ba.created_at DESC LIMIT 1`;
}

export type AccountRecord = {
  id: string;
  status: 'PENDING' | 'ACTIVE' | 'REPLACED' | 'CANCELLED' | 'REVIEW';
  /** FR76 •••• •••• •••• •••• ••89 123 */
  maskedIban: string;
  country: string;
  bic: string | null;
  holderName: string;
  effectiveAt: Date;
};

type AccountRow = { id: string; status: AccountRecord['status']; iban_masked: string | null; iban_enc: string; country: string; bic: string | null; holder_name: string; effective_at: Date | null; created_at: Date };

/** The masked IBAN of a row (rows written before migration 0017 get it from the sealed IBAN until the start-up step fills it). */
export function maskedIbanOf(key: DataKey, row: { iban_masked: string | null; iban_enc: string }): string {
  return row.iban_masked ?? maskIban(decryptField(key, row.iban_enc));
}

const recordOf = (key: DataKey, r: AccountRow): AccountRecord => ({
  id: r.id, status: r.status, maskedIban: maskedIbanOf(key, r), country: r.country, bic: r.bic, holderName: r.holder_name,
  effectiveAt: new Date(r.effective_at ?? r.created_at),
});

/** The account payments go to at `at` (null when the member has none). */
export async function accountInForceAt(q: Queryable, key: DataKey, memberId: string, at: Date): Promise<AccountRecord | null> {
  const { rows } = await q.query<AccountRow>(`SELECT a.* FROM member m JOIN LATERAL (${accountInForce('m.id', '$2')}) a ON true WHERE m.id = $1`, [memberId, at]);
  return rows[0] ? recordOf(key, rows[0]) : null;
}

/** A PENDING account that is not in force yet at `at` (a confirmed change in its cooling-off). */
export async function upcomingAccount(q: Queryable, key: DataKey, memberId: string, at: Date): Promise<AccountRecord | null> {
  const { rows } = await q.query<AccountRow>(
    `SELECT * FROM bank_account WHERE member_id = $1 AND status = 'PENDING' AND effective_at > $2 ORDER BY effective_at DESC LIMIT 1`,
    [memberId, at],
  );
  return rows[0] ? recordOf(key, rows[0]) : null;
}

export type SealedIban = { enc: string; hmac: string; masked: string; country: string };

export function sealIban(keys: { dataEncryptionKey: DataKey; blindIndexKey: Buffer }, iban: string): SealedIban {
  const value = normaliseIban(iban);
  return { enc: encryptField(keys.dataEncryptionKey, value), hmac: blindIndex(keys.blindIndexKey, value), masked: maskIban(value), country: value.slice(0, 2) };
}

export async function insertAccount(
  tx: Queryable,
  input: { memberId: string; iban: SealedIban; bic: string | null; holderName: string; status: 'ACTIVE' | 'PENDING'; effectiveAt: Date; createdAt: Date },
): Promise<string> {
  const { iban } = input;
  const { rows } = await tx.query<{ id: string }>(
    `INSERT INTO bank_account (member_id, iban_enc, iban_hmac, iban_last4, iban_masked, country, bic, holder_name, status, effective_at, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
    [input.memberId, iban.enc, iban.hmac, iban.masked.replace(/\s/g, '').slice(-4), iban.masked, iban.country, input.bic, input.holderName, input.status, input.effectiveAt, input.createdAt],
  );
  return rows[0]!.id;
}
