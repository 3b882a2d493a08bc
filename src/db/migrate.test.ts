import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/db.ts';
import { listMigrations, migrate, splitStatements } from './migrate.ts';

describe('migrations', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db.close());

  test('every numbered migration is applied once, and applying again changes nothing', async () => {
    const { rows } = await db.query<{ name: string }>('SELECT name FROM schema_migration ORDER BY version');
    expect(rows.map((r) => r.name)).toEqual(listMigrations().map((m) => m.name));
    expect(await migrate(db)).toEqual([]);
  });

  test('no table keys or stores a NIR in clear (domain.md §1.4, DATA-03)', async () => {
    const { rows } = await db.query<{ table_name: string; column_name: string }>(
      `SELECT table_name, column_name FROM information_schema.columns
        WHERE table_schema = 'public' AND column_name LIKE '%nir%'`,
    );
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row.column_name).toMatch(/_(hmac|enc)$|^nir_provisional$/);
  });

  test('LOG-04 the audit log refuses updates and deletes', async () => {
    await db.query(`INSERT INTO audit_log (actor_type, action) VALUES ('system', 'test')`);
    await expect(db.query(`UPDATE audit_log SET action = 'x'`)).rejects.toThrow(/append-only/);
    await expect(db.query(`DELETE FROM audit_log`)).rejects.toThrow(/append-only/);
  });

  test('a failing migration leaves nothing behind', async () => {
    const broken = [{ version: 9001, name: '9001_broken', sql: 'CREATE TABLE half_done (id int);\nSELECT no_such_function();' }];
    await expect(migrate(db, broken)).rejects.toThrow();
    const { rows } = await db.query(`SELECT to_regclass('half_done') AS t`);
    expect(rows[0]).toEqual({ t: null });
  });
});

test('statements are split on semicolons but dollar-quoted bodies stay whole', () => {
  const sql = 'CREATE TABLE a (x int);\n-- comment;\nCREATE FUNCTION f() RETURNS int AS $$\nBEGIN\n  RETURN 1;\nEND;\n$$ LANGUAGE plpgsql;\n';
  expect(splitStatements(sql)).toHaveLength(2);
});
