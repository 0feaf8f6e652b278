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
import { BACKOFF_TYPE } from "./backoff.ts";
import { closeRedis, createRedis } from "./connection.ts";
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
  /** A connection to share; when absent the producer opens (and closes) its own. */
  connection?: Redis;
}

export function producerOptionsFrom(config: Config): ProducerOptions {
  return { redisUrl: config.redisUrl, prefix: config.queuePrefix, attempts: config.worker.pushAttempts };
}

export function createProducer(options: ProducerOptions): BullProducer {
  const connection = options.connection ?? createRedis(options.redisUrl, "producer");
  const owned = !options.connection;
  const make = (name: QueueName) =>
    new Queue(name, {
      connection,
      prefix: options.prefix,
      defaultJobOptions: defaultJobOptions(options.attempts),
    });
  const queues = {
    [QUEUES.ingest]: make(QUEUES.ingest),
    [QUEUES.reconcile]: make(QUEUES.reconcile),
    [QUEUES.pushArms]: make(QUEUES.pushArms),
    [QUEUES.pushOasys]: make(QUEUES.pushOasys),
  } as Record<QueueName, Queue>;

  const add = async (queue: QueueName, data: AnyJob, jobKey: string) => {
    await queues[queue].add(queue, data, { jobId: bullJobId(jobKey) });
  };

  return {
    queues,
    add,
    ingest: (job) => add(QUEUES.ingest, job, jobIds.ingest(job)),
    reconcile: (job) => add(QUEUES.reconcile, job, jobIds.reconcile(job)),
    push: (recipient, job) => add(pushQueueOf(recipient), job, jobIds.push(job)),
    async close() {
      await Promise.all(Object.values(queues).map((q) => q.close()));
      if (owned) await closeRedis(connection);
    },
  };
}
