/**
 * A job the store's outage interrupts waits for the store (issue 10): it goes back to delayed without
 * spending an attempt, even on its last attempt, so a database restart never turns work into dead letters
 * (which could not even be written while the store is down). Found by the end-to-end restart test, where
 * jobs interrupted by a PostgreSQL crash used up their attempts within the restart and were dead-lettered.
 */
import { DelayedError, type Job, UnrecoverableError } from "bullmq";
import { describe, expect, it, vi } from "vitest";
import { BridgeError } from "../../src/errors.ts";
import { DEFAULT_BACKOFF } from "../../src/queue/backoff.ts";
import type { PipelineContext } from "../../src/queue/context.ts";
import { bullProcessor, storeWaitMs } from "../../src/queue/run.ts";
import { silentLog } from "./support.ts";

function fakeJob(attemptsMade: number, attempts: number) {
  const moveToDelayed = vi.fn(async () => undefined);
  const job = { id: "reconcile|OASYS|1|1", data: {}, attemptsMade, opts: { attempts }, moveToDelayed };
  return { job: job as unknown as Job<Record<string, never>>, moveToDelayed };
}

const deadLetters: unknown[] = [];
const ctx = {
  db: {
    transaction: async () => {
      deadLetters.push("written");
      throw new Error("no dead letter may be written");
    },
    query: async () => {
      deadLetters.push("written");
      throw new Error("no dead letter may be written");
    },
  },
  log: silentLog,
  now: () => new Date("2026-11-20T12:00:00Z"),
  backoff: { baseMs: 1_000, capMs: 300_000, maxRetryAfterMs: 3_600_000 },
} as unknown as PipelineContext;

describe("a job while the store is unavailable", () => {
  it.each([
    [0, 5],
    [4, 5],
  ])("waits for it without spending an attempt (attempts made %i of %i)", async (made, attempts) => {
    const { job, moveToDelayed } = fakeJob(made, attempts);
    const processor = bullProcessor(ctx, "reconcile", async () => {
      throw new BridgeError("BRIDGE_E_STORE_UNAVAILABLE", "57P03");
    });
    const before = Date.now();
    await expect(processor(job, "token")).rejects.toBeInstanceOf(DelayedError);
    expect(moveToDelayed).toHaveBeenCalledTimes(1);
    const [until, token] = moveToDelayed.mock.calls[0] as unknown as [number, string];
    expect(token).toBe("token");
    expect(until - before).toBeGreaterThanOrEqual(500);
    expect(until - Date.now()).toBeLessThanOrEqual(4_000);
    expect(deadLetters).toEqual([]);
  });

  it("other transient faults on the last attempt still end in a dead letter", async () => {
    const { job } = fakeJob(4, 5);
    const processor = bullProcessor(ctx, "reconcile", async () => {
      throw new BridgeError("BRIDGE_E_HTTP_UNAVAILABLE", "503");
    });
    // The dead letter is attempted (this fake store refuses it, so the write's error surfaces).
    await expect(processor(job, "token")).rejects.not.toBeInstanceOf(UnrecoverableError);
    expect(deadLetters.length).toBeGreaterThan(0);
  });

  it("waits between half the backoff's base and four times it", () => {
    expect(storeWaitMs(DEFAULT_BACKOFF, () => 0)).toBe(500);
    expect(storeWaitMs(DEFAULT_BACKOFF, () => 0.999)).toBe(3_996);
  });
});
