/**
 * Redis without persistence restarted mid-run (issue 10, defect 4): every job it held is gone, and posts
 * made while it is down are stored but answered 503 (and, here, never re-posted). The store is the system
 * of record, so the recovery sweep finds the work no stage finished and queues it again: every record is
 * delivered to each agency exactly once (counted by Idempotency-Key at the simulated agencies), with no
 * dead letters.
 *
 * The API (buildApp, in-process) and a worker (startWorker) on a private Redis of the test's own
 * (tests/support/private-redis.ts; the shared one is never touched) and a PostgreSQL schema of its own;
 * police and probation are the agency simulators.
 */
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_CLIENT, type RunningSimulators, startSimulators } from "../../simulators/index.ts";
import { buildApp } from "../../src/http/app.ts";
import { type BullProducer, createProducer } from "../../src/queue/producer.ts";
import { type RunningWorker, startWorker } from "../../src/queue/worker.ts";
import type { Db } from "../../src/store/index.ts";
import { listDeadLetters } from "../../src/store/repositories/dead-letters.ts";
import { TEST_CONFIG, testAuth } from "../http/support.ts";
import { type PrivateRedis, startPrivateRedis } from "../support/private-redis.ts";
import { authAs } from "../support/tokens.ts";
import { type Person, personFrom } from "./fixtures.ts";
import { postgresStore, silentLog, testConfig, uniquePrefix, waitFor } from "./support.ts";

const N = 60;
/** Posts made while Redis is down: stored, answered 503, never re-posted. */
const WHILE_DOWN = 5;

let redis: PrivateRedis;
let db: Db;
let dropStore: () => Promise<void>;
let sims: RunningSimulators;
let worker: RunningWorker;
let producer: BullProducer;
let app: FastifyInstance;

beforeAll(async () => {
  redis = await startPrivateRedis();
  ({ db, done: dropStore } = await postgresStore());
  sims = await startSimulators({});
  const agency = (name: string) => ({
    [`${name}_BASE_URL`]: sims.url,
    [`${name}_TOKEN_URL`]: `${sims.url}/oauth/token`,
    [`${name}_CLIENT_ID`]: DEFAULT_CLIENT.clientId,
    [`${name}_CLIENT_SECRET`]: DEFAULT_CLIENT.clientSecret,
  });
  const config = testConfig(uniquePrefix(), db.schema, {
    REDIS_URL: redis.url,
    ...agency("ARMS"),
    ...agency("OASYS"),
    RECOVERY_SWEEP_INTERVAL_MS: "500",
    RECOVERY_SWEEP_GRACE_MS: "1000",
    // The old name of the interval, as tests/queue/support.ts sets it, must not win over the new one.
    OUTBOX_SWEEP_INTERVAL_MS: "3600000",
  });
  worker = await startWorker({
    config,
    db,
    log: silentLog,
    backoff: { baseMs: 50, capMs: 500, maxRetryAfterMs: 2_000 },
    graceMs: 5_000,
  });
  producer = createProducer({
    redisUrl: config.redisUrl,
    prefix: config.queuePrefix,
    attempts: config.worker.pushAttempts,
  });
  app = buildApp({ db, producer, config: TEST_CONFIG, logger: silentLog, auth: testAuth() });
  await app.ready();
});

afterAll(async () => {
  await app?.close();
  await producer?.close();
  await worker?.close();
  await sims?.close();
  await dropStore?.();
  await redis?.stop();
});

const postExport = async (person: Person): Promise<number> =>
  (
    await app.inject({
      method: "POST",
      url: "/v1/oasys/exports",
      headers: { "content-type": "application/xml", ...(await authAs("oasys-system")) },
      payload: Buffer.from(person.oasysXml()),
    })
  ).statusCode;

describe("Redis restarted without persistence mid-run", () => {
  it("loses no record: each is delivered once to each agency, with no dead letters", async () => {
    const people = Array.from({ length: N }, () => personFrom("matched-consistent"));
    const arms = await app.inject({
      method: "POST",
      url: "/v1/arms/assessments",
      headers: { "content-type": "application/json", ...(await authAs("arms-system")) },
      payload: people.map((p) => p.arms[0]),
    });
    expect(arms.statusCode).toBe(202);

    const statuses: number[] = [];
    const half = N / 2;
    for (const person of people.slice(0, half)) statuses.push(await postExport(person));
    // Mid-run: jobs are waiting and running when Redis goes, and it comes back empty.
    await redis.restart({
      whileDown: async () => {
        for (const person of people.slice(half, half + WHILE_DOWN)) {
          expect(await postExport(person)).toBe(503);
        }
      },
    });
    for (const person of people.slice(half + WHILE_DOWN)) statuses.push(await postExport(person));
    expect(statuses.every((s) => s === 202 || s === 503)).toBe(true);

    await waitFor(
      "every record delivered to both agencies",
      () => sims.inboxes.ARMS.received.length >= N && sims.inboxes.OASYS.received.length >= N,
      45_000,
      200,
    );
    await waitFor("the outbox settled", async () => {
      const [open] = await db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM outbox WHERE state IN ('PENDING', 'IN_FLIGHT')",
      );
      return open?.n === 0;
    });

    for (const recipient of ["ARMS", "OASYS"] as const) {
      const inbox = sims.inboxes[recipient];
      const keys = inbox.received.map((r) => r.idempotencyKey);
      expect(new Set(keys).size, `${recipient}: distinct Idempotency-Keys`).toBe(N);
      expect(inbox.stats, `${recipient}: nothing sent twice`).toMatchObject({
        requests: N,
        accepted: N,
        replays: 0,
        rejected: 0,
      });
    }
    const pks = new Set(sims.inboxes.ARMS.received.map((r) => r.ids.oasysAssessmentPk));
    expect(pks).toEqual(new Set(people.map((p) => String(p.assessmentPk))));
    expect((await listDeadLetters(db)).items).toEqual([]);
  }, 90_000);
});
