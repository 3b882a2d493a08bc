// A database of its own for one benchmark run on the PostgreSQL server of DATABASE_URL, dropped at the end.
import pg from 'pg';

async function onServer<R = unknown>(serverUrl: string, sql: string, params: unknown[] = []): Promise<R[]> {
  const admin = new URL(serverUrl);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as R[];
  } finally {
    await client.end();
  }
}

const urlOf = (serverUrl: string, name: string) => {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
};

export async function createScratchDatabase(benchName: string, serverUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `espace_bench_${benchName}_${process.pid}`;
  await onServer(serverUrl, `CREATE DATABASE ${name}`);
  return { url: urlOf(serverUrl, name), drop: async () => void (await onServer(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)) };
}

/** A named database kept between runs (created when missing, never dropped): to seed once and measure many times. */
export async function keptDatabase(name: string, serverUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`BENCH_DATABASE must be a plain lower-case name, got ${name}`);
  const found = await onServer(serverUrl, 'SELECT 1 FROM pg_database WHERE datname = $1', [name]);
  if (found.length === 0) await onServer(serverUrl, `CREATE DATABASE ${name}`);
  return { url: urlOf(serverUrl, name), drop: async () => undefined };
}
