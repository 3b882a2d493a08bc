// Member reimbursement pages under load (issue 6 acceptance 4): seeds households on a PostgreSQL server (5 years of
// history), opens 1 000 member sessions, then runs autocannon on loopback against the list page, the detail page and
// the API, each request with a random member's session (read from the database on every request), and, in the same
// run, against a bare Fastify route returning a static HTML string of the list page's size. Prints req/s, p50/p95/p99.
//
// Usage: DATABASE_URL=postgres://… npm run bench:portal   (creates espace_bench_portal_<pid>, drops it at the end)
// Optional: BENCH_HOUSEHOLDS (default 20000), BENCH_YEARS (5), BENCH_MEMBERS (1000), BENCH_SECONDS (30), BENCH_CONNECTIONS (50),
// BENCH_WORKERS (1: the portal's HTTP_WORKERS), BENCH_POOL_SIZE (4 per worker: DATABASE_POOL_SIZE), BENCH_ONLY_LIST=1 (the bare route and the list page only), BENCH_SERVER_NODE_ARGS (e.g. `--cpu-prof`, for the portal's process), BENCH_DATABASE=name: a database kept between runs (created and seeded on the first run, reused after: the seed at
// 20 000 households takes about 20 minutes).
import { spawn } from 'node:child_process';
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { openPostgres } from '../src/db/database.ts';
import { createScratchDatabase, keptDatabase } from './scratch-database.ts';
import { migrate } from '../src/db/migrate.ts';
import { seedDemoData } from '../src/features/demo/seed-demo-data.ts';
import { loadConfig } from '../src/platform/config.ts';

type Latency = { p50: number; p90: number; p97_5: number; p99: number; max: number };
type CannonResult = { requests: { total: number; average: number }; latency: Latency; errors: number; timeouts: number; non2xx: number };
type CannonRequest = { method: string; path: string; headers?: Record<string, string> };
type Cannon = (opts: { url: string; connections: number; duration: number; timeout: number; requests: { method: string; path: string; setupRequest?: (req: CannonRequest) => CannonRequest }[] }) => EventEmitter & PromiseLike<CannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Cannon;

const HOUSEHOLDS = Number(process.env.BENCH_HOUSEHOLDS ?? 20_000);
const YEARS = Number(process.env.BENCH_YEARS ?? 5);
const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 1_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
// BENCH_ONLY_LIST=1: the bare route and the list page only (for profiling one path).
const ONLY_LIST = process.env.BENCH_ONLY_LIST === '1';
const serverUrl = process.env.DATABASE_URL;
if (!serverUrl) {
  process.stderr.write('bench:portal needs a PostgreSQL server: DATABASE_URL=postgres://… npm run bench:portal\n');
  process.exit(2);
}

const scratch = process.env.BENCH_DATABASE ? await keptDatabase(process.env.BENCH_DATABASE, serverUrl) : await createScratchDatabase('portal', serverUrl);
const dataDir = mkdtempSync(path.join(tmpdir(), 'espace-bench-portal-'));
const hex = () => randomBytes(32).toString('hex');
// A kept database holds data sealed with its secrets: they are kept beside it (in the temporary folder), not drawn again.
const secretsFile = process.env.BENCH_DATABASE ? path.join(tmpdir(), `espace-bench-${process.env.BENCH_DATABASE}-secrets.json`) : null;
const secrets: Record<string, string> = secretsFile && existsSync(secretsFile)
  ? JSON.parse(readFileSync(secretsFile, 'utf8'))
  : {
      SESSION_SECRET: hex(), CODE_PEPPER: hex(), DATA_ENCRYPTION_KEY: hex(), BLIND_INDEX_KEY: hex(),
      DOCUMENT_SIGNING_KEYS: JSON.stringify([{ ...generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }), kid: 'bench' }]),
    };
if (secretsFile) writeFileSync(secretsFile, JSON.stringify(secrets), { mode: 0o600 });
const serverEnv: Record<string, string> = {
  NODE_ENV: 'production', PUBLIC_URL: 'http://127.0.0.1', HOST: '127.0.0.1', DATA_DIR: dataDir, DATABASE_URL: scratch.url, LOG_LEVEL: 'warn', ...secrets,
  // One process with 4 connections (twice the cores): on these 2 cores, shared with PostgreSQL and autocannon, a second
  // worker made each page cost about 40 % more CPU (docs/performance.md).
  HTTP_WORKERS: process.env.BENCH_WORKERS ?? '1',
  DATABASE_POOL_SIZE: process.env.BENCH_POOL_SIZE ?? '4',
};
const config = loadConfig(serverEnv);
const root = path.resolve(import.meta.dirname, '..');
const tsxLoader = `--import=${createRequire(import.meta.url).resolve('tsx')}`;

const CLOCK_TICKS_PER_SECOND = 100;
/** CPU seconds (user + system) a process and its children (the portal's workers) have used so far, from /proc (Linux). */
function cpuSecondsOf(pid: number): number {
  const stat = (p: string) => {
    try {
      return readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1]!.split(' ');
    } catch {
      return null;
    }
  };
  const own = stat(String(pid));
  if (!own) return 0;
  const children = readdirSync('/proc').filter((p) => /^\d+$/.test(p) && stat(p)?.[1] === String(pid));
  return [own, ...children.map(stat)].reduce((sum, f) => sum + (f ? (Number(f[11]) + Number(f[12])) / CLOCK_TICKS_PER_SECOND : 0), 0);
}

/** A port free right now on loopback, for a server process to listen on. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    }).on('error', reject);
  });
}

/** Starts a server process on a free port and waits until it prints `ready` (the portal prints its « prêt » banner). */
async function startChild(name: string, args: (port: number) => string[], env: (port: number) => Record<string, string>, ready: string): Promise<{ port: number; pid: number; stop(): Promise<void> }> {
  const port = await freePort();
  const child = spawn(process.execPath, args(port), { cwd: root, env: { ...process.env, ...env(port) }, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes(ready)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`${name} server exited (${code}) before it was ready: ${out}`)));
  });
  return { port, pid: child.pid!, stop: () => new Promise<void>((resolve) => { child.once('exit', () => resolve()); child.kill('SIGTERM'); }) };
}

const db = await openPostgres(scratch.url, 20);

try {
  let started = performance.now();
  await migrate(db);
  const { rows: existing } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM member');
  // A kept database is seeded once; its sessions of earlier runs are dropped so that each run opens exactly MEMBERS.
  if (existing[0]!.n === 0) await seedDemoData(db, { households: HOUSEHOLDS, referenceDate: '2026-11-26', keys: config.secrets, years: YEARS });
  else await db.query('DELETE FROM session');
  const { rows: counts } = await db.query<{ households: number; lines: number; first: string; last: string }>(
    `SELECT (SELECT count(*)::int FROM member) AS households, count(*)::int AS lines, min(care_date)::text AS first, max(care_date)::text AS last FROM claim_line`,
  );
  const c = counts[0]!;
  console.log(`${existing[0]!.n === 0 ? 'seed' : 'reused'}: ${c.households} households, ${c.lines} lines (care ${c.first} → ${c.last}) in ${((performance.now() - started) / 1000).toFixed(0)} s; load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);

  // 1 000 members with an open session (the cookie holds a random id, the table its SHA-256), and one line each for the detail page.
  const { rows: members } = await db.query<{ id: string; line_id: string }>(
    `SELECT m.id, (SELECT c.id FROM claim_line c WHERE c.member_id = m.id ORDER BY c.care_date DESC LIMIT 1) AS line_id
       FROM member m ORDER BY m.member_number LIMIT $1`,
    [MEMBERS],
  );
  const sessions = members.filter((m) => m.line_id).map((m) => ({ cookie: randomBytes(32).toString('base64url'), csrf: randomBytes(32).toString('base64url'), memberId: m.id, lineId: m.line_id }));
  const now = new Date();
  await db.query(
    `INSERT INTO session (id_hash, kind, subject_id, created_at, last_seen_at, absolute_expires_at, ip, user_agent)
     SELECT h, 'member', s, $2, $2, $3, '127.0.0.1', 'bench' FROM unnest($1::text[], $4::uuid[]) AS t(h, s)`,
    [sessions.map((s) => createHash('sha256').update(s.cookie).digest('base64url')), now, new Date(now.getTime() + 4 * 3_600_000), sessions.map((s) => s.memberId)],
  );

  // The portal runs as deployed, `espace serve` in a process of its own; the bare route too; autocannon stays here, so
  // that the load generator never shares an event loop with the server it measures.
  const serverNodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const portal = await startChild('portal', () => [...serverNodeArgs, tsxLoader, path.join(root, 'src/cli/espace.ts'), 'serve'], (port) => ({ ...serverEnv, PORT: String(port) }), 'prêt');
  const base = `http://127.0.0.1:${portal.port}`;
  // What a browser sends back: its session cookie and the anti-CSRF seed cookie the portal gave it on its first page.
  const cookieOf = (i: number) => `__Host-espace-session=${sessions[i % sessions.length]!.cookie}; __Host-espace-csrf=${sessions[i % sessions.length]!.csrf}`;
  const sample = await fetch(`${base}/remboursements`, { headers: { cookie: cookieOf(0) } });
  const listHtml = await sample.text();
  if (sample.status !== 200 || !listHtml.includes('Mes remboursements')) throw new Error(`list page answered ${sample.status}`);

  // The baseline: a bare Fastify server, a static string of the list page's size.
  const bare = await startChild('bare', (port) => [path.join(root, 'bench/bare-server.mjs'), String(port), String(listHtml.length)], () => ({}), 'listening');
  const bareBase = `http://127.0.0.1:${bare.port}`;

  // Where the CPU goes during a run: the server process, the database backends of this database, this process (autocannon).
  const backendPids = async () => (await db.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()')).rows.map((r) => r.pid);
  const run = async (label: string, target: string, pathFor: (i: number) => string, withSession: boolean, serverPid: number) => {
    let next = 0;
    const before = { server: cpuSecondsOf(serverPid), database: new Map((await backendPids()).map((pid) => [pid, cpuSecondsOf(pid)])), client: process.cpuUsage() };
    const result = await autocannon({
      url: target, connections: CONNECTIONS, duration: SECONDS, timeout: 10,
      requests: [{ method: 'GET', path: pathFor(0), setupRequest: (req) => {
        const i = next++;
        const headers: Record<string, string> = withSession ? { cookie: cookieOf(i) } : {};
        return { ...req, path: pathFor(i), headers };
      } }],
    });
    const clientUsage = process.cpuUsage(before.client);
    const database = (await backendPids()).reduce((sum, pid) => sum + cpuSecondsOf(pid) - (before.database.get(pid) ?? 0), 0);
    const perRequest = (seconds: number) => ((seconds * 1000) / Math.max(1, result.requests.total)).toFixed(3);
    const l = result.latency;
    console.log(`${label.padEnd(12)} ${result.requests.average.toFixed(0).padStart(6)} req/s  p50 ${l.p50} ms  p97.5 ${l.p97_5} ms  p99 ${l.p99} ms  max ${l.max} ms  errors ${result.errors}  timeouts ${result.timeouts}  non-2xx ${result.non2xx}` +
      `  | CPU ms/request: server ${perRequest(cpuSecondsOf(serverPid) - before.server)}, database ${perRequest(database)}, autocannon ${perRequest((clientUsage.user + clientUsage.system) / 1e6)}`);
    return result;
  };
  started = performance.now();
  const bareResult = await run('bare route', bareBase, () => '/bare', false, bare.pid);
  const list = await run('list page', base, () => '/remboursements', true, portal.pid);
  if (!ONLY_LIST) {
    await run('detail page', base, (i) => `/remboursements/${sessions[i % sessions.length]!.lineId}`, true, portal.pid);
    await run('API list', base, () => '/api/v1/reimbursements', true, portal.pid);
  }
  // autocannon drops its sockets at the end of each run: let the requests still being handled finish before stopping.
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  console.log(`list page / bare route = ${(list.requests.average / bareResult.requests.average).toFixed(3)} (HTML ${listHtml.length} bytes, ${sessions.length} members, ${CONNECTIONS} connections, ${SECONDS} s each, PostgreSQL; load ${loadavg().map((l) => l.toFixed(2)).join(' ')})`);
  await bare.stop();
  await portal.stop();
} finally {
  await db.close();
  await scratch.drop();
  rmSync(dataDir, { recursive: true, force: true });
}
