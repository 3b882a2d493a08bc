import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildServer, type AppDependencies, type Feature } from '../src/platform/http/server.ts';
import type { Jobs } from '../src/platform/jobs.ts';
import { createPlatform, loadPageContext } from '../src/platform/app.ts';
import { loadConfig, type Config } from '../src/platform/config.ts';
import { createLogger, type Logger } from '../src/platform/logger.ts';
import { features as allFeatures } from '../src/features/index.ts';
import { createTestDatabase, type TestDatabase } from './db.ts';

export const TEST_SECRETS = {
  SESSION_SECRET: '11'.repeat(32),
  CODE_PEPPER: '22'.repeat(32),
  DATA_ENCRYPTION_KEY: '33'.repeat(32),
  BLIND_INDEX_KEY: '44'.repeat(32),
  // A fixed P-256 key, so that codes signed by one test process verify in another.
  DOCUMENT_SIGNING_KEYS: '[{"kty":"EC","crv":"P-256","kid":"test-1","x":"XnX0StETOIHwpHxDjHgbhtI7kJi5nVbQrkcIyblEPI4","y":"n5o0bZ_wHPCP7_R8fEwgyCfXmLV63_7C6bOvs1C0XFg","d":"GJC--iQ2P-TmDgtzhBZt79UY0rnsyTorURNRHd6YusE"}]',
};

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({ NODE_ENV: 'test', PUBLIC_URL: 'https://espace.test', DATA_DIR: path.join(process.env.ESPACE_TEST_DIR ?? 'tmp', 'data'), ...TEST_SECRETS, ...overrides });
}

/** Every test log goes to this run's folder under test-results/logs, which the global teardown scans for NIRs and IBANs (LOG-02). */
export function testLogger(name: string): Logger {
  const dir = process.env.ESPACE_TEST_LOG_DIR ?? path.resolve('test-results/logs/adhoc');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name.replace(/[^a-z0-9]+/gi, '-')}-${process.pid}.log`);
  return createLogger({ level: 'debug', destination: { write: (line: string) => appendFileSync(file, line) } });
}

/** A mutable clock for tests that move time instead of waiting. */
export function testClock(start = '2026-03-12T10:00:00Z') {
  let now = new Date(start).getTime();
  return {
    now: () => new Date(now),
    advance(ms: number) {
      now += ms;
    },
  };
}

export type TestApp = { app: FastifyInstance; db: TestDatabase; config: Config; jobs: Jobs; jobDefinitions: AppDependencies['jobDefinitions']; close(): Promise<void> };

export async function createTestApp(
  options: { name: string; clock?: () => Date; extraFeatures?: Feature[]; db?: TestDatabase; env?: Record<string, string> } = { name: 'app' },
): Promise<TestApp> {
  const db = options.db ?? (await createTestDatabase());
  const config = testConfig(options.env);
  const logger = testLogger(options.name);
  const { jobs, mailer, jobDefinitions } = await createPlatform(config, db, logger);
  const app = await buildServer(
    { config, db, logger, clock: options.clock ?? (() => new Date()), page: await loadPageContext(db), jobs, jobDefinitions },
    [...allFeatures, ...(options.extraFeatures ?? [])],
  );
  await app.ready();
  return {
    app,
    db,
    config,
    jobs,
    jobDefinitions,
    async close() {
      await app.close();
      await jobs.stop();
      await mailer.close();
      if (!options.db) await db.close();
    },
  };
}

/** The CSRF cookie and token a browser would have after loading a page. */
export async function csrfFor(app: FastifyInstance, url = '/'): Promise<{ cookie: string; token: string; cookies: Record<string, string> }> {
  const response = await app.inject({ method: 'GET', url });
  const cookies = Object.fromEntries(response.cookies.map((c) => [c.name, c.value]));
  const seed = cookies['__Host-espace-csrf']!;
  const match = /name="_csrf" value="([^"]+)"/.exec(response.body);
  return { cookie: `__Host-espace-csrf=${seed}`, token: match?.[1] ?? '', cookies };
}
