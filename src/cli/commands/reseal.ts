/**
 * `espace reseal`: after a rotation of DATA_ENCRYPTION_KEY, seals again under the active key every value sealed with a
 * retired one (src/db/reseal.ts), so that DATA_ENCRYPTION_RETIRED_KEYS can then be emptied. Exit codes: 0, 1 failure.
 */
import { openDatabase } from '../../db/database.ts';
import { resealAll } from '../../db/reseal.ts';
import type { Config } from '../../platform/config.ts';
import type { Logger } from '../../platform/logger.ts';

export async function resealCommand({ config, logger }: { config: Config; logger: Logger }): Promise<number> {
  const db = await openDatabase(config.database);
  try {
    const counts = await resealAll(db, config.secrets.dataEncryptionKey);
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    logger.info({ counts }, 'sealed values moved to the active data key');
    process.stdout.write(`${total} valeur(s) chiffrée(s) de nouveau avec la clé active.\n`);
    for (const [column, n] of Object.entries(counts)) if (n > 0) process.stdout.write(`  ${column} : ${n}\n`);
    return 0;
  } finally {
    await db.close();
  }
}
