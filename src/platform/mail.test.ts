import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { SMTPServer } from 'smtp-server';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/db.ts';
import { createJobs, InvalidJobPayloadError } from './jobs.ts';
import { createSendEmailJob } from './mail-job.ts';
import { createMailer, listOutbox, MailHeaderError, outboxDir, parseEml, readOutboxMessage, type Mailer } from './mail.ts';
import { waitFor } from '../../test/wait.ts';

const MAIL_FROM = 'Mutuelle Exemple <ne-pas-repondre@mutuelle.example>';
const message = {
  to: 'Zoé Martin <zoe.martin@example.org>',
  subject: 'Votre remboursement de 12,50 € a été versé — décompte n° 2026-0042',
  text: 'Bonjour Zoé,\nVotre remboursement de 12,50 € a été versé.\n',
  html: '<p>Bonjour Zoé,</p><p>Votre remboursement de <b>12,50 €</b> a été versé.</p>',
};

type Received = { raw: string; from: string | undefined; to: string[] };

/** A real SMTP server in-process, without TLS (STARTTLS not offered) and without authentication. */
async function startSmtp(port = 0) {
  const messages: Received[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const mailFrom = session.envelope.mailFrom;
        messages.push({ raw: Buffer.concat(chunks).toString('utf8'), from: mailFrom ? mailFrom.address : undefined, to: session.envelope.rcptTo.map((r) => r.address) });
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.server.address() as AddressInfo).port,
    messages,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}


let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'espace-mail-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('mailer over SMTP', () => {
  it('delivers a multipart message with encoded French headers', async () => {
    const smtp = await startSmtp();
    const mailer = createMailer({ smtpUrl: `smtp://127.0.0.1:${smtp.port}`, mailFrom: MAIL_FROM, dataDir });
    try {
      const { messageId } = await mailer.send({ ...message, idempotencyKey: 'statement:42' });
      expect(smtp.messages).toHaveLength(1);
      const received = smtp.messages[0]!;
      expect(received.from).toBe('ne-pas-repondre@mutuelle.example');
      expect(received.to).toEqual(['zoe.martin@example.org']);
      const parsed = parseEml(received.raw);
      expect(parsed.headers.get('subject')).toBe(message.subject);
      expect(parsed.headers.get('to')).toBe(message.to);
      expect(parsed.headers.get('message-id')).toBe(messageId);
      expect(messageId).toMatch(/^<[0-9a-f]{32}@mutuelle\.example>$/);
      expect(parsed.text).toBe(message.text);
      expect(parsed.html).toBe(message.html);
      expect(parsed.headers.has('bcc')).toBe(false);
      // The same key gives the same Message-ID: a retry is the same message.
      expect((await mailer.send({ ...message, idempotencyKey: 'statement:42' })).messageId).toBe(messageId);
      expect((await mailer.send(message)).messageId).not.toBe(messageId);
    } finally {
      await mailer.close();
      await smtp.close();
    }
  });

  it('refuses CR/LF in headers and more than one recipient (VAL-06), sending nothing', async () => {
    const smtp = await startSmtp();
    const mailer = createMailer({ smtpUrl: `smtp://127.0.0.1:${smtp.port}`, mailFrom: MAIL_FROM, dataDir });
    try {
      await expect(mailer.send({ ...message, subject: 'Bonjour\r\nBcc: victime@example.org' })).rejects.toMatchObject({ name: 'MailHeaderError', field: 'subject', code: 'VALIDATION' });
      await expect(mailer.send({ ...message, subject: 'Bonjour\nX-Injected: 1' })).rejects.toBeInstanceOf(MailHeaderError);
      await expect(mailer.send({ ...message, to: 'zoe@example.org\r\nBcc: victime@example.org' })).rejects.toMatchObject({ field: 'to' });
      await expect(mailer.send({ ...message, to: 'zoe@example.org, victime@example.org' })).rejects.toMatchObject({ field: 'to' });
      expect(smtp.messages).toHaveLength(0);
    } finally {
      await mailer.close();
      await smtp.close();
    }
  });

  it('throws when the SMTP server is down', async () => {
    const smtp = await startSmtp();
    await smtp.close();
    const mailer = createMailer({ smtpUrl: `smtp://127.0.0.1:${smtp.port}`, mailFrom: MAIL_FROM, dataDir });
    await expect(mailer.send(message)).rejects.toThrow();
    await mailer.close();
  });
});

describe('mailer without SMTP (outbox)', () => {
  let mailer: Mailer;
  beforeEach(() => {
    mailer = createMailer({ mailFrom: MAIL_FROM, dataDir });
  });
  afterEach(async () => {
    await mailer.close();
  });

  it('writes a readable .eml that listOutbox lists and readOutboxMessage reads', async () => {
    expect(mailer.mode).toBe('outbox');
    expect(await listOutbox(dataDir)).toEqual([]);
    const { messageId } = await mailer.send(message);
    await new Promise((r) => setTimeout(r, 5));
    await mailer.send({ ...message, subject: 'Second' });
    await writeFile(path.join(outboxDir(dataDir), 'notes.txt'), 'not a message');

    const list = await listOutbox(dataDir);
    expect(list.map((m) => m.subject)).toEqual(['Second', message.subject]); // newest first
    const [, first] = list;
    expect(first).toMatchObject({ to: message.to, subject: message.subject });
    expect(first!.file).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z-[0-9a-f]{16}\.eml$/);
    expect(Math.abs(Date.parse(first!.date) - Date.now())).toBeLessThan(60_000);

    const read = await readOutboxMessage(dataDir, first!.file);
    expect(read).toMatchObject({ from: MAIL_FROM, to: message.to, subject: message.subject, messageId, text: message.text, html: message.html });
    expect(read!.raw).toContain('Content-Type: multipart/alternative');
  });

  it('writes one file per idempotency key', async () => {
    const a = await mailer.send({ ...message, idempotencyKey: 'welcome:7' });
    const b = await mailer.send({ ...message, idempotencyKey: 'welcome:7' });
    expect(b.messageId).toBe(a.messageId);
    expect(await readdir(outboxDir(dataDir))).toHaveLength(1);
  });

  it('reads only its own file names (no path traversal)', async () => {
    await mailer.send(message);
    const [entry] = await listOutbox(dataDir);
    await writeFile(path.join(dataDir, 'secret.eml'), 'Subject: secret\n\nsecret');
    for (const name of ['../secret.eml', `../outbox/${entry!.file}`, '/etc/passwd', 'notes.txt', `${entry!.file}/..`, '2026-01-01T00-00-00-000Z-0000000000000000.eml']) {
      expect(await readOutboxMessage(dataDir, name)).toBeNull();
    }
    expect(await readOutboxMessage(dataDir, entry!.file)).not.toBeNull();
  });

  it('refuses CR/LF in headers, writing nothing', async () => {
    await expect(mailer.send({ ...message, subject: 'a\r\nBcc: victime@example.org' })).rejects.toBeInstanceOf(MailHeaderError);
    await expect(mailer.send({ ...message, to: 'zoe@example.org\nBcc: victime@example.org' })).rejects.toBeInstanceOf(MailHeaderError);
    expect(await listOutbox(dataDir)).toEqual([]);
  });
});

describe('send-email job', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('fails while SMTP is down, keeps the job, and delivers exactly one message on the retry', async () => {
    const db = await createTestDatabase();
    cleanups.push(() => db.close());
    const probe = await startSmtp();
    const port = probe.port;
    await probe.close(); // SMTP is down

    const mailer = createMailer({ smtpUrl: `smtp://127.0.0.1:${port}`, mailFrom: MAIL_FROM, dataDir });
    cleanups.push(() => mailer.close());
    const sendEmail = createSendEmailJob(mailer, Buffer.alloc(32, 7));
    const jobs = await createJobs(db, [sendEmail], { logger: pino({ level: 'silent' }), pollingIntervalSeconds: 0.5 });
    cleanups.push(() => jobs.stop());
    await jobs.startWorkers();

    await expect(db.transaction((tx) => jobs.enqueue(tx, sendEmail, { ...message, subject: 'a\nBcc: victime@example.org' }))).rejects.toBeInstanceOf(InvalidJobPayloadError);
    const id = (await db.transaction((tx) => jobs.enqueue(tx, sendEmail, { ...message, idempotencyKey: 'welcome:42' })))!;

    // RST-01: a mailed link or code never sits in clear in the job table.
    const stored = (await db.query<{ data: Record<string, unknown> }>('SELECT data FROM pgboss.job WHERE id = $1', [id])).rows[0]!.data;
    expect(Object.keys(stored).sort()).toEqual(['idempotencyKey', 'sealed']);
    expect(JSON.stringify(stored)).not.toContain(message.text);
    expect(JSON.stringify(stored)).not.toContain(message.to);

    type Row = { state: string; retry_count: number; retry_limit: number; retry_delay: number; retry_backoff: boolean; output: { message?: string } | null };
    const row = async () => (await db.query<Row>('SELECT state, retry_count, retry_limit, retry_delay, retry_backoff, output FROM pgboss.job WHERE id = $1', [id])).rows[0];
    const failed = await waitFor('the first failure', async () => {
      const r = await row();
      return r?.state === 'retry' ? r : undefined;
    });
    // The default retry settings: 5 attempts in all, backoff from 30 s.
    expect(failed).toMatchObject({ retry_count: 0, retry_limit: 4, retry_delay: 30, retry_backoff: true });
    expect(failed.output?.message).toMatch(/ECONNREFUSED|connect/i);

    const smtp = await startSmtp(port); // SMTP is back
    cleanups.push(() => smtp.close());
    // Move time instead of waiting 30–60 s for the backoff.
    await db.query('UPDATE pgboss.job SET start_after = now() WHERE id = $1', [id]);
    const done = await waitFor('the retry', async () => {
      const r = await row();
      return r?.state === 'completed' ? r : undefined;
    });
    expect(done.retry_count).toBe(1);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(smtp.messages).toHaveLength(1);
    const parsed = parseEml(smtp.messages[0]!.raw);
    expect(parsed.headers.get('subject')).toBe(message.subject);
    expect(parsed.headers.get('message-id')).toMatch(/^<[0-9a-f]{32}@mutuelle\.example>$/);
  });
});
