/**
 * Readiness: can this process do its job right now? Each check resolves when its dependency is usable and
 * throws when it is not; `/ready` runs them all at once, each under a time limit, and answers 503 naming the
 * ones that failed. Liveness (`/health`) checks nothing outside the process, so a database outage makes
 * the service unready (taken out of the load balancer) without getting it restarted.
 */
import { Redis } from "ioredis";
import { BridgeError, isBridgeError } from "../errors.ts";
import type { Db } from "../store/index.ts";
import { pendingMigrations } from "../store/migrate.ts";

export type ReadinessCheck = () => Promise<void>;
export type ReadinessChecks = Readonly<Record<string, ReadinessCheck>>;

export interface CheckResult {
  ok: boolean;
  code?: string;
  detail?: string;
}

export const CHECK_TIMEOUT_MS = 2_000;

/** Wraps a driver fault in a registry code, naming the fault's kind (`ECONNREFUSED`), never its text. */
function unavailable(code: "BRIDGE_E_STORE_UNAVAILABLE" | "BRIDGE_E_QUEUE_UNAVAILABLE", error: unknown) {
  if (isBridgeError(error)) return error;
  const kind = (error as { code?: unknown } | null)?.code;
  return new BridgeError(code, typeof kind === "string" ? kind : "no connection", {}, { cause: error });
}

/** The database answers a query, and its schema has every migration this code knows. */
export function storeChecks(db: Db): ReadinessChecks {
  return {
    database: async () => {
      try {
        await db.query("SELECT 1");
      } catch (error) {
        throw unavailable("BRIDGE_E_STORE_UNAVAILABLE", error);
      }
    },
    migrations: async () => {
      const pending = await pendingMigrations(db);
      if (pending.length > 0) {
        throw new BridgeError("BRIDGE_E_STORE_MIGRATION", `${pending.length} migration(s) pending`);
      }
    },
  };
}

/** Redis answers PING, on a connection of its own that fails fast instead of queueing commands. */
export function redisCheck(redisUrl: string): { check: ReadinessCheck; close: () => Promise<void> } {
  const redis = new Redis(redisUrl, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: CHECK_TIMEOUT_MS,
    retryStrategy: (times) => Math.min(times * 200, 2_000),
  });
  redis.on("error", () => {});
  return {
    check: async () => {
      try {
        if (redis.status === "wait" || redis.status === "end") await redis.connect();
        await redis.ping();
      } catch (error) {
        throw unavailable("BRIDGE_E_QUEUE_UNAVAILABLE", error);
      }
    },
    close: async () => {
      redis.disconnect();
    },
  };
}

function withTimeout(check: ReadinessCheck, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([check(), timeout]).finally(() => clearTimeout(timer));
}

/** What a failed check says: a registry code where there is one, else the error's kind. Never a value. */
function describe(error: unknown): CheckResult {
  if (isBridgeError(error)) return { ok: false, code: error.code, detail: error.detail };
  const message = error instanceof Error ? error.message : "";
  return { ok: false, detail: /^no answer within/.test(message) ? message : "unavailable" };
}

export async function runChecks(
  checks: ReadinessChecks,
  timeoutMs = CHECK_TIMEOUT_MS,
): Promise<{ ready: boolean; checks: Record<string, CheckResult> }> {
  const names = Object.keys(checks);
  const settled = await Promise.allSettled(
    names.map((n) => withTimeout(checks[n] as ReadinessCheck, timeoutMs)),
  );
  const results: Record<string, CheckResult> = {};
  settled.forEach((outcome, i) => {
    results[names[i] as string] = outcome.status === "fulfilled" ? { ok: true } : describe(outcome.reason);
  });
  return { ready: settled.every((s) => s.status === "fulfilled"), checks: results };
}
