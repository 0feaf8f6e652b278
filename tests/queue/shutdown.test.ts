/**
 * Restart safety: a graceful shutdown while a push is in flight lets it finish and loses nothing; a worker
 * killed mid-job (SIGKILL, its own process) leaves a stalled job that a second worker recovers and
 * completes. The agencies here are a real local HTTP server (the killed worker runs in another process,
 * where nock cannot reach), answering slowly or never on demand.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Config } from "../../src/config.ts";
import { QUEUES } from "../../src/queue/jobs.ts";
import { type BullProducer, createProducer } from "../../src/queue/producer.ts";
import { startWorker } from "../../src/queue/worker.ts";
import type { Db } from "../../src/store/index.ts";
import { saveArmsRevision } from "../../src/store/repositories/arms.ts";
import { saveRawExport } from "../../src/store/repositories/exports.ts";
import { findPersonByKeys } from "../../src/store/repositories/persons.ts";
import { DATABASE_URL } from "../store/support.ts";
import { type Person, personFrom } from "./fixtures.ts";
import {
  dropPrefix,
  postgresStore,
  REDIS_URL,
  silentLog,
  testConfig,
  uniquePrefix,
  waitFor,
} from "./support.ts";

type Behaviour = "answer" | { delayMs: number } | "hang";

interface Hit {
  path: string;
  idempotencyKey: string;
}

/** Both agencies on one local server; the next ARMS request behaves as told, later ones answer 201. */
function agencyServer() {
  const hits: Hit[] = [];
  const hanging: ServerResponse[] = [];
  let next: Behaviour = "answer";
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    req.on("end", () => {
      hits.push({ path: req.url ?? "", idempotencyKey: String(req.headers["idempotency-key"] ?? "") });
      const behaviour = req.url?.startsWith("/arms/") ? next : "answer";
      if (req.url?.startsWith("/arms/")) next = "answer";
      const answer = () => {
        res.writeHead(201, { "content-type": "application/json" });
        res.end(JSON.stringify({ receiptId: `R-${hits.length}` }));
      };
      if (behaviour === "hang") hanging.push(res);
      else if (behaviour === "answer") answer();
      else setTimeout(answer, behaviour.delayMs);
    });
  });
  return {
    hits,
    armsHits: () => hits.filter((h) => h.path.startsWith("/arms/")),
    nextArms(b: Behaviour) {
      next = b;
    },
    async start(): Promise<string> {
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
    async stop() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const prefix = uniquePrefix();
const agencies = agencyServer();
let db: Db;
let dropStore: () => Promise<void>;
let config: Config;
let producer: BullProducer;
let baseUrl: string;

async function draftRow(person: Person) {
  const [held] = await findPersonByKeys(db, { pnc: person.pnc });
  if (!held) return undefined;
  const rows = await db.query<{ id: string; state: string; attempts: number; idempotencyKey: string }>(
    `SELECT id, state, attempts, idempotency_key AS "idempotencyKey" FROM outbox
      WHERE person_id = $1::uuid AND recipient = 'ARMS' AND kind = 'ARMS_DRAFT'`,
    [held.id],
  );
  return rows[0];
}

async function startPerson(via: BullProducer = producer): Promise<Person> {
  const person = personFrom("matched-consistent");
  await saveArmsRevision(db, person.arms[0]!, new Date().toISOString());
  const { exportId } = await saveRawExport(db, person.oasysXml(), "test", new Date().toISOString());
  await via.ingest({ type: "OASYS_EXPORT", exportId });
  return person;
}

beforeAll(async () => {
  baseUrl = await agencies.start();
  ({ db, done: dropStore } = await postgresStore());
  config = testConfig(prefix, db.schema, { ARMS_BASE_URL: baseUrl, OASYS_BASE_URL: baseUrl });
  producer = createProducer({ redisUrl: config.redisUrl, prefix, attempts: config.worker.pushAttempts });
});

afterAll(async () => {
  await producer?.close();
  await agencies.stop();
  await dropStore?.();
  await dropPrefix(prefix);
});

describe("graceful shutdown", () => {
  it("lets a push in flight finish before closing, and a new worker takes what was left", async () => {
    const first = await startWorker({ config, db, log: silentLog, sweeper: false, graceMs: 15_000 });
    agencies.nextArms({ delayMs: 1_500 });
    const person = await startPerson();
    await waitFor("the ARMS push in flight", () => agencies.armsHits().length === 1);

    await first.close();
    // The push in flight when close() was called finished before close() resolved.
    expect(await draftRow(person)).toMatchObject({ state: "DELIVERED", attempts: 1 });
    expect(await first.ready()).toBe(false);
    const active = await Promise.all(Object.values(producer.queues).map((q) => q.getActiveCount()));
    expect(active.every((n) => n === 0)).toBe(true);

    // Anything still queued (the probation push, perhaps) is there for the next worker: nothing lost.
    const second = await startWorker({ config, db, log: silentLog, sweeper: false });
    try {
      await waitFor("both pushes delivered", async () => {
        const [held] = await findPersonByKeys(db, { pnc: person.pnc });
        const rows = await db.query<{ state: string }>(
          "SELECT state FROM outbox WHERE person_id = $1::uuid",
          [held!.id],
        );
        return rows.length >= 2 && rows.every((r) => r.state === "DELIVERED");
      });
    } finally {
      await second.close();
    }
    expect(agencies.armsHits()).toHaveLength(1);
  });
});

describe("stalled-job recovery", () => {
  // A queue prefix of its own: BullMQ runs one stalled check per queue per interval (a Redis key with the
  // interval as its time-to-live), and the workers above set theirs with the default 30 s.
  const stalledPrefix = uniquePrefix();
  let stalledConfig: Config;
  let stalledProducer: BullProducer;
  let child: ChildProcess | null = null;
  beforeAll(() => {
    stalledConfig = { ...config, queuePrefix: stalledPrefix };
    stalledProducer = createProducer({ redisUrl: REDIS_URL, prefix: stalledPrefix, attempts: 4 });
  });
  afterAll(async () => {
    child?.kill("SIGKILL");
    await stalledProducer.close();
    await dropPrefix(stalledPrefix);
  });

  it("a worker killed mid-push leaves a stalled job; a second worker recovers it and delivers once more", async () => {
    const timing = { TEST_LOCK_MS: "1000", TEST_STALLED_MS: "500", TEST_LEASE_MS: "3000" };
    child = spawn(process.execPath, ["bin/run-ts.js", "tests/queue/worker-child.ts"], {
      env: {
        ...process.env,
        ...timing,
        DATABASE_URL,
        DB_SCHEMA: db.schema,
        REDIS_URL,
        QUEUE_PREFIX: stalledPrefix,
        ARMS_BASE_URL: baseUrl,
        OASYS_BASE_URL: baseUrl,
        ARMS_TIMEOUT_MS: "2000",
        PUSH_ATTEMPTS: "4",
        LOG_LEVEL: "silent",
      },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    await waitFor("child worker ready", () => out.includes("ready"), 30_000);

    const before = agencies.armsHits().length;
    agencies.nextArms("hang");
    const person = await startPerson(stalledProducer);
    await waitFor("the child's ARMS push in flight", () => agencies.armsHits().length === before + 1);
    const claimed = await draftRow(person);
    expect(claimed).toMatchObject({ state: "IN_FLIGHT", attempts: 1 });

    const exited = new Promise((resolve) => child?.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
    child = null;

    const rescuer = await startWorker({
      config: stalledConfig,
      db,
      log: silentLog,
      sweeper: false,
      pushLeaseMs: 3_000,
      bullmq: { lockDuration: 1_000, stalledInterval: 500 },
    });
    try {
      await waitFor("the draft delivered by the second worker", async () => {
        const row = await draftRow(person);
        return row?.state === "DELIVERED" && row;
      });
    } finally {
      await rescuer.close();
    }
    const row = await draftRow(person);
    // Two claims: the dead worker's (no answer recorded) and the rescuer's, which delivered.
    expect(row?.attempts).toBe(2);
    const deliveries = await db.query<{ attempt: number; outcome: string }>(
      "SELECT attempt, outcome FROM deliveries WHERE outbox_id = $1::uuid ORDER BY attempt",
      [row!.id],
    );
    expect(deliveries).toEqual([{ attempt: 2, outcome: "DELIVERED" }]);
    const sameKey = agencies.armsHits().filter((h) => h.idempotencyKey === row!.idempotencyKey);
    expect(sameKey).toHaveLength(2);
    const failed = await stalledProducer.queues[QUEUES.pushArms].getFailedCount();
    expect(failed).toBe(0);
  });
});
