import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bullJobId, jobIds, QUEUES } from "../../src/queue/jobs.ts";
import { type BullProducer, createProducer } from "../../src/queue/producer.ts";
import { startSweeper } from "../../src/queue/sweeper.ts";
import type { Db } from "../../src/store/index.ts";
import { insertOutboxRows, markDelivered, type NewOutboxRow } from "../../src/store/repositories/outbox.ts";
import { upsertPerson } from "../../src/store/repositories/persons.ts";
import { newKeys } from "../store/support.ts";
import { dropPrefix, postgresStore, REDIS_URL, silentLog, uniquePrefix, waitFor } from "./support.ts";

const prefix = uniquePrefix();
let db: Db;
let done: () => Promise<void>;
let producer: BullProducer;

const NOW = "2026-11-20T10:00:00.000Z";

function message(personId: string, key: string, recipient: "ARMS" | "OASYS"): NewOutboxRow {
  return {
    personId,
    personVersion: 1,
    recipient,
    kind: recipient === "ARMS" ? "ARMS_DRAFT" : "PARTNER_RISK_UPDATE",
    idempotencyKey: key,
    contentType: "application/json",
    body: "{}",
    sources: { oasys: null, arms: null, mappingVersion: null },
    correctsKey: null,
    correlationId: null,
  };
}

beforeAll(async () => {
  ({ db, done } = await postgresStore());
  producer = createProducer({ redisUrl: REDIS_URL, prefix, attempts: 3 });
});

afterAll(async () => {
  await producer.close();
  await done();
  await dropPrefix(prefix);
});

describe("recovery sweep: the outbox", () => {
  it("enqueues the rows that are due, once, on each agency's queue, and leaves the rest", async () => {
    const { person } = await upsertPerson(db, newKeys(), NOW);
    const [due, later, delivered] = await insertOutboxRows(
      db,
      [
        message(person.id, "k-due", "OASYS"),
        message(person.id, "k-later", "ARMS"),
        message(person.id, "k-done", "ARMS"),
      ],
      NOW,
    );
    await db.query("UPDATE outbox SET available_at = $2 WHERE id = $1::uuid", [
      later!.id,
      "2026-11-20T11:00:00Z",
    ]);
    await markDelivered(db, delivered!.id, NOW);

    const sweeper = startSweeper({
      db,
      producer,
      intervalMs: 3_600_000,
      now: () => new Date("2026-11-20T10:30:00Z"),
      log: silentLog,
      atStart: false,
    });
    try {
      expect(await sweeper.sweep()).toEqual({ requeued: { OUTBOX: 1 }, deadLettered: 0 });
      // The job is in Redis now: the next pass leaves it there.
      expect(await sweeper.sweep()).toEqual({ requeued: {}, deadLettered: 0 });
    } finally {
      await sweeper.stop();
    }
    const oasysJobs = await producer.queues[QUEUES.pushOasys].getJobs(["waiting"]);
    expect(oasysJobs.map((j) => [j.id, j.data])).toEqual([
      [bullJobId(jobIds.push({ outboxId: due!.id })), { outboxId: due!.id }],
    ]);
    expect(await producer.queues[QUEUES.pushArms].getWaitingCount()).toBe(0);
  });

  it("runs on its interval until stopped", async () => {
    const { person } = await upsertPerson(db, newKeys(), NOW);
    const [row] = await insertOutboxRows(db, [message(person.id, "k-interval", "ARMS")], NOW);
    const sweeper = startSweeper({ db, producer, intervalMs: 100, now: () => new Date(NOW), log: silentLog });
    try {
      await waitFor("the interval's pass", async () =>
        (await producer.queues[QUEUES.pushArms].getJob(bullJobId(jobIds.push({ outboxId: row!.id }))))
          ? true
          : undefined,
      );
    } finally {
      await sweeper.stop();
    }
  });
});
