/**
 * `espace pay [--date AAAA-MM-JJ] [--json]`: the payment run of the daily job, by hand (docs/formats/pain001.md).
 * Exit code: 0 run done (also when there was nothing to pay), 2 bad arguments, 78 no debtor account configured.
 */
import path from 'node:path';
import { formatFrenchDate, isIsoDate, parisDate } from '../../domain/dates.ts';
import { formatEuros } from '../../domain/money.ts';
import { openDatabase, type Database } from '../../db/database.ts';
import { migrate } from '../../db/migrate.ts';
import { runPayments, type RunPaymentsSummary } from '../../features/payments/run-payments.ts';
import type { Config } from '../../platform/config.ts';
import type { Logger } from '../../platform/logger.ts';

const USAGE = 'Usage : espace pay [--date AAAA-MM-JJ] [--json]\n';

export type PayIo = {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  /** The database to use (tests); by default the configured one, migrated first and closed at the end. */
  db?: Database;
  now?: () => Date;
};

type PayArgs = { date: string; json: boolean };

/** --date defaults to today in Paris; a date in the past is refused (the bank would not execute it). */
export function parsePayArgs(args: string[], today: string): PayArgs | { error: string } {
  let date = today;
  let json = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--json') json = true;
    else if (arg === '--date') {
      const value = args[++i];
      if (value === undefined || !isIsoDate(value)) return { error: '--date attend une date AAAA-MM-JJ.' };
      if (value < today) return { error: `--date ne peut pas être antérieure à aujourd’hui (${today}).` };
      date = value;
    } else return { error: `Argument inconnu : ${arg}` };
  }
  return { date, json };
}

export function formatPaySummary(date: string, summary: RunPaymentsSummary, paymentsDir: string): string {
  const day = formatFrenchDate(date);
  const plural = (n: number, word: string) => `${n} ${word}${n > 1 ? 's' : ''}`;
  const lines =
    summary.fileName === null
      ? [`Aucun virement à émettre le ${day}.`]
      : [
          `Virements du ${day} : ${plural(summary.payments, 'virement')} pour ${plural(summary.lines, 'ligne')}, ${formatEuros(summary.totalCents)}.`,
          `Fichier pour la banque : ${path.join(paymentsDir, summary.fileName)}`,
        ];
  if (summary.linesWithoutTransfer > 0) lines.push(`${plural(summary.linesWithoutTransfer, 'ligne')} sans part mutuelle à verser, marquée(s) payée(s).`);
  if (summary.membersWithoutAccount > 0) lines.push(`${plural(summary.membersWithoutAccount, 'adhérent')} sans compte bancaire actif utilisable : lignes en attente (voir les journaux).`);
  if (summary.membersDeferred > 0) lines.push(`${plural(summary.membersDeferred, 'adhérent')} déjà payé(s) ce jour : nouvelles lignes au prochain passage.`);
  return `${lines.join('\n')}\n`;
}

export async function payCommand(args: string[], { config, logger }: { config: Config; logger: Logger }, io: PayIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const now = (io.now ?? (() => new Date()))();
  const parsed = parsePayArgs(args, parisDate(now));
  if ('error' in parsed) {
    io.stderr.write(`${parsed.error}\n${USAGE}`);
    return 2;
  }
  if (!config.paymentsDebtor) {
    io.stderr.write('Configuration invalide : PAYMENTS_DEBTOR_IBAN — obligatoire en production pour émettre des virements (avec PAYMENTS_DEBTOR_BIC et PAYMENTS_DEBTOR_NAME).\n');
    return 78;
  }
  const db = io.db ?? (await openDatabase(config.database));
  try {
    if (!io.db) await migrate(db);
    const summary = await runPayments(db, {
      today: parsed.date,
      now,
      paymentsDir: config.paymentsDir,
      debtor: config.paymentsDebtor,
      keys: config.secrets,
      logger,
    });
    io.stdout.write(
      parsed.json
        ? `${JSON.stringify({ date: parsed.date, ...summary, filePath: summary.fileName ? path.join(config.paymentsDir, summary.fileName) : null })}\n`
        : formatPaySummary(parsed.date, summary, config.paymentsDir),
    );
    return 0;
  } finally {
    if (!io.db) await db.close();
  }
}
