/**
 * The service rides out a database restart (issue 10, defect 2). A private PostgreSQL
 * (tests/support/private-postgres.ts; the shared server is never touched) is crashed and brought back
 * (`pg_ctl -m immediate`) while the pipeline is busy: a worker in a process of its own
 * (db-restart-worker.ts, as `bridge worker` runs it) is delivering to the simulated agencies, and more
 * exports keep arriving through `bridge serve` (serveCommand, in this process). Then:
 * - the worker process is still running, and stops cleanly when asked;
 * - the jobs the outage interrupted failed as BRIDGE_E_STORE_UNAVAILABLE and were retried, with no dead
 *   letter and no failed job;
 * - each agency received every record exactly once, counted by Idempotency-Key (a push whose answer
 *   arrived but could not be recorded is sent again after the outage under the same key, and the
 *   simulated agency recognises it as a replay);
 * - while the database was down the API answered 503 with that code (readiness and reads), and by itself
 *   answered 2xx again once it was back.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningSimulators, startSimulators } from "../../simulators/index.ts";
import { serveCommand } from "../../src/cli/serve.ts";
import { type BullProducer, createProducer } from "../../src/queue/producer.ts";
import { type Db, openStore } from "../../src/store/index.ts";
import { saveArmsRevision } from "../../src/store/repositories/arms.ts";
import { captureIo } from "../cli/capture.ts";
import { uniqueSchema } from "../store/support.ts";
import { type PrivatePostgres, startPrivatePostgres } from "../support/private-postgres.ts";
import { authAs, testAuthEnv } from "../support/tokens.ts";
import { type Person, personFrom } from "./fixtures.ts";
import { dropPrefix, REDIS_URL, uniquePrefix } from "./support.ts";

const PEOPLE = 36;
const TEST_TIMEOUT_MS = 240_000;
const prefix = uniquePrefix();

let server: PrivatePostgres;
let db: Db;
let sim: RunningSimulators;
let queues: BullProducer;
let worker: ChildProcess | null = null;
let workerExit: { code: number | null; signal: string | null } | null = null;
let workerOut = "";
let workerErr = "";
let api: { base: string; stop: AbortController; exit: Promise<number> } | null = null;

/**
 * The worker's log lines (JSON) that say a job failed and will be tried again: their codes. A job the
 * store's outage interrupted waits for the store without spending an attempt (src/queue/run.ts).
 */
const retriedCodes = (): string[] =>
  workerOut
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as { msg?: string; code?: string })
    .filter(
      (entry) =>
        entry.msg === "job failed, will retry" || entry.msg === "store unavailable: job waits for it",
    )
    .map((entry) => entry.code ?? "");

/** Polls `check` until it gives a value; fails at once, saying so, when the worker process has died. */
async function until<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    if (workerExit) {
      throw new Error(
        `the worker process died (${JSON.stringify(workerExit)}) while waiting for ${what}:\n${workerErr.slice(-2_000)}`,
      );
    }
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A read as the data team (deliveries); the probes ignore the token. */
async function getJson(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${api!.base}${path}`, { headers: await authAs("data.team.1") });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function postExport(person: Person): Promise<{ status: number; code?: string }> {
  const res = await fetch(`${api!.base}/v1/oasys/exports`, {
    method: "POST",
    headers: { "content-type": "application/xml", ...(await authAs("oasys-system")) },
    body: Buffer.from(person.oasysXml()),
  });
  const body = (await res.json()) as { error?: { code?: string } };
  return { status: res.status, ...(body.error?.code ? { code: body.error.code } : {}) };
}

const errorCode = (body: Record<string, unknown>) => (body.error as { code?: string } | undefined)?.code;

beforeAll(async () => {
  server = await startPrivatePostgres();
  const schema = uniqueSchema();
  db = await openStore({ databaseUrl: server.url, schema, poolSize: 4 });
  // Some latency at the agencies, so pushes are in flight when the database goes.
  sim = await startSimulators({ faults: { latency: "20~40", scope: "arms+oasys" } });
  queues = createProducer({ redisUrl: REDIS_URL, prefix, attempts: 10 });
  const agency = (name: string) => ({
    [`${name}_BASE_URL`]: sim.url,
    [`${name}_TOKEN_URL`]: `${sim.url}/oauth/token`,
    [`${name}_CLIENT_ID`]: "bridge",
    [`${name}_CLIENT_SECRET`]: "bridge-secret",
    [`${name}_TIMEOUT_MS`]: "5000",
  });
  const env = {
    DATABASE_URL: server.url,
    DB_SCHEMA: schema,
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    WORKER_CONCURRENCY: "4",
    PUSH_ATTEMPTS: "10",
    OUTBOX_SWEEP_INTERVAL_MS: "500",
    ...agency("ARMS"),
    ...agency("OASYS"),
  };

  worker = spawn(process.execPath, ["bin/run-ts.js", "tests/queue/db-restart-worker.ts"], {
    env: {
      ...process.env,
      ...env,
      LOG_LEVEL: "warn",
      TEST_LEASE_MS: "3000",
      TEST_BACKOFF_BASE_MS: "200",
      TEST_BACKOFF_CAP_MS: "2000",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  worker.stdout?.on("data", (chunk: Buffer) => {
    workerOut += chunk.toString();
  });
  worker.stderr?.on("data", (chunk: Buffer) => {
    workerErr += chunk.toString();
  });
  worker.once("exit", (code, signal) => {
    workerExit = { code, signal };
  });
  await until("the worker process ready", async () => workerOut.includes("ready\n"), 60_000);

  const stop = new AbortController();
  const { io } = captureIo();
  let listening: (port: number) => void = () => {};
  const port = new Promise<number>((resolve) => {
    listening = resolve;
  });
  const exit = serveCommand([], io, {
    env: { ...env, ...testAuthEnv(), HTTP_HOST: "127.0.0.1", HTTP_PORT: "0", LOG_LEVEL: "silent" },
    stop: stop.signal,
    onListening: (address) => listening(address.port),
  });
  api = { base: `http://127.0.0.1:${await Promise.race([port, exit.then(() => 0)])}`, stop, exit };
}, 120_000);

afterAll(async () => {
  if (worker && !workerExit) worker.kill("SIGKILL");
  api?.stop.abort();
  await api?.exit.catch(() => {});
  await queues?.close();
  await sim?.close();
  await db?.close().catch(() => {});
  await server?.stop();
  await dropPrefix(prefix);
});

describe("a PostgreSQL crash and restart while the pipeline is busy", () => {
  it(
    "kills neither process, delivers every record once to each agency, and the API answers 503 meanwhile and 2xx after",
    async () => {
      const people = Array.from({ length: PEOPLE }, () => personFrom("matched-consistent"));
      for (const person of people) await saveArmsRevision(db, person.arms[0]!, new Date().toISOString());
      const first = people.slice(0, PEOPLE / 2);
      const later = people.slice(PEOPLE / 2);
      for (const person of first) expect((await postExport(person)).status).toBe(202);
      await until("the first deliveries", async () => sim.inboxes.ARMS.received.length >= 4);

      // More exports arrive throughout the outage, from a client that retries what is refused.
      const refusals: { status: number; code?: string }[] = [];
      const feedUntil = Date.now() + 90_000;
      const feeding = (async () => {
        for (const person of later) {
          for (;;) {
            if (Date.now() > feedUntil)
              throw new Error(`the API still refuses exports: ${JSON.stringify(refusals)}`);
            const answer = await postExport(person).catch(() => ({ status: 0 }));
            if (answer.status === 202) break;
            refusals.push(answer);
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
        }
      })();

      const duringOutage: Record<string, { status: number; code?: string | undefined }> = {};
      await server.restart({
        mode: "immediate",
        whileDown: async () => {
          const ready = await getJson("/ready");
          const checks = ready.body.checks as Record<string, { code?: string }>;
          duringOutage.ready = { status: ready.status, code: checks.database?.code };
          const deliveries = await getJson("/v1/deliveries");
          duringOutage.deliveries = { status: deliveries.status, code: errorCode(deliveries.body) };
          duringOutage.post = await postExport(later[0]!);
          // The outage reaches the worker's jobs in flight before the database comes back.
          await until("a job failed by the outage", async () => retriedCodes().length > 0, 10_000);
        },
      });
      expect(duringOutage).toEqual({
        ready: { status: 503, code: "BRIDGE_E_STORE_UNAVAILABLE" },
        deliveries: { status: 503, code: "BRIDGE_E_STORE_UNAVAILABLE" },
        post: { status: 503, code: "BRIDGE_E_STORE_UNAVAILABLE" },
      });

      // The API is back by itself.
      await until("the API ready again", async () => (await getJson("/ready")).status === 200, 30_000);
      expect((await getJson("/v1/deliveries")).status).toBe(200);
      await feeding;
      // Whatever was refused meanwhile was refused as a store outage (or not answered at all), never as a
      // fault of the request.
      for (const refusal of refusals) expect([0, 503]).toContain(refusal.status);
      for (const refusal of refusals.filter((r) => r.status === 503))
        expect(refusal.code).toBe("BRIDGE_E_STORE_UNAVAILABLE");

      const outbox = await until("every record delivered to both agencies", async () => {
        const rows = await db.query<{ recipient: string; state: string; key: string }>(
          `SELECT recipient, state, idempotency_key AS key FROM outbox`,
        );
        const delivered = rows.filter((r) => r.state === "DELIVERED");
        return delivered.length >= PEOPLE * 2 && rows.length === delivered.length && rows;
      });
      await until("the queues idle", async () => {
        const counts = await Promise.all(
          Object.values(queues.queues).map((q) => q.getJobCounts("waiting", "active", "delayed")),
        );
        return counts.every((c) => Object.values(c).every((n) => n === 0));
      });

      expect(workerExit, "the worker process is still running").toBeNull();
      for (const recipient of ["ARMS", "OASYS"] as const) {
        const keys = outbox.filter((r) => r.recipient === recipient).map((r) => r.key);
        const received = sim.inboxes[recipient].received.map((r) => r.idempotencyKey);
        // One record per person to each agency, received once each.
        expect(keys).toHaveLength(PEOPLE);
        expect([...received].sort()).toEqual([...keys].sort());
        expect(sim.inboxes[recipient].stats.rejected).toBe(0);
      }
      const [letters] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM dead_letters");
      expect(letters?.n, "dead letters").toBe(0);
      const failed = await Promise.all(Object.values(queues.queues).map((q) => q.getFailedCount()));
      expect(
        failed.every((n) => n === 0),
        `failed jobs per queue: ${failed}`,
      ).toBe(true);
      // Every job the outage interrupted failed as the store being unavailable: transient, and retried.
      expect(new Set(retriedCodes())).toEqual(new Set(["BRIDGE_E_STORE_UNAVAILABLE"]));

      // The worker still stops as it should.
      const stopped = new Promise((resolve) => worker!.once("exit", resolve));
      worker!.kill("SIGTERM");
      await stopped;
      expect(workerExit).toEqual({ code: 0, signal: null });
    },
    TEST_TIMEOUT_MS,
  );
});
