import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { openPglite, openPostgres, type Database } from '../src/db/database.ts';

/** One template per run (named by global setup), so that runs side by side on one server never drop each other's. */
export const templateDatabase = (): string => process.env.ESPACE_TEST_TEMPLATE ?? 'espace_test_template';

/** The server's maintenance database, from which test databases are created and dropped. */
export function adminUrl(url: string): string {
  const u = new URL(url);
  u.pathname = '/postgres';
  return u.toString();
}

export const testDriver = (): 'pglite' | 'postgres' => (process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite');

export type TestDatabase = Database & { url?: string };

/** A migrated database of its own for one test file: a copy of the template made by test/global-setup.ts. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) {
    const template = readFileSync(path.join(process.env.ESPACE_TEST_DIR!, 'template.tar'));
    return openPglite(undefined, new Blob([template]));
  }
  const name = `espace_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl(url) });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name} TEMPLATE ${templateDatabase()}`);
  await admin.end();
  const u = new URL(url);
  u.pathname = `/${name}`;
  const db = await openPostgres(u.toString(), 5);
  const close = db.close.bind(db);
  return Object.assign(db, {
    url: u.toString(),
    async close() {
      await close();
      const dropper = new pg.Client({ connectionString: adminUrl(url) });
      await dropper.connect();
      await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await dropper.end();
    },
  });
}
