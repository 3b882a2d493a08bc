import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Queryable } from '../../db/database.ts';
import { AppError } from '../../platform/errors.ts';
import type { Jobs } from '../../platform/jobs.ts';
import { lettersDir, type GenerateLetterJob } from './generate-letter-job.ts';
import { letterModel, parisDate, placeName, recipientLines, type LetterKind, type LetterRequest } from './letter-model.ts';

export type QueueLetterInput = LetterRequest & {
  memberId: string;
  /** Same key → same letter (a retried request queues nothing more), e.g. `code-reset:<request id>`. */
  idempotencyKey: string;
  /** The clock's now: the letter's date (« Lyon, le 26 novembre 2026 ») and created_at. */
  at: Date;
};

export type QueuedLetter = { letterId: string; kind: LetterKind; fileName: string; created: boolean };

type MemberRow = {
  first_name: string;
  last_name: string;
  sex: 'F' | 'M';
  recipient: string | null;
  street_number: string | null;
  street: string | null;
  complement: string | null;
  postal_code: string | null;
  city: string | null;
  country: string | null;
  org_name: string;
  org_line1: string;
  org_line2: string | null;
  org_postal_code: string;
  org_city: string;
  org_phone: string;
};

/**
 * Puts a letter in the print queue, inside the caller's transaction: the letter row and its `generate-letter` job
 * commit or roll back together, and the PDF is written by the job after commit (a rollback leaves no row, no job,
 * no file). The content, which may hold an activation code, is sealed with AES-256-GCM in the row (never in the job
 * payload, which pg-boss keeps in its archive) and erased once the PDF exists.
 */
export async function queueLetter(tx: Queryable, jobs: Jobs, job: GenerateLetterJob, input: QueueLetterInput): Promise<QueuedLetter> {
  const existing = await findByKey(tx, input.idempotencyKey);
  if (existing) return existing;

  const { rows } = await tx.query<MemberRow>(
    `SELECT b.first_name, b.last_name, b.sex,
            a.recipient, a.street_number, a.street, a.complement, a.postal_code, a.city, a.country,
            o.name AS org_name, o.address_line1 AS org_line1, o.address_line2 AS org_line2,
            o.postal_code AS org_postal_code, o.city AS org_city, o.phone AS org_phone
       FROM member m
       JOIN organisation o ON o.id = m.organisation_id
       JOIN beneficiary b ON b.member_id = m.id AND b.relationship = 'SELF'
       LEFT JOIN postal_address a ON a.id = coalesce(m.mailing_address_id,
         (SELECT p.id FROM postal_address p WHERE p.member_id = m.id AND p.beneficiary_id IS NULL AND p.replaced_at IS NULL
           ORDER BY p.created_at DESC LIMIT 1))
      WHERE m.id = $1`,
    [input.memberId],
  );
  const m = rows[0];
  if (!m) throw new AppError('NOT_FOUND');
  if (m.street === null || m.postal_code === null || m.city === null) {
    throw new AppError('CONFLICT', 'Aucune adresse postale n’est connue pour cet adhérent : le courrier ne peut pas être envoyé.');
  }
  const recipient = recipientLines({
    recipient: m.recipient?.trim() ? m.recipient : `${m.first_name} ${m.last_name.toUpperCase()}`,
    streetNumber: m.street_number,
    street: m.street,
    complement: m.complement,
    postalCode: m.postal_code,
    city: m.city,
    country: m.country ?? 'FR',
  });
  const model = letterModel.parse({
    kind: input.kind,
    content: input.content,
    place: placeName(m.org_city),
    date: parisDate(input.at),
    sender: {
      name: m.org_name,
      lines: [m.org_line1, m.org_line2, `${m.org_postal_code} ${m.org_city}`].filter((l): l is string => !!l),
      phone: m.org_phone,
    },
    recipient,
    addressee: { firstName: m.first_name, lastName: m.last_name, sex: m.sex },
  });

  const fileName = `${randomBytes(16).toString('hex')}.pdf`;
  const inserted = await tx.query<{ id: string }>(
    `INSERT INTO letter (member_id, kind, status, file_name, recipient_address, content_enc, idempotency_key, created_at)
     VALUES ($1, $2, 'QUEUED', $3, $4::jsonb, $5, $6, $7)
     ON CONFLICT (idempotency_key) DO NOTHING RETURNING id`,
    [input.memberId, input.kind, fileName, JSON.stringify({ lines: recipient }), job.seal(model), input.idempotencyKey, input.at],
  );
  const letterId = inserted.rows[0]?.id;
  if (!letterId) {
    // Another transaction queued the same key meanwhile.
    const raced = await findByKey(tx, input.idempotencyKey);
    if (!raced) throw new AppError('CONFLICT');
    return raced;
  }
  await jobs.enqueue(tx, job, { letterId }, { singletonKey: letterId });
  return { letterId, kind: input.kind, fileName, created: true };
}

async function findByKey(tx: Queryable, key: string): Promise<QueuedLetter | null> {
  const { rows } = await tx.query<{ id: string; kind: LetterKind; file_name: string }>('SELECT id, kind, file_name FROM letter WHERE idempotency_key = $1', [key]);
  const row = rows[0];
  return row ? { letterId: row.id, kind: row.kind, fileName: row.file_name, created: false } : null;
}

/** Operators: a letter printed and posted. Only a GENERATED letter can be marked printed; its PDF (which holds a code
 *  valid for weeks) is then deleted: a letter lost in the post is queued again, with a new code. */
export async function markLetterPrinted(deps: { db: Queryable; dataDir: string }, letterId: string, at: Date): Promise<boolean> {
  const { rows } = await deps.db.query<{ file_name: string }>(
    `UPDATE letter SET status = 'PRINTED', printed_at = $2 WHERE id = $1 AND status = 'GENERATED' RETURNING file_name`,
    [letterId, at],
  );
  const row = rows[0];
  if (!row) return false;
  await rm(path.join(lettersDir(deps.dataDir), row.file_name), { force: true });
  return true;
}

/** A letter that must not go out (address wrong, request withdrawn): its sealed content and its PDF are erased. */
export async function cancelLetter(deps: { db: Queryable; dataDir: string }, letterId: string, at: Date): Promise<boolean> {
  const { rows } = await deps.db.query<{ file_name: string }>(
    `UPDATE letter SET status = 'CANCELLED', cancelled_at = $2, content_enc = NULL WHERE id = $1 AND status IN ('QUEUED', 'GENERATED')
     RETURNING file_name`,
    [letterId, at],
  );
  const row = rows[0];
  if (!row) return false;
  await rm(path.join(lettersDir(deps.dataDir), row.file_name), { force: true });
  return true;
}
