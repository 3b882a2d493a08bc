/**
 * The A4 tagged PDF of a document view (attestations, bulletin, échéancier): the issuer, the verification QR when
 * there is one (a Figure with its alt text), the title (H1), then each section (H2) with its paragraphs, label–value
 * lines and real tables (Table, THead, TBody, TR, TH, TD). Values go in as plain strings (FILE-06).
 */
import { formatFrenchDate, parisDate } from '../../domain/dates.ts';
import { createTaggedPdf, FONT, mm, runningFooter, type TaggedPdf } from '../../platform/pdf.ts';
import { drawModules, type Modules } from './barcodes.ts';
import type { Block, DocumentView } from './document-views.ts';

/** The verification QR's modules and the /verifier address printed beside it. */
export type Verification = { qr: Modules; url: string };

export type RenderOptions = { issuedAt: Date; version: number; verification: Verification | null };

const MARGIN = { top: mm(18), bottom: mm(20), left: mm(18), right: mm(18) };
const QR_SIZE = mm(28);
const SIZE = 9.5;
const RULE = '#b0b0b0';

export const verificationAlt = (url: string) => `Code QR de vérification : il permet à toute personne de vérifier l’authenticité du document sur ${url}`;

export async function renderDocumentPdf(view: DocumentView, options: RenderOptions): Promise<Buffer> {
  const organisation = view.issuer[0] ?? '';
  const pdf = createTaggedPdf({ title: `${view.title} — ${organisation}`, subject: view.title, author: organisation, creationDate: options.issuedAt, margins: { ...MARGIN } });
  const { doc } = pdf;
  const left = MARGIN.left;
  const width = doc.page.width - MARGIN.left - MARGIN.right;
  let page = 1;
  footer(pdf, `${organisation} — ${view.title}`, page);

  const textWidth = options.verification ? width - QR_SIZE - mm(6) : width;
  view.issuer.forEach((line, i) =>
    pdf.block('P', () => {
      doc.font(i === 0 ? FONT.bold : FONT.regular).fontSize(i === 0 ? 11 : 8.5).text(line, left, i === 0 ? MARGIN.top : doc.y, { width: textWidth });
    }),
  );
  const afterIssuer = doc.y;
  if (options.verification) {
    const { qr, url } = options.verification;
    pdf.block('Figure', () => drawModules(doc, qr, left + width - QR_SIZE, MARGIN.top, QR_SIZE), { alt: verificationAlt(url) });
    pdf.block('P', () => {
      doc.font(FONT.regular).fontSize(6.5).text(`Vérifiable sur ${url}`, left + width - QR_SIZE - mm(4), MARGIN.top + QR_SIZE + 2, { width: QR_SIZE + mm(4), align: 'center' });
    });
  }
  doc.y = Math.max(afterIssuer, options.verification ? MARGIN.top + QR_SIZE + mm(6) : 0);
  doc.moveDown(0.8);
  pdf.block('H1', () => {
    doc.font(FONT.bold).fontSize(16).text(view.title, left, doc.y, { width });
  });
  pdf.block('P', () => {
    doc.font(FONT.regular).fontSize(8.5).fillColor('#444444')
      .text(`Établi le ${formatFrenchDate(parisDate(options.issuedAt))} — version ${options.version}`, left, doc.y, { width })
      .fillColor('black');
  });

  const ensureRoom = (height: number) => {
    if (doc.y + height <= doc.page.height - MARGIN.bottom) return;
    doc.addPage({ size: 'A4', margins: { ...MARGIN } });
    page += 1;
    footer(pdf, `${organisation} — ${view.title}`, page);
    doc.x = left;
    doc.y = MARGIN.top;
  };

  for (const section of view.sections) {
    doc.moveDown(0.9);
    ensureRoom(doc.currentLineHeight(true) * 4);
    pdf.block('H2', () => {
      doc.font(FONT.bold).fontSize(12).text(section.heading, left, doc.y, { width });
    });
    doc.moveDown(0.3);
    for (const block of section.blocks) drawBlock(pdf, block, width, ensureRoom);
  }
  return pdf.finish();
}

function drawBlock(pdf: TaggedPdf, block: Block, width: number, ensureRoom: (height: number) => void): void {
  const { doc } = pdf;
  const left = MARGIN.left;
  if (block.type === 'p') {
    doc.font(FONT.regular).fontSize(SIZE);
    ensureRoom(doc.heightOfString(block.text, { width }) + 4);
    pdf.block('P', () => {
      doc.text(block.text, left, doc.y, { width, lineGap: 1.5 });
    });
    doc.moveDown(0.3);
    return;
  }
  if (block.type === 'fields') {
    for (const [label, value] of block.items) {
      doc.font(FONT.regular).fontSize(SIZE);
      ensureRoom(doc.heightOfString(`${label} : ${value}`, { width }) + 2);
      pdf.block('P', () => {
        doc.font(FONT.bold).fontSize(SIZE).text(`${label} : `, left, doc.y, { width, continued: true, lineGap: 1.5 }).font(FONT.regular).text(value || ' ');
      });
    }
    doc.moveDown(0.3);
    return;
  }
  drawTable(pdf, block, width, ensureRoom);
}

const CELL = 8.5;
const PAD = 2.5;

function drawTable(pdf: TaggedPdf, block: Extract<Block, { type: 'table' }>, width: number, ensureRoom: (height: number) => void): void {
  const { doc } = pdf;
  // Columns share the width in proportion to their longest text (at least a sixth of an even share).
  doc.font(FONT.regular).fontSize(CELL);
  const natural = block.head.map((h, i) => Math.max(doc.font(FONT.bold).widthOfString(h), ...block.rows.map((r) => doc.font(FONT.regular).widthOfString(r[i] ?? ''))) + 2 * PAD);
  const total = natural.reduce((s, w) => s + w, 0);
  const widths = total <= width ? natural.map((w) => w + (width - total) / natural.length) : natural.map((w) => Math.max(width / natural.length / 6, (w / total) * width));
  const scale = width / widths.reduce((s, w) => s + w, 0);
  const columns = widths.map((w) => w * scale);
  const xs = columns.map((_, i) => MARGIN.left + columns.slice(0, i).reduce((s, w) => s + w, 0));
  const heightOf = (cells: string[], bold: boolean) =>
    Math.max(...cells.map((c, i) => doc.font(bold ? FONT.bold : FONT.regular).fontSize(CELL).heightOfString(c || ' ', { width: columns[i]! - 2 * PAD }))) + 2 * PAD;

  doc.font(FONT.regular).fontSize(SIZE);
  ensureRoom(doc.currentLineHeight(true) + heightOf(block.head, true) + (block.rows[0] ? heightOf(block.rows[0], false) : 0));
  pdf.block('P', () => {
    doc.font(FONT.bold).fontSize(SIZE).text(block.caption, MARGIN.left, doc.y, { width });
  });
  const table = pdf.open('Table');
  const row = (group: ReturnType<typeof table.open>, cells: string[], header: boolean) => {
    const height = heightOf(cells, header);
    ensureRoom(height);
    const y = doc.y;
    const tr = group.open('TR');
    cells.forEach((cell, i) =>
      tr.block(header ? 'TH' : 'TD', () => {
        doc.font(header ? FONT.bold : FONT.regular).fontSize(CELL).text(cell || ' ', xs[i]! + PAD, y + PAD, { width: columns[i]! - 2 * PAD });
      }, header ? { scope: 'Column' } : {}),
    );
    tr.end();
    pdf.artifact(() => {
      doc.save().lineWidth(header ? 0.8 : 0.3).strokeColor(RULE).moveTo(MARGIN.left, y + height).lineTo(MARGIN.left + width, y + height).stroke().restore();
    });
    doc.x = MARGIN.left;
    doc.y = y + height;
  };
  const head = table.open('THead');
  row(head, block.head, true);
  head.end();
  const body = table.open('TBody');
  for (const cells of block.rows) row(body, cells, false);
  body.end();
  table.end();
  doc.moveDown(0.5);
}

const footer = (pdf: TaggedPdf, text: string, page: number): void => runningFooter(pdf, text, page, { left: MARGIN.left, right: MARGIN.right, fromBottom: mm(12) });
