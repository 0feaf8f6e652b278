/**
 * The worker process: a BullMQ Worker per queue (ingest, reconcile, push-arms, push-oasys) running the
 * stage processors with the configured concurrency, and the recovery sweep. `startWorker` is used by
 * `bridge worker`, by `bridge serve --with-worker` and by tests, all in-process.
 *
 * Shutdown (`close()`, called on SIGTERM/SIGINT by the CLI): the workers stop taking jobs and in-flight jobs
 * get `graceMs` to finish. Jobs still running then are abandoned without being marked: their locks lapse
 * and BullMQ's stalled-job check on another worker (or on this one's next start) puts them back to wait.
 * Every stage is idempotent per job key, so a job run again after being abandoned repeats nothing.
 * The queues and the Redis connection are closed here; the database belongs to the caller.
 *
 * Every job that ends failed leaves a dead letter: the processors write their own (src/queue/run.ts), and
 * a job BullMQ fails without running it (stalled more than `maxStalledCount` times) is lettered here, on
 * the 'failed' event of the worker that took it (`deadLetterFailedJob`); the recovery sweep letters any
 * failed job it finds without one (a worker that died before its letter was written).
 */
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { Worker } from "bullmq";
import type { Logger } from "pino";
import type { Config } from "../config.ts";
import { loadThresholds } from "../core/conflicts/load-thresholds.ts";
import { loadMapping } from "../core/mapping/load.ts";
import { loadRetention } from "../core/retention/load.ts";
import type { OrdsClient } from "../ingest/ords/client.ts";
import { createLogger } from "../log.ts";
import { ordsClientFrom } from "../pipeline/pull.ts";
import type { Db } from "../store/index.ts";
import { type BackoffPolicy, backoffStrategy, DEFAULT_BACKOFF } from "./backoff.ts";
import { closeRedis, createRedis, redisReady } from "./connection.ts";
import type { PipelineContext } from "./context.ts";
import { deadLetterFailedJob } from "./failure.ts";
import { QUEUES, type QueueName } from "./jobs.ts";
import { processIngest } from "./processors/ingest.ts";
import { type AgencyClients, agencyClientsFrom, processPush } from "./processors/push.ts";
import { processReconcile } from "./processors/reconcile.ts";
import { type BullProducer, createProducer } from "./producer.ts";
import { type RetentionSchedule, startRetentionSchedule } from "./retention.ts";
import { bullProcessor } from "./run.ts";
import { type Sweeper, startSweeper } from "./sweeper.ts";

export interface WorkerDeps {
  config: Config;
  db: Db;
  log?: Logger;
  now?: () => Date;
  /** Default: loaded from the configured (or bundled) mapping and thresholds files. */
  reconcile?: PipelineContext["reconcile"];
  /** Default: from `config.ords` (an OASYS_EVENT job fails permanently when ORDS is not configured). */
  ords?: OrdsClient;
  /** Default: from `config.arms` / `config.oasys`. */
  agencies?: AgencyClients;
  metrics?: PipelineContext["metrics"];
  backoff?: BackoffPolicy;
  /** How long in-flight jobs may run on after `close()` (default 25 s, inside Kubernetes' 30 s). */
  graceMs?: number;
  /** Which queues to process (default all). */
  queues?: readonly QueueName[];
  /** Run the recovery sweep, at start-up and every `config.worker.sweepIntervalMs` (default true). */
  sweeper?: boolean;
  /** BullMQ lock and stalled-check timing (defaults: BullMQ's 30 s each). */
  bullmq?: { lockDuration?: number; stalledInterval?: number; maxStalledCount?: number; drainDelay?: number };
  workerId?: string;
  /** The claim a push holds on its outbox row (default 60 s); a dead worker's row is free again after it. */
  pushLeaseMs?: number;
}

export interface RunningWorker {
  readonly workerId: string;
  /** The producer the processors hand work on with (shares the worker's Redis connection). */
  readonly producer: BullProducer;
  /** Redis answers and every BullMQ worker is running. */
  ready(): Promise<boolean>;
  /** Graceful shutdown; safe to call more than once. */
  close(): Promise<void>;
}

/** Connections the API alone uses when it has no worker beside it (node-postgres' usual default). */
const API_POOL_SIZE = 10;

/**
 * PostgreSQL connections a process needs: one for every job a worker may run at once on each of its
 * queues, two for the sweeper and readiness checks, and the API's own when it serves too. A smaller pool
 * makes jobs queue for a connection inside the worker while holding their BullMQ locks. `DB_POOL_SIZE`
 * overrides it.
 */
export function dbPoolSize(config: Config, roles: { api: boolean; worker: boolean }): number {
  if (config.databasePoolSize !== null) return config.databasePoolSize;
  const worker = roles.worker ? config.worker.concurrency * Object.keys(QUEUES).length + 2 : 0;
  return (roles.api ? API_POOL_SIZE : 0) + worker;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

export async function startWorker(deps: WorkerDeps): Promise<RunningWorker> {
  const { config, db } = deps;
  const log = deps.log ?? createLogger({ level: config.logLevel, name: "bridge-worker" });
  const workerId = deps.workerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const reconcile = deps.reconcile ?? {
    mapping: loadMapping(config.mappingPath ?? undefined),
    thresholds: loadThresholds(config.thresholdsPath ?? undefined),
  };
  let ords = deps.ords ?? null;
  const agencies = deps.agencies ?? agencyClientsFrom(config);
  // Validated at start-up: a bad periods file stops the worker here, naming file and line.
  const retentionPolicy =
    config.retention.intervalMs === null ? null : loadRetention(config.retention.path ?? undefined);

  const connection = createRedis(config.redisUrl, "worker");
  connection.on("error", (error: Error) => log.warn({ err: error.message }, "redis connection error"));
  await redisReady(connection);
  const producer = createProducer({
    redisUrl: config.redisUrl,
    prefix: config.queuePrefix,
    attempts: config.worker.pushAttempts,
    connection,
  });

  const ctx: PipelineContext = {
    db,
    producer,
    now: deps.now ?? (() => new Date()),
    log,
    workerId,
    reconcile,
    ords: () => {
      ords ??= ordsClientFrom(config.ords);
      return ords;
    },
    metrics: deps.metrics,
    pushLeaseMs: deps.pushLeaseMs,
    backoff: deps.backoff,
  };

  const stages: Record<QueueName, ReturnType<typeof bullProcessor<never>>> = {
    [QUEUES.ingest]: bullProcessor(ctx, QUEUES.ingest, processIngest),
    [QUEUES.reconcile]: bullProcessor(ctx, QUEUES.reconcile, processReconcile),
    [QUEUES.pushArms]: bullProcessor(ctx, QUEUES.pushArms, processPush(agencies, "ARMS")),
    [QUEUES.pushOasys]: bullProcessor(ctx, QUEUES.pushOasys, processPush(agencies, "OASYS")),
  } as Record<QueueName, ReturnType<typeof bullProcessor<never>>>;

  const names = deps.queues ?? Object.values(QUEUES);
  /** Dead letters being written for failed jobs; close() waits for them. */
  const letters = new Set<Promise<void>>();
  const workers = names.map((name) => {
    const worker = new Worker(name, stages[name], {
      connection,
      prefix: config.queuePrefix,
      concurrency: config.worker.concurrency,
      settings: { backoffStrategy: backoffStrategy(deps.backoff ?? DEFAULT_BACKOFF) },
      ...(deps.bullmq ?? {}),
    });
    worker.on("error", (error) => log.error({ queue: name, err: error.message }, "worker error"));
    worker.on("failed", (job) => {
      if (!job?.finishedOn) return; // to be retried
      const lettering = deadLetterFailedJob(db, name, job, ctx.now().toISOString()).then(
        (letter) => {
          if (!letter?.recorded) return;
          log.error(
            { queue: name, jobKey: letter.letter.subject.jobKey, deadLetterId: letter.letter.id },
            "failed job dead-lettered",
          );
          ctx.metrics?.jobFinished(name, "dead_lettered");
        },
        (error: unknown) =>
          log.warn(
            { queue: name, err: (error as Error).message },
            "failed job not dead-lettered yet (the sweep will)",
          ),
      );
      lettering.finally(() => letters.delete(lettering));
      letters.add(lettering);
    });
    return worker;
  });
  await Promise.all(workers.map((w) => w.waitUntilReady()));

  const sweeper: Sweeper | null =
    deps.sweeper === false
      ? null
      : startSweeper({
          db,
          producer,
          intervalMs: config.worker.sweepIntervalMs,
          graceMs: config.worker.sweepGraceMs,
          now: ctx.now,
          log,
        });
  const retention: RetentionSchedule | null =
    retentionPolicy && config.retention.intervalMs !== null
      ? startRetentionSchedule({
          db,
          policy: retentionPolicy,
          intervalMs: config.retention.intervalMs,
          now: ctx.now,
          log,
        })
      : null;
  log.info({ workerId, queues: names, concurrency: config.worker.concurrency }, "worker started");

  let closing: Promise<void> | null = null;
  const close = async () => {
    log.info({ workerId }, "worker stopping: no new jobs, waiting for jobs in flight");
    await sweeper?.stop();
    await retention?.stop();
    const graceMs = deps.graceMs ?? 25_000;
    // pause(): stop fetching and resolve once the jobs in flight have finished.
    const drained = Promise.all(workers.map((w) => w.pause())).then(() => true);
    const inTime = await Promise.race([drained, sleep(graceMs).then(() => false)]);
    if (!inTime) {
      log.warn(
        { workerId, graceMs },
        "jobs still in flight after the grace period: left to the stalled check",
      );
    }
    // Forced: does not wait for jobs still running; their locks are no longer renewed and lapse.
    await Promise.all(workers.map((w) => w.close(true)));
    await Promise.all(letters);
    await producer.close();
    await closeRedis(connection);
    log.info({ workerId }, "worker stopped");
  };

  return {
    workerId,
    producer,
    async ready() {
      if (closing) return false;
      try {
        await connection.ping();
      } catch {
        return false;
      }
      return workers.every((w) => w.isRunning());
    },
    close() {
      closing ??= close();
      return closing;
    },
  };
}
