import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { openDatabase, type Database } from '../../db/database.ts';
import { isIsoDate } from '../../domain/dates.ts';
import {
  DCPT1_CORRUPT_KINDS,
  MAX_GENERATED_LINES,
  generateDcpt1,
  isCorruptKind,
  minimumLines,
  type Dcpt1CorruptKind,
} from '../../features/imports/generate-dcpt1.ts';
import { loadDcpt1People } from '../../features/imports/generate-dcpt1-people.ts';
import type { Config } from '../../platform/config.ts';

export const GEN_DCPT1_USAGE = `Usage : espace gen-dcpt1 --lines M --out FICHIER [options]

Écrit un lot DCPT1 de test (docs/formats/dcpt1.md) pour les premiers foyers de la base.

  --households N        nombre de foyers (les N premiers par numéro d'adhérent ; 200 par défaut)
  --lines M             nombre de lignes de prestation (enregistrements L), de 1 à 10 000 000
  --seed S              graine (entier de 0 à 4 294 967 295, 1 par défaut) : même graine, même fichier
  --batch NUM           numéro de lot (par défaut la graine sur 6 chiffres ; 1 à 20 lettres, chiffres, _ ou -)
  --out FICHIER         fichier à écrire (remplacé s'il existe)
  --date AAAA-MM-JJ     date du lot (aujourd'hui par défaut) ; les soins tombent dans les 60 jours qui précèdent
  --unknown-share P     part des décomptes pour des bénéficiaires inconnus de la mutuelle (0 à 1, 0 par défaut)
  --corrupt TYPE        introduit exactement un défaut de ce type (liste : --corrupt list)
`;

type Output = { write(text: string): unknown };
export type GenDcpt1Dependencies = { config: Config; stderr?: Output; open?: () => Promise<Database> };

const FLAGS = ['--households', '--lines', '--seed', '--batch', '--out', '--date', '--unknown-share', '--corrupt'] as const;
type Flag = (typeof FLAGS)[number];

class UsageError extends Error {}

function parseArgs(args: string[]): Partial<Record<Flag, string>> {
  const values: Partial<Record<Flag, string>> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const [name, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (!(FLAGS as readonly string[]).includes(name)) throw new UsageError(`Option inconnue : ${name}`);
    const value = inline ?? args[++i];
    if (value === undefined || (inline === undefined && value.startsWith('--'))) throw new UsageError(`${name} attend une valeur.`);
    if (values[name as Flag] !== undefined) throw new UsageError(`${name} est donnée deux fois.`);
    values[name as Flag] = value;
  }
  return values;
}

function integer(value: string | undefined, flag: string, min: number, max: number, fallback?: number): number {
  if (value === undefined) {
    if (fallback === undefined) throw new UsageError(`${flag} est obligatoire.`);
    return fallback;
  }
  const number = /^[0-9]+$/.test(value.replace(/[_\s]/g, '')) ? Number(value.replace(/[_\s]/g, '')) : NaN;
  if (!Number.isSafeInteger(number) || number < min || number > max) {
    throw new UsageError(`${flag} attend un nombre entier de ${min.toLocaleString('fr-FR')} à ${max.toLocaleString('fr-FR')}, et non « ${value} ».`);
  }
  return number;
}

const frenchNumber = (value: number, digits = 0) => value.toLocaleString('fr-FR', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const frenchDate = (iso: string) => iso.split('-').reverse().join('/');

export async function genDcpt1Command(args: string[], dependencies: GenDcpt1Dependencies): Promise<number> {
  const stderr = dependencies.stderr ?? process.stderr;
  if (args.includes('--help') || args.includes('-h')) {
    stderr.write(GEN_DCPT1_USAGE);
    return 0;
  }
  let options: { households: number; lines: number; seed: number; batch: string | undefined; out: string; today: string; unknownShare: number; corrupt: Dcpt1CorruptKind | null };
  try {
    const values = parseArgs(args);
    if (values['--corrupt'] === 'list') {
      stderr.write(`Types de défaut (--corrupt) : ${DCPT1_CORRUPT_KINDS.join(', ')}.\n`);
      return 0;
    }
    const corrupt = values['--corrupt'] ?? null;
    if (corrupt !== null && !isCorruptKind(corrupt)) throw new UsageError(`--corrupt : type de défaut inconnu « ${corrupt} ». Types possibles : ${DCPT1_CORRUPT_KINDS.join(', ')}.`);
    const today = values['--date'] ?? new Date().toISOString().slice(0, 10);
    if (!isIsoDate(today)) throw new UsageError(`--date attend une date AAAA-MM-JJ, et non « ${today} ».`);
    const share = values['--unknown-share'] === undefined ? 0 : Number(values['--unknown-share'].replace(',', '.'));
    if (!/^[0-9]+([.,][0-9]+)?$/.test(values['--unknown-share'] ?? '0') || !(share >= 0 && share <= 1)) {
      throw new UsageError(`--unknown-share attend une part entre 0 et 1 (par exemple 0.05), et non « ${values['--unknown-share']} ».`);
    }
    const batch = values['--batch'];
    if (batch !== undefined && !/^[A-Za-z0-9_-]{1,20}$/.test(batch)) throw new UsageError(`--batch attend 1 à 20 lettres, chiffres, _ ou -, et non « ${batch} ».`);
    const out = values['--out'];
    if (!out) throw new UsageError('--out est obligatoire : le fichier à écrire.');
    options = {
      households: integer(values['--households'], '--households', 1, 100_000, 200),
      lines: integer(values['--lines'], '--lines', minimumLines(corrupt as Dcpt1CorruptKind | null), MAX_GENERATED_LINES),
      seed: integer(values['--seed'], '--seed', 0, 0xffff_ffff, 1),
      batch,
      out,
      today,
      unknownShare: share,
      corrupt: corrupt as Dcpt1CorruptKind | null,
    };
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    stderr.write(`${error.message}\n\n${GEN_DCPT1_USAGE}`);
    return 2;
  }

  const { config } = dependencies;
  if (config.env === 'production') {
    stderr.write('espace gen-dcpt1 écrit en clair dans un fichier les NIR des adhérents de la base : commande refusée en production.\n');
    return 1;
  }
  const db = await (dependencies.open ?? (() => openDatabase(config.database)))();
  let loaded;
  try {
    loaded = await loadDcpt1People(db, config.secrets.dataEncryptionKey, { households: options.households, today: options.today });
  } finally {
    await db.close();
  }
  if (loaded.households === 0) {
    stderr.write('La base ne contient aucun adhérent : créez d’abord les données de démonstration (espace seed).\n');
    return 1;
  }
  if (loaded.people.length === 0 && options.unknownShare < 1) {
    stderr.write(`Aucun bénéficiaire des ${loaded.households} premiers foyers n’a de droits ouverts dans les 60 jours qui précèdent le ${frenchDate(options.today)}.\n`);
    return 1;
  }

  const started = performance.now();
  const lot = generateDcpt1(loaded.people, {
    lines: options.lines,
    seed: options.seed,
    today: options.today,
    unknownShare: options.unknownShare,
    corrupt: options.corrupt,
    ...(options.batch ? { batchNumber: options.batch } : {}),
    ...(loaded.amcNumber ? { amcNumber: loaded.amcNumber } : {}),
  });
  // Written beside the target and renamed at the end: a watched inbox never sees half a lot.
  const partial = `${options.out}.part`;
  try {
    await pipeline(Readable.from(lot), createWriteStream(partial));
    await rename(partial, options.out);
  } catch (error) {
    await rm(partial, { force: true });
    const reason = error instanceof Error && 'code' in error ? String(error.code) : error instanceof Error ? error.message : String(error);
    stderr.write(`Impossible d’écrire ${options.out} (${reason}).\n`);
    return 1;
  }
  const seconds = (performance.now() - started) / 1000;
  const summary = lot.summary!;
  const unknown = summary.statements > 0 ? (100 * summary.unknownStatements) / summary.statements : 0;
  const lines = [
    `Lot DCPT1 n° ${summary.batchNumber} écrit dans ${options.out} : ${frenchNumber(summary.lines)} lignes dans ${frenchNumber(summary.statements)} décomptes` +
      `${options.unknownShare > 0 ? ` (${frenchNumber(unknown, 1)} % pour des bénéficiaires inconnus)` : ''}, ${frenchNumber(summary.bytes / 1_000_000, 1)} Mo.`,
    `Foyers : ${frenchNumber(loaded.households)} (${frenchNumber(loaded.people.length)} bénéficiaires avec des droits) ; date du lot ${frenchDate(options.today)}, graine ${options.seed}.`,
    `Durée : ${frenchNumber(seconds, 1)} s (${frenchNumber(Math.round(summary.lines / Math.max(seconds, 0.001)))} lignes par seconde).`,
  ];
  if (summary.defect) lines.push(`Défaut introduit : ${summary.defect.code} à la ligne ${frenchNumber(summary.defect.line)}.`);
  stderr.write(`${lines.join('\n')}\n`);
  return 0;
}
