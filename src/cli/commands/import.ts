/**
 * `espace import FILE… [--json]`: imports DCPT1 lots (docs/formats/dcpt1.md). Exit code: 0 every lot imported or
 * already imported, 1 a lot rejected (copied to <inbox>/rejected/ with its report), 2 unusable input (missing or
 * unreadable file, bad arguments).
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { openDatabase } from '../../db/database.ts';
import { migrate } from '../../db/migrate.ts';
import { importBatch, type ImportProgress, type ImportReport } from '../../features/imports/import-batch.ts';
import { quarantineRejected } from '../../features/imports/quarantine.ts';
import { reconcileUnmatched } from '../../features/imports/reconcile-unmatched.ts';
import type { Config } from '../../platform/config.ts';
import type { Logger } from '../../platform/logger.ts';
import { formatEuros } from '../../domain/money.ts';

const USAGE = 'Usage : espace import FICHIER… [--json]\n';
const EXIT = { imported: 0, duplicate: 0, rejected: 1, unusable: 2 } as const;

/** A progress line with lines/s: redrawn in place on a terminal, one log line per step otherwise. */
function progressPrinter(stream: NodeJS.WriteStream, file: string): (p: ImportProgress) => void {
  const started = Date.now();
  let lastPrinted = 0;
  let lastPhase = '';
  return (p) => {
    const elapsed = (Date.now() - started) / 1000;
    const rate = elapsed > 0 ? Math.round(p.done / elapsed) : 0;
    const label = p.phase === 'read' ? 'lecture et contrôle' : 'liquidation et écriture';
    const percent = p.total ? Math.min(100, Math.floor((p.done / p.total) * 100)) : null;
    if (stream.isTTY) {
      const bar = percent === null ? '' : `[${'#'.repeat(Math.floor(percent / 5)).padEnd(20, '.')}] ${String(percent).padStart(3)} % `;
      stream.write(`\r${file} : ${label} ${bar}${p.done.toLocaleString('fr-FR')} lignes, ${rate.toLocaleString('fr-FR')} lignes/s   `);
      if (p.phase === 'write' && p.done === p.total) stream.write('\n');
      return;
    }
    // Plain lines: every 10 % of the writing, every 100 000 lines read, and at each phase change.
    const step = percent === null ? Math.floor(p.done / 100_000) : Math.floor(percent / 10);
    if (p.phase !== lastPhase || step !== lastPrinted) {
      lastPhase = p.phase;
      lastPrinted = step;
      stream.write(`${file} : ${label}${percent === null ? '' : ` ${percent} %`} (${p.done} lignes, ${rate} lignes/s)\n`);
    }
  };
}

function summary(file: string, r: ImportReport): string {
  if (r.status === 'duplicate') return `${file} : lot ${r.lot} déjà importé, rien n’a changé.\n`;
  if (r.status === 'imported') {
    return `${file} : lot ${r.lot} importé : ${r.decomptes} décomptes, ${r.lines} lignes (${r.matchedLines} liquidées, ${r.unmatchedLines} à rapprocher, ${r.rejectedLines} rejetées), part mutuelle ${formatEuros(r.amcCents)}.\n`;
  }
  const listed = r.errors.slice(0, 20).map((e) => `  ligne ${e.line} [${e.code}] ${e.message}\n`).join('');
  return `${file} : lot rejeté, rien n’a été écrit (${r.errorCount} erreur${r.errorCount > 1 ? 's' : ''}) :\n${listed}${r.errorCount > 20 ? '  …\n' : ''}`;
}

export async function importCommand(args: string[], { config, logger }: { config: Config; logger: Logger }): Promise<number> {
  const json = args.includes('--json');
  const files = args.filter((a) => a !== '--json');
  if (files.length === 0 || files.some((f) => f.startsWith('--'))) {
    process.stderr.write(USAGE);
    return EXIT.unusable;
  }
  const db = await openDatabase(config.database);
  let exitCode = 0;
  let imported = false;
  try {
    await migrate(db);
    for (const file of files) {
      const info = await stat(file).catch(() => null);
      if (!info?.isFile()) {
        process.stderr.write(`${file} : fichier introuvable ou illisible.\n`);
        if (json) process.stdout.write(`${JSON.stringify({ file, status: 'unusable', errors: [{ line: 0, code: 'UNREADABLE_FILE', message: 'Fichier introuvable ou illisible.' }] })}\n`);
        exitCode = Math.max(exitCode, EXIT.unusable);
        continue;
      }
      const now = new Date();
      const report = await importBatch(db, {
        content: createReadStream(file),
        fileName: path.basename(file),
        today: now.toISOString().slice(0, 10),
        now,
        keys: config.secrets,
        logger,
        onProgress: progressPrinter(process.stderr, path.basename(file)),
      });
      if (report.status === 'rejected') {
        const { reportPath } = await quarantineRejected(file, report, path.join(config.inboxDir, 'rejected'), 'copy', now);
        process.stderr.write(`${file} : rapport de rejet ${reportPath}\n`);
      }
      process.stdout.write(json ? `${JSON.stringify(publicReport(report))}\n` : summary(file, report));
      exitCode = Math.max(exitCode, EXIT[report.status]);
      imported ||= report.status === 'imported';
    }
    // A new lot may bring the beneficiary that lines « à rapprocher » were waiting for (new member, corrected rang).
    if (imported) {
      const reconciled = await reconcileUnmatched(db, { now: new Date(), logger });
      if (reconciled.matchedLines > 0) process.stderr.write(`${reconciled.matchedLines} lignes à rapprocher ont trouvé leur bénéficiaire et sont liquidées.\n`);
    }
    return exitCode;
  } finally {
    await db.close();
  }
}

/** The documented --json shape: {lot, status, decomptes, lines, errors:[{line, code, message}]} and the counts. */
function publicReport(r: ImportReport) {
  return {
    lot: r.lot,
    sender: r.sender,
    status: r.status,
    decomptes: r.decomptes,
    lines: r.lines,
    matchedLines: r.matchedLines,
    unmatchedLines: r.unmatchedLines,
    rejectedLines: r.rejectedLines,
    amcCents: r.amcCents,
    errorCount: r.errorCount,
    errors: r.errors.map((e) => ({ line: e.line, code: e.code, message: e.message })),
  };
}
