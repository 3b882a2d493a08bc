/**
 * FILE-03 image re-encoding, run in a worker thread: pure-JS decoding of a phone photo takes seconds of CPU, which
 * on the main thread would stall every other request of the process.
 */
import { Worker } from 'node:worker_threads';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import type { UploadProblem } from './check-upload.ts';

/** Beyond this an image is refused before decoding (a small file can inflate to gigabytes of pixels). */
export const MAX_IMAGE_MEGAPIXELS = 40;
const JPEG_QUALITY = 88;
/** At most this many images are decoded at once (each may hold hundreds of megabytes of pixels); others wait. */
const MAX_CONCURRENT_WORKERS = 2;

type Reencoded = { data: Buffer } | { problem: UploadProblem };
export type ReencodeRequest = { data: Uint8Array; mediaType: 'image/jpeg' | 'image/png'; name: string };

const WORKER_FILE = new URL('./reencode-worker.ts', import.meta.url).href;
// The worker loads TypeScript through tsx, as bin/espace.js does for the main thread.
const WORKER_BOOT = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(WORKER_FILE)}); })`;

let running = 0;
const waiting: (() => void)[] = [];

/** reencodeImage in a worker thread, at most MAX_CONCURRENT_WORKERS at a time. */
export async function reencodeOffThread(data: Buffer, mediaType: ReencodeRequest['mediaType'], name: string): Promise<Reencoded> {
  if (running >= MAX_CONCURRENT_WORKERS) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    const request: ReencodeRequest = { data, mediaType, name };
    const result = await new Promise<Reencoded>((resolve, reject) => {
      const worker = new Worker(WORKER_BOOT, { eval: true, workerData: request });
      worker.once('message', (message: { data: Uint8Array } | { problem: UploadProblem }) =>
        resolve('data' in message ? { data: Buffer.from(message.data.buffer, message.data.byteOffset, message.data.byteLength) } : message));
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`image re-encoding worker exited with code ${code}`)));
    });
    return result;
  } finally {
    running--;
    waiting.shift()?.();
  }
}

/** FILE-03: decode to pixels and encode again: EXIF, GPS, comments and any trailing payload are left behind. */
export function reencodeImage(data: Buffer, mediaType: 'image/jpeg' | 'image/png', name: string): { data: Buffer } | { problem: UploadProblem } {
  const unreadable = { problem: { code: 'FILE_UNREADABLE' as const, message: `« ${name} » est une image abîmée ou illisible : prenez une nouvelle photo, puis réessayez.` } };
  const tooBig = { problem: { code: 'FILE_TOO_MANY_PIXELS' as const, message: `« ${name} » est une image trop grande (plus de ${MAX_IMAGE_MEGAPIXELS} millions de pixels) : réduisez sa taille, puis réessayez.` } };
  try {
    if (mediaType === 'image/png') {
      // IHDR is the first chunk: width and height at bytes 16 and 20, read before anything is inflated.
      if (data.length < 24 || data.readUInt32BE(16) * data.readUInt32BE(20) > MAX_IMAGE_MEGAPIXELS * 1e6) return tooBig;
      const decoded = PNG.sync.read(data);
      const clean = new PNG({ width: decoded.width, height: decoded.height });
      decoded.data.copy(clean.data);
      return { data: PNG.sync.write(clean) };
    }
    const decoded = jpeg.decode(data, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: MAX_IMAGE_MEGAPIXELS, maxMemoryUsageInMB: 512 });
    // A fresh object: jpeg-js would write back an `exifBuffer` found on the one it decoded.
    return { data: jpeg.encode({ width: decoded.width, height: decoded.height, data: decoded.data }, JPEG_QUALITY).data };
  } catch (error) {
    return error instanceof Error && /maxResolutionInMP|maxMemoryUsageInMB/.test(error.message) ? tooBig : unreadable;
  }
}
