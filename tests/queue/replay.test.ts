/**
 * Dead-letter replay is idempotent and bounded (issue 11, item 5), on PostgreSQL and Redis with a real
 * worker: an export with a rejected record leaves a dead letter; that letter replayed ten times (five at
 * once, then five more) queues one replay, which is parsed once and leaves one new letter, not ten
 * re-parses and ten letters. Asking again says where the replay stands (DEAD_LETTERED, naming the new
 * letter, which can itself be replayed; DONE once its job finished; QUEUED while it waits, its job added
 * again under the same key when Redis lost it).
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bullJobId, QUEUES } from "../../src/queue/jobs.ts";
import { type BullProducer, createProducer, producerOptionsFrom } from "../../src/queue/producer.ts";
import { type Replayed, replayDeadLetter } from "../../src/queue/replay.ts";
import { type RunningWorker, startWorker } from "../../src/queue/worker.ts";
import type { Db } from "../../src/store/index.ts";
import {
  type DeadLetter,
  findDeadLetterByJobKey,
  getDeadLetter,
  recordDeadLetter,
} from "../../src/store/repositories/dead-letters.ts";
import { saveRawExport } from "../../src/store/repositories/exports.ts";
import { dropPrefix, postgresStore, silentLog, testConfig, uniquePrefix, waitFor } from "./support.ts";

const fixture = (name: string) => readFileSync(new URL(`../fixtures/xml/${name}`, import.meta.url));
const prefix = uniquePrefix();
let db: Db;
let dropStore: () => Promise<void>;
let worker: RunningWorker;
let producer: BullProducer;

beforeAll(async () => {
  ({ db, done: dropStore } = await postgresStore());
  const config = testConfig(prefix, db.schema);
  // Ingest only: the reconcile jobs it hands on wait, untouched.
  worker = await startWorker({ config, db, log: silentLog, queues: [QUEUES.ingest], sweeper: false });
  producer = createProducer(producerOptionsFrom(config));
});

afterAll(async () => {
  await producer?.close();
  await worker?.close();
  await dropStore?.();
  await dropPrefix(prefix);
});

const count = async (sql: string, params: unknown[] = []) =>
  Number((await db.query<{ n: string }>(sql, params))[0]?.n);

async function ingestedLetter(exportId: string): Promise<DeadLetter> {
  await producer.ingest({ type: "OASYS_EXPORT", exportId });
  return waitFor("the export's dead letter", () =>
    findDeadLetterByJobKey(db, "INGEST", `ingest:oasys-export:${exportId}`).then((l) => l ?? undefined),
  );
}

describe("replaying a dead letter", () => {
  it("queues one replay however often it is asked, and says where that replay stands", async () => {
    const { exportId } = await saveRawExport(db, fixture("bad-record-in-the-middle.xml"), "test");
    const letter = await ingestedLetter(exportId);
    const key = `ingest:oasys-export:${exportId}:replay-1`;

    const replay = () => replayDeadLetter(db, producer, letter.id);
    const results: Replayed[] = await Promise.all(Array.from({ length: 5 }, replay));
    for (let i = 0; i < 5; i++) results.push(await replay());
    expect(results.filter((r) => r.replayed)).toHaveLength(1);
    expect(new Set(results.map((r) => r.jobKey))).toEqual(new Set([key]));
    expect(results.every((r) => r.replayCount === 1)).toBe(true);

    // The replay runs once: the record is rejected again, and the replay leaves one letter of its own.
    const next = await waitFor("the replay's dead letter", () =>
      findDeadLetterByJobKey(db, "INGEST", key).then((l) => l ?? undefined),
    );
    expect(await replay()).toMatchObject({
      replayed: false,
      replayState: "DEAD_LETTERED",
      nextDeadLetterId: next.id,
    });
    expect(await count("SELECT count(*) AS n FROM dead_letters")).toBe(2);
    expect(
      await count("SELECT count(*) AS n FROM processed_jobs WHERE job_key LIKE $1", [`%${exportId}%`]),
    ).toBe(2);
    const ingest = producer.queues[QUEUES.ingest];
    expect(await ingest.getCompletedCount()).toBe(2);
    expect(await getDeadLetter(db, letter.id)).toMatchObject({ replayCount: 1 });

    // The new letter is replayed in turn, once.
    expect(await replayDeadLetter(db, producer, next.id)).toMatchObject({
      replayed: true,
      jobKey: `${key}:replay-1`,
    });
  });

  it("answers DONE once the replay's job finished, and adds nothing", async () => {
    const { exportId } = await saveRawExport(db, fixture("contract-example.xml"), "test");
    const letter = await recordDeadLetter(db, {
      stage: "INGEST",
      subject: {
        queue: QUEUES.ingest,
        jobKey: `ingest:oasys-export:${exportId}`,
        data: { type: "OASYS_EXPORT", exportId },
      },
      errorCode: "BRIDGE_E_STORE_UNAVAILABLE",
      reason: "the database is unavailable",
      attempts: 4,
      createdAt: new Date().toISOString(),
    });
    expect(await replayDeadLetter(db, producer, letter.id)).toMatchObject({ replayed: true });
    const key = `ingest:oasys-export:${exportId}:replay-1`;
    await waitFor("the replay to finish", async () =>
      (await producer.queues[QUEUES.ingest].getJob(bullJobId(key)))?.isCompleted(),
    );
    const before = await producer.queues[QUEUES.ingest].getJobCounts();
    expect(await replayDeadLetter(db, producer, letter.id)).toMatchObject({
      replayed: false,
      replayState: "DONE",
      jobKey: key,
    });
    expect(await producer.queues[QUEUES.ingest].getJobCounts()).toEqual(before);
  });

  it("puts a replay's job back under the same key when Redis lost it", async () => {
    const letter = await recordDeadLetter(db, {
      stage: "RECONCILE",
      subject: {
        queue: QUEUES.reconcile,
        jobKey: "reconcile:ARMS:ARMS-TST-000777:3",
        data: { source: "ARMS", record: "ARMS-TST-000777", revision: 3 },
      },
      errorCode: "BRIDGE_E_INTERNAL",
      reason: "internal error",
      attempts: 4,
      createdAt: new Date().toISOString(),
    });
    const reconcile = producer.queues[QUEUES.reconcile];
    const id = bullJobId("reconcile:ARMS:ARMS-TST-000777:3:replay-1");
    // The earlier tests' ingests handed reconcile jobs on, which wait here (no reconcile worker).
    const waiting = await reconcile.getWaitingCount();
    expect(await replayDeadLetter(db, producer, letter.id)).toMatchObject({ replayed: true });
    expect(await replayDeadLetter(db, producer, letter.id)).toMatchObject({
      replayed: false,
      replayState: "QUEUED",
    });
    expect(await reconcile.getWaitingCount()).toBe(waiting + 1);
    await (await reconcile.getJob(id))?.remove();
    expect(await replayDeadLetter(db, producer, letter.id)).toMatchObject({
      replayed: false,
      replayState: "QUEUED",
    });
    expect((await reconcile.getJob(id))?.data).toEqual({
      source: "ARMS",
      record: "ARMS-TST-000777",
      revision: 3,
    });
    expect(await reconcile.getWaitingCount()).toBe(waiting + 1);
  });
});
