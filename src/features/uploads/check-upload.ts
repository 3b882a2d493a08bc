/**
 * What an uploaded file must pass before it is kept (security.md FILE-01…03), shared by every feature that accepts
 * files (paper claims now; messages and requests next): the type read from the content and matching the name's
 * extension, the size, PDFs without active content, images decoded and re-encoded so that no metadata survives.
 */
import { inflateSync } from 'node:zlib';
import { fileTypeFromBuffer } from 'file-type';
import { reencodeOffThread } from './reencode-image.ts';

export type UploadLimits = { maxFileBytes: number; maxFiles: number };

export type MediaType = 'application/pdf' | 'image/jpeg' | 'image/png';

/** A file as the multipart parser hands it over; `truncated` when it went past the size limit. */
export type IncomingFile = { name: string; data: Buffer; truncated: boolean };

/** A file that passed: the bytes to keep (re-encoded for images) and its sanitised name. */
export type CheckedFile = { name: string; mediaType: MediaType; data: Buffer };

/** Stable codes of a refused file, each with its French message (the API returns them per file). */
export type UploadProblemCode = 'FILE_EMPTY' | 'FILE_TOO_LARGE' | 'FILE_TYPE_REFUSED' | 'FILE_TYPE_MISMATCH' | 'FILE_PDF_ACTIVE_CONTENT' | 'FILE_PDF_ENCRYPTED' | 'FILE_UNREADABLE' | 'FILE_TOO_MANY_PIXELS';
export type UploadProblem = { code: UploadProblemCode; message: string };

const EXTENSIONS: Record<MediaType, readonly string[]> = { 'application/pdf': ['pdf'], 'image/jpeg': ['jpg', 'jpeg'], 'image/png': ['png'] };

/** « 10 Mo » */
export function megabytes(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  return `${Number.isInteger(mb) ? mb : mb.toFixed(1).replace('.', ',')} Mo`;
}

/**
 * The name kept for display and for Content-Disposition (FILE-05): last path segment only, no control or quote
 * characters, Unicode NFC, at most 120 characters with the extension kept. Never used to build a path.
 */
export function sanitizeFileName(raw: string): string {
  const base = raw.normalize('NFC').split(/[/\\]/).pop() ?? '';
  const clean = base
    .replace(/[\p{Cc}\p{Cf}"'<>|*?:;]/gu, '')
    .replace(/\s+/g, ' ')
    .replace(/^[ .]+|[ .]+$/g, '');
  if (!clean) return 'document';
  const chars = [...clean];
  if (chars.length <= 120) return clean;
  const dot = clean.lastIndexOf('.');
  const extension = dot > 0 && clean.length - dot <= 6 ? clean.slice(dot) : '';
  return [...clean.slice(0, clean.length - extension.length)].slice(0, 120 - extension.length).join('') + extension;
}

function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

const refused = (code: UploadProblemCode, message: string) => ({ ok: false as const, problem: { code, message } });

/** Checks one file (FILE-01…03): a checked copy to keep, or the reason it is refused. */
export async function checkUpload(file: IncomingFile, limits: UploadLimits): Promise<{ ok: true; file: CheckedFile } | { ok: false; problem: UploadProblem }> {
  const name = sanitizeFileName(file.name);
  if (file.truncated || file.data.length > limits.maxFileBytes) {
    return refused('FILE_TOO_LARGE', `« ${name} » dépasse ${megabytes(limits.maxFileBytes)} : réduisez-le (photo moins grande, PDF compressé) ou envoyez-le en plusieurs parties.`);
  }
  if (file.data.length === 0) return refused('FILE_EMPTY', `« ${name} » est vide.`);
  // FILE-01: the type comes from the bytes; the name's extension must agree with it.
  const detected = await fileTypeFromBuffer(file.data);
  const mediaType = detected && detected.mime in EXTENSIONS ? (detected.mime as MediaType) : null;
  if (!mediaType) {
    return refused('FILE_TYPE_REFUSED', `« ${name} » n’est ni un PDF, ni une image JPEG ou PNG${detected ? ` (son contenu est de type ${detected.ext.toUpperCase()})` : ''}. Envoyez un PDF, une photo JPEG ou une image PNG.`);
  }
  if (!EXTENSIONS[mediaType].includes(extensionOf(name))) {
    return refused('FILE_TYPE_MISMATCH', `« ${name} » contient en réalité un fichier ${EXTENSIONS[mediaType][0]!.toUpperCase()} : son nom doit se terminer par .${EXTENSIONS[mediaType].join(' ou .')}.`);
  }
  if (mediaType === 'application/pdf') {
    const problem = pdfProblem(file.data, name);
    return problem ? { ok: false, problem } : { ok: true, file: { name, mediaType, data: file.data } };
  }
  const image = await reencodeOffThread(file.data, mediaType, name);
  return 'problem' in image ? { ok: false, problem: image.problem } : { ok: true, file: { name, mediaType, data: image.data } };
}

// FILE-02: names of active content or encryption, with `#xx` escapes in PDF names decoded first (/Java#53cript).
const PDF_FORBIDDEN: readonly [RegExp, UploadProblemCode][] = [
  [/\/Encrypt\b/, 'FILE_PDF_ENCRYPTED'],
  [/\/(?:JavaScript|JS|Launch|EmbeddedFiles?|RichMedia|XFA)\b/, 'FILE_PDF_ACTIVE_CONTENT'],
];

/** FILE-02: a real PDF (header, end marker), no active content or encryption, also inside compressed streams; no ZIP riding along (polyglot). */
export function pdfProblem(data: Buffer, name: string): UploadProblem | null {
  const text = data.toString('latin1');
  if (!/^%PDF-[12]\.\d/.test(text) || !text.slice(-2048).includes('%%EOF')) {
    return { code: 'FILE_UNREADABLE', message: `« ${name} » n’est pas un PDF complet : enregistrez-le de nouveau, puis réessayez.` };
  }
  if (text.includes('PK\u0003\u0004')) {
    return { code: 'FILE_PDF_ACTIVE_CONTENT', message: `« ${name} » contient une archive cachée : enregistrez le document de nouveau en PDF (« Imprimer » puis « Enregistrer au format PDF »).` };
  }
  for (const chunk of [text, ...inflatedStreams(data)]) {
    const names = chunk.replace(/#([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    for (const [pattern, code] of PDF_FORBIDDEN) {
      if (!pattern.test(names)) continue;
      return code === 'FILE_PDF_ENCRYPTED'
        ? { code, message: `« ${name} » est protégé par un mot de passe : enregistrez-le sans protection, puis réessayez.` }
        : { code, message: `« ${name} » contient du contenu actif (script, pièce jointe ou lancement de programme) : enregistrez le document de nouveau en PDF (« Imprimer » puis « Enregistrer au format PDF »).` };
    }
  }
  return null;
}

/** The Flate-compressed streams of a PDF, inflated (object streams can hide dictionaries); unreadable ones skipped. */
function* inflatedStreams(data: Buffer): Generator<string> {
  let from = 0;
  for (;;) {
    const start = data.indexOf('stream', from, 'latin1');
    if (start < 0) return;
    let body = start + 6;
    if (data[body] === 0x0d) body++;
    if (data[body] === 0x0a) body++;
    const end = data.indexOf('endstream', body, 'latin1');
    if (end < 0) return;
    from = end + 9;
    if (data.toString('latin1', start - 3, start) === 'end') continue;
    try {
      yield inflateSync(data.subarray(body, end), { finishFlush: 2 /* Z_SYNC_FLUSH: tolerate trailing bytes */, maxOutputLength: 64 * 1024 * 1024 }).toString('latin1');
    } catch {
      // Not Flate, or damaged: its raw bytes were scanned with the rest of the file.
    }
  }
}
