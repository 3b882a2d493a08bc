import { afterAll, expect, test } from 'vitest';
import { openPostgres } from '../../db/database.ts';
import { createTestApp, type TestApp } from '../../../test/app.ts';
import { createTestDatabase, testDriver } from '../../../test/db.ts';
import { startTcpProxy } from '../../../test/tcp-proxy.ts';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

// PGlite runs in-process and cannot become unreachable; the server case is the one operators meet.
test.skipIf(testDriver() !== 'postgres')('healthz answers 503 while PostgreSQL is unreachable and 200 again once it is back, without a restart', async () => {
  const real = await createTestDatabase();
  cleanups.push(() => real.close());
  const target = new URL(real.url!);
  const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port) });
  const viaProxy = new URL(real.url!);
  viaProxy.hostname = '127.0.0.1';
  viaProxy.port = String(proxy.port);
  const db = await openPostgres(viaProxy.toString(), 2);
  const t: TestApp = await createTestApp({ name: 'health', db: Object.assign(db, { url: viaProxy.toString() }) });
  cleanups.push(async () => {
    await t.close();
    await db.close();
  });

  expect((await t.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  await proxy.cut();
  const down = await t.app.inject({ method: 'GET', url: '/healthz' });
  expect(down.statusCode).toBe(503);
  expect(down.json()).toEqual({ status: 'unavailable', code: 'DB_UNAVAILABLE' });
  await proxy.restore();
  expect((await t.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
});
