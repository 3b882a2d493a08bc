import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { Queryable } from '../../db/database.ts';
import { decryptField, encryptField } from '../../platform/crypto.ts';
import { defineJob, type JobDefinition } from '../../platform/jobs.ts';
import { letterModel, type LetterModel } from './letter-model.ts';
import { renderLetter } from './render-letter.ts';

export const GENERATE_LETTER_JOB = 'generate-letter';

/** Only the letter's id: the content (which may hold an activation code) stays sealed in the letter row. */
export const generateLetterPayload = z.object({ letterId: z.uuid() });
export type GenerateLetterPayload = z.infer<typeof generateLetterPayload>;

export type GenerateLetterDeps = {
  db: Queryable;
  /** Letters go to `${dataDir}/letters/`. */
  dataDir: string;
  clock: () => Date;
  /** config.secrets.dataEncryptionKey: seals the content between queueLetter and the job. */
  dataEncryptionKey: Buffer;
};

/** The job definition, plus the sealing of a letter's content with the key the job will open it with. */
export type GenerateLetterJob = JobDefinition<GenerateLetterPayload> & { seal(model: LetterModel): string };

export const lettersDir = (dataDir: string): string => path.join(dataDir, 'letters');

export type GenerateOutcome = 'generated' | 'already-done' | 'cancelled' | 'missing';

/**
 * Renders a QUEUED letter to `${dataDir}/letters/<file_name>` (temporary file, fsync, rename), then marks it
 * GENERATED and erases its sealed content. Idempotent: the file name is fixed in the row, so a retry after a crash
 * between the rename and the update rewrites the same file, and a run on a GENERATED letter does nothing.
 */
export async function generateLetter(deps: GenerateLetterDeps, letterId: string): Promise<GenerateOutcome> {
  const { rows } = await deps.db.query<{ status: string; file_name: string; content_enc: string | null; created_at: Date }>(
    'SELECT status, file_name, content_enc, created_at FROM letter WHERE id = $1',
    [letterId],
  );
  const row = rows[0];
  if (!row) return 'missing';
  if (row.status === 'CANCELLED') return 'cancelled';
  if (row.status !== 'QUEUED' || row.content_enc === null) return 'already-done';
  const model = letterModel.parse(JSON.parse(decryptField(deps.dataEncryptionKey, row.content_enc)));
  const pdf = await renderLetter(model, { creationDate: new Date(row.created_at) });
  const dir = lettersDir(deps.dataDir);
  await writeFileAtomic(dir, row.file_name, pdf);
  const updated = await deps.db.query(
    `UPDATE letter SET status = 'GENERATED', generated_at = $2, content_enc = NULL WHERE id = $1 AND status = 'QUEUED'`,
    [letterId, deps.clock()],
  );
  if (updated.rowCount === 1) return 'generated';
  // Cancelled while rendering: the file must not wait in the print queue.
  const { rows: now } = await deps.db.query<{ status: string }>('SELECT status FROM letter WHERE id = $1', [letterId]);
  if (now[0]?.status === 'CANCELLED') {
    await rm(path.join(dir, row.file_name), { force: true });
    return 'cancelled';
  }
  return 'already-done';
}

export function createGenerateLetterJob(deps: GenerateLetterDeps): GenerateLetterJob {
  const job = defineJob({
    name: GENERATE_LETTER_JOB,
    payload: generateLetterPayload,
    async handler(payload, { log }) {
      const outcome = await generateLetter(deps, payload.letterId);
      log.info({ letterId: payload.letterId, outcome }, 'letter generation');
    },
  });
  return { ...job, seal: (model) => encryptField(deps.dataEncryptionKey, JSON.stringify(model)) };
}

/** Writes `name` in `dir` (0700) as a 0600 file that appears whole or not at all. */
export async function writeFileAtomic(dir: string, name: string, data: Buffer): Promise<void> {
  await mkdir(path.dirname(dir), { recursive: true });
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const temporary = path.join(dir, `.${name}.${randomBytes(8).toString('hex')}.tmp`);
  try {
    const handle = await open(temporary, 'wx', 0o600);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path.join(dir, name));
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  // The rename itself survives a power cut once the directory is synced.
  const directory = await open(dir, 'r');
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
}
