import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { h } from 'preact';
import { AppError, ERRORS, fromHttpStatus, type ErrorCode } from '../errors.ts';
import { ErrorPage } from '../views/error-page.tsx';
import { sendPage } from './render.ts';
import type { PageContext } from './page-context.ts';

const wantsJson = (request: FastifyRequest) => request.url.startsWith('/api/') || request.url === '/healthz';

/** One place maps typed errors to statuses, JSON `{error:{code,message}}` for the API and French pages for people. */
export function registerErrorHandling(app: FastifyInstance, page: PageContext): void {
  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    let code: ErrorCode;
    let message: string;
    let fields: Record<string, string> | undefined;
    if (error instanceof AppError) {
      ({ code, message, fields } = error);
    } else if (typeof error.statusCode === 'number' && error.statusCode < 500) {
      code = error.validation ? 'VALIDATION' : fromHttpStatus(error.statusCode);
      message = ERRORS[code].message;
    } else {
      code = 'INTERNAL';
      message = ERRORS.INTERNAL.message;
      request.log.error({ err: error }, 'unhandled error');
    }
    return sendError(request, reply, code, message, fields);
  });

  app.setNotFoundHandler((request, reply) => sendError(request, reply, 'NOT_FOUND', ERRORS.NOT_FOUND.message));

  function sendError(request: FastifyRequest, reply: FastifyReply, code: ErrorCode, message: string, fields?: Record<string, string>) {
    const status = ERRORS[code].status;
    if (wantsJson(request) || request.headers.accept?.includes('application/json')) {
      return reply.status(status).send({ error: { code, message, ...(fields ? { fields } : {}) } });
    }
    const { organisation } = page;
    return sendPage(reply, h(ErrorPage, { organisationName: organisation.name, phone: organisation.phone, status, code, message }), status);
  }
}
