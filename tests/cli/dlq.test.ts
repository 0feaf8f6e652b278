import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.ts";
import { bullJobId, QUEUES } from "../../src/queue/jobs.ts";
import { type BullProducer, createProducer } from "../../src/queue/producer.ts";
import type { Db } from "../../src/store/index.ts";
import { type DeadLetter, recordDeadLetter } from "../../src/store/repositories/dead-letters.ts";
import { dropPrefix, postgresStore, REDIS_URL, uniquePrefix } from "../queue/support.ts";
import { DATABASE_URL } from "../store/support.ts";
import { captureIo } from "./capture.ts";

const prefix = uniquePrefix();
let db: Db;
let done: () => Promise<void>;
let producer: BullProducer;
let ingestLetter: DeadLetter;
let pushLetter: DeadLetter;
const saved = { ...process.env };

async function run(...argv: string[]) {
  const { io, stdout, stderr } = captureIo();
  const code = await main(["dlq", ...argv], io);
  return { code, out: stdout.text, err: stderr.text };
}

beforeAll(async () => {
  ({ db, done } = await postgresStore());
  Object.assign(process.env, {
    DATABASE_URL,
    DB_SCHEMA: db.schema,
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    LOG_LEVEL: "silent",
  });
  producer = createProducer({ redisUrl: REDIS_URL, prefix, attempts: 3 });
  ingestLetter = await recordDeadLetter(db, {
    stage: "INGEST",
    subject: {
      queue: "ingest",
      jobKey: "ingest:oasys-export:7d4c",
      data: { type: "OASYS_EXPORT", exportId: "7d4c" },
    },
    errorCode: "BRIDGE_E_XML_NOT_WELL_FORMED",
    reason: "the file is not well-formed XML: line 3",
    attempts: 1,
    createdAt: "2026-11-20T09:00:00.000Z",
  });
  pushLetter = await recordDeadLetter(db, {
    stage: "PUSH",
    subject: { queue: "push-arms", jobKey: "push:9e1f", data: { outboxId: "9e1f" } },
    errorCode: "BRIDGE_E_HTTP_REFUSED",
    reason: "the remote service refused the request (4xx): arms:push answered 400",
    attempts: 1,
    createdAt: "2026-11-20T09:30:00.000Z",
  });
});

afterAll(async () => {
  process.env = saved;
  await producer.close();
  await done();
  await dropPrefix(prefix);
});

describe("bridge dlq", () => {
  it("lists dead letters newest first, readable or as JSON, with filters", async () => {
    const listed = await run("list");
    expect(listed.code).toBe(0);
    const lines = listed.out.trim().split("\n");
    expect(lines[0]).toContain(pushLetter.id);
    expect(lines[0]).toContain("BRIDGE_E_HTTP_REFUSED");
    expect(lines[1]).toContain("ingest:oasys-export:7d4c");

    const json = await run("list", "--stage", "ingest", "--json");
    expect(json.code).toBe(0);
    const page = JSON.parse(json.out) as { items: DeadLetter[]; nextCursor: string | null };
    expect(page.items.map((d) => d.id)).toEqual([ingestLetter.id]);

    const paged = JSON.parse((await run("list", "--limit", "1", "--json")).out) as { nextCursor: string };
    const next = JSON.parse((await run("list", "--limit", "1", "--cursor", paged.nextCursor, "--json")).out);
    expect(next.items.map((d: DeadLetter) => d.id)).toEqual([ingestLetter.id]);
  });

  it("shows one letter with its reason and subject", async () => {
    const shown = await run("show", ingestLetter.id);
    expect(shown.code).toBe(0);
    expect(shown.out).toContain("BRIDGE_E_XML_NOT_WELL_FORMED");
    expect(shown.out).toContain("line 3");
    expect(shown.out).toContain('"exportId":"7d4c"');
    expect(JSON.parse((await run("show", pushLetter.id, "--json")).out)).toMatchObject({
      id: pushLetter.id,
      stage: "PUSH",
    });
  });

  it("replays onto the same queue under a replay key, and stamps the letter, once", async () => {
    const replayed = await run("replay", ingestLetter.id, "--json");
    expect(replayed.code).toBe(0);
    expect(JSON.parse(replayed.out)).toMatchObject({
      queue: "ingest",
      jobKey: "ingest:oasys-export:7d4c:replay-1",
      replayCount: 1,
    });
    const job = await producer.queues[QUEUES.ingest].getJob(bullJobId("ingest:oasys-export:7d4c:replay-1"));
    expect(job?.data).toEqual({ type: "OASYS_EXPORT", exportId: "7d4c" });
    expect((await run("list", "--state", "replayed")).out).toContain(ingestLetter.id);
    // Once per letter: again, nothing new is queued, and it says so.
    const again = await run("replay", ingestLetter.id);
    expect(again.code).toBe(0);
    expect(again.out).toContain("was replayed before, as ingest:oasys-export:7d4c:replay-1: nothing queued");
    expect(again.out).toContain("QUEUED");
    expect(
      await producer.queues[QUEUES.ingest].getJob(bullJobId("ingest:oasys-export:7d4c:replay-2")),
    ).toBeUndefined();
  });

  it("exits 1 for an unknown letter and for usage errors", async () => {
    for (const argv of [
      ["show", "00000000-0000-4000-8000-000000000000"],
      ["replay", "not-an-id"],
      ["show"],
      ["list", "--stage", "LATER"],
      ["list", "--state", "closed"],
      ["list", "--limit", "many"],
      ["list", "--cursor", "bm9wZQ"],
      ["purge"],
      [],
    ]) {
      const result = await run(...argv);
      expect(result.code, argv.join(" ")).toBe(1);
      expect(result.err, argv.join(" ")).not.toBe("");
    }
    expect((await run("show", "00000000-0000-4000-8000-000000000000")).err).toContain("no dead letter");
  });
});

describe("bridge dlq without DATABASE_URL", () => {
  it("says it would be looking at a new, empty embedded store, instead of 'no dead letters'", async () => {
    const held = { DATABASE_URL: process.env.DATABASE_URL, BRIDGE_DATA_DIR: process.env.BRIDGE_DATA_DIR };
    delete process.env.DATABASE_URL;
    delete process.env.BRIDGE_DATA_DIR;
    try {
      for (const argv of [
        ["list"],
        ["list", "--json"],
        ["show", ingestLetter.id],
        ["replay", ingestLetter.id],
      ]) {
        const result = await run(...argv);
        expect(result.code, argv.join(" ")).toBe(1);
        expect(result.out, argv.join(" ")).toBe("");
        expect(result.err, argv.join(" ")).toContain("DATABASE_URL is not set");
        expect(result.err, argv.join(" ")).toContain("empty embedded store");
        expect(result.err, argv.join(" ")).not.toContain("no dead letters");
      }
    } finally {
      Object.assign(process.env, held);
    }
    // The letter was not touched by the refused replay.
    expect((await run("show", ingestLetter.id, "--json")).code).toBe(0);
  });
});
