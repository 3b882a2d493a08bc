import { deflateSync } from 'node:zlib';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { describe, expect, test } from 'vitest';
import { checkUpload, sanitizeFileName, type UploadLimits } from './check-upload.ts';
import { downloadHeaders, openBytes, sealBytes } from './file-store.ts';
import { craftedPdf, exeBytes, htmlBytes, jpegWithGps, pngBomb, pngWithText, realPdf, svgBytes, zipBytes } from './upload-fixtures.ts';

const limits: UploadLimits = { maxFileBytes: 10 * 1024 * 1024, maxFiles: 5 };
const check = (name: string, data: Buffer, truncated = false) => checkUpload({ name, data, truncated }, limits);

async function refusedWith(name: string, data: Buffer, truncated = false) {
  const result = await check(name, data, truncated);
  if (result.ok) throw new Error(`${name} was accepted`);
  return result.problem;
}

describe('FILE-01 type from the content, extension agreeing, size limit', () => {
  test('FILE-01 a PNG renamed .pdf is refused: the content says PNG', async () => {
    const problem = await refusedWith('feuille.pdf', pngWithText());
    expect(problem.code).toBe('FILE_TYPE_MISMATCH');
    expect(problem.message).toContain('PNG');
  });

  test('FILE-01 an executable renamed .pdf, HTML renamed .png, an SVG and a ZIP are refused', async () => {
    expect((await refusedWith('facture.pdf', exeBytes())).code).toBe('FILE_TYPE_REFUSED');
    expect((await refusedWith('photo.png', htmlBytes())).code).toBe('FILE_TYPE_REFUSED');
    expect((await refusedWith('dessin.svg', svgBytes())).code).toBe('FILE_TYPE_REFUSED');
    const zip = await refusedWith('documents.zip', zipBytes());
    expect(zip.code).toBe('FILE_TYPE_REFUSED');
    expect(zip.message).toMatch(/ni un PDF, ni une image JPEG ou PNG \(son contenu est de type ZIP\)/);
  });

  test('FILE-01 a file of 10 MB + 1 byte is refused with the limit in French; 10 MB exactly is not refused for its size', async () => {
    const over = await refusedWith('scan.pdf', Buffer.concat([await realPdf(), Buffer.alloc(limits.maxFileBytes + 1)]));
    expect(over).toEqual({ code: 'FILE_TOO_LARGE', message: expect.stringContaining('dépasse 10 Mo') });
    // What the multipart parser reports when it cut a file off at the limit.
    expect((await refusedWith('scan.pdf', Buffer.alloc(10), true)).code).toBe('FILE_TOO_LARGE');
    const pdf = await realPdf();
    const padded = Buffer.concat([pdf.subarray(0, pdf.length - 6), Buffer.alloc(limits.maxFileBytes - pdf.length), pdf.subarray(pdf.length - 6)]);
    expect(padded.length).toBe(limits.maxFileBytes);
    expect((await check('scan.pdf', padded)).ok).toBe(true);
  });

  test('FILE-01 an empty file is refused; upper-case and .jpeg extensions are accepted', async () => {
    expect((await refusedWith('vide.pdf', Buffer.alloc(0))).code).toBe('FILE_EMPTY');
    expect((await check('PHOTO.JPG', jpegWithGps())).ok).toBe(true);
    expect((await check('photo.jpeg', jpegWithGps())).ok).toBe(true);
  });
});

describe('FILE-02 PDFs without active content', () => {
  test('FILE-02 a real PDF is kept byte for byte', async () => {
    const pdf = await realPdf();
    const result = await check('facture.pdf', pdf);
    expect(result.ok && result.file.data.equals(pdf)).toBe(true);
    expect(result.ok && result.file.mediaType).toBe('application/pdf');
  });

  test.each([
    ['/OpenAction << /S /JavaScript /JS (app.alert(1)) >>', 'FILE_PDF_ACTIVE_CONTENT'],
    ['/OpenAction << /S /Java#53cript /J#53 (app.alert(1)) >>', 'FILE_PDF_ACTIVE_CONTENT'],
    ['/OpenAction << /S /Launch /F (cmd.exe) >>', 'FILE_PDF_ACTIVE_CONTENT'],
    ['/Names << /EmbeddedFiles << /Names [(a.exe) 5 0 R] >> >>', 'FILE_PDF_ACTIVE_CONTENT'],
    ['/Encrypt 9 0 R', 'FILE_PDF_ENCRYPTED'],
  ])('FILE-02 a PDF with %s is refused', async (extra, code) => {
    const problem = await refusedWith('facture.pdf', craftedPdf(extra));
    expect(problem.code).toBe(code);
    expect(problem.message).toMatch(code === 'FILE_PDF_ENCRYPTED' ? /mot de passe/ : /contenu actif/);
  });

  test('FILE-02 JavaScript hidden in a compressed object stream is found', async () => {
    const hidden = deflateSync(Buffer.from('5 0 obj << /S /JavaScript /JS (this.exportDataObject()) >> endobj'));
    expect((await refusedWith('facture.pdf', craftedPdf('', hidden))).code).toBe('FILE_PDF_ACTIVE_CONTENT');
    const harmless = deflateSync(Buffer.from('BT /F1 12 Tf (Facture) Tj ET'));
    expect((await check('facture.pdf', craftedPdf('', harmless))).ok).toBe(true);
  });

  test('FILE-02 a polyglot (PDF with a ZIP inside) and a truncated PDF are refused', async () => {
    const pdf = await realPdf();
    const polyglot = Buffer.concat([pdf.subarray(0, 200), zipBytes(), pdf.subarray(200)]);
    expect((await refusedWith('facture.pdf', polyglot)).code).toBe('FILE_PDF_ACTIVE_CONTENT');
    expect((await refusedWith('facture.pdf', pdf.subarray(0, pdf.length - 200))).code).toBe('FILE_UNREADABLE');
  });
});

describe('FILE-03 images re-encoded without metadata', () => {
  test('FILE-03 EXIF with a GPS position is removed from a JPEG; the picture is kept', async () => {
    const original = jpegWithGps();
    expect(original.includes(Buffer.from('Exif'))).toBe(true);
    const result = await check('ordonnance.jpg', original);
    if (!result.ok) throw new Error(result.problem.message);
    const stored = result.file.data;
    expect(stored.includes(Buffer.from('Exif'))).toBe(false);
    expect(stored.includes(Buffer.from([0xff, 0xe1]))).toBe(false); // no APP1 segment at all
    expect(stored.includes(Buffer.from('MM\u0000*', 'latin1'))).toBe(false);
    const decoded = jpeg.decode(stored, { useTArray: true });
    expect([decoded.width, decoded.height]).toEqual([64, 48]);
    expect(result.file.mediaType).toBe('image/jpeg');
  });

  test('FILE-03 text chunks are removed from a PNG; pixels unchanged', async () => {
    const original = pngWithText();
    const result = await check('scan.png', original);
    if (!result.ok) throw new Error(result.problem.message);
    expect(result.file.data.includes(Buffer.from('tEXt'))).toBe(false);
    expect(result.file.data.includes(Buffer.from('48.8584'))).toBe(false);
    expect(PNG.sync.read(result.file.data).data.equals(PNG.sync.read(original).data)).toBe(true);
  });

  test('FILE-03 a decompression bomb is refused before decoding, a damaged image is refused', async () => {
    expect((await refusedWith('bombe.png', pngBomb())).code).toBe('FILE_TOO_MANY_PIXELS');
    const photo = jpegWithGps();
    expect((await refusedWith('photo.jpg', photo.subarray(0, 400))).code).toBe('FILE_UNREADABLE');
  });
});

describe('FILE-05 names and download headers', () => {
  test('FILE-05 names like ../../x, a"\\r\\nX: y.pdf and 300 unicode characters become safe display names', () => {
    expect(sanitizeFileName('../../x')).toBe('x');
    expect(sanitizeFileName('..\\..\\windows\\system.ini')).toBe('system.ini');
    expect(sanitizeFileName('a"\r\nX: y.pdf')).toBe('aX y.pdf');
    const long = sanitizeFileName(`${'é'.repeat(300)}.pdf`);
    expect([...long].length).toBe(120);
    expect(long.endsWith('é.pdf')).toBe(true);
    expect(sanitizeFileName('\u202e\u0000')).toBe('document');
  });

  test('FILE-05 the download is an attachment with an encoded name, nosniff and a sandbox CSP', () => {
    for (const raw of ['a"\r\nX: y.pdf', 'Facture n°12 (été).pdf', `${'ü'.repeat(300)}.png`]) {
      const headers = downloadHeaders({ name: sanitizeFileName(raw), mediaType: 'application/pdf' });
      for (const value of Object.values(headers)) expect(value).not.toMatch(/[\r\n]/);
      expect(headers['content-disposition']).toMatch(/^attachment; filename="[\x20-\x7e]*"; filename\*=UTF-8''[A-Za-z0-9%._~!-]+$/);
      expect(headers['x-content-type-options']).toBe('nosniff');
      expect(headers['content-security-policy']).toMatch(/^sandbox/);
    }
    expect(downloadHeaders({ name: 'Facture (été).pdf', mediaType: 'application/pdf' })['content-disposition']).toContain("filename*=UTF-8''Facture%20%28%C3%A9t%C3%A9%29.pdf");
  });

  test('DATA-02 sealed bytes hide the content and any flipped byte fails to open', () => {
    const key = Buffer.alloc(32, 7);
    const plain = Buffer.from('%PDF-1.7 Facture de Madame Exemple');
    const sealed = sealBytes(key, plain);
    expect(sealed.includes(Buffer.from('Facture'))).toBe(false);
    expect(openBytes(key, sealed).equals(plain)).toBe(true);
    sealed[sealed.length - 1]! ^= 1;
    expect(() => openBytes(key, sealed)).toThrow();
  });
});

describe('image re-encoding off the main thread', () => {
  test('the event loop keeps turning while a photo is re-encoded (the decoding runs in a worker thread)', async () => {
    let turns = 0;
    let counting = true;
    const tick = () => {
      turns++;
      if (counting) setImmediate(tick);
    };
    setImmediate(tick);
    const result = await check('photo.jpg', jpegWithGps(1600, 1200));
    counting = false;
    expect(result.ok).toBe(true);
    // On the main thread the decoding would hold the loop from start to end: a handful of turns at most.
    expect(turns).toBeGreaterThan(50);
  });
});
