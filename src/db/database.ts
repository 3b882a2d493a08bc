import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { from as copyFromStdin } from 'pg-copy-streams';

export type QueryResult<R> = { rows: R[]; rowCount: number };

/** What a use case or repository needs: parameterised SQL, inside or outside a transaction. */
export type QueryOptions = {
  /**
   * Keep the statement prepared on each server connection (PostgreSQL; PGlite ignores it): the hot read paths (the
   * session, the member's lists) then skip parsing and planning. Only for SQL texts of a fixed, small set.
   */
  prepare?: boolean;
};

export interface Queryable {
  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[], options?: QueryOptions): Promise<QueryResult<R>>;
}

/** Inside a transaction: bulk loading too. */
export interface Transaction extends Queryable {
  /**
   * Loads rows with COPY … FROM STDIN (text format: tab-separated, `\N` for null, each row ending in a newline;
   * build them with `copyRow`). On PGlite the chunks are gathered into one blob first.
   */
  copyFrom(table: string, columns: readonly string[], chunks: Iterable<string> | AsyncIterable<string>): Promise<void>;
}

export interface Database extends Queryable {
  readonly driver: 'pglite' | 'postgres';
  /** Runs parameterless SQL that may hold several statements (migrations). */
  exec(sql: string): Promise<void>;
  transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

const COPY_ESCAPES: Readonly<Record<string, string>> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** One row of COPY text format: null/undefined → \N, text escaped, booleans t/f. */
export function copyRow(values: readonly (string | number | boolean | null | undefined)[]): string {
  let row = '';
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (i > 0) row += '\t';
    if (value === null || value === undefined) row += '\\N';
    else if (typeof value === 'string') row += /[\\\t\n\r]/.test(value) ? value.replace(/[\\\t\n\r]/g, (c) => COPY_ESCAPES[c]!) : value;
    else if (typeof value === 'boolean') row += value ? 't' : 'f';
    else row += String(value);
  }
  return `${row}\n`;
}

const copySql = (table: string, columns: readonly string[], source: string) => `COPY ${table} (${columns.join(', ')}) FROM ${source}`;

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
        work({
          query: async <R>(text: string, params?: readonly unknown[]) => asResult<R>(await tx.query(text, params as unknown[] | undefined)),
          async copyFrom(table, columns, chunks) {
            const parts: string[] = [];
            for await (const chunk of chunks) parts.push(chunk);
            if (parts.length > 0) await tx.query(copySql(table, columns, "'/dev/blob'"), [], { blob: new Blob(parts) });
          },
        }),
      );
    },
    async close() {
      if (!pglite.closed) await pglite.close();
    },
  };
}

// node-postgres prepares a named statement once per connection; the name is derived from the text so that two texts never share one.
const statementNames = new Map<string, string>();
function statementName(text: string): string {
  let name = statementNames.get(text);
  if (!name) {
    name = `s_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
    statementNames.set(text, name);
  }
  return name;
}

export async function openPostgres(url: string, poolSize: number): Promise<Database & { pool: pg.Pool }> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, connectionTimeoutMillis: 5_000 });
  // An idle client losing its server must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  const asResult = <R>(r: pg.QueryResult): QueryResult<R> => ({ rows: r.rows as R[], rowCount: r.rowCount ?? 0 });
  return {
    driver: 'postgres',
    pool,
    async query<R>(text: string, params?: readonly unknown[], options?: QueryOptions) {
      const values = params as unknown[] | undefined;
      return asResult<R>(await (options?.prepare ? pool.query({ name: statementName(text), text, values }) : pool.query(text, values)));
    },
    async exec(sql) {
      await pool.query(sql);
    },
    async transaction(work) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await work({
          query: async <R>(text: string, params?: readonly unknown[], options?: QueryOptions) => {
            const values = params as unknown[] | undefined;
            return asResult<R>(await (options?.prepare ? client.query({ name: statementName(text), text, values }) : client.query(text, values)));
          },
          async copyFrom(table, columns, chunks) {
            await pipeline(Readable.from(chunks), client.query(copyFromStdin(copySql(table, columns, 'STDIN'))));
          },
        });
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
