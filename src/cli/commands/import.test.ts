import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { TEST_SECRETS } from '../../../test/app.ts';
import { testDriver } from '../../../test/db.ts';
import { EXAMPLE_LOT } from '../../../test/imports.ts';

const dataDir = mkdtempSync(path.join(tmpdir(), 'espace-import-cli-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function espace(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/espace.ts', ...args], {
    env: { ...process.env, ...TEST_SECRETS, DATA_DIR: dataDir, LOG_LEVEL: 'warn', DATABASE_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

// The embedded data directory is the case here; the PostgreSQL run of the suite would only repeat it.
describe.skipIf(testDriver() === 'postgres')('espace import on a data directory prepared with espace migrate and espace seed', () => {
  beforeAll(async () => {
    expect((await espace(['migrate'])).code).toBe(0);
    expect((await espace(['seed', '--households', '5', '--date', '2026-11-26'])).code).toBe(0);
    writeFileSync(path.join(dataDir, 'example.dcpt1'), EXAMPLE_LOT);
    writeFileSync(path.join(dataDir, 'bad.dcpt1'), EXAMPLE_LOT.replace('|2100|200|', '|2110|200|'));
  }, 120_000);

  test('imports the example lot (exit 0), prints the --json report, and says duplicate the second time', async () => {
    const first = await espace(['import', '--json', path.join(dataDir, 'example.dcpt1')]);
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toEqual({
      lot: '000123', sender: 'CPAM751', status: 'imported', decomptes: 1, lines: 2, matchedLines: 2, unmatchedLines: 0, rejectedLines: 0, amcCents: 1250, errorCount: 0, errors: [],
    });
    expect(first.stderr).toMatch(/liquidation et écriture 100 % \(2 lignes, \d+ lignes\/s\)/);
    const again = await espace(['import', path.join(dataDir, 'example.dcpt1')]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('lot 000123 déjà importé, rien n’a changé');
  }, 60_000);

  test('exit 1 for a rejected lot (copied to inbox/rejected/ with its report), 2 when a file cannot be read', async () => {
    const rejected = await espace(['import', '--json', path.join(dataDir, 'bad.dcpt1')]);
    expect(rejected.code).toBe(1);
    expect(JSON.parse(rejected.stdout)).toMatchObject({ status: 'rejected', lot: '000123', errors: [{ line: 4, code: 'AMO_MISMATCH' }, { line: 6, code: 'TRAILER_SUM_MISMATCH' }] });
    expect(readdirSync(path.join(dataDir, 'inbox', 'rejected')).filter((f) => f.endsWith('-bad.dcpt1.rejet.json'))).toHaveLength(1);

    const missing = await espace(['import', '--json', path.join(dataDir, 'bad.dcpt1'), path.join(dataDir, 'nowhere.dcpt1')]);
    expect(missing.code).toBe(2);
    expect(missing.stdout.trim().split('\n').map((line) => JSON.parse(line).status)).toEqual(['rejected', 'unusable']);
    expect((await espace(['import'])).code).toBe(2);
  }, 60_000);
});
