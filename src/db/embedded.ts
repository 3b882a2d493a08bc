import { existsSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { openPglite, type Database } from './database.ts';
import { migrate } from './migrate.ts';

/**
 * First start on the embedded database: build it in memory (migrations + `fill`), then write it to disk in one go.
 * PGlite writes page by page to disk, which makes a large seed 2–3× slower there; a crash half-way leaves no data dir.
 */
export async function openEmbeddedDatabase(dataDir: string, fill: (db: Database) => Promise<void>): Promise<{ db: Database; created: boolean }> {
  const target = path.join(dataDir, 'pglite');
  if (existsSync(path.join(target, 'PG_VERSION'))) return { db: await openPglite(target), created: false };
  const memory = await openPglite(undefined);
  await migrate(memory);
  await fill(memory);
  const dump = await memory.pglite.dumpDataDir('none');
  await memory.close();
  const staging = `${target}.new`;
  rmSync(staging, { recursive: true, force: true });
  rmSync(target, { recursive: true, force: true });
  const written = await openPglite(staging, dump);
  await written.close();
  renameSync(staging, target);
  return { db: await openPglite(target), created: true };
}
