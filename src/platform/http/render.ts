import type { FastifyReply } from 'fastify';
import type { VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';

/** Sends a server-rendered page; preact escapes every interpolated value. */
export function sendPage<P>(reply: FastifyReply, page: VNode<P>, status = 200): FastifyReply {
  return reply.status(status).type('text/html; charset=utf-8').send('<!doctype html>' + renderToString(page));
}
