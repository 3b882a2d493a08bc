import type { Queryable } from '../../db/database.ts';

export type Health = { status: 'ok' } | { status: 'unavailable'; code: 'DB_UNAVAILABLE' };

const TIMEOUT_MS = 2_000;

/** The database answers a trivial query within 2 s, or the instance reports itself unavailable. */
export async function checkHealth(db: Queryable): Promise<Health> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('health check timed out')), TIMEOUT_MS);
  });
  try {
    await Promise.race([db.query('SELECT 1'), timeout]);
    return { status: 'ok' };
  } catch {
    return { status: 'unavailable', code: 'DB_UNAVAILABLE' };
  } finally {
    clearTimeout(timer);
  }
}
