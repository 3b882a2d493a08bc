import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import addressparser from 'nodemailer/lib/addressparser';

export type MailMessage = { to: string; subject: string; text: string; html: string; idempotencyKey?: string };

export type Mailer = {
  readonly mode: 'smtp' | 'outbox';
  /** Throws when the message cannot be handed over (SMTP down, refused): callers inside a job let it retry. */
  send(message: MailMessage): Promise<{ messageId: string }>;
  close(): Promise<void>;
};

export type MailConfig = { smtpUrl?: string; mailFrom: string; dataDir: string };

/** A header value that could inject headers (CR/LF, VAL-06) or address more than one mailbox. */
export class MailHeaderError extends Error {
  readonly code = 'VALIDATION';
  constructor(
    readonly field: 'to' | 'subject',
    reason: string,
  ) {
    super(`Invalid mail header ${field}: ${reason}`);
    this.name = 'MailHeaderError';
  }
}

export const hasLineBreak = (value: string) => /[\r\n]/.test(value);

function checkHeaders(message: MailMessage): void {
  for (const field of ['to', 'subject'] as const) {
    if (hasLineBreak(message[field])) throw new MailHeaderError(field, 'contains a line break');
  }
  const addresses = addressparser(message.to, { flatten: true });
  if (addresses.length !== 1 || !/^[^\s@]+@[^\s@]+$/.test(addresses[0]!.address)) {
    throw new MailHeaderError('to', 'must be exactly one e-mail address');
  }
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function mailDomain(mailFrom: string): string {
  const address = addressparser(mailFrom, { flatten: true })[0]?.address ?? '';
  return address.split('@')[1] || 'espace-adherent.invalid';
}

// Same idempotency key → same Message-ID: a retried job re-sends the same message, not a second one.
const messageIdFor = (domain: string, key: string | undefined) => `<${key ? sha256(`message-id\u0000${key}`).slice(0, 32) : randomUUID()}@${domain}>`;

function smtpOptions(smtpUrl: string) {
  const url = new URL(smtpUrl);
  const secure = url.protocol === 'smtps:';
  const flag = (name: string) => url.searchParams.get(name) === 'true';
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port ? Number(url.port) : secure ? 465 : 587,
    secure, // smtps: TLS from the start; smtp: STARTTLS when the server offers it (?requireTLS=true to insist, ?ignoreTLS=true to skip)
    requireTLS: flag('requireTLS'),
    ignoreTLS: flag('ignoreTLS'),
    ...(url.username ? { auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } } : {}),
    // Fail fast so that a job fails and retries instead of hanging.
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  };
}

export function createMailer(config: MailConfig): Mailer {
  const domain = mailDomain(config.mailFrom);
  const compose = (message: MailMessage, messageId: string) => ({
    from: config.mailFrom,
    to: message.to,
    subject: message.subject,
    text: message.text,
    html: message.html,
    messageId,
  });

  if (config.smtpUrl) {
    const transport = nodemailer.createTransport(smtpOptions(config.smtpUrl));
    return {
      mode: 'smtp',
      async send(message) {
        checkHeaders(message);
        const messageId = messageIdFor(domain, message.idempotencyKey);
        await transport.sendMail(compose(message, messageId));
        return { messageId };
      },
      async close() {
        transport.close();
      },
    };
  }

  const outbox = outboxDir(config.dataDir);
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true });
  return {
    mode: 'outbox',
    async send(message) {
      checkHeaders(message);
      const messageId = messageIdFor(domain, message.idempotencyKey);
      // With a key, the file name ends with its hash, so a retry finds the message already written.
      const suffix = message.idempotencyKey ? sha256(`outbox\u0000${message.idempotencyKey}`).slice(0, 16) : randomBytes(8).toString('hex');
      await mkdir(outbox, { recursive: true });
      if (message.idempotencyKey && (await listNames(outbox)).some((f) => f.endsWith(`-${suffix}.eml`))) return { messageId };
      const info = await transport.sendMail(compose(message, messageId));
      const file = `${new Date().toISOString().replace(/[:.]/g, '-')}-${suffix}.eml`;
      const tmp = path.join(outbox, `.${file}.tmp`);
      await writeFile(tmp, info.message);
      await rename(tmp, path.join(outbox, file)); // readers never see a half-written file
      return { messageId };
    },
    async close() {
      transport.close();
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Outbox: the embedded default, read by the dev mailbox page.

/** 2026-01-31T09-05-07-123Z-0123456789abcdef.eml: sortable by time, then 16 hex characters (random or key hash). */
export const OUTBOX_FILE = /^(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})-(\d{3})Z-[0-9a-f]{16}\.eml$/;

export const outboxDir = (dataDir: string) => path.join(dataDir, 'outbox');

export type OutboxEntry = { file: string; date: string; to: string; subject: string };
export type OutboxMessage = OutboxEntry & { from: string; messageId: string; text: string; html: string; raw: string };

async function listNames(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((f) => OUTBOX_FILE.test(f));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

function dateOf(file: string): string {
  const [, day, h, m, s, ms] = OUTBOX_FILE.exec(file)!;
  return `${day}T${h}:${m}:${s}.${ms}Z`;
}

/** The outbox's messages, newest first. */
export async function listOutbox(dataDir: string): Promise<OutboxEntry[]> {
  const dir = outboxDir(dataDir);
  const files = (await listNames(dir)).sort().reverse();
  return Promise.all(
    files.map(async (file) => {
      const { headers } = parseEml(await readFile(path.join(dir, file), 'utf8'));
      return { file, date: dateOf(file), to: headers.get('to') ?? '', subject: headers.get('subject') ?? '' };
    }),
  );
}

/** One outbox message, or null when the name is not an outbox file name (no path traversal) or does not exist. */
export async function readOutboxMessage(dataDir: string, file: string): Promise<OutboxMessage | null> {
  if (!OUTBOX_FILE.test(file)) return null;
  let raw: string;
  try {
    raw = await readFile(path.join(outboxDir(dataDir), file), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const { headers, text, html } = parseEml(raw);
  return {
    file,
    date: dateOf(file),
    from: headers.get('from') ?? '',
    to: headers.get('to') ?? '',
    subject: headers.get('subject') ?? '',
    messageId: headers.get('message-id') ?? '',
    text,
    html,
    raw,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// A small reader for the messages nodemailer writes (headers with RFC 2047 words; text and/or html parts,
// quoted-printable, base64 or 7/8 bit). Not a general MIME parser.

export type ParsedEml = { headers: Map<string, string>; text: string; html: string };

export function parseEml(raw: string): ParsedEml {
  const { headers, body } = splitEntity(raw.replace(/\r\n/g, '\n'));
  const parts = { text: '', html: '' };
  collectParts(headers, body, parts);
  const decoded = new Map([...headers].map(([k, v]) => [k, decodeWords(v)]));
  return { headers: decoded, ...parts };
}

function splitEntity(entity: string): { headers: Map<string, string>; body: string } {
  const end = entity.indexOf('\n\n');
  const head = end === -1 ? entity : entity.slice(0, end);
  const body = end === -1 ? '' : entity.slice(end + 2);
  const headers = new Map<string, string>();
  for (const line of head.replace(/\n[ \t]+/g, (m) => m.slice(1)).split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!headers.has(name)) headers.set(name, line.slice(colon + 1).trim());
  }
  return { headers, body };
}

function param(value: string, name: string): string | undefined {
  const match = new RegExp(`;\\s*${name}\\s*=\\s*(?:"([^"]*)"|([^;\\s]+))`, 'i').exec(value);
  return match ? (match[1] ?? match[2]) : undefined;
}

function collectParts(headers: Map<string, string>, body: string, into: { text: string; html: string }): void {
  const type = headers.get('content-type') ?? 'text/plain';
  const mime = type.split(';')[0]!.trim().toLowerCase();
  if (mime.startsWith('multipart/')) {
    const boundary = param(type, 'boundary');
    if (!boundary) return;
    const sections = body.split(`--${boundary}`);
    for (const section of sections.slice(1)) {
      if (section.startsWith('--')) break;
      const part = splitEntity(section.replace(/^\n/, ''));
      collectParts(part.headers, part.body.replace(/\n$/, ''), into);
    }
    return;
  }
  if (mime !== 'text/plain' && mime !== 'text/html') return;
  const bytes = decodeTransfer(body, (headers.get('content-transfer-encoding') ?? '7bit').toLowerCase());
  const content = decodeCharset(bytes, param(type, 'charset'));
  if (mime === 'text/plain' && !into.text) into.text = content;
  if (mime === 'text/html' && !into.html) into.html = content;
}

function decodeTransfer(body: string, encoding: string): Buffer {
  if (encoding === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64');
  if (encoding === 'quoted-printable') return decodeQuotedPrintable(body.replace(/=\n/g, ''));
  return Buffer.from(body, 'utf8');
}

function decodeQuotedPrintable(text: string, underscoreIsSpace = false): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '=' && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c === '_' && underscoreIsSpace) {
      bytes.push(0x20);
    } else {
      bytes.push(...Buffer.from(c, 'utf8'));
    }
  }
  return Buffer.from(bytes);
}

function decodeCharset(bytes: Buffer, charset = 'utf-8'): string {
  try {
    return new TextDecoder(charset).decode(bytes);
  } catch {
    return bytes.toString('utf8');
  }
}

// Adjacent encoded words are joined before decoding (a UTF-8 sequence may straddle two of them).
function decodeWords(value: string): string {
  const tokens = value.split(/(=\?[^?\s]+\?[BbQq]\?[^?\s]*\?=)/);
  let out = '';
  let pending: { charset: string; bytes: Buffer[] } | null = null;
  const flush = () => {
    if (pending) out += decodeCharset(Buffer.concat(pending.bytes), pending.charset);
    pending = null;
  };
  tokens.forEach((token, i) => {
    const word = /^=\?([^?]+)\?([BbQq])\?([^?]*)\?=$/.exec(token);
    if (word) {
      const [, charset, encoding, data] = word;
      const bytes = encoding!.toUpperCase() === 'B' ? Buffer.from(data!, 'base64') : decodeQuotedPrintable(data!, true);
      if (pending && pending.charset.toLowerCase() === charset!.toLowerCase()) pending.bytes.push(bytes);
      else {
        flush();
        pending = { charset: charset!, bytes: [bytes] };
      }
      return;
    }
    // Whitespace between two encoded words is not part of the text (RFC 2047 §6.2).
    if (/^\s*$/.test(token) && i > 0 && i < tokens.length - 1) return;
    flush();
    out += token;
  });
  flush();
  return out;
}
