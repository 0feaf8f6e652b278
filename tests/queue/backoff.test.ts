import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_BACKOFF, fullJitterDelay, retryAfterOf, retryDelay } from "../../src/queue/backoff.ts";
import { bullJobId, jobIds, jobKeyOf, replayKey } from "../../src/queue/jobs.ts";

describe("full-jitter backoff", () => {
  it("draws from [0, min(cap, base * 2^(n-1))): 1 s, 2 s, 4 s ... up to 5 min", () => {
    const top = (n: number) => fullJitterDelay(n, DEFAULT_BACKOFF, () => 0.999_999);
    expect(top(1)).toBe(999);
    expect(top(2)).toBe(1_999);
    expect(top(3)).toBe(3_999);
    expect(top(9)).toBe(255_999);
    expect(top(10)).toBe(299_999);
    expect(top(1_000)).toBe(299_999);
    expect(fullJitterDelay(5, DEFAULT_BACKOFF, () => 0)).toBe(0);
  });

  it("stays within its ceiling for any attempt and any draw", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.double({ min: 0, max: 0.999_999, noNaN: true }),
        (n, r) => {
          const d = fullJitterDelay(n, DEFAULT_BACKOFF, () => r);
          return d >= 0 && d < Math.min(300_000, 1_000 * 2 ** (n - 1)) && Number.isInteger(d);
        },
      ),
    );
  });

  it("never retries earlier than Retry-After, and bounds a wild one", () => {
    expect(retryDelay(1, DEFAULT_BACKOFF, 30_000, () => 0.5)).toBe(30_000);
    expect(retryDelay(10, DEFAULT_BACKOFF, 1_000, () => 0.5)).toBe(150_000);
    expect(retryDelay(1, DEFAULT_BACKOFF, 86_400_000, () => 0)).toBe(3_600_000);
    expect(retryDelay(2, DEFAULT_BACKOFF, null, () => 0.5)).toBe(1_000);
    expect(retryDelay(2, DEFAULT_BACKOFF, -5, () => 0.5)).toBe(1_000);
  });

  it("reads retryAfterMs off an error when it carries one", () => {
    expect(retryAfterOf(Object.assign(new Error("x"), { retryAfterMs: 1200 }))).toBe(1200);
    expect(retryAfterOf(new Error("x"))).toBeNull();
    expect(retryAfterOf(undefined)).toBeNull();
  });
});

describe("job keys and BullMQ ids", () => {
  it("turns every key into an id without ':' (BullMQ refuses most ids with one) and back", () => {
    const keys = [
      jobIds.ingest({ type: "OASYS_EXPORT", exportId: "0b5e6e0c-7f4e-4f57-9a7e-4a8a8f1c2d3e" }),
      jobIds.ingest({ type: "OASYS_EVENT", crn: "X123456", assessmentPk: 9630348, eventId: "evt:1|%" }),
      jobIds.reconcile({ source: "ARMS", record: "ARMS-ESX-000001", revision: 3 }),
      replayKey(jobIds.push({ outboxId: "5d0f" }), 2),
    ];
    for (const key of keys) {
      expect(bullJobId(key)).not.toContain(":");
      expect(jobKeyOf(bullJobId(key))).toBe(key);
    }
    expect(bullJobId("reconcile:OASYS:9630348:2")).toBe("reconcile|OASYS|9630348|2");
    expect(replayKey("push:5d0f", 2)).toBe("push:5d0f:replay-2");
  });

  it("is reversible and collision-free for any string", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(":", "|", "%", "7", "C", "2", "5", "a") }), (key) => {
        const id = bullJobId(key);
        return !id.includes(":") && jobKeyOf(id) === key;
      }),
    );
    fc.assert(fc.property(fc.string(), fc.string(), (a, b) => a === b || bullJobId(a) !== bullJobId(b)));
  });
});
