/**
 * `espace liquidate [FILE]`: reads a liquidation request (JSON, from FILE or standard input),
 * runs the coverage engine and prints the JSON result. Exit codes: 0 done, 2 invalid input
 * (unreadable file, bad JSON, a field at fault), 1 unexpected failure. See docs/coverage-engine.md.
 */
import { readFile } from 'node:fs/promises';
import { CoverageInputError, liquidate, parseLiquidationInput } from '../../domain/coverage/index.ts';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_INVALID_INPUT = 2;

interface Io {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
}

const USAGE = 'Usage: espace liquidate [FILE]   (JSON request from FILE, or standard input when FILE is absent or "-")\n';

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

function write(stdout: NodeJS.WritableStream, value: unknown): Promise<void> {
  return new Promise((resolve, reject) => {
    stdout.write(`${JSON.stringify(value, null, 2)}\n`, (error) => (error ? reject(error) : resolve()));
  });
}

async function fail(io: Io, exitCode: number, code: string, field: string, message: string): Promise<number> {
  await write(io.stdout, { error: { code, field, message } });
  return exitCode;
}

export async function liquidateCommand(argv: string[], io: Io): Promise<number> {
  if (argv[0] === '--help' || argv[0] === '-h') {
    io.stdout.write(USAGE);
    return EXIT_OK;
  }
  if (argv.length > 1) return fail(io, EXIT_INVALID_INPUT, 'USAGE', '', USAGE.trim());

  const file = argv[0];
  let text: string;
  try {
    text = file === undefined || file === '-' ? await readAll(io.stdin) : await readFile(file, 'utf8');
  } catch (error) {
    return fail(io, EXIT_INVALID_INPUT, 'UNREADABLE_INPUT', 'FILE', `Lecture impossible : ${(error as Error).message}`);
  }

  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return fail(io, EXIT_INVALID_INPUT, 'INVALID_JSON', '', `JSON invalide : ${(error as Error).message}`);
  }

  const input = parseLiquidationInput(data);
  if (!input.ok) return fail(io, EXIT_INVALID_INPUT, input.error.code, input.error.field, input.error.message);

  try {
    await write(io.stdout, liquidate(input.value));
    return EXIT_OK;
  } catch (error) {
    if (error instanceof CoverageInputError) return fail(io, EXIT_INVALID_INPUT, error.code, error.field, error.message);
    return fail(io, EXIT_FAILURE, 'INTERNAL', '', (error as Error).message);
  }
}
