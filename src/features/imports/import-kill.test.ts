import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { TEST_SECRETS, testConfig } from '../../../test/app.ts';
import { createTestDatabase, testDriver, type TestDatabase } from '../../../test/db.ts';
import { fingerprint } from '../../../test/imports.ts';
import { waitFor } from '../../../test/wait.ts';
import { seedDemoData } from '../demo/seed-demo-data.ts';
import { generateDcpt1 } from './generate-dcpt1.ts';
import { loadDcpt1People } from './generate-dcpt1-people.ts';

const LINES = 100_000;
const TODAY = new Date().toISOString().slice(0, 10);
const keys = testConfig().secrets;

/** Runs `espace import FILE`; with `killAt`, SIGKILLs it once its progress line shows that share of the writing done. */
function importProcess(db: TestDatabase, file: string, dataDir: string, killAt?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/espace.ts', 'import', file], {
    env: { ...process.env, ...TEST_SECRETS, DATA_DIR: dataDir, DATABASE_URL: db.url!, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    const written = [...stderr.matchAll(/liquidation et écriture (\d+) %/g)].map((m) => Number(m[1]));
    if (killAt !== undefined && written.some((percent) => percent >= killAt)) child.kill('SIGKILL');
  });
  return new Promise((resolve) => child.once('close', (code, signal) => resolve({ code, signal, stderr })));
}

// Fault tests run on a PostgreSQL server (architecture.md: PGlite is the demo database, not the one killed mid-write).
describe.skipIf(testDriver() !== 'postgres')('REL-01 import killed mid-way', () => {
  let db: TestDatabase;
  let workDir: string;
  let file: string;
  let trailer: { statements: number; lines: number; chargedCents: number };

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedDemoData(db, { households: 60, referenceDate: TODAY, keys });
    workDir = mkdtempSync(path.join(tmpdir(), 'espace-kill-'));
    file = path.join(workDir, 'lot.dcpt1');
    const { people } = await loadDcpt1People(db, keys.dataEncryptionKey, { households: 60, today: TODAY, windowDays: 300 });
    const lot = generateDcpt1(people, { lines: LINES, seed: 11, today: TODAY, amcNumber: '123456789', windowDays: 300, unknownShare: 0.02, batchNumber: 'KILL01' });
    await pipeline(Readable.from(lot), createWriteStream(file));
    trailer = lot.summary!.trailer;
  }, 120_000);
  afterAll(async () => {
    await db.close();
    rmSync(workDir, { recursive: true, force: true });
  });

  test.each([10, 50, 90])('REL-01 SIGKILL once %i percent of the lines are written leaves no row of the lot and no lock', async (percent) => {
    const before = await fingerprint(db);
    const run = await importProcess(db, file, workDir, percent);
    expect(run.signal, run.stderr).toBe('SIGKILL');
    expect(run.stderr).toMatch(new RegExp(`liquidation et écriture ${percent} %`));
    await waitFor('the killed session to end', async () => {
      // Only this test's database: other databases of a shared server take locks of their own.
      const { rows } = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_locks
          WHERE database = (SELECT oid FROM pg_database WHERE datname = current_database())
            AND (locktype = 'advisory' OR (locktype = 'relation' AND mode LIKE '%Exclusive%' AND granted AND pid <> pg_backend_pid()))`,
      );
      return rows[0]!.n === 0 ? true : undefined;
    });
    expect(await fingerprint(db)).toEqual(before);
  }, 120_000);

  test('REL-01 the re-run imports the lot whole: counts and sums equal the trailer, no duplicate', async () => {
    const run = await importProcess(db, file, workDir);
    expect(run.code, run.stderr).toBe(0);
    const { rows } = await db.query<{ statements: number; lines: number; queued: number; charged: number; distinct_lines: number }>(
      `SELECT (SELECT count(*)::int FROM statement s WHERE s.batch_id = b.id) AS statements,
              (SELECT count(*)::int FROM claim_line c JOIN statement s ON s.id = c.statement_id WHERE s.batch_id = b.id) AS lines,
              (SELECT count(*)::int FROM unmatched_claim_line u WHERE u.batch_id = b.id) AS queued,
              (SELECT coalesce(sum(c.charged_cents), 0)::bigint FROM claim_line c JOIN statement s ON s.id = c.statement_id WHERE s.batch_id = b.id)
                + (SELECT coalesce(sum(u.charged_cents), 0)::bigint FROM unmatched_claim_line u WHERE u.batch_id = b.id) AS charged,
              (SELECT count(DISTINCT (s.statement_number, c.line_number))::int FROM claim_line c JOIN statement s ON s.id = c.statement_id WHERE s.batch_id = b.id) AS distinct_lines
         FROM import_batch b WHERE b.batch_number = 'KILL01'`,
    );
    expect(rows).toHaveLength(1);
    const r = rows[0]!;
    expect(r.lines + r.queued).toBe(trailer.lines);
    expect(r.charged).toBe(trailer.chargedCents);
    expect(r.distinct_lines).toBe(r.lines);
    expect(r.queued).toBeGreaterThan(0);
    const again = await importProcess(db, file, workDir);
    expect(again.code).toBe(0);
  }, 120_000);
});
