import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { openEmbeddedDatabase } from './embedded.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'espace-embedded-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('first start builds the embedded database once, later starts reopen it with its data', async () => {
  const first = await openEmbeddedDatabase(dir, async (db) => {
    await db.query(`INSERT INTO audit_log (actor_type, action) VALUES ('system', 'first-start')`);
  });
  expect(first.created).toBe(true);
  await first.db.close();
  expect(readdirSync(dir)).toEqual(['pglite']);

  let filledAgain = false;
  const second = await openEmbeddedDatabase(dir, async () => {
    filledAgain = true;
  });
  expect(second.created).toBe(false);
  expect(filledAgain).toBe(false);
  const { rows } = await second.db.query<{ action: string }>(`SELECT action FROM audit_log`);
  expect(rows).toEqual([{ action: 'first-start' }]);
  await second.db.close();
}, 120_000);
