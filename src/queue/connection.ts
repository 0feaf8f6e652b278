/**
 * Redis connections for BullMQ. Workers block on Redis and must never give up on a command
 * (`maxRetriesPerRequest: null`, BullMQ's requirement). Producers (the HTTP API, `bridge dlq`) fail fast
 * when Redis is away, so a request is answered 503 within seconds instead of waiting for Redis: no
 * offline queue (a command while disconnected fails at once), one retry across a reconnection, a bounded
 * connect and a time limit on every reply (`commandTimeout`: a Redis that stopped answering without
 * closing the connection, as behind a dead network path).
 */
import { Redis } from "ioredis";

export type RedisRole = "worker" | "producer";

export interface RedisTimeouts {
  /** Default 3 s. */
  connectTimeoutMs?: number;
  /** Producers only (a worker's blocking commands wait by design). Default 3 s. */
  commandTimeoutMs?: number;
}

export const DEFAULT_REDIS_TIMEOUT_MS = 3_000;

export function createRedis(url: string, role: RedisRole, timeouts: RedisTimeouts = {}): Redis {
  const connectionName = `oasys-arms-bridge:${role}`;
  if (role === "worker") {
    return new Redis(url, {
      maxRetriesPerRequest: null,
      enableOfflineQueue: true,
      connectionName,
      lazyConnect: false,
    });
  }
  return new Redis(url, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectTimeout: timeouts.connectTimeoutMs ?? DEFAULT_REDIS_TIMEOUT_MS,
    commandTimeout: timeouts.commandTimeoutMs ?? DEFAULT_REDIS_TIMEOUT_MS,
    connectionName,
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

/**
 * Closes a connection: QUIT, waiting up to `timeoutMs` for pending replies, when it is connected; else
 * (Redis away, a reconnection under way) or when QUIT fails or takes longer, it is disconnected, which
 * also stops its reconnecting. Never waits for Redis to come back.
 */
export async function closeRedis(redis: Redis, timeoutMs = 1_000): Promise<void> {
  if (redis.status === "end") return;
  if (redis.status !== "ready") {
    redis.disconnect();
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      redis.quit(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error("QUIT not answered in time")), timeoutMs);
      }),
    ]);
  } catch {
    redis.disconnect();
  } finally {
    clearTimeout(timer);
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
