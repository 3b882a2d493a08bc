import { afterAll, beforeAll, expect, test } from 'vitest';
import { createTestDatabase, testDriver, type TestDatabase } from '../../test/db.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.close());

test('a prepared query answers like a plain one, with its parameters, inside and outside a transaction', async () => {
  const sql = 'SELECT $1::int + $2::int AS sum';
  for (const [a, b] of [[1, 2], [40, 2]] as const) {
    const plain = await db.query<{ sum: number }>(sql, [a, b]);
    const prepared = await db.query<{ sum: number }>(sql, [a, b], { prepare: true });
    expect(prepared.rows).toEqual(plain.rows);
    expect(prepared.rows[0]!.sum).toBe(a + b);
  }
  const inTransaction = await db.transaction((tx) => tx.query<{ sum: number }>(sql, [5, 6], { prepare: true }));
  expect(inTransaction.rows[0]!.sum).toBe(11);
});

test.runIf(testDriver() === 'postgres')('on PostgreSQL the statement stays prepared on the connection, one per text', async () => {
  const first = 'SELECT $1::text AS v';
  const second = 'SELECT $1::text || $1::text AS v';
  const prepared = await db.transaction(async (tx) => {
    await tx.query(first, ['a'], { prepare: true });
    await tx.query(first, ['b'], { prepare: true });
    await tx.query(second, ['c'], { prepare: true });
    await tx.query('SELECT $1::text AS unprepared', ['d']);
    return (await tx.query<{ statement: string }>(`SELECT statement FROM pg_prepared_statements WHERE statement LIKE '%::text%' ORDER BY statement`)).rows.map((r) => r.statement);
  });
  expect(prepared).toEqual([first, second].sort());
});
