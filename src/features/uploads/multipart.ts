/**
 * Multipart forms with files, for the routes of one Fastify scope (register inside `app.register`): fields arrive as
 * strings in `request.body` (so the CSRF check and zod see them as in any form), files as `IncomingFile`s. A body
 * announcing more than the files allowed is refused before it is read; a file past the size limit is cut off while
 * it streams and reported on its field, so the form can be shown again with everything else the member typed.
 */
import fastifyMultipart, { type MultipartFile } from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../../platform/errors.ts';
import { megabytes, type IncomingFile, type UploadLimits } from './check-upload.ts';

/** Room for the text fields and the multipart boundaries around the files. */
const FORM_OVERHEAD_BYTES = 256 * 1024;

export function maxRequestBytes(limits: UploadLimits): number {
  return limits.maxFiles * limits.maxFileBytes + FORM_OVERHEAD_BYTES;
}

export async function registerMultipart(scope: FastifyInstance, limits: UploadLimits): Promise<void> {
  await scope.register(fastifyMultipart, {
    attachFieldsToBody: 'keyValues',
    throwFileSizeLimit: false,
    // One file more than allowed is still read, so that the answer can say « 5 fichiers au plus » on the form.
    limits: { fileSize: limits.maxFileBytes, files: limits.maxFiles + 1, fields: 30, fieldSize: 4096, parts: limits.maxFiles + 31, headerPairs: 100 },
    async onFile(part: MultipartFile) {
      const data = await part.toBuffer();
      (part as MultipartFile & { value: IncomingFile }).value = { name: part.filename, data, truncated: part.file.truncated };
    },
  });
  // The parser's own complaints about a cut or malformed body are plain Errors: the member's fault, not ours (never a 500).
  scope.setErrorHandler((error: Error) => {
    if (!('statusCode' in error) && /^(Unexpected end of|Multipart: |Malformed)/.test(error.message)) {
      throw new AppError('BAD_REQUEST', 'Le formulaire est arrivé incomplet ou mal formé : rechargez la page, puis envoyez de nouveau.');
    }
    throw error;
  });
  // Refused on the announced length, before a byte of the body is parsed.
  scope.addHook('onRequest', async (request) => {
    const length = Number(request.headers['content-length'] ?? 0);
    if (length > maxRequestBytes(limits)) {
      throw new AppError('PAYLOAD_TOO_LARGE', `L’envoi dépasse la taille permise : ${limits.maxFiles} fichiers de ${megabytes(limits.maxFileBytes)} au plus. Réduisez la taille des fichiers, puis réessayez.`);
    }
  });
}

const isIncoming = (value: unknown): value is IncomingFile => typeof value === 'object' && value !== null && Buffer.isBuffer((value as IncomingFile).data);

/** The files sent in one field (none, one or several); the empty part a browser sends when no file was chosen is dropped. */
export function filesOf(request: FastifyRequest, field: string): IncomingFile[] {
  const value = (request.body as Record<string, unknown> | undefined)?.[field];
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return list.filter(isIncoming).filter((f) => f.name !== '' || f.data.length > 0);
}

/** The text fields of a multipart body (files left out), for zod. */
export function textFieldsOf(request: FastifyRequest): Record<string, string> {
  const body = (request.body ?? {}) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(body).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}
