/**
 * The in-process pipeline (src/queue/in-process.ts, what `bridge demo --serve` runs): the BullMQ stage
 * processors run here, from the store's unfinished work (the recovery sweep) and what the processors hand
 * on, with retries of transient faults, a dead letter for a permanent one (left alone by later sweeps),
 * and one job per key. PostgreSQL; the agencies are nock interceptors (tests/queue/agencies.ts).
 */
import nock from "nock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Config } from "../../src/config.ts";
import { loadThresholds } from "../../src/core/conflicts/load-thresholds.ts";
import { loadMapping } from "../../src/core/mapping/load.ts";
import { type InProcessPipeline, startInProcessPipeline } from "../../src/queue/in-process.ts";
import { agencyClientsFrom } from "../../src/queue/processors/push.ts";
import type { Db } from "../../src/store/index.ts";
import { saveArmsRevision } from "../../src/store/repositories/arms.ts";
import { saveRawExport } from "../../src/store/repositories/exports.ts";
import { findPersonByKeys } from "../../src/store/repositories/persons.ts";
import { type Agencies, fakeAgencies } from "./agencies.ts";
import { type Person, personFrom } from "./fixtures.ts";
import { postgresStore, silentLog, testConfig, uniquePrefix } from "./support.ts";

let db: Db;
let dropStore: () => Promise<void>;
let config: Config;
let agencies: Agencies;
let pipeline: InProcessPipeline;

async function outboxOf(person: Person) {
  const [held] = await findPersonByKeys(db, { pnc: person.pnc });
  if (!held) return [];
  return db.query<{ id: string; recipient: string; state: string; idempotencyKey: string }>(
    `SELECT id, recipient, state, idempotency_key AS "idempotencyKey" FROM outbox WHERE person_id = $1::uuid`,
    [held.id],
  );
}

/** The person's records accepted as the API accepts them: stored, with no job yet. */
async function accept(person: Person): Promise<void> {
  await saveArmsRevision(db, person.arms[0]!, new Date().toISOString());
  await saveRawExport(db, person.oasysXml(), "test", new Date().toISOString());
}

beforeAll(async () => {
  nock.disableNetConnect();
  agencies = fakeAgencies();
  ({ db, done: dropStore } = await postgresStore());
  config = testConfig(uniquePrefix(), db.schema);
  pipeline = startInProcessPipeline({
    db,
    log: silentLog,
    now: () => new Date(),
    reconcile: { mapping: loadMapping(), thresholds: loadThresholds() },
    agencies: agencyClientsFrom(config),
    attempts: 3,
    sweepIntervalMs: 3_600_000,
    backoff: { baseMs: 5, capMs: 20, maxRetryAfterMs: 50 },
  });
});

afterAll(async () => {
  await pipeline?.close();
  agencies?.done();
  nock.enableNetConnect();
  await dropStore?.();
});

describe("the in-process pipeline", () => {
  it("finds accepted work through the sweep and runs ingest, reconcile and both pushes, retrying a 503", async () => {
    const person = personFrom("matched-consistent");
    await accept(person);
    agencies.script("ARMS", { status: 503 });
    await pipeline.idle();

    const rows = await outboxOf(person);
    expect(rows.map((r) => [r.recipient, r.state]).sort()).toEqual([
      ["ARMS", "DELIVERED"],
      ["OASYS", "DELIVERED"],
    ]);
    const arms = rows.find((r) => r.recipient === "ARMS")!;
    // The 503, then the same message again under the same Idempotency-Key.
    expect(agencies.of("ARMS").filter((r) => r.idempotencyKey === arms.idempotencyKey)).toHaveLength(2);
    expect(await db.query("SELECT 1 FROM raw_exports WHERE ingested_at IS NULL")).toEqual([]);
  });

  it("runs a key once: queued twice, or again once done, it sends nothing more", async () => {
    const person = personFrom("matched-consistent");
    await accept(person);
    await pipeline.idle();
    const arms = (await outboxOf(person)).find((r) => r.recipient === "ARMS")!;
    const before = agencies.received.length;
    await Promise.all([
      pipeline.producer.push("ARMS", { outboxId: arms.id }),
      pipeline.producer.push("ARMS", { outboxId: arms.id }),
    ]);
    await pipeline.idle();
    expect(agencies.received.length).toBe(before);
    expect(await pipeline.sweep()).toBe(0);
  });

  it("ends a permanent refusal in one dead letter, which later sweeps leave for a person to replay", async () => {
    const person = personFrom("matched-consistent");
    await accept(person);
    agencies.script("ARMS", { status: 400 });
    await pipeline.idle();
    const arms = (await outboxOf(person)).find((r) => r.recipient === "ARMS")!;
    expect(arms.state).toBe("DEAD");
    const letters = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM dead_letters WHERE subject->'data'->>'outboxId' = $1`,
      [arms.id],
    );
    expect(letters[0]?.n).toBe(1);
    expect(await pipeline.sweep()).toBe(0);
    await pipeline.idle();
    expect(agencies.of("ARMS").filter((r) => r.idempotencyKey === arms.idempotencyKey)).toHaveLength(1);
  });
});
