import { expect, test } from 'vitest';
import { createLogger, scrubText } from './logger.ts';

function capture() {
  const lines: string[] = [];
  const logger = createLogger({ level: 'info', destination: { write: (line: string) => lines.push(line) } });
  return { logger, lines };
}

test('LOG-02 a NIR or an IBAN never reaches the log, in a field, a message or an error', () => {
  const { logger, lines } = capture();
  logger.info({ note: 'nir 1 85 01 75 056 123 24', nested: { value: '185017505612324' } }, 'iban FR76 3000 6000 0112 3456 7890 189');
  logger.error({ err: new Error('bad NIR 253072B07300470 / FR7630006000011234567890189') }, 'failed');
  logger.info({ nir: 'anything', code: '123456', token: 'abc' }, 'fields');
  const output = lines.join('');
  for (const secret of ['185017505612324', '1 85 01 75 056 123 24', '253072B07300470', 'FR7630006000011234567890189', 'FR76 3000 6000', '123456', '"abc"']) {
    expect(output).not.toContain(secret);
  }
  expect(output).toContain('[NIR]');
  expect(output).toContain('[IBAN]');
  expect(output).toContain('[redacted]');
});

test('LOG-03 a CR/LF in logged input cannot forge a second log line', () => {
  const { logger, lines } = capture();
  logger.info({ input: 'x\n{"level":30,"msg":"forged"}' }, 'login attempt');
  expect(lines).toHaveLength(1);
  expect(lines[0]!.trimEnd().split('\n')).toHaveLength(1);
});

test('ordinary numbers and dates are left alone', () => {
  expect(scrubText('2026-11-26T14:00:00.000Z took 42 ms')).toBe('2026-11-26T14:00:00.000Z took 42 ms');
});
