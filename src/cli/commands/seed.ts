import { openDatabase, type Database } from '../../db/database.ts';
import { migrate } from '../../db/migrate.ts';
import { findOrganisation } from '../../db/repositories/organisation.ts';
import { seedDemoData, type SeedSummary } from '../../features/demo/seed-demo-data.ts';
import type { Config } from '../../platform/config.ts';
import type { Logger } from '../../platform/logger.ts';

const today = () => new Date().toISOString().slice(0, 10);

export async function seedCommand(args: string[], { config }: { config: Config; logger: Logger }): Promise<number> {
  const households = Number(valueOf(args, '--households') ?? 200);
  const referenceDate = valueOf(args, '--date') ?? today();
  if (!Number.isInteger(households) || households < 1 || households > 100_000) {
    process.stderr.write('--households attend un nombre entier entre 1 et 100 000.\n');
    return 2;
  }
  if (!/^\d{4}-\d{2}-\d{2}$/.test(referenceDate)) {
    process.stderr.write('--date attend une date AAAA-MM-JJ.\n');
    return 2;
  }
  const db = await openDatabase(config.database);
  try {
    await migrate(db);
    if (await findOrganisation(db)) {
      process.stderr.write('La base contient déjà une mutuelle : rien n’a été créé.\n');
      return 1;
    }
    printSummary(await seedDemoData(db, { households, referenceDate, keys: config.secrets }));
    return 0;
  } finally {
    await db.close();
  }
}

/** `npm start` on an empty embedded database: demo data first, then the portal. */
export async function seedIfEmpty(db: Database, config: Config, logger: Logger): Promise<void> {
  if (await findOrganisation(db)) return;
  logger.info('empty database: creating the demo data');
  printSummary(await seedDemoData(db, { households: 200, referenceDate: today(), keys: config.secrets }));
}

function printSummary(summary: SeedSummary): void {
  const lines = [
    `Données de démonstration : ${summary.households} foyers, ${summary.beneficiaries} bénéficiaires, ${summary.claimLines} lignes de remboursement.`,
    'Adhérents de démonstration (numéro de Sécurité sociale) :',
    ...summary.logins.map((l) => `  ${l.nir}  ${l.name} — ${l.situation} (n° adhérent ${l.memberNumber})`),
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

function valueOf(args: string[], flag: string): string | undefined {
  const index = args.indexOf(flag);
  return index >= 0 ? args[index + 1] : undefined;
}
