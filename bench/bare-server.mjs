// The baseline of bench/portal.ts: a bare Fastify route answering a static HTML string of the list page's size, in a
// process of its own like the portal. Usage: node bench/bare-server.mjs PORT BYTES
import Fastify from 'fastify';

const [port, bytes] = process.argv.slice(2).map(Number);
const html = 'x'.repeat(bytes);
const app = Fastify();
app.get('/bare', async (_request, reply) => reply.type('text/html; charset=utf-8').send(html));
await app.listen({ host: '127.0.0.1', port });
process.stdout.write('listening\n');
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
