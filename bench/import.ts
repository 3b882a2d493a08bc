// DCPT1 import throughput (issue 5 acceptance 5): seeds households on a PostgreSQL server, generates a lot of
// 1 000 000 lines for them (espace gen-dcpt1), imports it end to end (read, check, match, liquidate, write, commit)
// and prints lines/s. In the same run, the baseline: a raw COPY of the same claim rows into an unindexed table.
//
// Usage: DATABASE_URL=postgres://… npm run bench:import   (creates espace_bench_import_<pid>, drops it at the end)
// Optional: BENCH_LINES (default 1000000), BENCH_HOUSEHOLDS (default 5000). Nothing is asserted here.
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { openPostgres } from '../src/db/database.ts';
import { createScratchDatabase } from './scratch-database.ts';
import { migrate } from '../src/db/migrate.ts';
import { seedDemoData } from '../src/features/demo/seed-demo-data.ts';
import { generateDcpt1 } from '../src/features/imports/generate-dcpt1.ts';
import { loadDcpt1People } from '../src/features/imports/generate-dcpt1-people.ts';
import { importBatch } from '../src/features/imports/import-batch.ts';
import { createLogger } from '../src/platform/logger.ts';

const LINES = Number(process.env.BENCH_LINES ?? 1_000_000);
const HOUSEHOLDS = Number(process.env.BENCH_HOUSEHOLDS ?? 5_000);
const TODAY = '2026-11-26';
const serverUrl = process.env.DATABASE_URL;
if (!serverUrl) {
  process.stderr.write('bench:import needs a PostgreSQL server: DATABASE_URL=postgres://… npm run bench:import\n');
  process.exit(2);
}

const scratch = await createScratchDatabase('import', serverUrl);
const db = await openPostgres(scratch.url, 4);
const workDir = mkdtempSync(path.join(tmpdir(), 'espace-bench-import-'));
const keys = { dataEncryptionKey: randomBytes(32), blindIndexKey: randomBytes(32) };
const logger = createLogger({ level: 'warn' });
const seconds = (since: number) => (performance.now() - since) / 1000;
const perSecond = (n: number, s: number) => Math.round(n / s).toLocaleString('en-US');

try {
  const version = (await db.query<{ v: string }>(`SELECT current_setting('server_version') AS v`)).rows[0]!.v;
  let t = performance.now();
  await migrate(db);
  const seeded = await seedDemoData(db, { households: HOUSEHOLDS, referenceDate: TODAY, keys });
  console.log(`seed: ${seeded.households} households, ${seeded.beneficiaries} beneficiaries, ${seeded.claimLines} history lines in ${seconds(t).toFixed(1)} s`);

  t = performance.now();
  const { people } = await loadDcpt1People(db, keys.dataEncryptionKey, { households: HOUSEHOLDS, today: TODAY, windowDays: 300 });
  const file = path.join(workDir, 'bench.dcpt1');
  const lot = generateDcpt1(people, { lines: LINES, seed: 7, today: TODAY, amcNumber: '123456789', windowDays: 300, unknownShare: 0.01 });
  await pipeline(Readable.from(lot), createWriteStream(file));
  console.log(`generate: ${LINES} lines (${(statSync(file).size / 1e6).toFixed(0)} MB) for ${people.length} beneficiaries in ${seconds(t).toFixed(1)} s`);

  t = performance.now();
  const rss = process.memoryUsage().rss;
  const report = await importBatch(db, { content: createReadStream(file, { highWaterMark: 1 << 20 }), fileName: 'bench.dcpt1', today: TODAY, now: new Date(), keys, logger });
  const importSeconds = seconds(t);
  if (report.status !== 'imported') throw new Error(`bench lot not imported: ${JSON.stringify(report.errors.slice(0, 3))}`);
  const endToEnd = report.lines / importSeconds;
  console.log(`import: ${report.lines} lines (${report.matchedLines} liquidated, ${report.unmatchedLines} à rapprocher, ${report.rejectedLines} rejected) in ${importSeconds.toFixed(1)} s = ${perSecond(report.lines, importSeconds)} lines/s end to end; RSS +${Math.round((process.memoryUsage().rss - rss) / 1e6)} MB`);

  // Baseline: the same claim rows, exported, then COPY'd into a table with no index, key or constraint.
  const rowsFile = path.join(workDir, 'claim_line.copy');
  const client = await db.pool.connect();
  try {
    await client.query(`CREATE TABLE bench_raw_claim_line (LIKE claim_line INCLUDING DEFAULTS)`);
    await pipeline(client.query(copyTo(`COPY (SELECT c.* FROM claim_line c JOIN statement s ON s.id = c.statement_id JOIN import_batch b ON b.id = s.batch_id WHERE b.file_name = 'bench.dcpt1') TO STDOUT`)), createWriteStream(rowsFile));
    t = performance.now();
    await pipeline(createReadStream(rowsFile, { highWaterMark: 1 << 20 }), client.query(copyFrom(`COPY bench_raw_claim_line FROM STDIN`)));
    const copySeconds = seconds(t);
    const raw = (await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM bench_raw_claim_line`)).rows[0]!.n;
    const rawRate = raw / copySeconds;
    console.log(`raw COPY: ${raw} rows (${(statSync(rowsFile).size / 1e6).toFixed(0)} MB) into an unindexed table in ${copySeconds.toFixed(1)} s = ${perSecond(raw, copySeconds)} rows/s`);
    console.log(`ratio: end-to-end import = ${(endToEnd / rawRate).toFixed(2)} × raw COPY (PostgreSQL ${version})`);
  } finally {
    client.release();
  }
} finally {
  await db.close();
  await scratch.drop();
  rmSync(workDir, { recursive: true, force: true });
}
