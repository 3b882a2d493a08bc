import pino, { type Logger } from 'pino';

export type { Logger };

// A NIR is 15 characters (13 digits or 2A/2B + key), possibly spaced; an IBAN is 2 letters, 2 digits, then 11–30 alphanumerics.
const NIR_PATTERN = /\b[12378][\s.]?\d{2}[\s.]?\d{2}[\s.]?(?:\d{2}|2[AB])[\s.]?\d{3}[\s.]?\d{3}(?:[\s.]?\d{2})?\b/g;
const IBAN_PATTERN = /\b[A-Z]{2}\d{2}(?:\s?[A-Z0-9]{4}){2,7}(?:\s?[A-Z0-9]{1,4})?\b/g;

/** Masks anything shaped like a NIR or an IBAN in a log string (LOG-02), on top of path redaction. */
export function scrubText(text: string): string {
  return text.replace(NIR_PATTERN, '[NIR]').replace(IBAN_PATTERN, '[IBAN]');
}

function scrub(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1));
  // Requests, errors and the like go through their serializers untouched.
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrub(v, depth + 1)]));
}

export const REDACTED_PATHS = [
  'req.headers.cookie',
  'req.headers.authorization',
  'res.headers["set-cookie"]',
  '*.nir',
  '*.iban',
  '*.code',
  '*.accessCode',
  '*.otp',
  '*.token',
  '*.password',
  '*.secret',
];

export function createLogger(options: { level: string; destination?: pino.DestinationStream }): Logger {
  return pino(
    {
      level: options.level,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      formatters: { log: (object) => scrub(object) as Record<string, unknown> },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((a) => (typeof a === 'string' ? scrubText(a) : a)) as Parameters<typeof method>);
        },
      },
      // Query strings may carry tokens: log the path only.
      serializers: {
        req: (req: { method?: string; url?: string; id?: string }) => ({ method: req.method, path: String(req.url ?? '').split('?')[0], id: req.id }),
      },
    },
    options.destination,
  );
}
