import pino, { type Logger } from 'pino';

export type { Logger };

// A NIR is 15 characters (13 digits or 2A/2B + key), possibly spaced; an IBAN is 2 letters, 2 digits, then 11–30 alphanumerics.
const NIR_PATTERN = /\b[12378][\s.]?\d{2}[\s.]?\d{2}[\s.]?(?:\d{2}|2[AB])[\s.]?\d{3}[\s.]?\d{3}(?:[\s.]?\d{2})?\b/g;
const IBAN_PATTERN = /\b[A-Z]{2}\d{2}(?:\s?[A-Z0-9]{4}){2,7}(?:\s?[A-Z0-9]{1,4})?\b/g;

/** Masks anything shaped like a NIR or an IBAN (LOG-02), on top of the redaction of known secret fields. */
export function scrubText(text: string): string {
  return text.replace(NIR_PATTERN, '[NIR]').replace(IBAN_PATTERN, '[IBAN]');
}

const SECRET_FIELDS = ['nir', 'iban', 'code', 'accessCode', 'otp', 'token', 'password', 'secret'];

// Known secret fields, at the top level and one level down (pino's wildcard does not cover the top level).
export const REDACTED_PATHS = [
  'req.headers.cookie',
  'req.headers.authorization',
  'res.headers["set-cookie"]',
  ...SECRET_FIELDS,
  ...SECRET_FIELDS.map((field) => `*.${field}`),
];

/** JSON logs; every serialized line is scrubbed before it leaves the process, whatever field or error message carries it. */
export function createLogger(options: { level: string; destination?: { write(line: string): unknown } }): Logger {
  const target = options.destination ?? pino.destination({ dest: 1, sync: false });
  return pino(
    {
      level: options.level,
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      // Query strings may carry tokens: log the path only.
      serializers: {
        req: (req: { method?: string; url?: string; id?: string }) => ({ method: req.method, path: String(req.url ?? '').split('?')[0], id: req.id }),
      },
    },
    { write: (line: string) => target.write(scrubText(line)) },
  );
}
