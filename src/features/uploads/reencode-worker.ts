/** Worker thread entry of reencodeOffThread: re-encodes one image and posts the result back. */
import { parentPort, workerData } from 'node:worker_threads';
import { reencodeImage, type ReencodeRequest } from './reencode-image.ts';

const { data, mediaType, name } = workerData as ReencodeRequest;
parentPort!.postMessage(reencodeImage(Buffer.from(data.buffer, data.byteOffset, data.byteLength), mediaType, name));
