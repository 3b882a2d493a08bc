/**
 * « Relevé de remboursements » (issue 6): an A4 tagged PDF of every line of a filter. The mutuelle, the member, the
 * filter in French and the date of the statement, then a real table (Table, THead, TBody, TFoot; header cells TH
 * heading their column), the totals and a summary. A long statement runs over several pages: the header row is drawn
 * again at the top of each (as a pagination artifact, so that a screen reader reads it once), and every page has a
 * footer. Values are drawn with text() as plain strings (FILE-06).
 */
import { formatFrenchDate } from '../../domain/dates.ts';
import { formatEuros } from '../../domain/money.ts';
import { createTaggedPdf, FONT, mm, runningFooter, type StructureGroup, type TaggedPdf } from '../../platform/pdf.ts';
import type { ReimbursementRow } from './list-reimbursements.ts';
import type { ReimbursementExport } from './export-reimbursements.ts';

export const STATEMENT_TITLE = 'Relevé de remboursements';

export type StatementModel = { organisationName: string; exported: ReimbursementExport; generatedAt: Date };

/** `oneLine`: dates and amounts never wrap (a long amount is set smaller instead); their header may. */
type Column = { label: string; width: number; oneLine?: true; right?: true; value: (r: ReimbursementRow) => string };

// 180 mm: the A4 width less two 15 mm margins. At 8 pt, « 12/03/2026 » takes 16.3 mm, « 12 345,67 € » 17.1 mm and
// « Payé le 22/10/2026 » 27.3 mm (plus 1.4 mm of padding): only the act may take two lines.
const COLUMNS: Column[] = [
  { label: 'Date des soins', width: mm(18), oneLine: true, value: (r) => formatFrenchDate(r.careDate) },
  { label: 'Bénéficiaire', width: mm(21), value: (r) => r.beneficiaryFirstName },
  { label: 'Soins', width: mm(36), value: (r) => r.act },
  { label: 'Dépensé', width: mm(19), oneLine: true, right: true, value: (r) => formatEuros(r.chargedCents) },
  { label: 'Sécurité sociale', width: mm(19), oneLine: true, right: true, value: (r) => (r.amountsPending ? 'en attente' : formatEuros(r.amoNetCents)) },
  { label: 'Mutuelle', width: mm(19), oneLine: true, right: true, value: (r) => (r.amountsPending ? 'en attente' : formatEuros(r.amcCents)) },
  { label: 'Reste à charge', width: mm(19), oneLine: true, right: true, value: (r) => (r.amountsPending ? 'en attente' : formatEuros(r.remainingCents)) },
  { label: 'État', width: mm(29), value: (r) => r.statusLabel },
];
const MARGIN = { top: mm(15), bottom: mm(18), left: mm(15), right: mm(15) };
const SIZE = 8;
const PAD_X = 2;
const PAD_Y = 2.5;
const RULE = '#b0b0b0';
const generatedAtFormat = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeStyle: 'short', timeZone: 'Europe/Paris' });

/** `header`: a header cell, which wraps in any column. */
type Cell = { text: string; bold?: boolean; header?: boolean };

export async function renderReimbursementStatement(model: StatementModel): Promise<Buffer> {
  const { exported, organisationName } = model;
  const pdf = createTaggedPdf({
    title: `${STATEMENT_TITLE} — ${organisationName}`,
    subject: `${STATEMENT_TITLE} de ${exported.holder.fullName}`,
    author: organisationName,
    creationDate: model.generatedAt,
    margins: { ...MARGIN },
  });
  const { doc } = pdf;
  const left = MARGIN.left;
  const width = doc.page.width - MARGIN.left - MARGIN.right;
  let pageNumber = 1;
  footer(pdf, organisationName, pageNumber);

  pdf.block('P', () => {
    doc.font(FONT.bold).fontSize(11).text(organisationName, left, MARGIN.top, { width });
  });
  doc.moveDown(0.6);
  pdf.block('H1', () => {
    doc.font(FONT.bold).fontSize(16).text(STATEMENT_TITLE, left, doc.y, { width });
  });
  doc.moveDown(0.4);
  const paragraph = (text: string) =>
    pdf.block('P', () => {
      doc.font(FONT.regular).fontSize(9.5).text(text, left, doc.y, { width, lineGap: 1.5 });
    });
  paragraph(`${exported.holder.sex === 'F' ? 'Adhérente' : 'Adhérent'} : ${exported.holder.fullName}`);
  paragraph(`Numéro d’adhérent : ${exported.holder.memberNumber}`);
  paragraph(`Sélection : ${exported.criteria.join(' · ')}`);
  paragraph(`Relevé établi le ${generatedAtFormat.format(model.generatedAt)}`);
  doc.moveDown(1);

  const header: Cell[] = COLUMNS.map((c) => ({ text: c.label, bold: true, header: true }));
  const newPage = () => {
    doc.addPage({ size: 'A4', margins: { ...MARGIN } });
    pageNumber += 1;
    footer(pdf, organisationName, pageNumber);
    pdf.artifact(() => drawRow(doc, header, MARGIN.top), 'Pagination');
    doc.x = MARGIN.left;
    doc.y = MARGIN.top + rowHeight(doc, header);
  };
  /** Room for `height` on this page, or a new page with the header row again. */
  const ensureRoom = (height: number) => {
    if (doc.y + height > doc.page.height - MARGIN.bottom) newPage();
  };

  let table: (StructureGroup & { end(): void }) | null = null;
  let body: (StructureGroup & { end(): void }) | null = null;
  for await (const batch of exported.batches) {
    for (const line of batch) {
      const cells = COLUMNS.map((c) => ({ text: c.value(line) }));
      if (!table) {
        // The header row and the first line together, so that a header never ends a page.
        ensureRoom(rowHeight(doc, header) + rowHeight(doc, cells));
        table = pdf.open('Table');
        const head = table.open('THead');
        taggedRow(pdf, head, header, 'TH');
        head.end();
        body = table.open('TBody');
      }
      ensureRoom(rowHeight(doc, cells));
      taggedRow(pdf, body!, cells, 'TD');
    }
  }

  const t = exported.totals;
  if (table && body) {
    body.end();
    const totals: Cell[] = [
      { text: 'Total', bold: true }, { text: '' }, { text: `${t.lines} ligne${t.lines > 1 ? 's' : ''} de soins`, bold: true },
      ...[t.chargedCents, t.amoNetCents, t.amcCents, t.remainingCents].map((cents) => ({ text: formatEuros(cents), bold: true })), { text: '' },
    ];
    ensureRoom(rowHeight(doc, totals));
    const foot = table.open('TFoot');
    taggedRow(pdf, foot, totals, 'TD', true);
    foot.end();
    table.end();
  } else {
    paragraph('Aucun remboursement ne correspond à ces critères.');
  }

  doc.moveDown(1.5);
  const summary: [string, string][] = [
    ['Dépensé', formatEuros(t.chargedCents)],
    ['Remboursé par la Sécurité sociale', formatEuros(t.amoNetCents)],
    ['Remboursé par la mutuelle', formatEuros(t.amcCents)],
    ['Reste à votre charge', formatEuros(t.remainingCents)],
  ];
  ensureRoom(doc.currentLineHeight(true) * 8);
  pdf.block('H2', () => {
    doc.font(FONT.bold).fontSize(11).text('Récapitulatif', left, doc.y, { width });
  });
  doc.moveDown(0.3);
  for (const [label, amount] of summary) paragraph(`${label} : ${amount}`);
  paragraph(`${t.lines} ligne${t.lines > 1 ? 's' : ''} de soins.`);
  doc.moveDown(0.8);
  ensureRoom(doc.currentLineHeight(true) * 3);
  pdf.block('P', () => {
    doc.font(FONT.regular).fontSize(8).fillColor('#444444')
      .text('Montants en euros. « Sécurité sociale » : part remboursée par l’Assurance maladie, après participations forfaitaires et franchises.', left, doc.y, { width })
      .fillColor('black');
  });
  return pdf.finish();
}

/** One row of the table, each cell its own TH or TD element; a rule under it. */
function taggedRow(pdf: TaggedPdf, group: StructureGroup, cells: Cell[], type: 'TH' | 'TD', rowHeader = false): void {
  const { doc } = pdf;
  const y = doc.y;
  const height = rowHeight(doc, cells);
  const row = group.open('TR');
  cells.forEach((cell, i) => {
    const scope = type === 'TH' ? 'Column' : rowHeader && i === 0 ? 'Row' : undefined;
    row.block(scope === 'Row' ? 'TH' : type, () => drawCell(doc, cell, i, y), scope ? { scope } : {});
  });
  row.end();
  pdf.artifact(() => {
    doc.save().lineWidth(type === 'TH' || rowHeader ? 0.8 : 0.3).strokeColor(RULE).moveTo(MARGIN.left, y + height).lineTo(doc.page.width - MARGIN.right, y + height).stroke().restore();
  });
  doc.x = MARGIN.left;
  doc.y = y + height;
}

/** The header row again on a new page (drawn, not tagged: the caller marks it as an artifact). */
function drawRow(doc: PDFKit.PDFDocument, cells: Cell[], y: number): void {
  cells.forEach((cell, i) => drawCell(doc, cell, i, y));
  const height = rowHeight(doc, cells);
  doc.save().lineWidth(0.8).strokeColor(RULE).moveTo(MARGIN.left, y + height).lineTo(doc.page.width - MARGIN.right, y + height).stroke().restore();
}

function columnX(index: number): number {
  return MARGIN.left + COLUMNS.slice(0, index).reduce((sum, c) => sum + c.width, 0);
}

/** A date or an amount stays on one line: a long one is set smaller rather than wrapped. */
function fitSize(doc: PDFKit.PDFDocument, text: string, width: number): number {
  let size = SIZE;
  while (size > 6 && doc.fontSize(size).widthOfString(text) > width) size -= 0.5;
  return size;
}

function drawCell(doc: PDFKit.PDFDocument, cell: Cell, index: number, y: number): void {
  if (!cell.text) return;
  const column = COLUMNS[index]!;
  const width = column.width - 2 * PAD_X;
  const oneLine = column.oneLine && !cell.header;
  doc.font(cell.bold ? FONT.bold : FONT.regular);
  const size = oneLine ? fitSize(doc, cell.text, width) : SIZE;
  doc.fontSize(size).text(cell.text, columnX(index) + PAD_X, y + PAD_Y, { width, align: column.right ? 'right' : 'left', lineBreak: !oneLine });
}

function rowHeight(doc: PDFKit.PDFDocument, cells: Cell[]): number {
  let height = 0;
  cells.forEach((cell, index) => {
    const column = COLUMNS[index]!;
    doc.font(cell.bold ? FONT.bold : FONT.regular).fontSize(SIZE);
    const h = (column.oneLine && !cell.header) || !cell.text ? doc.currentLineHeight() : doc.heightOfString(cell.text, { width: column.width - 2 * PAD_X });
    height = Math.max(height, h);
  });
  return height + 2 * PAD_Y;
}

/** « Mutuelle — Relevé de remboursements — page n » in the bottom margin. */
const footer = (pdf: TaggedPdf, organisationName: string, page: number): void =>
  runningFooter(pdf, `${organisationName} — ${STATEMENT_TITLE}`, page, { left: MARGIN.left, right: MARGIN.right, fromBottom: mm(11) });
