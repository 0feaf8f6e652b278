/**
 * Queue depths for the metrics scrape, read from BullMQ on Redis. One small Redis connection of its own
 * (never the producer's or a worker's blocking connection), failing fast when Redis is down so a scrape
 * never hangs: the gauge is then left empty and `bridge_metrics_scrape_errors_total{source="queues"}` rises.
 */
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { QUEUES } from "../queue/jobs.ts";
import type { QueueCountsReader } from "./metrics.ts";

/** The states a dashboard needs; BullMQ counts each in one round trip per queue. */
export const COUNTED_STATES = ["waiting", "active", "delayed", "prioritized", "failed", "paused"] as const;

export interface QueueDepthSource {
  read: QueueCountsReader;
  close(): Promise<void>;
}

export function bullmqQueueDepths(options: {
  redisUrl: string;
  prefix: string;
  queues?: readonly string[];
}): QueueDepthSource {
  const connection = new Redis(options.redisUrl, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectTimeout: 2_000,
    lazyConnect: true,
  });
  // Connection faults surface as rejected reads (counted as scrape errors), not as process errors.
  connection.on("error", () => {});
  const names = options.queues ?? Object.values(QUEUES);
  const queues = names.map((name) => new Queue(name, { connection, prefix: options.prefix }));
  return {
    async read() {
      if (connection.status === "wait") await connection.connect();
      const entries = await Promise.all(
        queues.map(async (q) => [q.name, await q.getJobCounts(...COUNTED_STATES)] as const),
      );
      return Object.fromEntries(entries);
    },
    async close() {
      await Promise.all(queues.map((q) => q.close()));
      connection.disconnect();
    },
  };
}
