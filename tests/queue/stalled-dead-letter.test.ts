/**
 * A job whose worker dies twice mid-job (an out-of-memory kill loop, say) is failed by BullMQ as stalled
 * without its processor running again: it must still leave a dead letter naming its stage, its job key
 * and the reason, once; `bridge dlq list` shows it and a replay puts the work back (issue 10, defect 3).
 *
 * The workers that die are processes of their own (tests/queue/worker-child.ts), killed with SIGKILL while
 * their ARMS push hangs on a local agency server; a third worker, in this process, sees the job stall a
 * second time and is the one BullMQ fails it on. Real Redis under a prefix of the file's own, real
 * PostgreSQL in a schema of its own.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.ts";
import type { Config } from "../../src/config.ts";
import { bullJobId, jobIds, QUEUES } from "../../src/queue/jobs.ts";
import { type BullProducer, createProducer } from "../../src/queue/producer.ts";
import { startWorker } from "../../src/queue/worker.ts";
import type { Db } from "../../src/store/index.ts";
import { saveArmsRevision } from "../../src/store/repositories/arms.ts";
import { listDeadLetters } from "../../src/store/repositories/dead-letters.ts";
import { saveRawExport } from "../../src/store/repositories/exports.ts";
import { captureIo } from "../cli/capture.ts";
import { DATABASE_URL } from "../store/support.ts";
import { personFrom } from "./fixtures.ts";
import {
  dropPrefix,
  postgresStore,
  REDIS_URL,
  silentLog,
  testConfig,
  uniquePrefix,
  waitFor,
} from "./support.ts";

/** Both agencies on one local server: ARMS requests hang while `hang` is set, everything else gets 201. */
function agencyServer() {
  const armsKeys: string[] = [];
  const hanging: ServerResponse[] = [];
  const state = { hang: true };
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const arms = req.url?.startsWith("/arms/") ?? false;
      if (arms) armsKeys.push(String(req.headers["idempotency-key"] ?? ""));
      if (arms && state.hang) {
        hanging.push(res);
        return;
      }
      res.writeHead(201, { "content-type": "application/json" });
      res.end(JSON.stringify({ receiptId: `R-${armsKeys.length}` }));
    });
  });
  return {
    armsKeys,
    state,
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
let child: ChildProcess | null = null;
const savedEnv = { ...process.env };

/** A worker process of its own, as `bridge worker` runs; resolves once it is taking jobs. */
async function startChild(): Promise<ChildProcess> {
  const started = spawn(process.execPath, ["bin/run-ts.js", "tests/queue/worker-child.ts"], {
    env: {
      ...process.env,
      TEST_LOCK_MS: "1000",
      TEST_STALLED_MS: "500",
      TEST_LEASE_MS: "1000",
      DATABASE_URL,
      DB_SCHEMA: db.schema,
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      ARMS_BASE_URL: baseUrl,
      OASYS_BASE_URL: baseUrl,
      ARMS_TIMEOUT_MS: "60000",
      PUSH_ATTEMPTS: "4",
      LOG_LEVEL: "silent",
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  child = started;
  let out = "";
  started.stdout?.on("data", (chunk: Buffer) => {
    out += chunk.toString();
  });
  await waitFor("child worker ready", () => out.includes("ready"), 30_000);
  return started;
}

async function killChild(): Promise<void> {
  const running = child;
  child = null;
  if (!running) return;
  const exited = new Promise((resolve) => running.once("exit", resolve));
  running.kill("SIGKILL");
  await exited;
}

async function dlq(...argv: string[]) {
  const { io, stdout, stderr } = captureIo();
  const code = await main(["dlq", ...argv], io);
  return { code, out: stdout.text, err: stderr.text };
}

beforeAll(async () => {
  baseUrl = await agencies.start();
  ({ db, done: dropStore } = await postgresStore());
  config = testConfig(prefix, db.schema, { ARMS_BASE_URL: baseUrl, OASYS_BASE_URL: baseUrl });
  producer = createProducer({ redisUrl: REDIS_URL, prefix, attempts: 4 });
  Object.assign(process.env, {
    DATABASE_URL,
    DB_SCHEMA: db.schema,
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    LOG_LEVEL: "silent",
  });
});

afterAll(async () => {
  process.env = savedEnv;
  await killChild();
  await producer?.close();
  await agencies.stop();
  await dropStore?.();
  await dropPrefix(prefix);
});

describe("a job that stalls more than allowed", () => {
  it("ends failed with one dead letter naming stage, job key and reason; dlq lists it; replay delivers", async () => {
    const person = personFrom("matched-consistent");
    await saveArmsRevision(db, person.arms[0]!, new Date().toISOString());
    const { exportId } = await saveRawExport(db, person.oasysXml(), "test", new Date().toISOString());

    // The first worker takes the work as far as the ARMS push, which hangs; it dies there.
    await startChild();
    await producer.ingest({ type: "OASYS_EXPORT", exportId });
    await waitFor("the first worker's ARMS push in flight", () => agencies.armsKeys.length === 1, 30_000);
    await killChild();
    // The second takes the stalled job back, claims the row again once the first claim lapsed, and dies too.
    await startChild();
    await waitFor("the second worker's ARMS push in flight", () => agencies.armsKeys.length === 2, 30_000);
    await killChild();

    const [row] = await db.query<{ id: string; key: string }>(
      `SELECT o.id, o.idempotency_key AS key FROM outbox o JOIN persons p ON p.id = o.person_id
        WHERE p.pnc = $1 AND o.recipient = 'ARMS'`,
      [person.pnc],
    );
    const jobKey = jobIds.push({ outboxId: row!.id });
    agencies.state.hang = false;
    const rescuer = await startWorker({
      config,
      db,
      log: silentLog,
      sweeper: false,
      pushLeaseMs: 1_000,
      bullmq: { lockDuration: 1_000, stalledInterval: 500, maxStalledCount: 1 },
    });
    try {
      const letter = await waitFor(
        "the stalled job's dead letter",
        async () => (await listDeadLetters(db)).items.find((d) => d.subject.jobKey === jobKey),
        30_000,
      );
      expect(letter).toMatchObject({
        stage: "PUSH",
        subject: { queue: QUEUES.pushArms, jobKey, data: { outboxId: row!.id } },
        errorCode: "BRIDGE_E_JOB_STALLED",
      });
      expect(letter.reason).toMatch(/stalled/);
      const job = await producer.queues[QUEUES.pushArms].getJob(bullJobId(jobKey));
      expect(job?.failedReason).toBe("job stalled more than allowable limit");
      expect(await job?.isFailed()).toBe(true);
      // BullMQ did not run the processor a third time; the row is settled DEAD with its letter.
      expect(agencies.armsKeys).toHaveLength(2);
      const [dead] = await db.query<{ state: string }>("SELECT state FROM outbox WHERE id = $1::uuid", [
        row!.id,
      ]);
      expect(dead?.state).toBe("DEAD");

      const listed = await dlq("list");
      expect(listed.code).toBe(0);
      expect(listed.out).toContain(letter.id);
      expect(listed.out).toContain(jobKey);
      expect(listed.out).toContain("BRIDGE_E_JOB_STALLED");

      const replayed = await dlq("replay", letter.id, "--json");
      expect(replayed.code).toBe(0);
      expect(JSON.parse(replayed.out)).toMatchObject({ jobKey: `${jobKey}:replay-1` });
      await waitFor("the replayed push delivered", async () => {
        const rows = await db.query<{ state: string }>("SELECT state FROM outbox WHERE id = $1::uuid", [
          row!.id,
        ]);
        return rows[0]?.state === "DELIVERED";
      });
      expect(agencies.armsKeys).toEqual([row!.key, row!.key, row!.key]);
      // One letter for the job, however many observers saw it fail. (Under load another job the kills
      // interrupted twice, e.g. the probation push, may have its own letter: only this job's are counted.)
      const letters = (await listDeadLetters(db)).items.filter((d) => d.subject.jobKey === jobKey);
      expect(letters).toHaveLength(1);
    } finally {
      await rescuer.close();
    }
  }, 120_000);
});
