/**
 * The bridge as deployed, for the queue bench: `bridge simulate`, `bridge serve` and `bridge worker`, each
 * its own process started through the real CLI with configuration from the environment, against this
 * machine's Redis (a queue prefix of the run's own, its keys deleted afterwards) and PostgreSQL (a schema
 * of the run's own, dropped afterwards). The bench process keeps a database handle and the queues of its
 * own to watch progress, and reads what the simulated agencies received.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Queue } from "bullmq";
import { clientCredentialsToken, devSecret } from "../../simulators/idp/index.ts";
import { deleteKeysUnder } from "../../src/queue/connection.ts";
import { QUEUES, type QueueName } from "../../src/queue/jobs.ts";
import { type BullProducer, createProducer } from "../../src/queue/producer.ts";
import { dropSchema } from "../../src/store/db.ts";
import { type Db, openStore } from "../../src/store/index.ts";
import { freePort, type Service, startService } from "./service.ts";

export interface StackSettings {
  root: string;
  databaseUrl: string;
  redisUrl: string;
  /** Unique per run: `bench_q_<suffix>` schema, `bench-q-<suffix>` queue prefix. */
  suffix: string;
  concurrency: number;
  logLevel: string;
}

export interface Stack {
  api: string;
  sim: string;
  services: { api: Service; worker: Service; simulators: Service };
  db: Db;
  queues: Readonly<Record<QueueName, Queue>>;
  /**
   * Authorization headers of the agency systems that post to the API, from the bundled identity provider
   * (`bridge simulate` runs it) by client credentials, as the real callers get theirs.
   */
  auth: { oasys: { authorization: string }; arms: { authorization: string } };
  stop(): Promise<void>;
}

/** What a simulated agency received: when, and for which OASys assessment. */
export interface Arrival {
  recipient: "ARMS" | "OASYS";
  assessmentPk: number;
  documentType: string;
  receivedAtMs: number;
}

const STARTUP_MS = 60_000;

export async function startStack(s: StackSettings): Promise<Stack> {
  const schema = `bench_q_${s.suffix}`;
  const prefix = `bench-q-${s.suffix}`;
  const db = await openStore({ databaseUrl: s.databaseUrl, schema }); // migrates before the others start
  const emptyOrds = mkdtempSync(join(tmpdir(), "bench-queue-ords-"));
  const [simPort, apiPort, idpPort] = [await freePort(), await freePort(), await freePort()];
  const simulators = startService("bridge simulate", s.root, "bin/bridge.js", [
    "simulate",
    "--port",
    String(simPort),
    "--idp-port",
    String(idpPort),
    "--data",
    emptyOrds,
    "--quiet",
  ]);
  await simulators.waitForLine((l) => l.includes("agencies listening on"), STARTUP_MS);
  const sim = `http://127.0.0.1:${simPort}`;
  const issuer = `http://127.0.0.1:${idpPort}`;
  const agency = (name: string) => ({
    [`${name}_BASE_URL`]: sim,
    [`${name}_TOKEN_URL`]: `${sim}/oauth/token`,
    [`${name}_CLIENT_ID`]: "bridge",
    [`${name}_CLIENT_SECRET`]: "bridge-secret",
  });
  const env = {
    DATABASE_URL: s.databaseUrl,
    DB_SCHEMA: schema,
    REDIS_URL: s.redisUrl,
    QUEUE_PREFIX: prefix,
    LOG_LEVEL: s.logLevel,
    HTTP_HOST: "127.0.0.1",
    HTTP_PORT: String(apiPort),
    WORKER_CONCURRENCY: String(s.concurrency),
    AUTH_ISSUER: issuer,
    ...agency("ORDS"),
    ...agency("ARMS"),
    ...agency("OASYS"),
  };
  const api = startService("bridge serve", s.root, "bin/bridge.js", ["serve"], env);
  const worker = startService("bridge worker", s.root, "bin/bridge.js", ["worker"], env);
  await api.waitForLine((l) => l.includes('"bridge serving"'), STARTUP_MS);
  await worker.waitForLine((l) => l.includes('"worker started"'), STARTUP_MS);
  const producer: BullProducer = createProducer({ redisUrl: s.redisUrl, prefix, attempts: 1 });
  const bearer = async (clientId: string) => ({
    authorization: `Bearer ${await clientCredentialsToken(issuer, { clientId, clientSecret: devSecret(clientId) })}`,
  });
  const auth = { oasys: await bearer("oasys-system"), arms: await bearer("arms-system") };

  return {
    api: `http://127.0.0.1:${apiPort}`,
    sim,
    services: { api, worker, simulators },
    db,
    queues: producer.queues,
    auth,
    async stop() {
      await api.stop();
      await worker.stop();
      await simulators.stop();
      await producer.close();
      await dropSchema(db);
      await db.close();
      await deleteKeysUnder(s.redisUrl, prefix);
      rmSync(emptyOrds, { recursive: true, force: true });
    },
  };
}

export type Depths = Record<QueueName, { waiting: number; active: number; delayed: number }>;

/** Jobs waiting (incl. prioritized), running and delayed on each queue now. */
export async function queueDepths(queues: Readonly<Record<QueueName, Queue>>): Promise<Depths> {
  const out = {} as Depths;
  for (const name of Object.values(QUEUES)) {
    const c = await queues[name].getJobCounts("waiting", "prioritized", "active", "delayed");
    out[name] = {
      waiting: (c.waiting ?? 0) + (c.prioritized ?? 0),
      active: c.active ?? 0,
      delayed: c.delayed ?? 0,
    };
  }
  return out;
}

/** Outbox rows by state. */
export async function outboxStates(db: Db): Promise<Record<string, number>> {
  const rows = await db.query<{ state: string; n: string }>(
    "SELECT state, count(*) AS n FROM outbox GROUP BY state",
  );
  return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
}

/**
 * Waits until nothing is queued, running or delayed and no outbox row is PENDING or IN_FLIGHT, seen twice
 * in a row `everyMs` apart; throws after `timeoutMs`.
 */
export async function waitUntilIdle(stack: Stack, timeoutMs: number, everyMs = 250): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let idleSeen = 0;
  while (idleSeen < 2) {
    if (Date.now() > deadline) throw new Error(`the pipeline did not go idle within ${timeoutMs} ms`);
    const depths = await queueDepths(stack.queues);
    const jobs = Object.values(depths).reduce((n, d) => n + d.waiting + d.active + d.delayed, 0);
    const states = await outboxStates(stack.db);
    const unsettled = (states.PENDING ?? 0) + (states.IN_FLIGHT ?? 0);
    idleSeen = jobs === 0 && unsettled === 0 ? idleSeen + 1 : 0;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** Every push the simulated agencies accepted so far (then forgotten by them when `reset`). */
export async function arrivals(stack: Stack, reset: boolean): Promise<Arrival[]> {
  const out: Arrival[] = [];
  for (const recipient of ["ARMS", "OASYS"] as const) {
    const res = await fetch(`${stack.sim}/__received?recipient=${recipient}`);
    const got = (await res.json()) as {
      received: { documentType: string; receivedAt: string; ids: { oasysAssessmentPk: string | null } }[];
    };
    for (const r of got.received) {
      out.push({
        recipient,
        assessmentPk: Number(r.ids.oasysAssessmentPk),
        documentType: r.documentType,
        receivedAtMs: Date.parse(r.receivedAt),
      });
    }
  }
  if (reset) await fetch(`${stack.sim}/__reset`, { method: "POST" });
  return out;
}
