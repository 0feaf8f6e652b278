import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { QueueName } from "../../src/queue/jobs.ts";
import type { AnyJob } from "../../src/queue/producer.ts";
import { replayDeadLetter } from "../../src/queue/replay.ts";
import type { Db } from "../../src/store/index.ts";
import {
  claimReplay,
  getDeadLetter,
  listDeadLetters,
  recordDeadLetter,
} from "../../src/store/repositories/dead-letters.ts";
import { rejectionCode } from "../store/support.ts";
import { postgresStore } from "./support.ts";

const at = (minute: number) => `2026-11-20T10:${String(minute).padStart(2, "0")}:00.000Z`;

describe("dead letters (repository and replay)", () => {
  let db: Db;
  let done: () => Promise<void>;
  beforeAll(async () => {
    ({ db, done } = await postgresStore());
    for (let i = 0; i < 5; i++) {
      await recordDeadLetter(db, {
        stage: i % 2 === 0 ? "PUSH" : "INGEST",
        subject: { queue: i % 2 === 0 ? "push-arms" : "ingest", jobKey: `k:${i}`, data: { n: i } },
        errorCode: i === 4 ? "BRIDGE_E_HTTP_REFUSED" : "BRIDGE_E_XML_NOT_WELL_FORMED",
        reason: `reason ${i}`,
        attempts: 1,
        createdAt: at(i),
      });
    }
  });
  afterAll(() => done());

  it("lists newest first, a page at a time, following the cursor to the end", async () => {
    const first = await listDeadLetters(db, { limit: 2 });
    expect(first.items.map((d) => d.reason)).toEqual(["reason 4", "reason 3"]);
    const second = await listDeadLetters(db, { limit: 2, cursor: first.nextCursor });
    expect(second.items.map((d) => d.reason)).toEqual(["reason 2", "reason 1"]);
    const third = await listDeadLetters(db, { limit: 2, cursor: second.nextCursor });
    expect(third.items.map((d) => d.reason)).toEqual(["reason 0"]);
    expect(third.nextCursor).toBeNull();
  });

  it("filters by stage, error code, state and time", async () => {
    const reasons = async (f: Parameters<typeof listDeadLetters>[1]) =>
      (await listDeadLetters(db, f)).items.map((d) => d.reason);
    expect(await reasons({ stage: "INGEST" })).toEqual(["reason 3", "reason 1"]);
    expect(await reasons({ errorCode: "BRIDGE_E_HTTP_REFUSED" })).toEqual(["reason 4"]);
    expect(await reasons({ createdAfter: at(1), createdBefore: at(4) })).toEqual(["reason 3", "reason 2"]);
    expect(await reasons({ state: "REPLAYED" })).toEqual([]);
    expect(await rejectionCode(listDeadLetters(db, { cursor: "bm90LWEtY3Vyc29y" }))).toBe("BRIDGE_E_USAGE");
    expect(await rejectionCode(listDeadLetters(db, { limit: 0 }))).toBe("BRIDGE_E_USAGE");
  });

  it("replays a letter once under a fresh key and stamps it, keeping it; asking again adds the same key", async () => {
    const letter = (await listDeadLetters(db, { stage: "INGEST", limit: 1 })).items[0]!;
    const added: { queue: QueueName; data: AnyJob; jobKey: string }[] = [];
    const producer = {
      add: async (queue: QueueName, data: AnyJob, jobKey: string) => void added.push({ queue, data, jobKey }),
    };

    const one = await replayDeadLetter(db, producer, letter.id, new Date(at(30)));
    const two = await replayDeadLetter(db, producer, letter.id, new Date(at(31)));
    expect(one).toMatchObject({ jobKey: "k:3:replay-1", replayed: true, replayState: "QUEUED" });
    expect(two).toMatchObject({ jobKey: "k:3:replay-1", replayed: false, replayState: "QUEUED" });
    // The same key again: a no-op for BullMQ while it holds the job (tests/queue/replay.test.ts).
    expect(added.map((a) => a.jobKey)).toEqual(["k:3:replay-1", "k:3:replay-1"]);
    expect(await getDeadLetter(db, letter.id)).toMatchObject({ replayCount: 1, replayedAt: at(30) });
    expect((await listDeadLetters(db, { state: "OPEN" })).items).toHaveLength(4);
  });

  it("answers not found for an unknown or malformed id, and refuses a letter naming no job", async () => {
    const producer = { add: async () => {} };
    expect(await rejectionCode(replayDeadLetter(db, producer, "7b1c3f7e-0000-4000-8000-000000000000"))).toBe(
      "BRIDGE_E_NOT_FOUND",
    );
    expect(await rejectionCode(replayDeadLetter(db, producer, "not-a-uuid"))).toBe("BRIDGE_E_NOT_FOUND");
    expect(await claimReplay(db, "not-a-uuid", at(0))).toBeNull();
    const odd = await recordDeadLetter(db, {
      stage: "RECONCILE",
      subject: { note: "no job" },
      errorCode: "BRIDGE_E_INTERNAL",
      reason: "r",
      attempts: 1,
      createdAt: at(50),
    });
    expect(await rejectionCode(replayDeadLetter(db, producer, odd.id))).toBe("BRIDGE_E_USAGE");
  });
});
