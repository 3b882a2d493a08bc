import { z } from 'zod';
import type { Database } from '../../db/database.ts';
import { defineJob, type JobDefinition } from '../../platform/jobs.ts';
import { activateDueAccounts } from './bank-change.ts';

export const ACTIVATE_BANK_ACCOUNTS_JOB = 'activate-bank-accounts';
/** Every 15 minutes: the status follows the cooling-off's end (payments never wait for it, bank-accounts.ts). */
export const ACTIVATE_BANK_ACCOUNTS_CRON = '*/15 * * * *';

const payload = z.object({});

/** PENDING accounts whose 72-hour cooling-off ended become ACTIVE, the previous one REPLACED (FRD-03). */
export function createActivateBankAccountsJob(deps: { db: Database; clock: () => Date }): JobDefinition<z.infer<typeof payload>> {
  return defineJob({
    name: ACTIVATE_BANK_ACCOUNTS_JOB,
    payload,
    cron: ACTIVATE_BANK_ACCOUNTS_CRON,
    async handler(_payload, { log }) {
      const activated = await activateDueAccounts(deps.db, deps.clock());
      if (activated > 0) log.info({ activated }, 'bank accounts in force after their cooling-off');
    },
  });
}
