/**
 * Redis connections for BullMQ. Workers block on Redis and must never give up on a command
 * (`maxRetriesPerRequest: null`, BullMQ's requirement); producers (the HTTP API) should fail a request
 * quickly when Redis is away rather than queue commands forever.
 */
import { Redis } from "ioredis";

export type RedisRole = "worker" | "producer";

export function createRedis(url: string, role: RedisRole): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: role === "worker" ? null : 3,
    enableOfflineQueue: role === "worker",
    connectionName: `oasys-arms-bridge:${role}`,
    lazyConnect: false,
  });
}

/** Resolves when the connection is ready (or rejects on the first error), for start-up and readiness. */
export async function redisReady(redis: Redis, timeoutMs = 5_000): Promise<void> {
  if (redis.status === "ready") return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => done(new Error("Redis did not become ready in time")), timeoutMs);
    const done = (error?: Error) => {
      clearTimeout(timer);
      redis.off("ready", onReady);
      redis.off("error", onError);
      if (error) reject(error);
      else resolve();
    };
    const onReady = () => done();
    const onError = (error: Error) => done(error);
    redis.once("ready", onReady);
    redis.once("error", onError);
  });
}

/** Closes a connection, waiting for pending replies; falls back to disconnecting when that fails. */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === "end") return;
  try {
    await redis.quit();
  } catch {
    redis.disconnect();
  }
}

/**
 * Deletes every Redis key under a queue prefix (SCAN, never KEYS): for retiring a deployment's queues, and
 * for test runs and benchmarks cleaning up the prefix they made.
 */
export async function deleteKeysUnder(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl);
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
}
