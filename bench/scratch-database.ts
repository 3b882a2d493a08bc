// A database of its own for one benchmark run on the PostgreSQL server of DATABASE_URL, dropped at the end.
import pg from 'pg';

export async function createScratchDatabase(benchName: string, serverUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `espace_bench_${benchName}_${process.pid}`;
  const admin = new URL(serverUrl);
  admin.pathname = '/postgres';
  const run = async (sql: string) => {
    const client = new pg.Client({ connectionString: admin.toString() });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await run(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}
