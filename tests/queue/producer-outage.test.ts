/**
 * The API's producer when Redis is not there at all (issue 11, item 1): nothing listens on its port, from
 * start to finish. Adding a job fails with BRIDGE_E_QUEUE_UNAVAILABLE instead of waiting for a connection
 * that never comes (BullMQ waits for one as long as it takes), and the producer closes all the same.
 * No timed assertion: a wait that does not end is cut at a generous bound and fails the test.
 */
import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { createProducer } from "../../src/queue/producer.ts";

const BOUND_MS = 20_000;

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const bounded = <T>(promise: Promise<T>) =>
  Promise.race([
    promise.then(
      () => "resolved",
      (error: { code?: string }) => error.code ?? "rejected without a code",
    ),
    new Promise<string>((resolve) => setTimeout(() => resolve("still waiting"), BOUND_MS)),
  ]);

describe("the API's producer with Redis unreachable", () => {
  it("refuses a job with BRIDGE_E_QUEUE_UNAVAILABLE, and closes", async () => {
    const producer = createProducer({
      redisUrl: `redis://127.0.0.1:${await closedPort()}`,
      prefix: "bt-unreachable",
      attempts: 1,
      timeouts: { connectTimeoutMs: 300, commandTimeoutMs: 300 },
    });
    expect(await bounded(producer.ingest({ type: "OASYS_EXPORT", exportId: "e1" }))).toBe(
      "BRIDGE_E_QUEUE_UNAVAILABLE",
    );
    expect(await bounded(producer.push("ARMS", { outboxId: "o1" }))).toBe("BRIDGE_E_QUEUE_UNAVAILABLE");
    expect(await bounded(producer.close())).toBe("resolved");
  }, 60_000);
});
