/**
 * The worker's periodic retention run (src/queue/retention.ts), on PostgreSQL with a clock passed in: it
 * runs the job (one ERASURE entry per class), and a process starting while another's run is less than an
 * interval old skips its own, so several workers do not each log a run. Nothing sleeps for a set time:
 * the test waits for the entries and the log line it expects.
 */
import { Writable } from "node:stream";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadRetention } from "../../src/core/retention/load.ts";
import { startRetentionSchedule } from "../../src/queue/retention.ts";
import type { Db } from "../../src/store/index.ts";
import { DRIVERS, freshStore } from "../store/support.ts";
import { waitFor } from "./support.ts";

const NOW = new Date("2030-01-01T00:00:00.000Z");
const DAY = 86_400_000;

describe("the worker's retention schedule", () => {
  let db: Db;
  let done: () => Promise<void>;
  beforeAll(async () => {
    ({ db, done } = await freshStore(DRIVERS[0]!));
  });
  afterAll(() => done());

  const erasures = async () =>
    (
      await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_events WHERE category = 'ERASURE'`)
    )[0]!.n;

  it("runs the job, and skips a run when another ran less than an interval ago", async () => {
    const lines: string[] = [];
    const log = pino(
      { level: "debug" },
      new Writable({
        write(chunk, _encoding, callback) {
          lines.push(String(chunk));
          callback();
        },
      }),
    );
    const options = { db, policy: loadRetention(), intervalMs: DAY, firstDelayMs: 0, now: () => NOW, log };
    const first = startRetentionSchedule(options);
    await waitFor("the first run's entries", async () => (await erasures()) === 7);
    await first.stop();

    const second = startRetentionSchedule({ ...options, now: () => new Date(NOW.getTime() + DAY / 2) });
    await waitFor("the skip", () => lines.some((l) => l.includes("retention run skipped")));
    await second.stop();
    expect(await erasures()).toBe(7);
  });
});
