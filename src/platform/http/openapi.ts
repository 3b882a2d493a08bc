/**
 * The JSON API's description (`GET /api/v1/openapi.json`), generated from each feature's route table and its zod
 * schemas, so that it cannot drift from what the routes accept and return (a test compares it with Fastify's routes).
 */
import { z } from 'zod';

export type ApiRoute = {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Fastify syntax: `/api/v1/reimbursements/:id`. */
  path: string;
  operationId: string;
  summary: string;
  tag: string;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** JSON unless said otherwise (multipart for uploads). */
  bodyMediaType?: 'application/json' | 'multipart/form-data';
  responses: Record<number, { description: string; schema?: z.ZodType }>;
  /** Answers without a session (the document verification): overrides the session requirement set for the whole API. */
  public?: true;
};

export const jsonSchema = (schema: z.ZodType) => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: 'input' }) as Record<string, unknown>;
  return rest;
};

/** `/a/:id` → `/a/{id}` */
export const openApiPath = (path: string) => path.replace(/:([A-Za-z]+)/g, '{$1}');

export function openApiDocument(serverUrl: string, routes: readonly ApiRoute[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const responses = Object.fromEntries(
      Object.entries(route.responses).map(([status, r]) => [status, r.schema ? { description: r.description, content: { 'application/json': { schema: jsonSchema(r.schema) } } } : { description: r.description }]),
    );
    const pathParameters = [...route.path.matchAll(/:([A-Za-z]+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }));
    const queryParameters = route.query
      ? Object.entries(route.query.shape).map(([name, schema]) => ({ name, in: 'query', required: false, schema: jsonSchema(schema as z.ZodType) }))
      : [];
    const csrf = route.method !== 'GET' ? [{ name: 'X-CSRF-Token', in: 'header', required: true, schema: { type: 'string' }, description: 'csrfToken from GET /api/v1/auth/session' }] : [];
    const parameters = [...pathParameters, ...queryParameters, ...csrf];
    (paths[openApiPath(route.path)] ??= {})[route.method.toLowerCase()] = {
      operationId: route.operationId,
      summary: route.summary,
      tags: [route.tag],
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(route.public ? { security: [] } : {}),
      ...(route.body ? { requestBody: { required: true, content: { [route.bodyMediaType ?? 'application/json']: { schema: jsonSchema(route.body) } } } } : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Espace adhérent — API',
      version: '1.0.0',
      description:
        'JSON twins of the member pages, over the same use cases (future mobile app). Session-cookie authentication: __Host-espace-session (session), ' +
        '__Host-espace-csrf (CSRF seed), __Host-espace-connexion (pending login, 15 min), __Host-espace-appareil (trusted device, 90 days). Bearer tokens are not offered. ' +
        'Errors: {"error":{"code","message"}} with a stable code and a French message.',
    },
    servers: [{ url: serverUrl }],
    components: { securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: '__Host-espace-session' } } },
    security: [{ session: [] }],
    paths,
  };
}
