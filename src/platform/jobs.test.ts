import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createTestDatabase, type TestDatabase } from '../../test/db.ts';
import { createJobs, defineJob, InvalidJobPayloadError, UnknownJobError, type Jobs } from './jobs.ts';
import { waitFor } from '../../test/wait.ts';

const logLines: Array<Record<string, unknown>> = [];
const logger = pino({ level: 'info' }, { write: (line: string) => void logLines.push(JSON.parse(line) as Record<string, unknown>) });

const runs = new Map<string, number>();
const attempts: Array<{ attempt: number | undefined; at: number }> = [];

const countJob = defineJob({
  name: 'test-count',
  payload: z.object({ key: z.string().min(1) }),
  async handler(payload, { log }) {
    runs.set(payload.key, (runs.get(payload.key) ?? 0) + 1);
    log.info({ key: payload.key }, 'counted');
  },
});

const flakyJob = defineJob({
  name: 'test-flaky',
  payload: z.object({ failTimes: z.number().int() }),
  retry: { limit: 3, delaySeconds: 1, backoff: true },
  async handler(payload, { attempt }) {
    attempts.push({ attempt, at: Date.now() });
    if (attempts.length <= payload.failTimes) throw new Error(`boom ${attempts.length}`);
  },
});

let slowFinished = false;
const slowJob = defineJob({
  name: 'test-slow',
  payload: z.object({ ms: z.number().int() }),
  async handler(payload) {
    await new Promise((r) => setTimeout(r, payload.ms));
    slowFinished = true;
  },
});

const unregisteredJob = defineJob({ name: 'test-unregistered', payload: z.object({}), handler: async () => undefined });

type JobRow = {
  state: string;
  retry_count: number;
  retry_limit: number;
  retry_delay: number;
  retry_backoff: boolean;
  start_after: Date;
  output: { message?: string } | null;
};


describe('jobs (pg-boss)', () => {
  let db: TestDatabase;
  let jobs: Jobs;

  const jobRow = async (id: string) =>
    (await db.query<JobRow>('SELECT state, retry_count, retry_limit, retry_delay, retry_backoff, start_after, output FROM pgboss.job WHERE id = $1', [id])).rows[0];

  beforeAll(async () => {
    db = await createTestDatabase();
    jobs = await createJobs(db, [countJob, flakyJob, slowJob], { logger, pollingIntervalSeconds: 0.5 });
    await jobs.startWorkers();
  });

  afterAll(async () => {
    await jobs?.stop();
    await db?.close();
  });

  it('never runs a job enqueued in a transaction that rolls back', async () => {
    let id: string | null = null;
    await expect(
      db.transaction(async (tx) => {
        id = await jobs.enqueue(tx, countJob, { key: 'rolled-back' });
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    // A committed job enqueued afterwards runs: once it has, the rolled-back one had every chance to run too.
    await db.transaction((tx) => jobs.enqueue(tx, countJob, { key: 'after-rollback' }));
    await waitFor('the committed job', async () => runs.get('after-rollback'));
    await new Promise((r) => setTimeout(r, 1_200));
    expect(runs.get('rolled-back')).toBeUndefined();
    expect(await jobRow(id!)).toBeUndefined();
  });

  it('runs a job from a committed transaction exactly once, and only after the commit', async () => {
    const id = await db.transaction(async (tx) => {
      await tx.query('SELECT 1');
      const jobId = await jobs.enqueue(tx, countJob, { key: 'committed' });
      // Workers keep polling while this transaction is open (on PGlite, they queue behind it): nothing runs yet.
      await new Promise((r) => setTimeout(r, 1_200));
      expect(runs.get('committed')).toBeUndefined();
      return jobId;
    });
    const row = await waitFor('completion', async () => {
      const r = await jobRow(id!);
      return r?.state === 'completed' ? r : undefined;
    });
    expect(row.retry_count).toBe(0);
    await new Promise((r) => setTimeout(r, 1_200));
    expect(runs.get('committed')).toBe(1);
    // Every line about the job, the handler's own included, names the job.
    const lines = logLines.filter((l) => l.jobId === id);
    expect(lines.map((l) => l.msg)).toEqual(['job started', 'counted', 'job completed']);
    expect(lines.every((l) => l.jobName === 'test-count')).toBe(true);
  });

  it('deduplicates on singletonKey', async () => {
    const first = await jobs.enqueue(db, countJob, { key: 'single' }, { singletonKey: 'k-1', startAfterSeconds: 3600 });
    const second = await jobs.enqueue(db, countJob, { key: 'single' }, { singletonKey: 'k-1' });
    expect(first).toMatch(/^[0-9a-f-]{36}$/);
    expect(second).toBeNull();
  });

  it('retries a failing handler with the backoff settings of its definition', async () => {
    attempts.length = 0;
    const id = (await db.transaction((tx) => jobs.enqueue(tx, flakyJob, { failTimes: 1 })))!;
    // After the first failure pg-boss holds the job in 'retry' until start_after.
    const retrying = await waitFor('the retry state', async () => {
      const r = await jobRow(id);
      return r?.state === 'retry' ? r : undefined;
    });
    expect(retrying).toMatchObject({ retry_count: 0, retry_limit: 3, retry_delay: 1, retry_backoff: true });
    expect(retrying.output?.message).toBe('boom 1');
    // Backoff from 1 s: the first retry waits between 1 and 2 s after the failure.
    const wait = retrying.start_after.getTime() - attempts[0]!.at;
    expect(wait).toBeGreaterThanOrEqual(900);
    expect(wait).toBeLessThanOrEqual(2_500);

    const done = await waitFor('completion', async () => {
      const r = await jobRow(id);
      return r?.state === 'completed' ? r : undefined;
    });
    expect(done.retry_count).toBe(1);
    expect(attempts.map((a) => a.attempt)).toEqual([1, 2]);
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(900);
  });

  it('rejects an invalid payload at enqueue, and an unregistered job', async () => {
    await expect(jobs.enqueue(db, countJob, { key: '' })).rejects.toBeInstanceOf(InvalidJobPayloadError);
    await expect(jobs.enqueue(db, countJob, { nope: 1 } as unknown as { key: string })).rejects.toMatchObject({ code: 'VALIDATION', jobName: 'test-count' });
    await expect(jobs.enqueue(db, unregisteredJob, {})).rejects.toBeInstanceOf(UnknownJobError);
  });

  it('stop() waits for a running handler (last test: it stops the workers)', async () => {
    const id = (await jobs.enqueue(db, slowJob, { ms: 1_500 }))!;
    await waitFor('the slow job to start', async () => ((await jobRow(id))?.state === 'active' ? true : undefined));
    await jobs.stop();
    expect(slowFinished).toBe(true);
    expect((await jobRow(id))?.state).toBe('completed');
  });
});

describe('cron jobs', () => {
  it('a definition with a cron expression is scheduled with pg-boss (UTC); others are not', async () => {
    const db = await createTestDatabase();
    const cronJob = defineJob({ name: 'test-cron', payload: z.object({}), cron: '30 4 * * *', handler: async () => undefined });
    const jobs = await createJobs(db, [countJob, cronJob], { logger });
    try {
      const { rows } = await db.query<{ name: string; cron: string; timezone: string }>('SELECT name, cron, timezone FROM pgboss.schedule ORDER BY name');
      expect(rows).toEqual([{ name: 'test-cron', cron: '30 4 * * *', timezone: 'UTC' }]);
    } finally {
      await jobs.stop();
      await db.close();
    }
  });
});
