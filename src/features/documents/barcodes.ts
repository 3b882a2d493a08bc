/**
 * The codes of the documents as grids of modules, drawn as vectors in the PDFs (sharper, and several times faster
 * than embedding a PNG): the AMC DataMatrix (bwip-js) and the verification QR (qrcode, level M like the
 * verification feature's own image).
 */
import bwipjs from 'bwip-js';
import QRCode from 'qrcode';

export type Modules = { modules: boolean[]; columns: number; rows: number; quietZone: number };

/** Square ECC 200 DataMatrix of `payload` (domain.md §5.1 text, ASCII); one module of quiet zone is the minimum, two are drawn. */
export function dataMatrixModules(payload: string): Modules {
  const [symbol] = bwipjs.raw('datamatrix', payload, {}) as { pixs: number[]; pixx: number; pixy: number }[];
  if (!symbol) throw new Error('DataMatrix: no symbol');
  return { modules: symbol.pixs.map((p) => p === 1), columns: symbol.pixx, rows: symbol.pixy, quietZone: 2 };
}

/**
 * The QR code of `text` at error correction M, with the four-module quiet zone the standard asks for. One byte-mode
 * segment and a fixed mask: a valid symbol, without the search for the best segmentation and mask that took most of
 * its time (the verification URL is byte data anyway).
 */
export function qrModules(text: string): Modules {
  const { modules } = QRCode.create([{ data: Buffer.from(text, 'utf8'), mode: 'byte' }], { errorCorrectionLevel: 'M', maskPattern: 0 });
  return { modules: Array.from(modules.data, (d) => d === 1), columns: modules.size, rows: modules.size, quietZone: 4 };
}

/**
 * Draws the code in a square of `size` points at (x, y), quiet zone included, on a white ground. Each run of dark
 * modules in a row is one rectangle, written as one path: a few hundred operators rather than thousands of calls.
 */
export function drawModules(doc: PDFKit.PDFDocument, code: Modules, x: number, y: number, size: number): void {
  const unit = size / (Math.max(code.columns, code.rows) + 2 * code.quietZone);
  const left = x + code.quietZone * unit;
  const top = y + code.quietZone * unit;
  const n = (v: number) => Math.round(v * 1000) / 1000;
  const path: string[] = [];
  for (let row = 0; row < code.rows; row++) {
    let start = -1;
    for (let column = 0; column <= code.columns; column++) {
      const dark = column < code.columns && code.modules[row * code.columns + column]!;
      if (dark && start < 0) start = column;
      if (!dark && start >= 0) {
        path.push(`${n(left + start * unit)} ${n(top + row * unit)} ${n((column - start) * unit)} ${n(unit)} re`);
        start = -1;
      }
    }
  }
  doc.save().rect(x, y, size, size).fill('white').fillColor('black');
  // pdfkit's page transform already maps these top-left coordinates, as its own rect() does.
  doc.addContent(path.join('\n'));
  doc.fill().restore();
}

/** An inline SVG of the modules, quiet zone included; `label` is its accessible name. */
export function modulesSvg(code: Modules, label: string): string {
  const q = code.quietZone;
  const path = code.modules.map((dark, i) => (dark ? `M${(i % code.columns) + q} ${Math.floor(i / code.columns) + q}h1v1h-1z` : '')).join('');
  const escaped = label.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
  const w = code.columns + 2 * q;
  const h = code.rows + 2 * q;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${h}" width="${w * 4}" height="${h * 4}" role="img" aria-label="${escaped}"><rect width="100%" height="100%" fill="#fff"/><path d="${path}" fill="#000"/></svg>`;
}
