import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { inflateSync } from 'node:zlib';
import type PdfKit from 'pdfkit';

/**
 * Tagged, PDF/UA-minded documents (pdfkit): title shown by viewers, language fr-FR, every piece of content inside a
 * structure element (H1, H2, P…) or marked as an artifact, fonts embedded.
 *
 * Fonts: DejaVu Sans from the @fontsource/dejavu-sans package (OFL), embedded as subsets. pdfkit's standard Helvetica
 * is not embedded (PDF/UA wants every font embedded) and only knows WinAnsi: it loses the narrow no-break space that
 * French number formatting writes (U+202F) and names such as « Łukasz », « Ștefan » or « Nguyễn ». The app never
 * reads system fonts.
 *
 * FILE-06: data goes in through `text()` as plain strings; nothing here interprets markup or templates.
 */

export const FONT = { regular: 'DejaVuSans', bold: 'DejaVuSans-Bold' } as const;

const require = createRequire(import.meta.url);
let fontCache: { regular: Buffer; bold: Buffer } | undefined;
function fonts(): { regular: Buffer; bold: Buffer } {
  const load = (file: string) => woffToSfnt(readFileSync(require.resolve(`@fontsource/dejavu-sans/files/${file}`)));
  fontCache ??= { regular: load('dejavu-sans-latin-400-normal.woff'), bold: load('dejavu-sans-latin-700-normal.woff') };
  return fontCache;
}

/**
 * WOFF 1.0 → plain TrueType, once per process. fontkit reads WOFF but inflates a table again on every access
 * (about 5 s for one letter); from the unpacked font a letter takes a few tens of milliseconds.
 */
export function woffToSfnt(woff: Buffer): Buffer {
  if (woff.readUInt32BE(0) !== 0x774f4646) throw new Error('not a WOFF 1.0 font');
  const numTables = woff.readUInt16BE(12);
  const tables = Array.from({ length: numTables }, (_, i) => {
    const at = 44 + i * 20;
    const offset = woff.readUInt32BE(at + 4);
    const compLength = woff.readUInt32BE(at + 8);
    const origLength = woff.readUInt32BE(at + 12);
    const raw = woff.subarray(offset, offset + compLength);
    const data = compLength < origLength ? inflateSync(raw) : raw;
    if (data.length !== origLength) throw new Error('corrupt WOFF table');
    return { tag: woff.readUInt32BE(at), checksum: woff.readUInt32BE(at + 16), data };
  });
  const entrySelector = Math.floor(Math.log2(numTables));
  const searchRange = 2 ** entrySelector * 16;
  const header = Buffer.alloc(12 + 16 * numTables);
  header.writeUInt32BE(woff.readUInt32BE(4), 0);
  header.writeUInt16BE(numTables, 4);
  header.writeUInt16BE(searchRange, 6);
  header.writeUInt16BE(entrySelector, 8);
  header.writeUInt16BE(numTables * 16 - searchRange, 10);
  const parts: Buffer[] = [header];
  let offset = header.length;
  tables.forEach((t, i) => {
    header.writeUInt32BE(t.tag, 12 + i * 16);
    header.writeUInt32BE(t.checksum, 16 + i * 16);
    header.writeUInt32BE(offset, 20 + i * 16);
    header.writeUInt32BE(t.data.length, 24 + i * 16);
    const padded = Buffer.alloc((t.data.length + 3) & ~3);
    t.data.copy(padded);
    parts.push(padded);
    offset += padded.length;
  });
  return Buffer.concat(parts);
}

/** Millimetres to PDF points. */
export const mm = (value: number): number => (value * 72) / 25.4;

export type StructureType = 'H1' | 'H2' | 'H3' | 'P' | 'Div' | 'Sect' | 'Note' | 'Figure';
/** Content elements of tables and lists, drawn inside a group (open()). */
export type CellType = 'TH' | 'TD' | 'Lbl' | 'LBody';
/** Elements that hold other elements rather than content: a table, its header, body and rows; a list and its items. */
export type GroupType = 'Sect' | 'Div' | 'Table' | 'THead' | 'TBody' | 'TFoot' | 'TR' | 'L' | 'LI';

/** A place in the structure tree where elements go, in reading order. */
export type StructureGroup = {
  /** A structure element holding whatever `draw` puts on the page; `scope` says what a header cell (TH) heads, `alt` what a Figure shows. */
  block(type: StructureType | CellType, draw: () => void, options?: { scope?: 'Column' | 'Row' | 'Both'; alt?: string }): void;
  /** A structure element holding other elements (a table, a row…); call end() after its last child. */
  open(type: GroupType): StructureGroup & { end(): void };
};

export type TaggedPdfOptions = {
  /** Document title (metadata, shown by viewers instead of the file name). */
  title: string;
  subject?: string;
  author?: string;
  /** Fixed creation date, so that a document rendered twice carries the same metadata. */
  creationDate?: Date;
  margins?: { top: number; bottom: number; left: number; right: number };
};

export type TaggedPdf = StructureGroup & {
  /** The pdfkit document, for layout (position, fonts, sizes); draw content only inside block() or artifact(). */
  readonly doc: PDFKit.PDFDocument;
  /** Decoration that assistive technologies skip: rules, frames (Layout); running headers and footers, repeated table headers (Pagination). */
  artifact(draw: () => void, kind?: 'Layout' | 'Pagination'): void;
  /** Ends the document and returns its bytes. */
  finish(): Promise<Buffer>;
};

export function createTaggedPdf(options: TaggedPdfOptions): TaggedPdf {
  const documentOptions: PDFKit.PDFDocumentOptions = {
    size: 'A4',
    margins: options.margins ?? { top: mm(20), bottom: mm(20), left: mm(20), right: mm(20) },
    pdfVersion: '1.7',
    tagged: true,
    lang: 'fr-FR',
    displayTitle: true,
    info: {
      Title: options.title,
      ...(options.subject ? { Subject: options.subject } : {}),
      ...(options.author ? { Author: options.author } : {}),
      Creator: 'Espace adhérent',
      Producer: 'Espace adhérent (pdfkit)',
      ...(options.creationDate ? { CreationDate: options.creationDate } : {}),
    },
  };
  // PDF/UA-1 identification in the XMP metadata (pdfkit supports it; @types/pdfkit only lists the PDF/A subsets).
  // pdfkit is loaded on first use: importing it costs about 0.3 s of every start-up.
  const PDFDocument = require('pdfkit') as typeof PdfKit;
  const doc = new PDFDocument(Object.assign(documentOptions, { subset: 'PDF/UA' }));
  const f = fonts();
  doc.registerFont(FONT.regular, f.regular);
  doc.registerFont(FONT.bold, f.bold);
  doc.font(FONT.regular);

  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const root = doc.struct('Document');
  doc.addStructure(root);
  let finished = false;

  // Elements are added to an attached parent, so pdfkit runs `draw` at once: content lands where the layout is.
  const groupOf = (element: PDFKit.PDFStructureElement): StructureGroup => ({
    block(type, draw, options) {
      const attributes = { ...(options?.scope ? { scope: options.scope } : {}), ...(options?.alt ? { alt: options.alt } : {}) };
      element.add(doc.struct(type, attributes as Parameters<typeof doc.struct>[1], draw));
    },
    open(type) {
      const child = doc.struct(type);
      element.add(child);
      return Object.assign(groupOf(child), { end: () => child.end() });
    },
  });
  const top = groupOf(root);

  return {
    doc,
    block: top.block,
    open: top.open,
    artifact(draw, kind = 'Layout') {
      doc.markContent('Artifact', { type: kind });
      draw();
      doc.endMarkedContent();
    },
    finish() {
      if (!finished) {
        finished = true;
        root.end();
        doc.end();
      }
      return ended;
    },
  };
}

/** « text — page n » centred in the bottom margin, `fromBottom` points above the page's edge, as a pagination artifact. */
export function runningFooter(pdf: TaggedPdf, text: string, page: number, layout: { left: number; right: number; fromBottom: number }): void {
  const { doc } = pdf;
  const { x, y } = doc;
  const bottom = doc.page.margins.bottom;
  // Text below the bottom margin would make pdfkit open a page: lift the margin while writing.
  doc.page.margins.bottom = 0;
  pdf.artifact(() => {
    doc.font(FONT.regular).fontSize(7.5).fillColor('#555555')
      .text(`${text} — page ${page}`, layout.left, doc.page.height - layout.fromBottom, { width: doc.page.width - layout.left - layout.right, align: 'center', lineBreak: false })
      .fillColor('black');
  }, 'Pagination');
  doc.page.margins.bottom = bottom;
  doc.x = x;
  doc.y = y;
}
