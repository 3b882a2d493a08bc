import type { Feature } from '../../platform/http/server.ts';
import { checkHealth } from './check-health.ts';

export const healthRoutes: Feature = (app, { db }) => {
  app.get('/healthz', { logLevel: 'warn' }, async (_request, reply) => {
    const health = await checkHealth(db);
    return reply.status(health.status === 'ok' ? 200 : 503).send(health);
  });
};
