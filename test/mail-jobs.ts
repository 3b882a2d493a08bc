import type { Queryable } from '../src/db/database.ts';
import { decryptField } from '../src/platform/crypto.ts';
import { TEST_SECRETS } from './app.ts';

export type QueuedEmail = { to: string; subject: string; text: string; html: string };

const key = Buffer.from(TEST_SECRETS.DATA_ENCRYPTION_KEY, 'hex');

/** Every email enqueued so far, oldest first: the send-email jobs' payloads, unsealed with the test key. */
export async function queuedEmails(db: Queryable, to?: string): Promise<QueuedEmail[]> {
  const { rows } = await db.query<{ data: { sealed: string } }>(`SELECT data FROM pgboss.job WHERE name = 'send-email' ORDER BY created_on, id`);
  return rows.map((r) => JSON.parse(decryptField(key, r.data.sealed)) as QueuedEmail).filter((m) => !to || m.to === to);
}
