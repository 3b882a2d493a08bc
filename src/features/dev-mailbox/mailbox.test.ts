import { afterAll, beforeAll, expect, test } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/app.ts';
import { waitFor } from '../../../test/wait.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ name: 'mailbox' });
});
afterAll(async () => t.close());

test('an email enqueued in a committed transaction is written to the outbox and shown by the dev mailbox', async () => {
  const subject = `Bienvenue ${Date.now()}`;
  await t.db.transaction((tx) =>
    t.jobs.enqueue(tx, t.jobDefinitions.sendEmail, { to: 'adherent@demo.example', subject, text: 'Bonjour,\nVotre espace est prêt.', html: '<p>Bonjour</p>' }),
  );
  await t.jobs.startWorkers();
  const list = await waitFor('the email in the mailbox', async () => {
    const body = (await t.app.inject({ method: 'GET', url: '/dev/courriels' })).body;
    return body.includes(subject) ? body : undefined;
  });
  const link = /href="(\/dev\/courriels\/[^"]+)"/.exec(list)![1]!;
  const message = await t.app.inject({ method: 'GET', url: link });
  expect(message.statusCode).toBe(200);
  expect(message.body).toContain('Votre espace est prêt.');
});

test('the mailbox refuses names that are not outbox files (no path traversal)', async () => {
  for (const name of ['..%2F..%2Fpackage.json', '.env', 'x.eml', '2026-01-01T00-00-00-000Z-0123456789abcdef.eml']) {
    expect((await t.app.inject({ method: 'GET', url: `/dev/courriels/${name}` })).statusCode, name).toBe(404);
  }
});

test('the mailbox does not exist in production', async () => {
  const production = await createTestApp({ name: 'mailbox-production', env: { NODE_ENV: 'production' }, db: t.db });
  try {
    expect((await production.app.inject({ method: 'GET', url: '/dev/courriels' })).statusCode).toBe(404);
  } finally {
    await production.close();
  }
});
