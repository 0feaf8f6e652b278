/**
 * The BullMQ `JobProducer`: one Queue per stage under the configured prefix, every job added under its
 * derived key (`bullJobId`) (so the same export, event, revision or outbox row adds nothing while the job is retained),
 * with the default options every stage shares:
 * - `attempts` (PUSH_ATTEMPTS) with the full-jitter backoff of `backoff.ts`;
 * - completed jobs kept 24 hours (at most 10,000 per queue), so a re-delivery inside a day is a no-op in
 *   Redis already; after that `processed_jobs` in PostgreSQL keeps the guarantee;
 * - failed jobs kept 14 days, for inspection beside their dead letter.
 */
import { type JobsOptions, Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { Config } from "../config.ts";
import { BridgeError } from "../errors.ts";
import { BACKOFF_TYPE } from "./backoff.ts";
import {
  closeRedis,
  createRedis,
  DEFAULT_REDIS_TIMEOUT_MS,
  type RedisTimeouts,
  redisReady,
} from "./connection.ts";
import {
  bullJobId,
  type IngestJob,
  type JobProducer,
  jobIds,
  type PushJob,
  QUEUES,
  type QueueName,
  type Recipient,
  type ReconcileJob,
} from "./jobs.ts";

export type AnyJob = IngestJob | ReconcileJob | PushJob;

export const COMPLETED_RETENTION = { age: 24 * 3600, count: 10_000 };
export const FAILED_RETENTION = { age: 14 * 24 * 3600 };

export function defaultJobOptions(attempts: number): JobsOptions {
  return {
    attempts,
    backoff: { type: BACKOFF_TYPE },
    removeOnComplete: COMPLETED_RETENTION,
    removeOnFail: FAILED_RETENTION,
  };
}

export const pushQueueOf = (recipient: Recipient): QueueName =>
  recipient === "ARMS" ? QUEUES.pushArms : QUEUES.pushOasys;

export const recipientOf = (queue: QueueName): Recipient | null =>
  queue === QUEUES.pushArms ? "ARMS" : queue === QUEUES.pushOasys ? "OASYS" : null;

/** The producer plus what replay and the ops endpoints need: adding under a chosen id, the queues. */
export interface BullProducer extends JobProducer {
  readonly queues: Readonly<Record<QueueName, Queue>>;
  /** Adds `data` to `queue` under the job key (ignored while a job with that key is retained). */
  add(queue: QueueName, data: AnyJob, jobKey: string): Promise<void>;
  /** Closes the queues, and the Redis connection when the producer opened it. */
  close(): Promise<void>;
}

export interface ProducerOptions {
  redisUrl: string;
  prefix: string;
  attempts: number;
  /**
   * A connection to share (a worker's, which waits for Redis); when absent the producer opens (and
   * closes) its own, which fails fast: see `add`.
   */
  connection?: Redis;
  /** For its own connection (src/queue/connection.ts). */
  timeouts?: RedisTimeouts;
}

export function producerOptionsFrom(config: Config): ProducerOptions {
  return {
    redisUrl: config.redisUrl,
    prefix: config.queuePrefix,
    attempts: config.worker.pushAttempts,
    timeouts: config.redis,
  };
}

const unavailable = (detail: string, cause?: unknown) =>
  new BridgeError("BRIDGE_E_QUEUE_UNAVAILABLE", detail, {}, cause ? { cause } : {});

/** `promise`, or BRIDGE_E_QUEUE_UNAVAILABLE after `ms` (what it would have done is then harmless late). */
async function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(unavailable("Redis did not answer in time")), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export function createProducer(options: ProducerOptions): BullProducer {
  const connection = options.connection ?? createRedis(options.redisUrl, "producer", options.timeouts);
  const owned = !options.connection;
  const connectMs = options.timeouts?.connectTimeoutMs ?? DEFAULT_REDIS_TIMEOUT_MS;
  const commandMs = options.timeouts?.commandTimeoutMs ?? DEFAULT_REDIS_TIMEOUT_MS;
  const make = (name: QueueName) => {
    const queue = new Queue(name, {
      connection,
      prefix: options.prefix,
      defaultJobOptions: defaultJobOptions(options.attempts),
    });
    // Connection faults reach callers as `add`'s rejections; the queue's own events would be unheard.
    queue.on("error", () => {});
    return queue;
  };
  const queues = {
    [QUEUES.ingest]: make(QUEUES.ingest),
    [QUEUES.reconcile]: make(QUEUES.reconcile),
    [QUEUES.pushArms]: make(QUEUES.pushArms),
    [QUEUES.pushOasys]: make(QUEUES.pushOasys),
  } as Record<QueueName, Queue>;

  /**
   * On its own connection, a job is added only while Redis is connected (waiting at most the connect
   * time-out for a connection being made), and within the connect plus command time-outs: BullMQ itself
   * would wait for a connection that is not there as long as it takes. Either way the caller gets
   * BRIDGE_E_QUEUE_UNAVAILABLE; an add that lands late anyway is harmless (job ids).
   */
  const add = async (queue: QueueName, data: AnyJob, jobKey: string) => {
    const adding = () => queues[queue].add(queue, data, { jobId: bullJobId(jobKey) });
    if (!owned) {
      await adding();
      return;
    }
    if (connection.status !== "ready") {
      try {
        await redisReady(connection, connectMs);
      } catch (error) {
        throw unavailable("Redis is not connected", error);
      }
    }
    await within(adding(), connectMs + commandMs);
  };

  return {
    queues,
    add,
    ingest: (job) => add(QUEUES.ingest, job, jobIds.ingest(job)),
    reconcile: (job) => add(QUEUES.reconcile, job, jobIds.reconcile(job)),
    push: (recipient, job) => add(pushQueueOf(recipient), job, jobIds.push(job)),
    async close() {
      if (owned) {
        // Let each queue's start-up end (succeed, or fail on a connection ended here when it is not
        // connected) while the queue still listens: BullMQ reports a start-up failing after the close as
        // an unhandled rejection. Bounded: an ended connection fails at once, a live one answers within the
        // command time-out.
        if (connection.status !== "ready") connection.disconnect();
        await Promise.all(Object.values(queues).map((q) => q.waitUntilReady().catch(() => undefined)));
      }
      await Promise.all(Object.values(queues).map((q) => q.close()));
      if (owned) await closeRedis(connection);
    },
  };
}
