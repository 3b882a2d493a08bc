import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Database } from '../../db/database.ts';
import type { Config } from '../config.ts';
import type { Jobs } from '../jobs.ts';
import type { SendEmailPayload } from '../mail-job.ts';
import type { JobDefinition } from '../jobs.ts';
import type { GenerateLetterJob } from '../../features/letters/generate-letter-job.ts';
import type { Logger } from '../logger.ts';
import { registerErrorHandling } from './errors.ts';
import type { PageContext } from './page-context.ts';
import { registerSecurityHeaders } from './security-headers.ts';
import { registerSessions, type SessionStore } from './sessions.ts';

const PUBLIC_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../../public');

/** Everything a route needs, built once at start-up and passed explicitly. */
export type AppDependencies = {
  config: Config;
  db: Database;
  logger: Logger;
  clock: () => Date;
  page: PageContext;
  jobs: Jobs;
  /** The product's job definitions, enqueued by use cases inside their transaction. */
  jobDefinitions: { sendEmail: JobDefinition<SendEmailPayload>; generateLetter: GenerateLetterJob };
};

export type RouteContext = AppDependencies & { sessions: SessionStore };

export type Feature = (app: FastifyInstance, context: RouteContext) => void | Promise<void>;

export async function buildServer(deps: AppDependencies, features: Feature[]): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: 100 * 1024,
    trustProxy: deps.config.trustProxy.length > 0 ? deps.config.trustProxy : false,
    routerOptions: { maxParamLength: 200 },
    // Unknown keys are rejected by our zod schemas, not silently removed.
    ajv: { customOptions: { removeAdditional: false } },
  });
  await app.register(fastifyCookie);
  await app.register(fastifyFormbody, { bodyLimit: 100 * 1024 });
  await app.register(fastifyStatic, { root: PUBLIC_DIR, prefix: '/static/', index: false, list: false, dotfiles: 'deny', maxAge: '1h' });
  registerSecurityHeaders(app, { hsts: true });
  registerErrorHandling(app, deps.page);
  const sessions = registerSessions(app, {
    db: deps.db,
    secret: deps.config.secrets.sessionSecret,
    clock: deps.clock,
    publicOrigin: new URL(deps.config.publicUrl).origin,
  });
  for (const feature of features) await feature(app, { ...deps, sessions });
  return app;
}
