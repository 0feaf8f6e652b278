/**
 * `bullmq-noop.ts <redis-url> <prefix> <concurrency>`: the raw BullMQ ceiling for the queue bench. The
 * pipeline's queues and stages with processors that do nothing but hand on: ingest -> reconcile ->
 * push-arms + push-oasys (a fan-out of two), set up exactly as `startWorker` sets up the bridge's (one
 * shared worker connection, the bridge's producer with its job options and derived job ids, one Worker
 * per queue at the given concurrency, the same backoff strategy). Runs until SIGTERM.
 *
 * Prints `{"ready":true}` once every Worker runs, then `{"pushes":n,"at":epochMs}` after every 100th
 * finished push, so the bench can tell when a run is done and when its last push finished.
 */
import { Worker } from "bullmq";
import { loadConfig } from "../../src/config.ts";
import { backoffStrategy, DEFAULT_BACKOFF } from "../../src/queue/backoff.ts";
import { closeRedis, createRedis, redisReady } from "../../src/queue/connection.ts";
import { type IngestJob, QUEUES, type QueueName, type ReconcileJob } from "../../src/queue/jobs.ts";
import { createProducer } from "../../src/queue/producer.ts";

const [redisUrl = "redis://127.0.0.1:6379", prefix = "bench-raw", concurrencyArg = "4"] =
  process.argv.slice(2);
const concurrency = Number(concurrencyArg);

const connection = createRedis(redisUrl, "worker");
await redisReady(connection);
const producer = createProducer({
  redisUrl,
  prefix,
  attempts: loadConfig({}).worker.pushAttempts,
  connection,
});

let pushes = 0;
const pushed = async () => {
  pushes++;
  if (pushes % 100 === 0) process.stdout.write(`${JSON.stringify({ pushes, at: Date.now() })}\n`);
};

const processors: Record<QueueName, (data: never) => Promise<void>> = {
  // Hands on what the real ingest stage would, for the one assessment of the export.
  [QUEUES.ingest]: async (job: IngestJob) => {
    const record = job.type === "OASYS_EXPORT" ? job.exportId : String(job.assessmentPk);
    await producer.reconcile({ source: "OASYS", record, revision: 1 });
  },
  // One push per agency, enqueued one after the other as the real reconcile stage does.
  [QUEUES.reconcile]: async (job: ReconcileJob) => {
    await producer.push("ARMS", { outboxId: `${job.record}-arms` });
    await producer.push("OASYS", { outboxId: `${job.record}-oasys` });
  },
  [QUEUES.pushArms]: pushed,
  [QUEUES.pushOasys]: pushed,
} as Record<QueueName, (data: never) => Promise<void>>;

const workers = Object.values(QUEUES).map(
  (name) =>
    new Worker(name, async (job) => processors[name](job.data as never), {
      connection,
      prefix,
      concurrency,
      settings: { backoffStrategy: backoffStrategy(DEFAULT_BACKOFF) },
    }),
);
await Promise.all(workers.map((w) => w.waitUntilReady()));
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);

await new Promise<void>((resolve) => process.once("SIGTERM", () => resolve()));
await Promise.all(workers.map((w) => w.close()));
await producer.close();
await closeRedis(connection);
