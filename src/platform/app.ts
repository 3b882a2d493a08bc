import type { FastifyInstance } from 'fastify';
import { openDatabase, type Database } from '../db/database.ts';
import { migrate } from '../db/migrate.ts';
import { sealClearColumns } from '../db/seal-clear-columns.ts';
import { findOrganisation } from '../db/repositories/organisation.ts';
import { features } from '../features/index.ts';
import type { Config } from './config.ts';
import { buildServer, type AppDependencies } from './http/server.ts';
import { DEFAULT_PAGE_CONTEXT, type PageContext } from './http/page-context.ts';
import { createJobs, type Jobs } from './jobs.ts';
import type { Logger } from './logger.ts';
import { createMailer, type Mailer } from './mail.ts';
import { createSendEmailJob } from './mail-job.ts';
import { createGenerateLetterJob } from '../features/letters/generate-letter-job.ts';
import { createRunPaymentsJob } from '../features/payments/run-payments-job.ts';
import { createInboxJob, createReconcileJob } from '../features/imports/inbox.ts';
import { createAuthPurgeJob } from '../features/auth/purge.ts';
import { createFailureRateJob } from '../features/auth/login-challenge.ts';
import { createActivateBankAccountsJob } from '../features/profile/activate-accounts-job.ts';

export type RunningApp = { server: FastifyInstance; db: Database; jobs: Jobs; stop(): Promise<void> };

export async function loadPageContext(db: Database): Promise<PageContext> {
  const organisation = await findOrganisation(db);
  return organisation ? { organisation: { name: organisation.name, phone: organisation.phone, amcNumber: organisation.amcNumber } } : DEFAULT_PAGE_CONTEXT;
}

/** Mail and jobs for one process: every job definition of the product is registered here. */
export async function createPlatform(config: Config, db: Database, logger: Logger): Promise<{ mailer: Mailer; jobs: Jobs; jobDefinitions: AppDependencies['jobDefinitions'] }> {
  const mailer = createMailer({ smtpUrl: config.smtpUrl, mailFrom: config.mailFrom, dataDir: config.dataDir });
  const jobDefinitions = {
    sendEmail: createSendEmailJob(mailer, config.secrets.dataEncryptionKey),
    generateLetter: createGenerateLetterJob({ db, dataDir: config.dataDir, clock: () => new Date(), dataEncryptionKey: config.secrets.dataEncryptionKey }),
    runPayments: createRunPaymentsJob({ db, paymentsDir: config.paymentsDir, debtor: config.paymentsDebtor, keys: config.secrets, clock: () => new Date() }),
    importInbox: createInboxJob(db, { inboxDir: config.inboxDir, keys: config.secrets, logger, clock: () => new Date() }),
    reconcileUnmatched: createReconcileJob(db, { logger, clock: () => new Date() }),
    purgeAuthData: createAuthPurgeJob(db, { logger, clock: () => new Date() }),
    watchLoginFailures: createFailureRateJob(db, { logger, clock: () => new Date() }),
    activateBankAccounts: createActivateBankAccountsJob({ db, clock: () => new Date() }),
  };
  const jobs = await createJobs(db, Object.values(jobDefinitions), { logger });
  return { mailer, jobs, jobDefinitions };
}

/** Builds the HTTP server on an open, migrated database (tests call this with their own database and clock). */
export async function createApp(deps: Omit<AppDependencies, 'page' | 'clock'> & { clock?: () => Date }): Promise<FastifyInstance> {
  return buildServer({ ...deps, clock: deps.clock ?? (() => new Date()), page: await loadPageContext(deps.db) }, features);
}

/** `espace serve`: migrate, listen, run the jobs, and stop cleanly on SIGTERM/SIGINT. */
export async function startApp(config: Config, logger: Logger, openedDb?: Database): Promise<RunningApp> {
  const db = openedDb ?? (await openDatabase(config.database));
  const applied = await migrate(db);
  if (applied.length > 0) logger.info({ applied }, 'migrations applied');
  const sealed = await sealClearColumns(db, config.secrets);
  if (sealed.emails + sealed.phones + sealed.accounts > 0) logger.info({ sealed }, 'contact details written before migration 0016 sealed');
  const { mailer, jobs, jobDefinitions } = await createPlatform(config, db, logger);
  const server = await createApp({ config, db, logger, jobs, jobDefinitions });
  await server.listen({ host: config.host, port: config.port });
  await jobs.startWorkers();
  let stopping: Promise<void> | undefined;
  // In-flight requests finish first, then running jobs, then the connections close.
  const stop = () =>
    (stopping ??= (async () => {
      await server.close();
      await jobs.stop();
      await mailer.close();
      await db.close();
    })());
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.info({ signal }, 'shutting down');
      stop().then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
    });
  }
  return { server, db, jobs, stop };
}
