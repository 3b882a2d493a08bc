/**
 * The watched inbox (`data/inbox/` by default): senders drop DCPT1 lots there (written under a `.tmp` or `.part`
 * name, then renamed). Every minute a job claims each file by renaming it into `processing/`, imports it, and files
 * it under `done/` (imported or already imported) or `rejected/` with its report. A crash leaves the file in
 * `processing/`, where the next run takes it again: the import is atomic and idempotent, so nothing is doubled.
 */
import { createReadStream } from 'node:fs';
import { mkdir, readdir, rename, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { Database } from '../../db/database.ts';
import type { FieldKeys } from '../../db/repositories/household.ts';
import { defineJob } from '../../platform/jobs.ts';
import type { Logger } from '../../platform/logger.ts';
import { importBatch, type ImportReport } from './import-batch.ts';
import { quarantineRejected } from './quarantine.ts';
import { reconcileUnmatched } from './reconcile-unmatched.ts';

export type InboxOptions = { inboxDir: string; keys: FieldKeys; logger: Logger; clock: () => Date };
export type InboxResult = { file: string; report: ImportReport };

const isCandidate = (name: string) => !name.startsWith('.') && !/\.(tmp|part)$/i.test(name);

async function regularFiles(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const files: string[] = [];
  for (const name of names.filter(isCandidate).sort()) {
    if ((await stat(path.join(dir, name)).catch(() => null))?.isFile()) files.push(name);
  }
  return files;
}

/** Imports every lot waiting in the inbox (and any left in processing/ by a crash), oldest name first. */
export async function processInbox(db: Database, options: InboxOptions): Promise<InboxResult[]> {
  const processing = path.join(options.inboxDir, 'processing');
  await mkdir(processing, { recursive: true });
  for (const name of await regularFiles(options.inboxDir)) {
    // Claiming by rename is atomic: of two instances, one gets the file, the other ENOENT.
    await rename(path.join(options.inboxDir, name), path.join(processing, name)).catch(() => undefined);
  }
  const results: InboxResult[] = [];
  for (const name of await regularFiles(processing)) {
    const file = path.join(processing, name);
    const now = options.clock();
    const report = await importBatch(db, {
      content: createReadStream(file),
      fileName: name,
      today: now.toISOString().slice(0, 10),
      now,
      keys: options.keys,
      logger: options.logger,
    });
    if (report.status === 'rejected') {
      await quarantineRejected(file, report, path.join(options.inboxDir, 'rejected'), 'move', now);
      options.logger.warn({ file: name, errors: report.errorCount, firstError: report.errors[0]?.code }, 'DCPT1 lot rejected');
    } else {
      const done = path.join(options.inboxDir, 'done');
      await mkdir(done, { recursive: true });
      await rename(file, path.join(done, name)).catch(() => undefined);
    }
    results.push({ file: name, report });
  }
  if (results.some((r) => r.report.status === 'imported')) await reconcileUnmatched(db, { now: options.clock(), logger: options.logger });
  return results;
}

export function createInboxJob(db: Database, options: InboxOptions) {
  return defineJob({
    name: 'import-inbox',
    payload: z.object({}),
    cron: '* * * * *',
    // The next tick retries; a failing file must not pile up retries of the same scan.
    retry: { limit: 0, delaySeconds: 60, backoff: false },
    handler: async () => {
      await processInbox(db, options);
    },
  });
}

export function createReconcileJob(db: Database, options: { logger: Logger; clock: () => Date }) {
  return defineJob({
    name: 'reconcile-unmatched-lines',
    payload: z.object({}),
    cron: '30 4 * * *',
    handler: async () => {
      await reconcileUnmatched(db, { now: options.clock(), logger: options.logger });
    },
  });
}
