/**
 * The RGPD export (issue 8, GDPR art. 15 and 20; ADR 016): everything the portal holds on the household, as one ZIP
 * with donnees.json (every section) and one CSV per section, plus LISEZ-MOI.txt. Built in memory from one consistent
 * snapshot (REPEATABLE READ) and handed to the caller: it is never written to disk nor cached (the route sends it with
 * Cache-Control: no-store). Sealed fields are decrypted — the NIRs and the IBAN are in clear, it is the member's own
 * data — and a field that does not open stops the export with a DecryptionError rather than exporting garbage.
 *
 * Access: the ouvrant droit only (a beneficiary's own login is no session on this route). The export is recorded in
 * the audit trail (it appears in « Historique des accès ») and a security notice goes to the member.
 */
import { randomUUID } from 'node:crypto';
import { strToU8, zipSync } from 'fflate';
import type { Database, Queryable } from '../../db/database.ts';
import { parisDate } from '../../domain/dates.ts';
import { decryptField, type DataKey } from '../../platform/crypto.ts';
import { AppError } from '../../platform/errors.ts';
import type { AppDependencies } from '../../platform/http/server.ts';
import type { Jobs } from '../../platform/jobs.ts';
import { writeAudit } from '../auth/new-device.ts';
import { sendSecurityNotice } from '../auth/security-notices.ts';
import { accessHistory, DATA_EXPORTED, type AccessEvent } from './access-history.ts';
import { EXPORT_SECTIONS, type ExportSection } from './export-registry.ts';

export type ExportDeps = {
  db: Database;
  /** config.secrets.dataEncryptionKey opens the household's sealed fields (and the notice's email). */
  config: { secrets: { dataEncryptionKey: DataKey } };
  jobs: Jobs;
  jobDefinitions: Pick<AppDependencies['jobDefinitions'], 'sendEmail' | 'generateLetter'>;
  mailCommon: { organisationName: string; phone: string; publicUrl: string };
};

/** Each export reads the whole file of the household: a few a day are plenty (proposed figure). */
export const EXPORT_LIMITS = { perDay: 5 } as const;
export const EXPORT_LIMITED_MESSAGE = 'Vous avez déjà téléchargé vos données 5 fois ces dernières 24 heures. Réessayez demain.';

export type PersonalDataExport = { exportId: string; fileName: string; zip: Uint8Array; rowCounts: Record<string, number> };

type Value = string | number | boolean | null | Value[] | { [key: string]: Value };

/** The exported name of a column: a sealed one loses its `_enc` suffix (nir_enc → nir). */
export const exportedName = (column: string) => column.replace(/_enc$/, '');

function plain(value: unknown): Value {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === 'object') return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, plain(v)]));
  return value as Value;
}

async function readSection(q: Queryable, key: Buffer, section: ExportSection, memberId: string): Promise<Record<string, Value>[]> {
  const columns = Object.keys(section.columns);
  // Table, columns and condition are constants of export-registry.ts; the only value is the bound member id.
  const { rows } = await q.query<Record<string, unknown>>(`SELECT ${columns.map((c) => `t.${c}`).join(', ')} FROM ${section.table} t WHERE ${section.where} ORDER BY ${section.orderBy}`, [memberId]);
  return rows.map((row) =>
    Object.fromEntries(
      columns.map((c) => {
        const raw = row[c];
        // Date-only columns come back as 'YYYY-MM-DD' strings on both drivers (db/database.ts); instants as Dates.
        return [exportedName(c), c.endsWith('_enc') && typeof raw === 'string' ? decryptField(key, raw) : plain(raw)];
      }),
    ),
  );
}

const csvCell = (value: Value): string => {
  const text = value === null ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  // Quoted when needed (RFC 4180); a leading = + - @ is prefixed so that a spreadsheet does not run it as a formula.
  const safe = /^[=+\-@\t\r]/.test(text) && !/^-?\d+(\.\d+)?$/.test(text) ? `'${text}` : text;
  return /[;"\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

/** Semicolon-separated, with a BOM and CRLF: what a French spreadsheet opens as is. */
export function toCsv(headers: string[], rows: Value[][]): string {
  return '\uFEFF' + [headers, ...rows].map((r) => r.map((v) => csvCell(v as Value)).join(';')).join('\r\n') + '\r\n';
}

async function allAccessEvents(q: Queryable, memberId: string): Promise<AccessEvent[]> {
  const events: AccessEvent[] = [];
  let before: string | null = null;
  do {
    const page = await accessHistory(q, { memberId, beneficiaryId: null }, { before, limit: 100 });
    events.push(...page.events);
    before = page.nextCursor;
  } while (before);
  return events;
}

function readme(at: Date, sections: { section: ExportSection; rows: number }[], accessRows: number): string {
  const when = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeStyle: 'short', timeZone: 'Europe/Paris' }).format(at);
  const lines = [
    'Vos données personnelles — espace adhérent',
    `Export du ${when} (heure de Paris).`,
    '',
    'Ce fichier contient tout ce que l’espace adhérent conserve sur votre foyer. Il contient votre numéro de Sécurité sociale,',
    'celui des personnes couvertes, votre IBAN et vos remboursements (données de santé) EN CLAIR : gardez-le en lieu sûr,',
    'ne l’envoyez pas par email et supprimez-le quand vous n’en avez plus besoin. La mutuelle n’en garde aucune copie.',
    '',
    'donnees.json : toutes les rubriques ci-dessous, dans un seul fichier (noms de colonnes techniques, dates en UTC, montants en centimes).',
    'Un fichier CSV par rubrique (séparateur point-virgule, en-têtes en français), lisible par un tableur.',
    'Ne sont jamais exportés : les empreintes de votre code d’accès et des liens ou codes envoyés, les index de recherche chiffrés,',
    'le contenu des fichiers envoyés et des documents (téléchargez-les depuis votre espace).',
    '',
    'Rubriques :',
    ...sections.map(({ section, rows }) => `- ${section.file}.csv — ${section.title} (${rows} ligne${rows > 1 ? 's' : ''})`),
    `- historique-des-acces.csv — Historique des accès à votre dossier (${accessRows} ligne${accessRows > 1 ? 's' : ''})`,
    '',
    'Pour toute question sur vos données, contactez le délégué à la protection des données de la mutuelle.',
  ];
  return lines.join('\r\n') + '\r\n';
}

/** Builds the archive, records the export and queues the notice; the caller sends the bytes and keeps nothing. */
export async function exportPersonalData(deps: ExportDeps, who: { memberId: string; ip: string; now: Date; channel: 'PAGE' | 'API' }): Promise<PersonalDataExport> {
  const { db } = deps;
  const dataEncryptionKey = deps.config.secrets.dataEncryptionKey;
  const { memberId, now } = who;
  const { rows: recent } = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM audit_log WHERE subject_type = 'member' AND subject_id = $1 AND action = $2 AND occurred_at > $3`,
    [memberId, DATA_EXPORTED, new Date(now.getTime() - 24 * 3_600_000)],
  );
  if (recent[0]!.n >= EXPORT_LIMITS.perDay) throw new AppError('RATE_LIMITED', EXPORT_LIMITED_MESSAGE);
  const exportId = randomUUID();
  const read = await db.transaction(async (tx) => {
    await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
    const sections: { section: ExportSection; rows: Record<string, Value>[] }[] = [];
    for (const section of EXPORT_SECTIONS) sections.push({ section, rows: await readSection(tx, dataEncryptionKey, section, memberId) });
    const { rows: products } = await tx.query<{ id: string; code: string; name: string; kind: string }>(
      'SELECT p.id, p.code, p.name, p.kind FROM guarantee_product p WHERE p.id IN (SELECT product_id FROM contract WHERE member_id = $1) ORDER BY p.code',
      [memberId],
    );
    return { sections, products, access: await allAccessEvents(tx, memberId) };
  });
  if (read.sections[0]!.rows.length === 0) throw new Error('exportPersonalData: no such member');

  const files: Record<string, Uint8Array> = {};
  const json: Record<string, unknown> = { exportedAt: now.toISOString(), exportId };
  const rowCounts: Record<string, number> = {};
  for (const { section, rows } of read.sections) {
    const columns = Object.keys(section.columns);
    json[section.file] = { title: section.title, table: section.table, rows };
    rowCounts[section.table] = rows.length;
    files[`${section.file}.csv`] = strToU8(toCsv(Object.values(section.columns), rows.map((r) => columns.map((c) => r[exportedName(c)] ?? null))));
  }
  json.garanties = { title: 'Les garanties de mes contrats', rows: read.products };
  files['garanties.csv'] = strToU8(toCsv(['Identifiant', 'Code', 'Nom', 'Nature'], read.products.map((p) => [p.id, p.code, p.name, p.kind])));
  const access = read.access.map((e) => ({ at: e.at.toISOString(), title: e.title, by: e.by, reason: e.reason, device: e.device, place: e.place }));
  json['historique-des-acces'] = { title: 'Historique des accès à mon dossier', rows: access };
  files['historique-des-acces.csv'] = strToU8(toCsv(['Le', 'Événement', 'Par', 'Motif', 'Appareil', 'Lieu approximatif'], access.map((a) => [a.at, a.title, a.by, a.reason, a.device, a.place])));
  files['donnees.json'] = strToU8(JSON.stringify(json, null, 2));
  files['LISEZ-MOI.txt'] = strToU8(readme(now, read.sections.map(({ section, rows }) => ({ section, rows: rows.length })), access.length));
  const zip = zipSync(files, { level: 6, mtime: now });

  await db.transaction(async (tx) => {
    await writeAudit(tx, {
      now, ip: who.ip, actorType: 'member', actorId: memberId, action: DATA_EXPORTED, memberId,
      details: { exportId, sections: read.sections.length, rows: Object.values(rowCounts).reduce((a, b) => a + b, 0), ...(who.channel === 'API' ? { channel: 'API' } : {}) },
    });
    await sendSecurityNotice(tx, deps, memberId, { kind: 'DATA_EXPORTED', exportId }, now);
  });
  const day = parisDate(now);
  return { exportId, fileName: `mes-donnees-${day}.zip`, zip, rowCounts };
}
