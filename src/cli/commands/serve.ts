import type { Config } from '../../platform/config.ts';
import type { Logger } from '../../platform/logger.ts';
import { startApp } from '../../platform/app.ts';
import { seedIfEmpty } from './seed.ts';

export async function serveCommand(args: string[], { config, logger }: { config: Config; logger: Logger }): Promise<number> {
  const autoSeed = args.includes('--auto-seed') && !config.databaseUrl;
  await startApp(config, logger, autoSeed ? (db) => seedIfEmpty(db, config, logger) : undefined);
  logger.info({ url: config.publicUrl }, 'Espace adhérent prêt');
  return 0;
}
