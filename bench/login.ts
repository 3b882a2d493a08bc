// Concurrent logins (issue 4 acceptance 4, REL-07): autocannon on POST /api/v1/auth/login over loopback, 500 seeded
// accounts with known codes, 20 connections, 30 s. Prints requests/s, p50/p95/p99 latency, errors and non-2xx, the
// event-loop delay, and the time of one argon2id verification measured in the same run (ratio p95 / verification).
//
// Each account has one trusted device (its cookie is sent), so the flow measured is NIR + code → session, without the
// emailed new-device step. The server runs in-process with TRUST_PROXY=127.0.0.1 and each account logs in from its own
// X-Forwarded-For address, so the per-IP limits (THR-03) do not trip.
//
// ENUM-02 timing parity, after the load: 200 sequential logins per case (unknown NIR, wrong code, locked account),
// interleaved so that the machine's load drifts over all three alike, each from its own address; prints the median of
// each case, the differences and ratios to the unknown-NIR median (target |Δ median| < 10 ms, security.md).
//
// Usage: npm run bench:login                       (embedded PGlite, in memory)
//        DATABASE_URL=postgres://… npm run bench:login   (creates espace_bench_login_<pid> on that server, drops it at the end)
// Optional: BENCH_SECONDS (default 30), BENCH_CONNECTIONS (default 20). Nothing is asserted here.
import { randomBytes } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import pg from 'pg';
import { openPglite, openPostgres, type Database } from '../src/db/database.ts';
import { migrate } from '../src/db/migrate.ts';
import { insertOrganisation } from '../src/db/repositories/organisation.ts';
import { createHouseholdMember } from '../src/features/auth/recovery-test-kit.ts';
import { rememberDevice } from '../src/features/auth/new-device.ts';
import { ACCESS_CODE_ARGON2, hashAccessCode, verifyAccessCode } from '../src/platform/access-code-hash.ts';
import { createApp, createPlatform } from '../src/platform/app.ts';
import { generateDocumentSigningKey, loadConfig } from '../src/platform/config.ts';
import { createLogger } from '../src/platform/logger.ts';
import { computeNirKey } from '../src/domain/identity/nir.ts';

// autocannon ships no types: the part used here.
type Latency = { p50: number; p90: number; p97_5: number; p99: number; max: number };
type CannonResult = { requests: { total: number; average: number }; latency: Latency; errors: number; timeouts: number; non2xx: number };
type CannonRequest = { method: string; path: string; headers?: Record<string, string>; body?: string };
type Cannon = (opts: {
  url: string; connections: number; duration: number; timeout: number;
  requests: { method: string; path: string; setupRequest: (req: CannonRequest) => CannonRequest }[];
}) => EventEmitter & PromiseLike<CannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Cannon;

const ACCOUNTS = 500;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);
const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

const dataDir = mkdtempSync(path.join(tmpdir(), 'espace-bench-login-'));
const hex = () => randomBytes(32).toString('hex');
const config = loadConfig({
  NODE_ENV: 'production', PUBLIC_URL: 'http://127.0.0.1', DATA_DIR: dataDir, TRUST_PROXY: '127.0.0.1', LOG_LEVEL: 'warn',
  SESSION_SECRET: hex(), CODE_PEPPER: hex(), DATA_ENCRYPTION_KEY: hex(), BLIND_INDEX_KEY: hex(),
  DOCUMENT_SIGNING_KEYS: JSON.stringify([generateDocumentSigningKey('bench')]),
});

// --- A fresh database ----------------------------------------------------------------------------------------------
let db: Database;
let dropDatabase = async () => {};
const serverUrl = process.env.DATABASE_URL;
if (serverUrl) {
  const name = `espace_bench_login_${process.pid}`;
  const admin = new URL(serverUrl);
  admin.pathname = '/postgres';
  const run = async (sql: string) => {
    const client = new pg.Client({ connectionString: admin.toString() });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await run(`CREATE DATABASE ${name}`);
  dropDatabase = () => run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  db = await openPostgres(url.toString(), 10);
} else {
  db = await openPglite(undefined);
}

const logger = createLogger({ level: 'warn' });
let closeAll = async () => {};
try {
  await migrate(db);
  const organisationId = (
    await insertOrganisation(db, {
      name: 'Mutuelle Bench', amcNumber: '987654321', addressLine1: '1 rue du Test', addressLine2: null, postalCode: '69003', city: 'Lyon', phone: '04 00 00 00 00', professionalPhone: null, email: null,
    })
  ).id;

  // --- 500 accounts, each with its own known code and one trusted device ----------------------------------------
  const keys = { dataEncryptionKey: config.secrets.dataEncryptionKey, blindIndexKey: config.secrets.blindIndexKey };
  const seedStarted = performance.now();
  const accounts: { memberId: string; nir: string; code: string; deviceToken: string; ip: string }[] = [];
  for (let batch = 0; batch < ACCOUNTS; batch += 4) {
    const made = await Promise.all(
      Array.from({ length: Math.min(4, ACCOUNTS - batch) }, async (_, k) => {
        const i = batch + k;
        const code = String(100_000 + ((i * 7919) % 900_000));
        const member = await createHouseholdMember(db, keys, { organisationId, email: 'verified', code, pepper: config.secrets.codePepper });
        const { token } = await rememberDevice(db, member.memberId, UA, new Date());
        return { memberId: member.memberId, nir: member.nir, code, deviceToken: token, ip: `10.77.${i >> 8}.${i & 255}` };
      }),
    );
    accounts.push(...made);
  }
  const seedMs = performance.now() - seedStarted;

  // --- One argon2id verification, measured before the load (median of 15) -------------------------------------------
  const hash = await hashAccessCode('582913', config.secrets.codePepper);
  const samples: number[] = [];
  for (let i = 0; i < 15; i++) {
    const started = performance.now();
    await verifyAccessCode(hash, '582913', config.secrets.codePepper);
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  const verifyMs = samples[Math.floor(samples.length / 2)]!;

  // --- The server, in-process on loopback ---------------------------------------------------------------------------
  const { jobs, mailer, jobDefinitions } = await createPlatform(config, db, logger);
  const server = await createApp({ config, db, logger, jobs, jobDefinitions });
  await server.listen({ host: '127.0.0.1', port: 0 });
  closeAll = async () => {
    await server.close();
    await jobs.stop();
    await mailer.close();
  };
  const address = server.server.address() as { port: number };
  const base = `http://127.0.0.1:${address.port}`;

  // The CSRF seed cookie and its token (no session cookie is ever sent back, so the token stays valid).
  const first = await fetch(`${base}/api/v1/auth/session`);
  const csrfCookie = /__Host-espace-csrf=([^;]+)/.exec(first.headers.get('set-cookie') ?? '')![1]!;
  const { csrfToken } = (await first.json()) as { csrfToken: string };

  // Warm-up and a check that the flow measured is the one intended.
  const request = (i: number) => {
    const a = accounts[i % ACCOUNTS]!;
    return {
      method: 'POST' as const,
      path: '/api/v1/auth/login',
      headers: {
        'content-type': 'application/json',
        'user-agent': UA,
        'x-csrf-token': csrfToken,
        'x-forwarded-for': a.ip,
        cookie: `__Host-espace-csrf=${csrfCookie}; __Host-espace-appareil=${a.deviceToken}`,
      },
      body: JSON.stringify({ nir: a.nir, code: a.code }),
    };
  };
  const probe = request(0);
  const check = await fetch(`${base}${probe.path}`, { method: 'POST', headers: probe.headers, body: probe.body });
  const checkBody = await check.text();
  if (check.status !== 200 || !checkBody.includes('AUTHENTICATED') || checkBody.includes('DEVICE_CHECK')) throw new Error(`unexpected login answer ${check.status} ${checkBody}`);

  let next = 0;
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  const times: number[] = [];
  const instance = autocannon({
    url: base,
    connections: CONNECTIONS,
    duration: SECONDS,
    timeout: 10,
    requests: [{ method: 'POST', path: '/api/v1/auth/login', setupRequest: (req) => ({ ...req, ...request(next++) }) }],
  });
  instance.on('response', (_client: unknown, _status: number, _bytes: number, ms: number) => times.push(ms));
  const result = await instance;
  lag.disable();
  // autocannon drops its sockets at the end; the requests still being handled finish before anything closes.
  for (let waited = 0; waited < 20_000; waited += 200) {
    const { rows: pending } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM login_attempt WHERE outcome = 'PENDING'`);
    if (pending[0]!.n === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await new Promise((resolve) => setTimeout(resolve, 500));

  const { rows } = await db.query<{ outcome: string; n: number }>(`SELECT outcome, count(*)::int AS n FROM login_attempt GROUP BY outcome ORDER BY outcome`);

  // --- ENUM-02: timing parity of the three refusals, one request at a time ------------------------------------------
  const PARITY_SAMPLES = 200;
  const lockedAccounts = accounts.slice(ACCOUNTS - 20);
  await db.query(`UPDATE member_credential SET locked_until_reset = true WHERE member_id = ANY($1::uuid[])`, [lockedAccounts.map((a) => a.memberId)]);
  const unknownNir = (i: number) => {
    const body = `1${50 + (i % 40)}0575${100_100 + i}`;
    return body + computeNirKey(body);
  };
  const cases = {
    unknownNir: (i: number) => ({ nir: unknownNir(i), code: '582913' }),
    // Accounts 0…199 get one wrong code each: far from the 3-failure lock.
    wrongCode: (i: number) => ({ nir: accounts[i]!.nir, code: accounts[i]!.code === '999999' ? '999998' : '999999' }),
    locked: (i: number) => ({ nir: lockedAccounts[i % lockedAccounts.length]!.nir, code: lockedAccounts[i % lockedAccounts.length]!.code }),
  };
  const parity: Record<keyof typeof cases, number[]> = { unknownNir: [], wrongCode: [], locked: [] };
  for (let i = 0; i < PARITY_SAMPLES; i++) {
    for (const name of Object.keys(cases) as (keyof typeof cases)[]) {
      const headers = { ...request(0).headers, cookie: `__Host-espace-csrf=${csrfCookie}`, 'x-forwarded-for': `10.88.${Object.keys(cases).indexOf(name)}.${i}` };
      const started = performance.now();
      const answer = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers, body: JSON.stringify(cases[name](i)) });
      await answer.arrayBuffer();
      parity[name].push(performance.now() - started);
      if (answer.status !== 401) throw new Error(`ENUM-02 ${name}: expected 401, got ${answer.status}`);
    }
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const medians = Object.fromEntries(Object.entries(parity).map(([name, values]) => [name, +median(values).toFixed(1)])) as Record<keyof typeof cases, number>;
  const timingParity = {
    samplesPerCase: PARITY_SAMPLES,
    medianMs: medians,
    deltaMs: { wrongCode: +(medians.wrongCode - medians.unknownNir).toFixed(1), locked: +(medians.locked - medians.unknownNir).toFixed(1) },
    ratio: { wrongCode: +(medians.wrongCode / medians.unknownNir).toFixed(3), locked: +(medians.locked / medians.unknownNir).toFixed(3) },
    loadAverage1m: +loadavg()[0]!.toFixed(1),
  };

  const p = result.latency;
  const figures = {
    date: new Date().toISOString().slice(0, 10),
    node: process.version,
    driver: serverUrl ? 'postgres' : 'pglite',
    accounts: ACCOUNTS,
    connections: CONNECTIONS,
    seconds: SECONDS,
    seedSeconds: +(seedMs / 1000).toFixed(1),
    requests: result.requests.total,
    requestsPerSecond: +result.requests.average.toFixed(1),
    latencyMs: { p50: p.p50, p90: p.p90, p97_5: p.p97_5, p99: p.p99, max: p.max },
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    argon2VerifyMs: +verifyMs.toFixed(1),
    argon2Params: ACCESS_CODE_ARGON2,
    eventLoopDelayP99Ms: +(lag.percentile(99) / 1e6).toFixed(1),
    loginAttempts: Object.fromEntries(rows.map((r) => [r.outcome, r.n])),
    timingParity,
  };
  // autocannon reports p90, p97.5 and p99 but no p95: p95 is computed from every response time it reported.
  times.sort((a, b) => a - b);
  const p95Ms = times.length > 0 ? Math.round(times[Math.min(times.length - 1, Math.floor(times.length * 0.95))]!) : NaN;
  const p95 = p95Ms;
  console.log(`driver ${figures.driver}, ${ACCOUNTS} accounts (seeded in ${figures.seedSeconds} s), ${CONNECTIONS} connections, ${SECONDS} s, Node ${process.version}`);
  console.log(`requests/s: ${figures.requestsPerSecond} (${figures.requests} requests)`);
  console.log(`latency: p50 ${p.p50} ms, p90 ${p.p90} ms, p95 ${p95} ms, p99 ${p.p99} ms, max ${p.max} ms`);
  console.log(`errors: ${result.errors}, timeouts: ${result.timeouts}, non-2xx: ${result.non2xx}`);
  console.log(`one argon2id verification (m=${ACCESS_CODE_ARGON2.memoryCost} KiB, t=${ACCESS_CODE_ARGON2.timeCost}, p=${ACCESS_CODE_ARGON2.parallelism}): ${figures.argon2VerifyMs} ms (median of 15, idle)`);
  console.log(`p95 / one verification: ${(p95Ms / verifyMs).toFixed(1)} (target ≤ 4); p50 / one verification: ${(p.p50 / verifyMs).toFixed(1)}`);
  console.log(`event-loop delay p99: ${figures.eventLoopDelayP99Ms} ms; login_attempt outcomes: ${JSON.stringify(figures.loginAttempts)}`);
  console.log(
    `ENUM-02 timing parity (${PARITY_SAMPLES} sequential logins per case, load ${timingParity.loadAverage1m}): median unknown NIR ${medians.unknownNir} ms, ` +
      `wrong code ${medians.wrongCode} ms (Δ ${timingParity.deltaMs.wrongCode} ms, ×${timingParity.ratio.wrongCode}), ` +
      `locked ${medians.locked} ms (Δ ${timingParity.deltaMs.locked} ms, ×${timingParity.ratio.locked}); target |Δ| < 10 ms`,
  );
  console.log(JSON.stringify({ ...figures, latencyMs: { ...figures.latencyMs, p95: p95Ms } }));
} finally {
  await closeAll();
  await db.close();
  await dropDatabase();
  rmSync(dataDir, { recursive: true, force: true });
}
