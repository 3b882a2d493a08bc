import { h } from 'preact';
import { z } from 'zod';
import { AppError } from '../../platform/errors.ts';
import { sendPage } from '../../platform/http/render.ts';
import type { Feature } from '../../platform/http/server.ts';
import { listOutbox, readOutboxMessage } from '../../platform/mail.ts';
import { MailboxMessagePage, MailboxPage } from './mailbox-page.tsx';

const params = z.strictObject({ file: z.string().max(80) });

/** Development only: the emails written to data/outbox when no SMTP server is configured. Absent in production. */
export const devMailboxRoutes: Feature = (app, { config, page }) => {
  if (!config.devTools || config.smtpUrl) return;
  const organisationName = page.organisation.name;
  app.get('/dev/courriels', async (_request, reply) => sendPage(reply, h(MailboxPage, { organisationName, messages: await listOutbox(config.dataDir) })));
  app.get('/dev/courriels/:file', async (request, reply) => {
    const parsed = params.safeParse(request.params);
    const message = parsed.success ? await readOutboxMessage(config.dataDir, parsed.data.file) : null;
    if (!message) throw new AppError('NOT_FOUND');
    return sendPage(reply, h(MailboxMessagePage, { organisationName, message }));
  });
};
