/**
 * End to end through both restarts (issue 10, "Done when"): the API, a worker and the simulated agencies
 * on a private PostgreSQL and a private Redis without persistence (tests/support/private-*.ts; the shared
 * servers are never touched). While people flow through ingest, reconciliation and both pushes:
 * - PostgreSQL is crashed and brought back (`-m immediate`): exports posted meanwhile are refused with 503
 *   (nothing stored) and the sender posts them again afterwards, as a sender of a 503 should;
 * - Redis is restarted empty: every job it held is gone, and exports posted while it is down are stored
 *   but answered 503 and never re-posted; the recovery sweep finds that work in the store.
 * At the end each agency has accepted every record exactly once, counted by Idempotency-Key (a push whose
 * answer could not be recorded during the outage is sent again under the same key and recognised by the
 * agency as a replay, never accepted twice), nothing is left undelivered, and there is no dead letter.
 */
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_CLIENT, type RunningSimulators, startSimulators } from "../../simulators/index.ts";
import { buildApp } from "../../src/http/app.ts";
import { type BullProducer, createProducer } from "../../src/queue/producer.ts";
import { type RunningWorker, startWorker } from "../../src/queue/worker.ts";
import { dropSchema } from "../../src/store/db.ts";
import { type Db, openStore } from "../../src/store/index.ts";
import { listDeadLetters } from "../../src/store/repositories/dead-letters.ts";
import { TEST_CONFIG, testAuth } from "../http/support.ts";
import { type Person, personFrom } from "../queue/fixtures.ts";
import { silentLog, testConfig, uniquePrefix, waitFor } from "../queue/support.ts";
import { uniqueSchema } from "../store/support.ts";
import { type PrivatePostgres, startPrivatePostgres } from "../support/private-postgres.ts";
import { type PrivateRedis, startPrivateRedis } from "../support/private-redis.ts";
import { authAs } from "../support/tokens.ts";

const N = 60;
const PHASE = N / 3;
/** Posts made while each server is down. */
const WHILE_DOWN = 3;
const TEST_TIMEOUT_MS = 240_000;

let pg: PrivatePostgres;
let redis: PrivateRedis;
let db: Db;
let apiDb: Db;
let sims: RunningSimulators;
let worker: RunningWorker;
let producer: BullProducer;
let app: FastifyInstance;

beforeAll(async () => {
  [pg, redis] = await Promise.all([startPrivatePostgres(), startPrivateRedis()]);
  const schema = uniqueSchema();
  db = await openStore({ databaseUrl: pg.url, schema });
  apiDb = await openStore({ databaseUrl: pg.url, schema });
  sims = await startSimulators({});
  const agency = (name: string) => ({
    [`${name}_BASE_URL`]: sims.url,
    [`${name}_TOKEN_URL`]: `${sims.url}/oauth/token`,
    [`${name}_CLIENT_ID`]: DEFAULT_CLIENT.clientId,
    [`${name}_CLIENT_SECRET`]: DEFAULT_CLIENT.clientSecret,
  });
  const config = testConfig(uniquePrefix(), schema, {
    DATABASE_URL: pg.url,
    REDIS_URL: redis.url,
    ...agency("ARMS"),
    ...agency("OASYS"),
    RECOVERY_SWEEP_INTERVAL_MS: "500",
    RECOVERY_SWEEP_GRACE_MS: "1000",
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
  app = buildApp({ db: apiDb, producer, config: TEST_CONFIG, logger: silentLog, auth: testAuth() });
  await app.ready();
}, TEST_TIMEOUT_MS);

afterAll(async () => {
  await app?.close();
  await producer?.close();
  await worker?.close();
  await sims?.close();
  if (db) await dropSchema(db).catch(() => undefined);
  await apiDb?.close();
  await db?.close();
  await redis?.stop();
  await pg?.stop();
}, TEST_TIMEOUT_MS);

/** Where the work stands, for a failure message: the store's stages and what each agency accepted. */
async function diagnose(): Promise<string> {
  const [stages] = await db.query<Record<string, number>>(
    `SELECT (SELECT count(*)::int FROM raw_exports) AS exports,
            (SELECT count(*)::int FROM raw_exports WHERE ingested_at IS NULL) AS "exportsNotIngested",
            (SELECT count(*)::int FROM oasys_assessments) AS assessments,
            (SELECT count(*)::int FROM persons) AS persons,
            (SELECT count(*)::int FROM outbox) AS outbox,
            (SELECT count(*)::int FROM outbox WHERE state <> 'DELIVERED') AS "outboxNotDelivered",
            (SELECT count(*)::int FROM dead_letters) AS "deadLetters"`,
  );
  const letters = await db.query(
    "SELECT stage, error_code, left(reason, 160) AS reason, subject->>'jobKey' AS job FROM dead_letters",
  );
  const stuck = await db.query(
    `SELECT recipient, state, attempts, claimed_until, available_at, left(last_error, 120) AS error
       FROM outbox WHERE state <> 'DELIVERED' LIMIT 5`,
  );
  const inbox = (r: "ARMS" | "OASYS") => JSON.stringify(sims.inboxes[r].stats);
  return [
    `store: ${JSON.stringify(stages)}; ARMS ${inbox("ARMS")}; OASYS ${inbox("OASYS")}`,
    `dead letters: ${JSON.stringify(letters)}`,
    `undelivered outbox rows: ${JSON.stringify(stuck)}`,
  ].join("\n");
}

const postExport = async (person: Person): Promise<number> =>
  (
    await app.inject({
      method: "POST",
      url: "/v1/oasys/exports",
      headers: { "content-type": "application/xml", ...(await authAs("oasys-system")) },
      payload: Buffer.from(person.oasysXml()),
    })
  ).statusCode;

describe("end to end through a PostgreSQL crash and a Redis restart without persistence", () => {
  it(
    "delivers every record to each agency exactly once, by Idempotency-Key, with no dead letters",
    async () => {
      const people = Array.from({ length: N }, () => personFrom("matched-consistent"));
      const arms = await app.inject({
        method: "POST",
        url: "/v1/arms/assessments",
        headers: { "content-type": "application/json", ...(await authAs("arms-system")) },
        payload: people.map((p) => p.arms[0]),
      });
      expect(arms.statusCode).toBe(202);

      const statuses = new Map<Person, number>();
      const post = async (group: Person[]) => {
        for (const person of group) statuses.set(person, await postExport(person));
      };
      await post(people.slice(0, PHASE));

      // PostgreSQL crashes with jobs in flight; what is posted meanwhile is refused (not stored).
      const refusedByStore = people.slice(PHASE, PHASE + WHILE_DOWN);
      await pg.restart({
        mode: "immediate",
        whileDown: async () => {
          for (const person of refusedByStore) expect(await postExport(person)).toBe(503);
        },
      });
      // A sender told 503 posts again once the service answers.
      await waitFor("the API to answer again after the database restart", async () => {
        const ready = await app.inject({ method: "GET", url: "/ready" });
        return ready.statusCode === 200;
      });
      await post([...refusedByStore, ...people.slice(PHASE + WHILE_DOWN, 2 * PHASE)]);

      // Redis comes back empty; what is posted meanwhile is stored, answered 503, and never re-posted.
      const lostToRedis = people.slice(2 * PHASE, 2 * PHASE + WHILE_DOWN);
      await redis.restart({
        whileDown: async () => {
          for (const person of lostToRedis) expect(await postExport(person)).toBe(503);
        },
      });
      await post(people.slice(2 * PHASE + WHILE_DOWN));
      const after = [...statuses.entries()].filter(([p]) => !lostToRedis.includes(p));
      expect(after.map(([, s]) => s).every((s) => s === 202)).toBe(true);

      await waitFor(
        "every record accepted by both agencies",
        async () => sims.inboxes.ARMS.stats.accepted >= N && sims.inboxes.OASYS.stats.accepted >= N,
        150_000,
        250,
      ).catch(async (error: Error) => {
        throw new Error(`${error.message}\n${await diagnose()}`);
      });
      await waitFor("the outbox settled", async () => {
        const [open] = await db.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM outbox WHERE state IN ('PENDING', 'IN_FLIGHT')",
        );
        return open?.n === 0;
      }).catch(async (error: Error) => {
        throw new Error(`${error.message}\n${await diagnose()}`);
      });

      for (const recipient of ["ARMS", "OASYS"] as const) {
        const inbox = sims.inboxes[recipient];
        const keys = inbox.received.map((r) => r.idempotencyKey);
        expect(new Set(keys).size, `${recipient}: distinct Idempotency-Keys`).toBe(N);
        expect(keys.length, `${recipient}: no key received as a new record twice`).toBe(N);
        expect(inbox.stats.accepted, `${recipient}: accepted once each`).toBe(N);
        expect(inbox.stats.rejected, `${recipient}: nothing refused`).toBe(0);
        console.info(
          `${recipient}: ${inbox.stats.requests} requests, ${inbox.stats.accepted} accepted, ${inbox.stats.replays} replays`,
        );
      }
      const pks = new Set(sims.inboxes.ARMS.received.map((r) => r.ids.oasysAssessmentPk));
      expect(pks).toEqual(new Set(people.map((p) => String(p.assessmentPk))));
      expect((await listDeadLetters(db)).items).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );
});
