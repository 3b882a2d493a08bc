import { z } from 'zod';
import { decryptField, encryptField } from './crypto.ts';
import { defineJob, type JobDefinition } from './jobs.ts';
import { hasLineBreak, type Mailer } from './mail.ts';

export const SEND_EMAIL_JOB = 'send-email';

const headerValue = z
  .string()
  .min(1)
  .refine((v) => !hasLineBreak(v), 'must not contain a line break');

export const sendEmailPayload = z.object({
  to: headerValue,
  subject: headerValue,
  text: z.string(),
  html: z.string(),
  /** Same key → same Message-ID (and one outbox file). Defaults to the job id, which is stable across retries. */
  idempotencyKey: z.string().min(1).optional(),
});

export type SendEmailPayload = z.infer<typeof sendEmailPayload>;

/**
 * Sends one email through the given mailer; a send that throws (SMTP down) fails the job, which pg-boss retries.
 * The message is sealed (AES-256-GCM) in the job table: it may hold a reset link or a one-time code (RST-01).
 */
export function createSendEmailJob(mailer: Mailer, dataEncryptionKey: Buffer): JobDefinition<SendEmailPayload> {
  return defineJob({
    name: SEND_EMAIL_JOB,
    payload: sendEmailPayload,
    sealing: {
      seal: ({ idempotencyKey, ...message }) => ({ sealed: encryptField(dataEncryptionKey, JSON.stringify(message)), ...(idempotencyKey ? { idempotencyKey } : {}) }),
      unseal: (stored) => {
        const { sealed, ...rest } = stored as { sealed: string; idempotencyKey?: string };
        return { ...(JSON.parse(decryptField(dataEncryptionKey, sealed)) as object), ...rest };
      },
    },
    async handler(payload, { jobId, log }) {
      const { messageId } = await mailer.send({ ...payload, idempotencyKey: payload.idempotencyKey ?? `job:${jobId}` });
      log.info({ messageId, mode: mailer.mode }, 'email sent');
    },
  });
}
