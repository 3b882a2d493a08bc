import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

export type QueryResult<R> = { rows: R[]; rowCount: number };

/** What a use case or repository needs: parameterised SQL, inside or outside a transaction. */
export interface Queryable {
  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
}

export interface Database extends Queryable {
  readonly driver: 'pglite' | 'postgres';
  /** Runs parameterless SQL that may hold several statements (migrations). */
  exec(sql: string): Promise<void>;
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

// Dates stay ISO strings at the edges: DATE columns come back as 'YYYY-MM-DD', bigint as number.
const DATE_OID = 1082;
const INT8_OID = 20;
pg.types.setTypeParser(DATE_OID, (v: string) => v);
pg.types.setTypeParser(INT8_OID, (v: string) => Number(v));

export type DatabaseOptions = { url: string | undefined; dataDir: string; poolSize?: number };

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  return options.url ? openPostgres(options.url, options.poolSize ?? 10) : openPglite(options.dataDir);
}

export async function openPglite(dataDir: string | undefined, loadDataDir?: Blob): Promise<Database & { pglite: PGlite }> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const pglite = await PGlite.create({
    ...(dataDir ? { dataDir } : {}),
    ...(loadDataDir ? { loadDataDir } : {}),
    parsers: { [DATE_OID]: (v: string) => v, [INT8_OID]: (v: string) => Number(v) },
  });
  const asResult = <R>(r: { rows: unknown[]; affectedRows?: number }): QueryResult<R> => ({
    rows: r.rows as R[],
    rowCount: r.affectedRows ?? r.rows.length,
  });
  return {
    driver: 'pglite',
    pglite,
    async query<R>(text: string, params?: readonly unknown[]) {
      return asResult<R>(await pglite.query(text, params as unknown[] | undefined));
    },
    async exec(sql) {
      await pglite.exec(sql);
    },
    transaction(work) {
      return pglite.transaction(async (tx) =>
        work({ query: async <R>(text: string, params?: readonly unknown[]) => asResult<R>(await tx.query(text, params as unknown[] | undefined)) }),
      );
    },
    async close() {
      if (!pglite.closed) await pglite.close();
    },
  };
}

export async function openPostgres(url: string, poolSize: number): Promise<Database & { pool: pg.Pool }> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, connectionTimeoutMillis: 5_000 });
  // An idle client losing its server must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  const asResult = <R>(r: pg.QueryResult): QueryResult<R> => ({ rows: r.rows as R[], rowCount: r.rowCount ?? 0 });
  return {
    driver: 'postgres',
    pool,
    async query<R>(text: string, params?: readonly unknown[]) {
      return asResult<R>(await pool.query(text, params as unknown[] | undefined));
    },
    async exec(sql) {
      await pool.query(sql);
    },
    async transaction(work) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await work({ query: async <R>(text: string, params?: readonly unknown[]) => asResult<R>(await client.query(text, params as unknown[] | undefined)) });
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    async close() {
      if (!pool.ended) await pool.end();
    },
  };
}
