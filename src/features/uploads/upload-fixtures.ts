/**
 * Test files for the upload checks, made in memory: a JPEG carrying GPS EXIF, a PNG with a text chunk, real and
 * crafted PDFs, and things that are not what their name says.
 */
import { deflateSync, crc32 } from 'node:zlib';
import jpeg from 'jpeg-js';
import PDFDocument from 'pdfkit';
import { PNG } from 'pngjs';

function pixels(width: number, height: number): Buffer {
  const data = Buffer.alloc(width * height * 4);
  for (let i = 0; i < width * height; i++) data.set([(i * 7) % 256, (i * 3) % 256, 128, 255], i * 4);
  return data;
}

/** EXIF (big-endian TIFF) whose IFD0 points to a GPS IFD: latitude N 48° 51′ 30″. */
export function gpsExif(): Buffer {
  const tiff = Buffer.alloc(26 + 2 + 24 + 4 + 24);
  tiff.write('MM\u0000*', 0, 'latin1');
  tiff.writeUInt32BE(8, 4);
  tiff.writeUInt16BE(1, 8); // IFD0: one entry
  tiff.writeUInt16BE(0x8825, 10);
  tiff.writeUInt16BE(4, 12); // GPSInfo, LONG
  tiff.writeUInt32BE(1, 14);
  tiff.writeUInt32BE(26, 18); // GPS IFD offset
  tiff.writeUInt32BE(0, 22);
  tiff.writeUInt16BE(2, 26); // GPS IFD: two entries
  tiff.writeUInt16BE(0x0001, 28);
  tiff.writeUInt16BE(2, 30); // GPSLatitudeRef, ASCII
  tiff.writeUInt32BE(2, 32);
  tiff.write('N\u0000', 36, 'latin1');
  tiff.writeUInt16BE(0x0002, 40);
  tiff.writeUInt16BE(5, 42); // GPSLatitude, RATIONAL ×3
  tiff.writeUInt32BE(3, 44);
  tiff.writeUInt32BE(56, 48);
  tiff.writeUInt32BE(0, 52);
  [48, 1, 51, 1, 30, 1].forEach((v, i) => tiff.writeUInt32BE(v, 56 + i * 4));
  return Buffer.concat([Buffer.from('Exif\u0000\u0000', 'latin1'), tiff]);
}

/** A photo as a phone would send it: GPS position in an APP1 EXIF segment. */
export function jpegWithGps(width = 64, height = 48): Buffer {
  const plain = jpeg.encode({ width, height, data: pixels(width, height) }, 90).data;
  const exif = gpsExif();
  const app1 = Buffer.alloc(4);
  app1.writeUInt16BE(0xffe1, 0);
  app1.writeUInt16BE(exif.length + 2, 2);
  // Right after SOI (FF D8).
  return Buffer.concat([plain.subarray(0, 2), app1, exif, plain.subarray(2)]);
}

function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** A PNG with a tEXt chunk (where editors put authors, places, software). */
export function pngWithText(text = 'Location\u0000 48.8584 N 2.2945 E', width = 32, height = 24): Buffer {
  const png = new PNG({ width, height });
  pixels(width, height).copy(png.data);
  const plain = PNG.sync.write(png);
  const iend = plain.length - 12;
  return Buffer.concat([plain.subarray(0, iend), pngChunk('tEXt', Buffer.from(text, 'latin1')), plain.subarray(iend)]);
}

/** A PNG header announcing 100 000 × 100 000 pixels (a decompression bomb), with a tiny body. */
export function pngBomb(): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(100_000, 0);
  ihdr.writeUInt32BE(100_000, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pngChunk('IHDR', ihdr), pngChunk('IDAT', deflateSync(Buffer.alloc(10))), pngChunk('IEND', Buffer.alloc(0))]);
}

/** A real one-page PDF (pdfkit: compressed content stream). */
export function realPdf(text = 'Facture acquittée — 80,00 €'): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4', info: { Title: 'Facture' } });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.text(text.replace(/[^\x20-\x7e]/g, '?'));
    doc.end();
  });
}

/** A hand-written PDF with `extra` in its catalogue (e.g. `/OpenAction << /S /JavaScript /JS (app.alert(1)) >>`). */
export function craftedPdf(extra: string, streamBody?: Buffer): Buffer {
  const stream = streamBody ? `3 0 obj << /Length ${streamBody.length} /Filter /FlateDecode >>\nstream\n` : '';
  return Buffer.concat([
    Buffer.from(`%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R ${extra} >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n${stream}`, 'latin1'),
    streamBody ?? Buffer.alloc(0),
    Buffer.from(`${streamBody ? '\nendstream endobj\n' : ''}trailer << /Root 1 0 R >>\n%%EOF\n`, 'latin1'),
  ]);
}

export const exeBytes = (): Buffer => Buffer.concat([Buffer.from('MZ\u0090\u0000\u0003\u0000\u0000\u0000\u0004\u0000', 'latin1'), Buffer.alloc(60), Buffer.from('PE\u0000\u0000', 'latin1'), Buffer.alloc(200)]);
export const htmlBytes = (): Buffer => Buffer.from('<!DOCTYPE html><html><body><script>alert(1)</script></body></html>');
export const svgBytes = (): Buffer => Buffer.from('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="10" height="10"/></svg>');
/** An empty ZIP archive (end-of-central-directory record only) with one stored entry before it. */
export function zipBytes(): Buffer {
  const name = Buffer.from('a.txt');
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(name.length, 26);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  return Buffer.concat([local, name, end]);
}
