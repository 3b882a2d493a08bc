// Cold and warm start of `npm start` on the embedded database, against a bare Node HTTP server started in the same run.
// Usage: npm run bench:startup   (prints the figures; nothing is asserted here)
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const PORT = 3900 + Math.floor(Math.random() * 50);

async function waitForHome(url: string, deadlineMs: number): Promise<void> {
  while (Date.now() < deadlineMs) {
    try {
      const response = await fetch(url);
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not answer in time`);
}

async function timeStart(command: string, args: string[], env: NodeJS.ProcessEnv, url: string): Promise<number> {
  const started = performance.now();
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: 'ignore', detached: true });
  try {
    await waitForHome(url, Date.now() + 180_000);
    return performance.now() - started;
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    process.kill(-child.pid!, 'SIGTERM'); // the whole group: npm and the server it started
    await exited;
  }
}

const dataDir = mkdtempSync(path.join(tmpdir(), 'espace-bench-startup-'));
const env = { DATA_DIR: dataDir, PORT: String(PORT), LOG_LEVEL: 'warn' };
const url = `http://localhost:${PORT}/`;
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const bare = ['-e', `require('node:http').createServer((q, s) => s.end('ok')).listen(${PORT})`];
try {
  const baseline = await timeStart(process.execPath, bare, {}, url);
  const cold = await timeStart(npm, ['start'], env, url);
  const warm = await timeStart(npm, ['start'], env, url);
  const warmAgain = await timeStart(npm, ['start'], env, url);
  const warmBest = Math.min(warm, warmAgain);
  const figures = {
    node: process.version,
    baselineMs: Math.round(baseline),
    coldMs: Math.round(cold),
    warmMs: Math.round(warmBest),
    coldRatio: +(cold / baseline).toFixed(1),
    warmRatio: +(warmBest / baseline).toFixed(1),
  };
  console.log(`bare Node HTTP server: ${figures.baselineMs} ms`);
  console.log(`cold start (migrations + demo seed + listen): ${figures.coldMs} ms (${figures.coldRatio}× baseline; target ≤ 60 000 ms)`);
  console.log(`warm start (best of 2): ${figures.warmMs} ms (${figures.warmRatio}× baseline; target ≤ 5 000 ms)`);
  console.log(JSON.stringify(figures));
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
