/**
 * Shared set-up for the queue suite: real Redis under a queue prefix of the file's own (its keys deleted
 * afterwards), a real PostgreSQL schema of the file's own (dropped afterwards), configuration as the
 * service reads it, a silent logger, and bounded polling (no timed assertions).
 */
import { randomBytes } from "node:crypto";
import { pino } from "pino";
import { type Config, loadConfig } from "../../src/config.ts";
import { deleteKeysUnder } from "../../src/queue/connection.ts";
import type { Db } from "../../src/store/index.ts";
import { DATABASE_URL, DRIVERS, freshStore } from "../store/support.ts";

export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

export const uniquePrefix = (): string => `bt-${process.pid}-${randomBytes(4).toString("hex")}`;

export const silentLog = pino({ level: "silent" });

export function testConfig(prefix: string, schema: string, env: Record<string, string> = {}): Config {
  return loadConfig({
    DATABASE_URL,
    DB_SCHEMA: schema,
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    WORKER_CONCURRENCY: "4",
    PUSH_ATTEMPTS: "4",
    OUTBOX_SWEEP_INTERVAL_MS: "3600000",
    LOG_LEVEL: "silent",
    ARMS_BASE_URL: "http://police.test",
    OASYS_BASE_URL: "http://probation.test",
    ARMS_TIMEOUT_MS: "2000",
    OASYS_TIMEOUT_MS: "2000",
    ...env,
  });
}

/** A migrated PostgreSQL schema of this file's own. */
export async function postgresStore(): Promise<{ db: Db; done: () => Promise<void> }> {
  return freshStore(DRIVERS[0]!);
}

export const dropPrefix = (prefix: string) => deleteKeysUnder(REDIS_URL, prefix);

/** Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 20_000,
  everyMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value as T;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
