import { openDatabase } from '../../db/database.ts';
import { migrate } from '../../db/migrate.ts';
import { sealClearColumns } from '../../db/seal-clear-columns.ts';
import type { Config } from '../../platform/config.ts';
import type { Logger } from '../../platform/logger.ts';

export async function migrateCommand({ config }: { config: Config; logger: Logger }): Promise<number> {
  const db = await openDatabase(config.database);
  try {
    const applied = await migrate(db);
    const sealed = await sealClearColumns(db, config.secrets);
    process.stdout.write(applied.length ? `Migrations appliquées : ${applied.join(', ')}\n` : 'La base est à jour.\n');
    if (sealed.emails + sealed.phones + sealed.accounts > 0) {
      process.stdout.write(`Chiffrés : ${sealed.emails} adresses email, ${sealed.phones} numéros de téléphone ; IBAN masqués enregistrés : ${sealed.accounts}\n`);
    }
    return 0;
  } finally {
    await db.close();
  }
}
