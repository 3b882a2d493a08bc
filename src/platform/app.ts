import type { FastifyInstance } from 'fastify';
import { openDatabase, type Database } from '../db/database.ts';
import { migrate } from '../db/migrate.ts';
import { findOrganisation } from '../db/repositories/organisation.ts';
import { features } from '../features/index.ts';
import type { Config } from './config.ts';
import { buildServer } from './http/server.ts';
import { DEFAULT_PAGE_CONTEXT, type PageContext } from './http/page-context.ts';
import type { Logger } from './logger.ts';

export type RunningApp = { server: FastifyInstance; db: Database; stop(): Promise<void> };

export async function loadPageContext(db: Database): Promise<PageContext> {
  const organisation = await findOrganisation(db);
  return organisation ? { organisation: { name: organisation.name, phone: organisation.phone, amcNumber: organisation.amcNumber } } : DEFAULT_PAGE_CONTEXT;
}

/** Builds the HTTP server on an open, migrated database (tests call this with their own database and clock). */
export async function createApp(options: { config: Config; db: Database; logger: Logger; clock?: () => Date }): Promise<FastifyInstance> {
  const page = await loadPageContext(options.db);
  return buildServer({ config: options.config, db: options.db, logger: options.logger, clock: options.clock ?? (() => new Date()), page }, features);
}

/** `espace serve`: migrate, optionally seed an empty database, listen, and stop cleanly on SIGTERM/SIGINT. */
export async function startApp(config: Config, logger: Logger, beforeListen?: (db: Database) => Promise<void>): Promise<RunningApp> {
  const db = await openDatabase({ url: config.databaseUrl, dataDir: `${config.dataDir}/pglite` });
  const applied = await migrate(db);
  if (applied.length > 0) logger.info({ applied }, 'migrations applied');
  if (beforeListen) await beforeListen(db);
  const server = await createApp({ config, db, logger });
  await server.listen({ host: config.host, port: config.port });
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await server.close();
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
  return { server, db, stop };
}
