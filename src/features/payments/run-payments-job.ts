import { z } from 'zod';
import { parisDate } from '../../domain/dates.ts';
import type { Database } from '../../db/database.ts';
import { defineJob, type JobDefinition } from '../../platform/jobs.ts';
import { runPayments, type Debtor } from './run-payments.ts';

export const RUN_PAYMENTS_JOB = 'run-payments';
/** Every day at 05:00 UTC (06:00 or 07:00 in Paris), before the bank's first cut-off. */
export const RUN_PAYMENTS_CRON = '0 5 * * *';

export const runPaymentsPayload = z.object({});

export type RunPaymentsJobDeps = {
  db: Database;
  paymentsDir: string;
  /** config.paymentsDebtor: null (production without PAYMENTS_DEBTOR_IBAN) means no run, and an error in the logs. */
  debtor: Debtor | null;
  keys: { dataEncryptionKey: Buffer };
  clock: () => Date;
};

/** The daily payment run: pg-boss enqueues it once per tick across instances; the run itself is safe to repeat. */
export function createRunPaymentsJob(deps: RunPaymentsJobDeps): JobDefinition<z.infer<typeof runPaymentsPayload>> {
  return defineJob({
    name: RUN_PAYMENTS_JOB,
    payload: runPaymentsPayload,
    cron: RUN_PAYMENTS_CRON,
    async handler(_payload, { log }) {
      if (!deps.debtor) {
        log.error('PAYMENTS_DEBTOR_IBAN is not set: no payment run (see docs/formats/pain001.md)');
        return;
      }
      const now = deps.clock();
      await runPayments(deps.db, { today: parisDate(now), now, paymentsDir: deps.paymentsDir, debtor: deps.debtor, keys: deps.keys, logger: log });
    },
  });
}
