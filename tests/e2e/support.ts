/**
 * The whole service in-process for the end-to-end test, as separate pieces talking over the network the
 * way the deployed processes do: the simulated agencies (HTTP), the API (`buildApp`, listening on a port,
 * its own database handle and BullMQ producer, verifying tokens from the run's bundled identity provider:
 * callers sign in through tests/support/tokens.ts), and a worker (`startWorker`, its own database handle),
 * against this machine's PostgreSQL (a schema of the run's own, dropped afterwards) and Redis (a queue
 * prefix of the run's own, its keys deleted afterwards). Configuration goes through `loadConfig`, as the
 * real processes read it.
 */
import { randomBytes } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { type Logger, pino } from "pino";
import { loadOrdsData, type RunningSimulators, startSimulators } from "../../simulators/index.ts";
import { appAuth } from "../../src/auth/index.ts";
import { londonToday } from "../../src/clock.ts";
import { apiAuth, type Config, loadConfig } from "../../src/config.ts";
import { buildApp } from "../../src/http/app.ts";
import { deleteKeysUnder } from "../../src/queue/connection.ts";
import { type BullProducer, createProducer } from "../../src/queue/producer.ts";
import { type RunningWorker, startWorker } from "../../src/queue/worker.ts";
import { dropSchema } from "../../src/store/db.ts";
import { type Db, openStore } from "../../src/store/index.ts";
import { testAuthEnv } from "../support/tokens.ts";

export const DATABASE_URL = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/test";
export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
/** What the simulated ORDS serves: one person known only to OASys's REST API (pulled on an event). */
export const ORDS_DATA_DIR = "tests/e2e/fixtures/ords";

const silent = pino({ level: "silent" });

export interface StackOptions {
  /** Fault changes for the simulators (see simulators/README.md). */
  faults?: Record<string, unknown>;
  seed?: number;
  tokenTtlS?: number;
  /** The API's and the worker's logger (default: silent). */
  logger?: Logger;
}

export interface Stack {
  /** The API's base URL. */
  api: string;
  sim: RunningSimulators;
  config: Config;
  /** The API's producer: its queues are what "idle" is measured on. */
  producer: BullProducer;
  /** A database handle of the test's own, for reading what the pipeline wrote. */
  db: Db;
  stop(): Promise<void>;
}

export const today = (): string => londonToday(new Date());

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const suffix = `${process.pid}_${randomBytes(4).toString("hex")}`;
  const schema = `bridge_e2e_${suffix}`;
  const prefix = `bt-e2e-${suffix}`;
  const { store } = await loadOrdsData(ORDS_DATA_DIR, { today: today() });
  const sim = await startSimulators({
    ords: store,
    seed: options.seed ?? 1,
    tokenTtlS: options.tokenTtlS ?? 300,
    ...(options.faults ? { faults: options.faults } : {}),
  });
  const agency = (name: string) => ({
    [`${name}_BASE_URL`]: sim.url,
    [`${name}_TOKEN_URL`]: `${sim.url}/oauth/token`,
    [`${name}_CLIENT_ID`]: "bridge",
    [`${name}_CLIENT_SECRET`]: "bridge-secret",
    [`${name}_TIMEOUT_MS`]: "2000",
  });
  const config = loadConfig({
    DATABASE_URL,
    DB_SCHEMA: schema,
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    LOG_LEVEL: "silent",
    HTTP_HOST: "127.0.0.1",
    HTTP_PORT: "0",
    WORKER_CONCURRENCY: "4",
    PUSH_ATTEMPTS: "10",
    OUTBOX_SWEEP_INTERVAL_MS: "500",
    ...agency("ORDS"),
    ...agency("ARMS"),
    ...agency("OASYS"),
    // The run's bundled identity provider (the global setup starts it): callers need its tokens.
    ...testAuthEnv(),
  });

  const dbConfig = { databaseUrl: DATABASE_URL, schema };
  const workerDb = await openStore(dbConfig);
  const apiDb = await openStore(dbConfig);
  const db = await openStore(dbConfig);
  const worker: RunningWorker = await startWorker({
    config,
    db: workerDb,
    log: options.logger ?? silent,
    // Short waits so a faulted run ends soon; Retry-After is still honoured as sent.
    backoff: { baseMs: 50, capMs: 1_000, maxRetryAfterMs: 10_000 },
    graceMs: 5_000,
  });
  const producer = createProducer({ redisUrl: REDIS_URL, prefix, attempts: config.worker.pushAttempts });
  const app: FastifyInstance = buildApp({
    db: apiDb,
    producer,
    config,
    logger: options.logger ?? silent,
    auth: appAuth(apiAuth(config)),
  });
  await app.listen({ host: config.http.host, port: config.http.port });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : 0;

  return {
    api: `http://127.0.0.1:${port}`,
    sim,
    config,
    producer,
    db,
    stop: async () => {
      await app.close();
      await worker.close();
      await producer.close();
      await sim.close();
      await apiDb.close();
      await workerDb.close();
      await dropSchema(db);
      await db.close();
      await dropPrefix(prefix);
    },
  };
}

const dropPrefix = (prefix: string) => deleteKeysUnder(REDIS_URL, prefix);

/** Polls `check` until it gives a value (not undefined/false), or fails after `timeoutMs` naming `what`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  timeoutMs = 90_000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`gave up waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

interface Idleness {
  jobs: number;
  unsettled: number;
}

async function idleness(stack: Stack): Promise<Idleness> {
  const counts = await Promise.all(
    Object.values(stack.producer.queues).map((q) =>
      q.getJobCounts("waiting", "active", "delayed", "prioritized", "waiting-children", "paused"),
    ),
  );
  const jobs = counts.reduce((sum, c) => sum + Object.values(c).reduce((a, b) => a + b, 0), 0);
  const [row] = await stack.db.query<{ n: string }>(
    "SELECT count(*) AS n FROM outbox WHERE state IN ('PENDING', 'IN_FLIGHT')",
  );
  return { jobs, unsettled: Number(row?.n ?? 0) };
}

/**
 * Waits until the pipeline is idle: no job waiting, running or delayed on any queue, and no outbox row
 * still PENDING or IN_FLIGHT; seen twice in a row, a sweep interval apart, so work handed on between two
 * looks is not missed.
 */
export async function waitUntilIdle(stack: Stack, what: string): Promise<void> {
  let idleSeen = 0;
  await waitFor(
    `the pipeline to go idle after ${what}`,
    async () => {
      const now = await idleness(stack);
      idleSeen = now.jobs === 0 && now.unsettled === 0 ? idleSeen + 1 : 0;
      return idleSeen >= 2;
    },
    90_000,
    stack.config.worker.sweepIntervalMs,
  );
}
