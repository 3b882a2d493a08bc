import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PGlite } from '@electric-sql/pglite';
import PgBoss from 'pg-boss';
import type pg from 'pg';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { Database, Queryable } from '../db/database.ts';

export type JobContext = { jobId: string; attempt?: number; log: Logger };

export type JobDefinition<P> = {
  name: string;
  payload: z.ZodType<P>;
  handler: (payload: P, context: JobContext) => Promise<void>;
  /** `limit` counts retries after the first attempt (pg-boss `retryLimit`). */
  retry?: { limit: number; delaySeconds: number; backoff: boolean };
  /** Recurring job (cron expression, UTC, e.g. '0 6 * * *'): pg-boss enqueues it with payload {} at most once per tick across instances. */
  cron?: string;
  /** For payloads that hold secrets (links, codes): what is stored in the job table, and how to read it back. */
  sealing?: { seal(payload: P): object; unseal(stored: unknown): unknown };
};

// The one place for retry settings: 5 attempts in all, exponential backoff from 30 s (30–60 s, 60–120 s, …).
export const DEFAULT_RETRY = { limit: 4, delaySeconds: 30, backoff: true } as const;

export function defineJob<P>(def: JobDefinition<P>): JobDefinition<P> {
  return def;
}

export type EnqueueOptions = {
  /** At most one job per (job name, key) while pg-boss keeps it (archived 12 h after it ends); a duplicate returns null. */
  singletonKey?: string;
  startAfterSeconds?: number;
};

export type Jobs = {
  /** Enqueue inside the caller's transaction: rolled back with it, visible to workers only after commit.
   *  Inside db.transaction() pass its `tx`, never `db` (on PGlite, `db` waits for that transaction: a deadlock).
   *  Returns the job id, or null when a job with the same singletonKey already exists. */
  enqueue<P>(tx: Queryable, job: JobDefinition<P>, payload: P, options?: EnqueueOptions): Promise<string | null>;
  /** Starts one polling worker per registered definition. */
  startWorkers(): Promise<void>;
  /** Graceful: stops polling, waits for running handlers, then stops pg-boss (the Database stays open). */
  stop(): Promise<void>;
};

export class InvalidJobPayloadError extends Error {
  readonly code = 'VALIDATION';
  constructor(
    readonly jobName: string,
    readonly issues: z.core.$ZodIssue[],
  ) {
    super(`Invalid payload for job ${jobName}: ${issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
    this.name = 'InvalidJobPayloadError';
  }
}

export class UnknownJobError extends Error {
  readonly code = 'INTERNAL';
  constructor(readonly jobName: string) {
    super(`Job ${jobName} is not registered with createJobs()`);
    this.name = 'UnknownJobError';
  }
}

// pg-boss reads only `rows` from a result (rows.length, rows[0].id, rows[0].count).
type BossDb = { executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }> };

const asBossDb = (q: Queryable): BossDb => ({ executeSql: (text, values) => q.query(text, values) });

function pgliteBossDb(pglite: PGlite): BossDb {
  return {
    async executeSql(text, values) {
      if (values && values.length > 0) {
        const r = await pglite.query(text, values);
        return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length };
      }
      // Parameterless SQL may hold several statements, some wrapped in pg-boss's own BEGIN … COMMIT. Running them
      // inside a PGlite transaction keeps the single connection clean when one fails (a bare exec would leave the
      // session in an aborted transaction and break every later query); the nested BEGIN/COMMIT only raise warnings.
      const results = await pglite.transaction((tx) => tx.exec(text));
      const last = results.at(-1);
      return { rows: last?.rows ?? [], rowCount: last?.affectedRows ?? last?.rows.length ?? 0 };
    },
  };
}

function bossDbFor(db: Database): BossDb {
  const handles = db as Database & { pglite?: PGlite; pool?: pg.Pool };
  if (db.driver === 'pglite' && handles.pglite) return pgliteBossDb(handles.pglite);
  // PostgreSQL: pg-boss shares the Database's pool (one set of connections, one config, closed by the Database's owner).
  if (db.driver === 'postgres' && handles.pool) {
    const pool = handles.pool;
    return { executeSql: (text, values) => pool.query(text, values) };
  }
  return asBossDb(db);
}

/** Tracks pg-boss's queries so that stop() can wait for those it runs on its own timers (maintenance). */
function tracked(inner: BossDb): BossDb & { drain(): Promise<void> } {
  const inflight = new Set<Promise<unknown>>();
  return {
    executeSql(text, values) {
      const p = inner.executeSql(text, values);
      inflight.add(p);
      p.then(
        () => inflight.delete(p),
        () => inflight.delete(p),
      );
      return p;
    },
    async drain() {
      while (inflight.size > 0) await Promise.allSettled([...inflight]);
    },
  };
}

// A fixed id per (job, key): a second enqueue collides on pg-boss's primary key and returns null (Documenso's trick).
function singletonId(jobName: string, key: string): string {
  const h = createHash('sha256').update(`${jobName}\u0000${key}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)}${h.slice(18, 20)}-${h.slice(20, 32)}`;
}

const retryOptions = (def: JobDefinition<unknown>) => {
  const retry = def.retry ?? DEFAULT_RETRY;
  return { retryLimit: retry.limit, retryDelay: retry.delaySeconds, retryBackoff: retry.backoff };
};

function parsePayload<P>(def: JobDefinition<P>, payload: unknown): P {
  const parsed = def.payload.safeParse(payload);
  if (!parsed.success) throw new InvalidJobPayloadError(def.name, parsed.error.issues);
  return parsed.data;
}

/**
 * Starts pg-boss on the given Database (creating its schema and one queue per definition) without workers.
 * On PGlite everything shares the one in-process connection: enqueue only ever uses the caller's transaction, and
 * workers hold no lock while a handler runs, so a handler may open its own transactions.
 */
export async function createJobs(
  db: Database,
  definitions: JobDefinition<any>[], // eslint-disable-line @typescript-eslint/no-explicit-any -- heterogeneous payloads
  options: { logger: Logger; pollingIntervalSeconds?: number },
): Promise<Jobs> {
  const log = options.logger.child({ component: 'jobs' });
  const registry = new Map<string, JobDefinition<unknown>>();
  for (const def of definitions) {
    if (registry.has(def.name)) throw new Error(`Job ${def.name} is defined twice`);
    registry.set(def.name, def);
  }
  const bossDb = tracked(bossDbFor(db));
  const boss = new PgBoss({
    db: bossDb as PgBoss.Db,
    // Cron jobs add pg-boss's scheduler (a polling worker and a clock check): only when a definition has one.
    schedule: definitions.some((def) => def.cron !== undefined),
    supervise: true, // maintenance: fails expired active jobs, archives finished ones
  });
  boss.on('error', (error) => log.error({ err: error }, 'pg-boss error'));
  await boss.start();
  for (const def of registry.values()) {
    await boss.createQueue(def.name, { name: def.name, ...retryOptions(def) });
    if (def.cron !== undefined) await boss.schedule(def.name, def.cron, {}, { tz: 'UTC' });
  }

  const intervalMs = Math.max(100, (options.pollingIntervalSeconds ?? 2) * 1000);
  let state: 'idle' | 'running' | 'stopping' | 'stopped' = 'idle';
  const wake = new AbortController();
  const loops: Promise<void>[] = [];

  async function runJob(def: JobDefinition<unknown>, job: PgBoss.JobWithMetadata<unknown>): Promise<void> {
    const jobLog = options.logger.child({ jobId: job.id, jobName: def.name });
    const attempt = job.retryCount + 1;
    const started = Date.now();
    jobLog.info({ attempt }, 'job started');
    try {
      const stored = def.sealing ? def.sealing.unseal(job.data) : job.data;
      await def.handler(parsePayload(def, stored), { jobId: job.id, attempt, log: jobLog });
    } catch (error) {
      const err = error instanceof Error ? error : new Error(String(error));
      const willRetry = job.retryCount < job.retryLimit;
      jobLog[willRetry ? 'warn' : 'error']({ err, attempt, willRetry, durationMs: Date.now() - started }, 'job failed');
      // If this write fails too, the job stays active until pg-boss expires it, then it is retried.
      await boss.fail(def.name, job.id, { name: err.name, message: err.message }).catch((e: unknown) => jobLog.error({ err: e }, 'could not record job failure'));
      return;
    }
    jobLog.info({ attempt, durationMs: Date.now() - started }, 'job completed');
    await boss.complete(def.name, job.id).catch((e: unknown) => jobLog.error({ err: e }, 'could not record job completion'));
  }

  // Our own loop over fetch/complete/fail rather than boss.work(): pg-boss 10's work() fires complete/fail without
  // awaiting them (an unhandled rejection if the database drops at that moment) and its stop() does not wait for them.
  async function workerLoop(def: JobDefinition<unknown>): Promise<void> {
    while (state === 'running') {
      let jobs: PgBoss.JobWithMetadata<unknown>[] = [];
      try {
        jobs = await boss.fetch<unknown>(def.name, { batchSize: 1, includeMetadata: true });
      } catch (error) {
        log.error({ err: error, jobName: def.name }, 'job fetch failed');
      }
      for (const job of jobs) await runJob(def, job);
      if (jobs.length === 0 && state === 'running') await sleep(intervalMs, undefined, { signal: wake.signal }).catch(() => undefined);
    }
  }

  return {
    async enqueue<P>(tx: Queryable, job: JobDefinition<P>, payload: P, enqueueOptions: EnqueueOptions = {}) {
      const def = registry.get(job.name);
      if (!def) throw new UnknownJobError(job.name);
      const data = parsePayload(def, payload);
      const { singletonKey, startAfterSeconds } = enqueueOptions;
      return boss.send(def.name, def.sealing ? def.sealing.seal(data) : (data as object), {
        ...retryOptions(def),
        ...(singletonKey !== undefined ? { id: singletonId(def.name, singletonKey), singletonKey } : {}),
        ...(startAfterSeconds ? { startAfter: startAfterSeconds } : {}),
        db: asBossDb(tx) as PgBoss.Db,
      });
    },
    async startWorkers() {
      if (state !== 'idle') return;
      state = 'running';
      for (const def of registry.values()) loops.push(workerLoop(def));
      log.info({ queues: [...registry.keys()], pollingIntervalMs: intervalMs }, 'job workers started');
    },
    async stop() {
      if (state === 'stopping' || state === 'stopped') return;
      state = 'stopping';
      wake.abort();
      await Promise.all(loops);
      await boss.stop({ graceful: true, wait: true, close: false });
      await bossDb.drain();
      state = 'stopped';
    },
  };
}
