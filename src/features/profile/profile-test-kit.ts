/**
 * Test helpers for the profile (not imported by the app): members with or without email, valid IBANs, the letters a
 * member was sent (their sealed content opened), the audit and member_event rows of a member.
 */
import { randomInt } from 'node:crypto';
import type { Queryable } from '../../db/database.ts';
import { ibanFromBban, ribKey } from '../../domain/identity/iban.ts';
import { decryptField } from '../../platform/crypto.ts';
import { createHouseholdMember, type TestMember } from '../auth/recovery-test-kit.ts';
import { MEMBER_CODE, type Kit } from '../auth/session-test-kit.ts';

export { MEMBER_CODE };

/** A valid French IBAN (RIB key and check digits computed), different at each call. */
export function randomIban(): string {
  const bank = String(randomInt(10_000, 99_999));
  const branch = String(randomInt(0, 99_999)).padStart(5, '0');
  const account = String(randomInt(0, 2 ** 47)).padStart(11, '0').slice(-11);
  return ibanFromBban('FR', `${bank}${branch}${account}${ribKey(bank, branch, account)}`);
}

export function newProfileMember(kit: Kit, email: 'verified' | null = 'verified'): Promise<TestMember> {
  return createHouseholdMember(kit.db, { dataEncryptionKey: kit.t.config.secrets.dataEncryptionKey, blindIndexKey: kit.t.config.secrets.blindIndexKey }, {
    organisationId: kit.organisationId, email, code: MEMBER_CODE, pepper: kit.t.config.secrets.codePepper,
  });
}

export type LetterContent = { subject: string; paragraphs: string[]; recipient: string[] };

/** Every letter queued for a member, oldest first, as it will be printed. */
export async function lettersTo(q: Queryable, key: Buffer, memberId: string): Promise<LetterContent[]> {
  const { rows } = await q.query<{ content_enc: string }>(`SELECT content_enc FROM letter WHERE member_id = $1 AND content_enc IS NOT NULL ORDER BY created_at, id`, [memberId]);
  return rows.map((r) => {
    const model = JSON.parse(decryptField(key, r.content_enc)) as { content: { subject: string; paragraphs: string[] }; recipient: string[] };
    return { ...model.content, recipient: model.recipient };
  });
}

export async function auditActions(q: Queryable, memberId: string): Promise<string[]> {
  const { rows } = await q.query<{ action: string }>(`SELECT action FROM audit_log WHERE subject_id = $1 ORDER BY id`, [memberId]);
  return rows.map((r) => r.action);
}

export async function memberEvents(q: Queryable, memberId: string): Promise<string[]> {
  const { rows } = await q.query<{ kind: string }>(`SELECT kind FROM member_event WHERE member_id = $1 ORDER BY id`, [memberId]);
  return rows.map((r) => r.kind);
}

/** FRD-07: what a message must never hold — a full IBAN or a NIR (15 digits). */
export const FULL_IBAN = /FR\d{2}[0-9A-Z]{23}|FR\d{2}(?: ?[0-9A-Z]{4}){5} ?[0-9A-Z]{3}/;
export const NIR_LIKE = /(?<!\d)[12378]\d{14}(?!\d)/;
