/**
 * Checked uploads at rest (FILE-05, DATA-02): sealed with AES-256-GCM under DATA_ENCRYPTION_KEY in `stored_file`,
 * owned by one household, reachable only by id through a route that checks the owner (another household → 404).
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { Queryable } from '../../db/database.ts';
import { DecryptionError } from '../../platform/crypto.ts';
import { AppError } from '../../platform/errors.ts';
import type { CheckedFile, MediaType } from './check-upload.ts';

const SEAL_VERSION = 1;

/** version (1 byte) | iv (12) | tag (16) | ciphertext */
export function sealBytes(key: Buffer, plain: Buffer): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([Buffer.from([SEAL_VERSION]), iv, cipher.getAuthTag(), data]);
}

export function openBytes(key: Buffer, sealed: Buffer): Buffer {
  if (sealed[0] !== SEAL_VERSION || sealed.length < 29) throw new DecryptionError('FORMAT');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(1, 13));
    decipher.setAuthTag(sealed.subarray(13, 29));
    return Buffer.concat([decipher.update(sealed.subarray(29)), decipher.final()]);
  } catch {
    throw new DecryptionError('AUTHENTICATION');
  }
}

/** Stores checked files for a household inside the caller's transaction; returns their ids in the same order. */
export async function storeFiles(tx: Queryable, key: Buffer, memberId: string, files: readonly CheckedFile[], now: Date): Promise<string[]> {
  const ids: string[] = [];
  for (const file of files) {
    const { rows } = await tx.query<{ id: string }>(
      `INSERT INTO stored_file (member_id, original_name, media_type, size_bytes, sha256, sealed, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
      [memberId, file.name, file.mediaType, file.data.length, createHash('sha256').update(file.data).digest('hex'), sealBytes(key, file.data), now],
    );
    ids.push(rows[0]!.id);
  }
  return ids;
}

export type StoredFile = { id: string; name: string; mediaType: MediaType; data: Buffer };

/** One of the household's files, opened; any other id (unknown, malformed, another household's) is NOT_FOUND (AC-02). */
export async function readStoredFile(db: Queryable, key: Buffer, memberId: string, fileId: string): Promise<StoredFile> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(fileId)) throw new AppError('NOT_FOUND');
  const { rows } = await db.query<{ id: string; original_name: string; media_type: MediaType; sealed: Uint8Array }>(
    'SELECT id, original_name, media_type, sealed FROM stored_file WHERE id = $1 AND member_id = $2',
    [fileId, memberId],
  );
  const row = rows[0];
  if (!row) throw new AppError('NOT_FOUND');
  return { id: row.id, name: row.original_name, mediaType: row.media_type, data: openBytes(key, Buffer.from(row.sealed)) };
}

const SANDBOX_POLICY = "sandbox; default-src 'none'";

/**
 * Route options of a download: its own CSP replaces the pages' one (route hooks run after the server's), so that a
 * file opened anyway cannot run in our origin.
 */
export const downloadRouteOptions = {
  onSend: async (_request: unknown, reply: { header(name: string, value: string): unknown }, payload: unknown) => {
    reply.header('content-security-policy', SANDBOX_POLICY);
    return payload;
  },
};

/**
 * FILE-05: `attachment` with the RFC 5987 UTF-8 name (and an ASCII fallback), so that no name can break the header,
 * and the file never runs in our origin (nosniff, CSP sandbox).
 */
export function downloadHeaders(file: Pick<StoredFile, 'name' | 'mediaType'>): Record<string, string> {
  const ascii = file.name.normalize('NFD').replace(/[^\x20-\x7e]/g, '').replace(/["\\%]/g, '') || 'document';
  const encoded = encodeURIComponent(file.name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return {
    'content-type': file.mediaType,
    'content-disposition': `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`,
    'x-content-type-options': 'nosniff',
    'content-security-policy': SANDBOX_POLICY,
    'cache-control': 'no-store',
  };
}
