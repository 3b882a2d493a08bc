import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openPglite } from '../src/db/database.ts';
import { migrate } from '../src/db/migrate.ts';
import { adminUrl, templateDatabase } from './db.ts';
import { scanLogs } from './log-scan.ts';


// Migrates one template per run; each test file then gets a copy (PGlite dump, or CREATE DATABASE … TEMPLATE).
export default async function setup(): Promise<() => Promise<void>> {
  const dir = mkdtempSync(path.join(tmpdir(), 'espace-test-'));
  process.env.ESPACE_TEST_DIR = dir;
  // One log folder per run, so that runs side by side do not scan or delete each other's logs.
  const logDir = path.resolve('test-results/logs', path.basename(dir));
  process.env.ESPACE_TEST_LOG_DIR = logDir;
  const url = process.env.TEST_DATABASE_URL;
  if (url) {
    process.env.ESPACE_TEST_TEMPLATE = `espace_test_template_${process.pid}`;
    const admin = new pg.Client({ connectionString: adminUrl(url) });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${templateDatabase()} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${templateDatabase()}`);
    await admin.end();
    const { openPostgres } = await import('../src/db/database.ts');
    const db = await openPostgres(withDatabase(url, templateDatabase()), 1);
    await migrate(db);
    await db.close();
  } else {
    const db = await openPglite(undefined);
    await migrate(db);
    const dump = await db.pglite.dumpDataDir('none');
    writeFileSync(path.join(dir, 'template.tar'), Buffer.from(await dump.arrayBuffer()));
    await db.close();
  }
  return async () => {
    rmSync(dir, { recursive: true, force: true });
    if (url) {
      const admin = new pg.Client({ connectionString: adminUrl(url) });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${templateDatabase()} WITH (FORCE)`);
      await admin.end();
    }
    // LOG-02, acceptance 7 of the foundation: the logs of the whole run hold no NIR and no IBAN.
    const findings = scanLogs(logDir);
    if (findings.length > 0) {
      console.error(`LOG-02 sensitive data in test logs:\n${findings.join('\n')}`);
      process.exitCode = 1;
    } else {
      rmSync(logDir, { recursive: true, force: true });
    }
  };
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
