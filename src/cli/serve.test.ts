import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { TEST_SECRETS } from '../../test/app.ts';
import { createTestDatabase, testDriver } from '../../test/db.ts';
import { waitFor } from '../../test/wait.ts';

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

/** The pids of a process's children, from /proc (Linux). */
function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        return Number(readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]) === pid;
      } catch {
        return false;
      }
    })
    .map(Number);
}

test.runIf(testDriver() === 'postgres')('HTTP_WORKERS=2: two processes share the port, a dead worker is replaced, SIGTERM stops them all with 0', async () => {
  const db = await createTestDatabase();
  const port = 4600 + Math.floor(Math.random() * 400);
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/espace.ts', 'serve'], {
    env: { ...process.env, ...TEST_SECRETS, DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn', DATABASE_URL: db.url!, HTTP_WORKERS: '2' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  try {
    await waitFor('both workers ready', async () => (stdout.includes('prêt') ? true : undefined), 80_000);
    const workers = childrenOf(child.pid!);
    expect(workers).toHaveLength(2);
    expect(await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.status)).toBe(200);

    process.kill(workers[0]!, 'SIGKILL');
    const replaced = await waitFor('a new worker', async () => {
      const now = childrenOf(child.pid!);
      return now.length === 2 && !now.includes(workers[0]!) ? now : undefined;
    }, 60_000);
    expect(replaced).toContain(workers[1]);
    await waitFor('the port answering', () => fetch(`http://127.0.0.1:${port}/healthz`).then((r) => (r.status === 200 ? true : undefined), () => undefined), 60_000);

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(childrenOf(child.pid!)).toEqual([]);
  } finally {
    child.kill('SIGKILL');
    await db.close();
  }
}, 180_000);
