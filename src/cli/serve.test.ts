import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { TEST_SECRETS } from '../../test/app.ts';

const dataDir = mkdtempSync(path.join(tmpdir(), 'espace-serve-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

test('`espace serve` migrates, answers /healthz, and exits 0 on SIGTERM', async () => {
  const port = 4100 + Math.floor(Math.random() * 500);
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/espace.ts', 'serve'], {
    env: { ...process.env, ...TEST_SECRETS, DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn', DATABASE_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  let status = 0;
  for (let i = 0; i < 240 && status !== 200; i++) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    status = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.status, () => 0);
  }
  expect(status, stderr).toBe(200);
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
}, 90_000);
