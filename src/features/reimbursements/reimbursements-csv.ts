/**
 * The CSV export of « Mes remboursements » for spreadsheet users (issue 6): UTF-8 with a byte order mark (so that
 * Excel reads the accents), `;` between cells and a decimal comma (French regional settings), CRLF line ends,
 * amounts without thousands separator or euro sign (`1234,56`: a number to the spreadsheet), dates `12/03/2026`,
 * and a closing « Total » row.
 */
import { formatFrenchDate } from '../../domain/dates.ts';
import type { ReimbursementRow, ReimbursementTotals } from './list-reimbursements.ts';
import type { ReimbursementExport } from './export-reimbursements.ts';

export const CSV_BOM = '\uFEFF';
export const CSV_HEADER = ['Date des soins', 'Bénéficiaire', 'Soins', 'Professionnel', 'Mode', 'Dépensé', 'Sécurité sociale', 'Mutuelle', 'Reste à charge', 'État'] as const;

/**
 * A text cell. CSV injection: a spreadsheet runs a cell starting with = + - @ (or a tab or carriage return before
 * one) as a formula, so such a cell gets a leading apostrophe and shows as text. Then RFC 4180 quoting: a cell
 * holding `;`, `"` or a line break goes between double quotes, its quotes doubled.
 */
export function csvText(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[;"\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** An amount as a spreadsheet number with a decimal comma: 123456 cents → `1234,56`, −5 cents → `-0,05` (never a text cell, so never escaped). */
export function csvAmount(cents: number): string {
  if (!Number.isSafeInteger(cents)) throw new RangeError(`amount in cents must be a safe integer, got ${cents}`);
  const absolute = Math.abs(cents);
  return `${cents < 0 ? '-' : ''}${Math.floor(absolute / 100)},${String(absolute % 100).padStart(2, '0')}`;
}

/** The parts of a paper claim not processed yet: text, so that a spreadsheet's sums leave them out. */
const PENDING = 'en attente';

const row = (cells: readonly string[]) => `${cells.join(';')}\r\n`;

export function csvLine(r: ReimbursementRow): string {
  return row([
    formatFrenchDate(r.careDate), csvText(r.beneficiaryFirstName), csvText(r.act), csvText(r.provider), csvText(r.channel),
    csvAmount(r.chargedCents), ...(r.amountsPending ? [PENDING, PENDING, PENDING] : [csvAmount(r.amoNetCents), csvAmount(r.amcCents), csvAmount(r.remainingCents)]), csvText(r.statusLabel),
  ]);
}

export function csvTotal(t: ReimbursementTotals): string {
  const lines = `${t.lines} ligne${t.lines > 1 ? 's' : ''} de soins`;
  return row(['Total', '', lines, '', '', csvAmount(t.chargedCents), csvAmount(t.amoNetCents), csvAmount(t.amcCents), csvAmount(t.remainingCents), '']);
}

/** The file, piece by piece (one piece per page of lines): BOM and header, the lines, the total. */
export async function* reimbursementsCsv(exported: ReimbursementExport): AsyncGenerator<string> {
  yield CSV_BOM + row(CSV_HEADER.map(csvText));
  for await (const batch of exported.batches) yield batch.map(csvLine).join('');
  yield csvTotal(exported.totals);
}
