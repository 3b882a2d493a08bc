/**
 * What the profile use cases share (issue 8): their dependencies, passed explicitly by the routes, the job and the
 * tests; and the record every step leaves — one audit row (LOG-01: who, what, when, where; never an address, a phone
 * number, an IBAN or a code) and, for what the member may be told about, one member_event row that the notifications
 * (issue 11) fan out.
 */
import type { Database, Queryable } from '../../db/database.ts';
import type { DataKey } from '../../platform/crypto.ts';
import type { AppDependencies } from '../../platform/http/server.ts';
import type { Jobs } from '../../platform/jobs.ts';
import type { UploadLimits } from '../uploads/check-upload.ts';

export type ProfileDeps = {
  db: Database;
  jobs: Jobs;
  jobDefinitions: AppDependencies['jobDefinitions'];
  keys: { dataEncryptionKey: DataKey; blindIndexKey: Buffer };
  /** config.secrets.codePepper: the one-time codes' HMAC key, and the access code's pepper (step-up). */
  pepper: Buffer;
  /** config.publicUrl: every mailed or printed link starts with it, never with the request's Host (RST-02). */
  publicUrl: string;
  organisation: { name: string; phone: string };
  uploads: UploadLimits;
};

/** The member_event kinds written by the profile (member_event.kind). */
export type ProfileEventKind =
  | 'EMAIL_CHANGE_REQUESTED'
  | 'EMAIL_CHANGED'
  | 'PHONE_CHANGED'
  | 'ADDRESS_CHANGED'
  | 'MAILING_ADDRESS_CHANGED'
  | 'BANK_CHANGE_REQUESTED'
  | 'BANK_CHANGE_CONFIRMED'
  | 'BANK_CHANGE_IN_REVIEW'
  | 'BANK_CHANGE_CANCELLED'
  | 'BANK_CHANGE_VOIDED'
  | 'BANK_ACCOUNT_ACTIVE';

export type StepRecord = {
  at: Date;
  ip: string | null;
  actor: { type: 'member' | 'anonymous' | 'system'; id: string | null };
  memberId: string;
  action: string;
  details?: Record<string, unknown>;
  /** The member_event to write, about `subject` (defaults to this audit row). */
  event?: { kind: ProfileEventKind; subjectType?: string; subjectId?: string };
};

/** One audit row and, when asked, its member_event, in the caller's transaction. */
export async function recordStep(tx: Queryable, r: StepRecord): Promise<void> {
  const { rows } = await tx.query<{ id: number }>(
    `INSERT INTO audit_log (occurred_at, actor_type, actor_id, action, subject_type, subject_id, ip, details)
     VALUES ($1, $2, $3, $4, 'member', $5, $6, $7) RETURNING id`,
    [r.at, r.actor.type, r.actor.id, r.action, r.memberId, r.ip, JSON.stringify(r.details ?? {})],
  );
  if (r.event) {
    await tx.query(
      `INSERT INTO member_event (member_id, kind, subject_type, subject_id, occurred_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (kind, subject_type, subject_id) DO NOTHING`,
      [r.memberId, r.event.kind, r.event.subjectType ?? 'audit_log', r.event.subjectId ?? String(rows[0]!.id), r.at],
    );
  }
}

/** Whether the beneficiary belongs to the household (and is not the member themself): the object-level check (AC-02). */
export async function beneficiaryOfHousehold(q: Queryable, memberId: string, beneficiaryId: string): Promise<{ id: string; firstName: string; lastName: string } | null> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(beneficiaryId)) return null;
  const { rows } = await q.query<{ id: string; first_name: string; last_name: string }>(
    `SELECT id, first_name, last_name FROM beneficiary WHERE id = $1 AND member_id = $2 AND relationship <> 'SELF'`,
    [beneficiaryId, memberId],
  );
  return rows[0] ? { id: rows[0].id, firstName: rows[0].first_name, lastName: rows[0].last_name } : null;
}
