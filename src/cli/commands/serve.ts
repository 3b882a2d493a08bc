import cluster from 'node:cluster';
import { openEmbeddedDatabase } from '../../db/embedded.ts';
import { migrate } from '../../db/migrate.ts';
import { openDatabase } from '../../db/database.ts';
import { startApp } from '../../platform/app.ts';
import type { Config } from '../../platform/config.ts';
import type { Logger } from '../../platform/logger.ts';
import { seedIfEmpty } from './seed.ts';

/**
 * `--auto-seed` (what `npm start` uses): on the embedded database, create the demo data at first start.
 * With HTTP_WORKERS > 1 (a PostgreSQL server), this process migrates the database once, then forks that many workers
 * that share the port; a worker that dies is replaced, SIGTERM reaches every worker and each stops cleanly.
 */
export async function serveCommand(args: string[], { config, logger }: { config: Config; logger: Logger }): Promise<number> {
  if (config.httpWorkers > 1 && cluster.isPrimary) return superviseWorkers(config, logger);
  const autoSeed = args.includes('--auto-seed') && !config.databaseUrl;
  const db = autoSeed ? (await openEmbeddedDatabase(config.dataDir, (memory) => seedIfEmpty(memory, config, logger))).db : undefined;
  await startApp(config, logger, db);
  if (cluster.isWorker) process.send?.('ready');
  else announce(config, logger);
  return 0;
}

function announce(config: Config, logger: Logger): void {
  logger.info({ url: config.publicUrl }, 'Espace adhérent prêt');
  process.stdout.write(`\nEspace adhérent prêt : ${config.publicUrl}\n`);
}

async function superviseWorkers(config: Config, logger: Logger): Promise<number> {
  const db = await openDatabase(config.database);
  const applied = await migrate(db);
  if (applied.length > 0) logger.info({ applied }, 'migrations applied');
  await db.close();
  let stopping = false;
  let ready = 0;
  const fork = () =>
    cluster.fork().on('message', (message) => {
      if (message === 'ready' && ++ready === config.httpWorkers) announce(config, logger);
    });
  for (let i = 0; i < config.httpWorkers; i++) fork();
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    logger.error({ pid: worker.process.pid, code, signal }, 'worker exited: starting another');
    fork();
  });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      stopping = true;
      logger.info({ signal }, 'shutting down the workers');
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
    });
  }
  return 0;
}
