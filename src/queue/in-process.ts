/**
 * The pipeline in one process without Redis (`bridge demo --serve`): a `JobProducer` whose jobs run here,
 * through the same stage processors the BullMQ workers run (processors/*.ts), and the same recovery sweep
 * over the store (the work accepted and not finished: raw exports, events, OASys versions and ARMS
 * revisions not reconciled, outbox rows not delivered), on a timer. The store drives it, as it does the
 * real workers: a job here is only a reminder, and the sweep finds whatever has none.
 *
 * What the BullMQ side gives, kept here: one job per job key at a time (adding a key already queued,
 * running or waiting to retry adds nothing; `processed_jobs` makes a finished key's re-run a no-op);
 * retries of transient faults with the same full-jitter backoff up to the attempts allowed; a permanent
 * fault or the last attempt ends in a dead letter (failure.ts); `delayMs` (a delivery busy elsewhere)
 * waits without spending an attempt; work whose latest letter is open is left for a person to replay.
 * Jobs run one at a time, in the order queued: enough for a demo, and PGlite is one session anyway.
 * Not for production: nothing survives the process but what the store holds (which the sweep resumes).
 */
import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { OrdsClient } from "../ingest/ords/client.ts";
import type { Db } from "../store/index.ts";
import { latestLettersFor } from "../store/repositories/dead-letters.ts";
import {
  type SweepCursor,
  UNFINISHED_SOURCES,
  type Unfinished,
  unfinishedPage,
} from "../store/repositories/recovery.ts";
import { type BackoffPolicy, DEFAULT_BACKOFF, retryDelay } from "./backoff.ts";
import type { JobMeta, PipelineContext } from "./context.ts";
import { classify, deadLetter } from "./failure.ts";
import { type JobProducer, jobIds, QUEUES, type QueueName, replayKey } from "./jobs.ts";
import { processIngest } from "./processors/ingest.ts";
import { type AgencyClients, processPush } from "./processors/push.ts";
import { processReconcile } from "./processors/reconcile.ts";
import { type AnyJob, pushQueueOf } from "./producer.ts";
import type { Stage } from "./run.ts";
import { jobFor } from "./sweeper.ts";

export interface InProcessOptions {
  db: Db;
  log: Logger;
  now: () => Date;
  reconcile: PipelineContext["reconcile"];
  agencies: AgencyClients;
  /** The ORDS client for OASYS_EVENT jobs; absent: such jobs fail permanently (a dead letter). */
  ords?: () => OrdsClient;
  /** Attempts per job (PUSH_ATTEMPTS). */
  attempts: number;
  /** How often the recovery sweep runs (it also runs at start). */
  sweepIntervalMs: number;
  backoff?: BackoffPolicy;
  metrics?: PipelineContext["metrics"];
}

export interface InProcessPipeline {
  /** Queues work as the BullMQ producer would (also `add`, which the API's dead-letter replay uses). */
  readonly producer: JobProducer & { add(queue: QueueName, data: AnyJob, jobKey: string): Promise<void> };
  /** One sweep now; how many pieces of unfinished work it queued. */
  sweep(): Promise<number>;
  /** A sweep, then resolves once nothing is queued, running or waiting to retry. */
  idle(): Promise<void>;
  /** Stops the sweep and the retries, and waits for the job running, if any. */
  close(): Promise<void>;
}

interface Item {
  queue: QueueName;
  data: AnyJob;
  key: string;
  attempt: number;
}

export function startInProcessPipeline(options: InProcessOptions): InProcessPipeline {
  const { db, log } = options;
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  /** Every key queued, running or waiting to retry. */
  const known = new Set<string>();
  const queue: Item[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let running: Promise<void> | null = null;
  let sweeping = false;
  let closed = false;
  let idleWaiters: (() => void)[] = [];

  const add = async (q: QueueName, data: AnyJob, key: string) => {
    if (closed || known.has(key)) return;
    known.add(key);
    queue.push({ queue: q, data, key, attempt: 1 });
    pump();
  };
  const producer: InProcessPipeline["producer"] = {
    add,
    ingest: (job) => add(QUEUES.ingest, job, jobIds.ingest(job)),
    reconcile: (job) => add(QUEUES.reconcile, job, jobIds.reconcile(job)),
    push: (recipient, job) => add(pushQueueOf(recipient), job, jobIds.push(job)),
  };

  const ctx: PipelineContext = {
    db,
    producer,
    now: options.now,
    log,
    workerId: `in-process:${process.pid}:${randomUUID().slice(0, 8)}`,
    reconcile: options.reconcile,
    ords: () => {
      if (!options.ords) throw new Error("ORDS is not configured here");
      return options.ords();
    },
    metrics: options.metrics,
  };
  const stages: Record<QueueName, Stage<never>> = {
    [QUEUES.ingest]: processIngest as Stage<never>,
    [QUEUES.reconcile]: processReconcile as Stage<never>,
    [QUEUES.pushArms]: processPush(options.agencies, "ARMS") as Stage<never>,
    [QUEUES.pushOasys]: processPush(options.agencies, "OASYS") as Stage<never>,
  };

  const later = (item: Item, ms: number) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (closed) return;
      queue.push(item);
      pump();
    }, ms);
    timers.add(timer);
  };

  /** Runs one job as run.ts does for BullMQ, ids only in the log. */
  const runOne = async (item: Item) => {
    const meta: JobMeta = {
      queue: item.queue,
      jobKey: item.key,
      attempt: item.attempt,
      maxAttempts: options.attempts,
    };
    const line = log.child({ queue: item.queue, jobKey: item.key, attempt: item.attempt });
    try {
      const result = await stages[item.queue](ctx, item.data as never, meta);
      if (result.delayMs !== undefined) return later(item, result.delayMs);
      known.delete(item.key);
      if (result.deadLetterId) line.warn({ deadLetterId: result.deadLetterId }, "job dead-lettered");
      else line.debug({ outcome: result.outcome, ...result.summary }, "job done");
    } catch (error) {
      const fault = classify(error);
      if (!fault.permanent && item.attempt < options.attempts) {
        line.warn({ code: fault.code }, "job failed, will retry");
        return later(
          { ...item, attempt: item.attempt + 1 },
          retryDelay(item.attempt, backoff, fault.retryAfterMs),
        );
      }
      known.delete(item.key);
      const letter = await deadLetter(db, {
        subject: { queue: item.queue, jobKey: item.key, data: item.data },
        code: fault.code,
        reason: fault.reason,
        attempts: item.attempt,
        at: options.now().toISOString(),
      });
      line.error({ code: fault.code, deadLetterId: letter.id }, "job dead-lettered");
    }
  };

  function pump() {
    if (running || closed) return;
    const next = queue.shift();
    if (!next) {
      if (timers.size === 0 && !sweeping) for (const done of idleWaiters.splice(0)) done();
      return;
    }
    running = runOne(next)
      .catch((error: unknown) => {
        known.delete(next.key);
        log.error({ err: (error as Error).message, jobKey: next.key }, "job could not be settled");
      })
      .finally(() => {
        running = null;
        pump();
      });
  }

  const sweep = async (): Promise<number> => {
    sweeping = true;
    let queued = 0;
    try {
      const cutoff = options.now().toISOString();
      for (const source of UNFINISHED_SOURCES) {
        let after: SweepCursor | null = null;
        for (;;) {
          const page = await unfinishedPage(db, source, cutoff, after, 500);
          const work = page.map((row) => jobFor(row));
          const letters = await latestLettersFor(
            db,
            work.map((w) => w.key),
          );
          for (const w of work) {
            const letter = letters.get(w.key);
            if (letter && !letter.replayed) continue; // a person decides: replay, or not
            const key = letter ? replayKey(letter.jobKey, letter.replayCount) : w.key;
            if (known.has(key)) continue;
            await add(w.queue, w.data, key);
            queued += 1;
          }
          if (page.length < 500 || closed) break;
          const last = page[page.length - 1] as Unfinished;
          after = { at: last.at, id: last.id };
        }
      }
    } finally {
      sweeping = false;
      pump();
    }
    return queued;
  };

  let sweepTimer: NodeJS.Timeout | null = null;
  const scheduleSweep = (delay: number) => {
    if (closed) return;
    sweepTimer = setTimeout(() => {
      sweep().then(
        (queued) => {
          if (queued > 0) log.info({ queued }, "sweep: unfinished work queued");
          scheduleSweep(options.sweepIntervalMs);
        },
        (error: unknown) => {
          log.warn({ err: (error as Error).message }, "sweep failed; the next one tries again");
          scheduleSweep(options.sweepIntervalMs);
        },
      );
    }, delay);
  };
  scheduleSweep(0);

  return {
    producer,
    sweep,
    async idle() {
      await sweep();
      await new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        pump();
      });
    },
    async close() {
      closed = true;
      if (sweepTimer) clearTimeout(sweepTimer);
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      queue.length = 0;
      await running;
      for (const done of idleWaiters.splice(0)) done();
      idleWaiters = [];
    },
  };
}
