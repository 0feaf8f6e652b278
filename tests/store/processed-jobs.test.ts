import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../src/store/db.ts";
import { getProcessedJob, onceForJobKey } from "../../src/store/repositories/processed-jobs.ts";
import { DRIVERS, freshStore } from "./support.ts";

const AT = "2026-11-27T10:00:00.000Z";
const key = (jobKey: string) => ({ jobKey, queue: "reconcile", processedAt: AT });

describe.each(DRIVERS)("onceForJobKey on $driver", (driver) => {
  let db: Db;
  let done: () => Promise<void>;
  beforeAll(async () => {
    ({ db, done } = await freshStore(driver));
  });
  afterAll(() => done());

  it("runs the work once and records its outcome; a second run gives the outcome back", async () => {
    let runs = 0;
    const work = async () => ({ run: ++runs });
    expect(await onceForJobKey(db, key("k1"), work)).toEqual({ outcome: { run: 1 }, duplicate: false });
    expect(await onceForJobKey(db, key("k1"), work)).toEqual({ outcome: { run: 1 }, duplicate: true });
    expect(runs).toBe(1);
    expect(await getProcessedJob(db, "k1")).toEqual({
      jobKey: "k1",
      queue: "reconcile",
      outcome: { run: 1 },
      processedAt: AT,
    });
  });

  it("records nothing when the work throws, so the job can run again", async () => {
    await expect(
      onceForJobKey(db, key("k2"), async () => {
        throw new Error("transient");
      }),
    ).rejects.toThrow("transient");
    expect(await getProcessedJob(db, "k2")).toBeNull();
    expect(await onceForJobKey(db, key("k2"), async () => "second")).toEqual({
      outcome: "second",
      duplicate: false,
    });
  });
});

describe("onceForJobKey with two workers at once (PostgreSQL)", () => {
  let db: Db;
  let done: () => Promise<void>;
  beforeAll(async () => {
    ({ db, done } = await freshStore(DRIVERS[0] as (typeof DRIVERS)[number]));
  });
  afterAll(() => done());

  /** A first claim whose work waits until released, and a second claim of the same key started meanwhile. */
  async function race(jobKey: string, firstEnds: "commit" | "throw") {
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const ran: string[] = [];
    const first = onceForJobKey(db, key(jobKey), async () => {
      ran.push("first");
      await held;
      if (firstEnds === "throw") throw new Error("first failed");
      return "first";
    });
    while (ran.length === 0) await new Promise((r) => setTimeout(r, 5));
    const second = onceForJobKey(db, key(jobKey), async () => {
      ran.push("second");
      return "second";
    });
    // The second claim waits on the first's row: it has not run while the first holds the key.
    await new Promise((r) => setTimeout(r, 150));
    expect(ran).toEqual(["first"]);
    release();
    return { first: await first.catch((e: Error) => e.message), second: await second, ran };
  }

  it("a second claim waits for the first, then finds the key recorded and runs nothing", async () => {
    const r = await race("k3", "commit");
    expect(r.first).toEqual({ outcome: "first", duplicate: false });
    expect(r.second).toEqual({ outcome: "first", duplicate: true });
    expect(r.ran).toEqual(["first"]);
  });

  it("a second claim runs the work itself when the first rolls back", async () => {
    const r = await race("k4", "throw");
    expect(r.first).toBe("first failed");
    expect(r.second).toEqual({ outcome: "second", duplicate: false });
    expect(r.ran).toEqual(["first", "second"]);
  });
});
