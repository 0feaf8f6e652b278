/**
 * The recovery sweep (issue 10, defects 3 and 4): work the store accepted whose job Redis never got, or
 * lost, is found in the store and queued again when a worker starts; a failed job with no dead letter gets
 * one; lettered work is left to a person, and a replay Redis lost is queued again under its replay key.
 * Real Redis under prefixes of the file's own, real PostgreSQL schemas of its own; ORDS and both agencies
 * are the simulators.
 */
import { Readable } from "node:stream";
import { type Job, UnrecoverableError, Worker } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DEFAULT_CLIENT,
  OrdsStore,
  type RunningSimulators,
  startSimulators,
} from "../../simulators/index.ts";
import type { OasysAssessment } from "../../src/core/oasys/model.ts";
import { buildApp } from "../../src/http/app.ts";
import { JSON_SOURCE, XML_SOURCE } from "../../src/http/intake/oasys-exports.ts";
import { readOasysExport } from "../../src/ingest/xml/reader.ts";
import { closeRedis } from "../../src/queue/connection.ts";
import { deadLetterFailedJob } from "../../src/queue/failure.ts";
import { bullJobId, jobIds, QUEUES, replayKey } from "../../src/queue/jobs.ts";
import { type BullProducer, createProducer } from "../../src/queue/producer.ts";
import { replayDeadLetter } from "../../src/queue/replay.ts";
import { startSweeper } from "../../src/queue/sweeper.ts";
import { type RunningWorker, startWorker } from "../../src/queue/worker.ts";
import type { Db } from "../../src/store/index.ts";
import { saveArmsRevision } from "../../src/store/repositories/arms.ts";
import { listDeadLetters } from "../../src/store/repositories/dead-letters.ts";
import { BUNDLE_SOURCE, saveRawExport } from "../../src/store/repositories/exports.ts";
import { getOasysAssessment } from "../../src/store/repositories/oasys.ts";
import { RecordingProducer, TEST_CONFIG, testAuth } from "../http/support.ts";
import { authAs } from "../support/tokens.ts";
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

async function canonical(xml: Uint8Array): Promise<OasysAssessment> {
  for await (const r of readOasysExport(Readable.from([xml]), { today: "2026-11-20" })) {
    if (r.ok) return r.assessment;
  }
  throw new Error("the fixture has no accepted assessment");
}

/** The person's outbox rows, once there is one per agency and both are DELIVERED. */
const deliveredTo = (db: Db, person: Person) =>
  waitFor(`both pushes for ${person.assessmentPk} delivered`, async () => {
    const rows = await db.query<{ recipient: string; state: string; key: string }>(
      `SELECT o.recipient, o.state, o.idempotency_key AS key FROM outbox o JOIN persons p ON p.id = o.person_id
        WHERE p.pnc = $1 ORDER BY o.recipient`,
      [person.pnc],
    );
    const done = rows.filter((r) => r.state === "DELIVERED").map((r) => r.recipient);
    return done.includes("ARMS") && done.includes("OASYS") && rows;
  });

describe("the sweep at a worker's start-up", () => {
  const prefix = uniquePrefix();
  let db: Db;
  let done: () => Promise<void>;
  let sims: RunningSimulators;
  let worker: RunningWorker;
  const stored = personFrom("matched-consistent");
  const evented = personFrom("matched-consistent");
  let exportId: string;
  let eventId: string;

  beforeAll(async () => {
    ({ db, done } = await postgresStore());
    sims = await startSimulators({ ords: new OrdsStore() });
    const now = new Date().toISOString();

    // An export stored by the API whose ingest job was never queued (a 503 the sender did not re-post).
    await saveArmsRevision(db, stored.arms[0]!, now);
    ({ exportId } = await saveRawExport(db, stored.oasysXml(), XML_SOURCE, now));

    // An event accepted with a 202 whose job Redis then lost (the producer here keeps nothing).
    sims.ords.addAssessment(await canonical(evented.oasysXml()));
    const arms = evented.arms[0]!;
    // ORDS carries no date of birth, so neither does the police record (or ID-3 would hold the pushes).
    await saveArmsRevision(db, { ...arms, subject: { ...arms.subject, dateOfBirth: null } }, now);
    const app = buildApp({
      db,
      producer: new RecordingProducer(),
      config: TEST_CONFIG,
      logger: silentLog,
      auth: testAuth(),
    });
    const res = await app.inject({
      method: "POST",
      url: "/v1/oasys/events",
      headers: { "content-type": "application/json", ...(await authAs("oasys-system")) },
      payload: {
        eventType: "assessment.summary.produced",
        version: 1,
        occurredAt: "2026-11-20T10:00:00Z",
        detailUrl: `https://oasys.example/eor/oasys/ass/asssumm/${evented.crn}/ALLOW/${evented.assessmentPk}/COMPLETE`,
        personReference: { identifiers: [{ type: "CRN", value: evented.crn }] },
      },
    });
    await app.close();
    expect(res.statusCode).toBe(202);
    eventId = res.json().eventId;

    const credentials = (agency: string) => ({
      [`${agency}_BASE_URL`]: sims.url,
      [`${agency}_TOKEN_URL`]: `${sims.url}/oauth/token`,
      [`${agency}_CLIENT_ID`]: DEFAULT_CLIENT.clientId,
      [`${agency}_CLIENT_SECRET`]: DEFAULT_CLIENT.clientSecret,
    });
    const config = testConfig(prefix, db.schema, {
      ...credentials("ORDS"),
      ...credentials("ARMS"),
      ...credentials("OASYS"),
      RECOVERY_SWEEP_GRACE_MS: "0",
    });
    worker = await startWorker({ config, db, log: silentLog });
  });

  afterAll(async () => {
    await worker?.close();
    await sims?.close();
    await done?.();
    await dropPrefix(prefix);
  });

  it("ingests and delivers a raw export that was stored with no job", async () => {
    const rows = await deliveredTo(db, stored);
    expect(rows.map((r) => r.recipient)).toEqual(["ARMS", "OASYS"]);
    for (const recipient of ["ARMS", "OASYS"] as const) {
      const keys = sims.inboxes[recipient].received.map((r) => r.idempotencyKey);
      expect(keys.filter((k) => rows.some((r) => r.key === k))).toHaveLength(1);
    }
    const [raw] = await db.query<{ ingestedAt: string | null }>(
      `SELECT ingested_at AS "ingestedAt" FROM raw_exports WHERE id = $1::uuid`,
      [exportId],
    );
    expect(raw?.ingestedAt).toEqual(expect.any(String));
    const held = await db.query<{ version: number; reconciled: number }>(
      `SELECT version, reconciled_version AS reconciled FROM oasys_assessments WHERE assessment_pk = $1`,
      [stored.assessmentPk],
    );
    expect(held).toEqual([{ version: 1, reconciled: 1 }]);
  });

  it("pulls an accepted event whose job Redis lost: the event was stored before the 202", async () => {
    await deliveredTo(db, evented);
    expect(await getOasysAssessment(db, evented.assessmentPk)).toMatchObject({ sourceKind: "ORDS_PULL" });
    const [event] = await db.query<{ crn: string; ingested: boolean }>(
      `SELECT crn, ingested_at IS NOT NULL AS ingested FROM oasys_events WHERE event_id = $1`,
      [eventId],
    );
    expect(event).toEqual({ crn: evented.crn, ingested: true });
    expect((await listDeadLetters(db)).items).toEqual([]);
  });
});

describe("failed jobs, dead letters and replays", () => {
  const prefix = uniquePrefix();
  let db: Db;
  let done: () => Promise<void>;
  let producer: BullProducer;
  beforeAll(async () => {
    ({ db, done } = await postgresStore());
    producer = createProducer({ redisUrl: REDIS_URL, prefix, attempts: 3 });
  });
  afterAll(async () => {
    await producer?.close();
    await done?.();
    await dropPrefix(prefix);
  });

  it("letters a failed job that has no letter, once; leaves it to a person; re-queues a replay Redis lost", async () => {
    const person = personFrom("matched-consistent");
    const { exportId } = await saveRawExport(db, person.oasysXml(), XML_SOURCE, "2026-11-20T09:00:00Z");
    const data = { type: "OASYS_EXPORT", exportId } as const;
    const key = jobIds.ingest(data);
    // BullMQ fails a job that stalled too often without running it; its worker wrote no letter.
    await producer.add(QUEUES.ingest, data, key);
    const failing = new Worker(
      QUEUES.ingest,
      async () => {
        throw new UnrecoverableError("job stalled more than allowable limit");
      },
      { connection: new Redis(REDIS_URL, { maxRetriesPerRequest: null }), prefix },
    );
    await waitFor(
      "the job failed",
      async () => (await producer.queues[QUEUES.ingest].getFailedCount()) === 1,
    );
    await failing.close();
    await closeRedis(failing.opts.connection as Redis);

    const sweeper = startSweeper({
      db,
      producer,
      intervalMs: 3_600_000,
      now: () => new Date(),
      log: silentLog,
      atStart: false,
    });
    try {
      expect(await sweeper.sweep()).toEqual({ requeued: {}, deadLettered: 1 });
      const letters = (await listDeadLetters(db)).items;
      expect(letters).toHaveLength(1);
      expect(letters[0]).toMatchObject({
        stage: "INGEST",
        subject: { queue: "ingest", jobKey: key, data },
        errorCode: "BRIDGE_E_JOB_STALLED",
      });
      expect(letters[0]?.reason).toMatch(/stalled/);

      // The letter is open: the work is a person's now, and nobody writes a second letter.
      expect(await sweeper.sweep()).toEqual({ requeued: {}, deadLettered: 0 });
      const job = (await producer.queues[QUEUES.ingest].getJob(bullJobId(key))) as Job;
      expect(await deadLetterFailedJob(db, QUEUES.ingest, job, new Date().toISOString())).toMatchObject({
        recorded: false,
      });
      expect((await listDeadLetters(db)).items).toHaveLength(1);

      // A person replays it, and Redis loses the replay: the sweep queues it again under the replay's key.
      const replayed = await replayDeadLetter(db, producer, letters[0]!.id);
      expect(replayed.jobKey).toBe(replayKey(key, 1));
      await (await producer.queues[QUEUES.ingest].getJob(bullJobId(replayed.jobKey)))?.remove();
      expect(await sweeper.sweep()).toEqual({ requeued: { OASYS_EXPORT: 1 }, deadLettered: 0 });
      const again = await producer.queues[QUEUES.ingest].getJob(bullJobId(replayed.jobKey));
      expect(again?.data).toEqual(data);
    } finally {
      await sweeper.stop();
    }
  });

  it("leaves a JSON bundle alone: it is saved with its assessments at intake", async () => {
    expect(JSON_SOURCE).toBe(BUNDLE_SOURCE);
    const { exportId } = await saveRawExport(db, new TextEncoder().encode("{}"), JSON_SOURCE);
    const [row] = await db.query<{ ingested: boolean }>(
      "SELECT ingested_at IS NOT NULL AS ingested FROM raw_exports WHERE id = $1::uuid",
      [exportId],
    );
    expect(row).toEqual({ ingested: true });
  });
});
