import { openEmbeddedDatabase } from '../../db/embedded.ts';
import { startApp } from '../../platform/app.ts';
import type { Config } from '../../platform/config.ts';
import type { Logger } from '../../platform/logger.ts';
import { seedIfEmpty } from './seed.ts';

/** `--auto-seed` (what `npm start` uses): on the embedded database, create the demo data at first start. */
export async function serveCommand(args: string[], { config, logger }: { config: Config; logger: Logger }): Promise<number> {
  const autoSeed = args.includes('--auto-seed') && !config.databaseUrl;
  const db = autoSeed ? (await openEmbeddedDatabase(config.dataDir, (memory) => seedIfEmpty(memory, config, logger))).db : undefined;
  await startApp(config, logger, db);
  logger.info({ url: config.publicUrl }, 'Espace adhérent prêt');
  process.stdout.write(`\nEspace adhérent prêt : ${config.publicUrl}\n`);
  return 0;
}
