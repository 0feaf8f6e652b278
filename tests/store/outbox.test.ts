import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../src/store/db.ts";
import { attemptsFor, attemptsForMany, recordAttempt } from "../../src/store/repositories/deliveries.ts";
import {
  claimForDelivery,
  getOutboxRow,
  insertOutboxRows,
  latestRowFor,
  listOutbox,
  markDead,
  markDelivered,
  markSuperseded,
  type NewOutboxRow,
  newerRowExists,
  nextPersonVersion,
  pendingDue,
  queueMessages,
  releaseForRetry,
  reopenDead,
} from "../../src/store/repositories/outbox.ts";
import { upsertPerson } from "../../src/store/repositories/persons.ts";
import { DRIVERS, freshStore, newKeys, rejectionCode } from "./support.ts";

const T0 = "2026-11-20T10:00:00.000Z";
const plus = (ms: number) => new Date(Date.parse(T0) + ms).toISOString();
let serial = 0;

function message(personId: string, over: Partial<NewOutboxRow> = {}): NewOutboxRow {
  serial += 1;
  return {
    personId,
    personVersion: 1,
    recipient: "ARMS",
    kind: "ARMS_DRAFT",
    idempotencyKey: `arms-draft:${serial}:v1:m1:${String(serial).padStart(16, "0")}`,
    contentType: "application/json",
    body: "{}",
    correlationId: null,
    sources: {
      oasys: { assessmentPk: serial, storedVersion: 1, digest: "d" },
      arms: null,
      mappingVersion: "1",
    },
    correctsKey: null,
    ...over,
  };
}

describe.each(DRIVERS)("outbox on $driver", (driver) => {
  let db: Db;
  let done: () => Promise<void>;
  const person = async () => (await upsertPerson(db, newKeys(), T0)).person.id;
  const insertOne = async (m: NewOutboxRow) => (await insertOutboxRows(db, [m], T0))[0]!.id;
  beforeAll(async () => {
    ({ db, done } = await freshStore(driver));
  });
  afterAll(() => done());

  it("inserts a message once per idempotency key", async () => {
    const p = await person();
    const m = message(p);
    const first = await insertOutboxRows(db, [m], T0);
    expect(first).toEqual([
      { id: expect.any(String), recipient: "ARMS", kind: "ARMS_DRAFT", idempotencyKey: m.idempotencyKey },
    ]);
    expect(await insertOutboxRows(db, [{ ...m, body: "other" }], T0)).toEqual([]);
    const row = await getOutboxRow(db, first[0]!.id);
    expect(row).toMatchObject({
      state: "PENDING",
      attempts: 0,
      body: "{}",
      availableAt: T0,
      sources: m.sources,
    });
    expect(await getOutboxRow(db, "not-a-uuid")).toBeNull();
  });

  it("refuses a correction notice without the key of the delivery it corrects, and a dangling one", async () => {
    const p = await person();
    const code = await rejectionCode(insertOutboxRows(db, [message(p, { kind: "CORRECTION_NOTICE" })], T0));
    expect(code).toBe("23514");
    const dangling = message(p, { kind: "CORRECTION_NOTICE", correctsKey: "no-such-key" });
    expect(await rejectionCode(insertOutboxRows(db, [dangling], T0))).toBe("23503");
  });

  it("claims atomically: of two claimers one wins; a leased row is refused until the lease lapses", async () => {
    const id = await insertOne(message(await person()));
    const [a, b] = await Promise.all([
      claimForDelivery(db, id, "worker-a", 30_000, T0),
      claimForDelivery(db, id, "worker-b", 30_000, T0),
    ]);
    expect([a, b].filter((r) => r !== null)).toHaveLength(1);
    const winner = (a ?? b)!;
    expect(winner).toMatchObject({ state: "IN_FLIGHT", attempts: 1, claimedUntil: plus(30_000) });
    expect(await claimForDelivery(db, id, "worker-c", 30_000, plus(29_999))).toBeNull();
    const again = await claimForDelivery(db, id, "worker-c", 30_000, plus(30_000));
    expect(again).toMatchObject({ claimedBy: "worker-c", attempts: 2 });
  });

  it("gives a row back to the claimer whose own attempt was cut short (a database restart), at once", async () => {
    const id = await insertOne(message(await person()));
    expect(await claimForDelivery(db, id, "worker-a", 60_000, T0)).toMatchObject({ attempts: 1 });
    // The outcome could not be settled; the same worker's retry must not wait out its own minute-long lease.
    expect(await claimForDelivery(db, id, "worker-a", 60_000, plus(1_000))).toMatchObject({
      claimedBy: "worker-a",
      attempts: 2,
      claimedUntil: plus(61_000),
    });
    expect(await claimForDelivery(db, id, "worker-b", 60_000, plus(2_000))).toBeNull();
  });

  it("holds one person's deliveries to one recipient to one at a time; other recipients go ahead", async () => {
    const p = await person();
    const first = await insertOne(message(p));
    const second = await insertOne(message(p, { personVersion: 2 }));
    const probation = await insertOne(message(p, { recipient: "OASYS", kind: "PARTNER_RISK_UPDATE" }));
    expect(await claimForDelivery(db, first, "w1", 10_000, T0)).not.toBeNull();
    expect(await claimForDelivery(db, second, "w2", 10_000, T0)).toBeNull();
    expect(await claimForDelivery(db, probation, "w3", 10_000, T0)).not.toBeNull();
    expect(await markDelivered(db, first, plus(5))).toBe(true);
    expect(await claimForDelivery(db, second, "w2", 10_000, plus(6))).not.toBeNull();
  });

  it("never claims a DELIVERED, DEAD or SUPERSEDED row; settles only rows not yet settled", async () => {
    const p = await person();
    const delivered = await insertOne(message(p));
    const dead = await insertOne(message(p));
    const superseded = await insertOne(message(p));
    await claimForDelivery(db, delivered, "w", 1000, T0);
    expect(await markDelivered(db, delivered, T0)).toBe(true);
    expect(await markDelivered(db, delivered, T0)).toBe(false);
    expect(await markDead(db, dead, "BRIDGE_E_HTTP_REFUSED: arms:push: HTTP 422")).toBe(true);
    expect(await markSuperseded(db, superseded)).toBe(true);
    for (const id of [delivered, dead, superseded]) {
      expect(await claimForDelivery(db, id, "w", 1000, plus(10_000))).toBeNull();
    }
    expect(await getOutboxRow(db, dead)).toMatchObject({
      state: "DEAD",
      lastError: "BRIDGE_E_HTTP_REFUSED: arms:push: HTTP 422",
    });
    expect(await reopenDead(db, dead, plus(1))).toBe(true);
    expect(await getOutboxRow(db, dead)).toMatchObject({ state: "PENDING", availableAt: plus(1) });
    expect(await reopenDead(db, delivered, plus(1))).toBe(false);
  });

  it("releases for retry with a new due time, and lists what the sweeper should re-enqueue", async () => {
    const p = await person();
    const retry = await insertOne(message(p, { recipient: "OASYS", kind: "PARTNER_RISK_UPDATE" }));
    const stuck = await insertOne(message(p));
    await claimForDelivery(db, retry, "w", 1000, T0);
    expect(
      await releaseForRetry(db, retry, plus(60_000), "BRIDGE_E_HTTP_UNAVAILABLE: oasys:push: HTTP 503"),
    ).toBe(true);
    expect(await releaseForRetry(db, retry, plus(60_000), "again")).toBe(false);
    expect(await claimForDelivery(db, retry, "w", 1000, plus(59_999))).toBeNull();
    await claimForDelivery(db, stuck, "dead-worker", 5_000, T0);
    const due = async (at: string) => (await pendingDue(db, at, 10_000)).map((r) => r.id);
    expect(await due(plus(4_000))).not.toContain(stuck);
    expect(await due(plus(5_000))).toContain(stuck);
    expect(await due(plus(59_999))).not.toContain(retry);
    expect(await due(plus(60_000))).toContain(retry);
    expect(await getOutboxRow(db, retry)).toMatchObject({
      state: "PENDING",
      attempts: 1,
      lastError: expect.stringContaining("503"),
    });
  });

  it("knows when a newer row exists for the same person, recipient and kind", async () => {
    const p = await person();
    await insertOne(message(p, { personVersion: 3 }));
    expect(await newerRowExists(db, p, "ARMS", "ARMS_DRAFT", 2)).toBe(true);
    expect(await newerRowExists(db, p, "ARMS", "ARMS_DRAFT", 3)).toBe(false);
    expect(await newerRowExists(db, p, "OASYS", "ARMS_DRAFT", 2)).toBe(false);
    expect(await newerRowExists(db, p, "ARMS", "CORRECTION_NOTICE", 2)).toBe(false);
  });

  it("queues a reconciliation's messages: unchanged is nothing, new is inserted, an earlier state again gets a new key", async () => {
    const p = await person();
    const a = message(p, { personVersion: await nextPersonVersion(db, p) });
    expect(await queueMessages(db, [a], T0)).toHaveLength(1);
    expect(await queueMessages(db, [{ ...a, personVersion: await nextPersonVersion(db, p) }], T0)).toEqual(
      [],
    );
    const b = message(p, { personVersion: await nextPersonVersion(db, p) });
    expect(await queueMessages(db, [b], T0)).toHaveLength(1);
    const v4 = await nextPersonVersion(db, p);
    const back = await queueMessages(db, [{ ...a, personVersion: v4 }], T0);
    expect(back.map((r) => r.idempotencyKey)).toEqual([`${a.idempotencyKey}:p${v4}`]);
    expect((await latestRowFor(db, p, "ARMS", "ARMS_DRAFT"))?.idempotencyKey).toBe(
      `${a.idempotencyKey}:p${v4}`,
    );
    expect(await queueMessages(db, [{ ...a, personVersion: await nextPersonVersion(db, p) }], T0)).toEqual(
      [],
    );
  });

  it("lists rows without bodies, filtered and keyset-paged newest first, with their attempts", async () => {
    const p = await person();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push((await insertOutboxRows(db, [message(p)], plus(i * 1000)))[0]!.id);
    }
    await recordAttempt(db, {
      outboxId: ids[0]!,
      attempt: 1,
      outcome: "RETRY",
      httpStatus: 503,
      receipt: null,
      errorCode: "BRIDGE_E_HTTP_UNAVAILABLE",
      latencyMs: 12.4,
      at: T0,
    });
    const page1 = await listOutbox(db, { personId: p, limit: 3 });
    expect(page1.items.map((r) => r.id)).toEqual([ids[4], ids[3], ids[2]]);
    expect(page1.items[0]).not.toHaveProperty("body");
    const page2 = await listOutbox(db, { personId: p, limit: 3, cursor: page1.nextCursor });
    expect(page2).toMatchObject({ nextCursor: null });
    expect(page2.items.map((r) => r.id)).toEqual([ids[1], ids[0]]);
    expect((await listOutbox(db, { personId: p, state: "DELIVERED" })).items).toEqual([]);
    expect((await listOutbox(db, { personId: p, recipient: "OASYS" })).items).toEqual([]);
    expect(await rejectionCode(listOutbox(db, { cursor: "bogus" }))).toBe("BRIDGE_E_USAGE");
    const attempts = await attemptsForMany(db, [ids[0]!, ids[1]!]);
    expect(attempts.get(ids[0]!)).toMatchObject([
      { attempt: 1, outcome: "RETRY", httpStatus: 503, latencyMs: 12 },
    ]);
    expect(attempts.get(ids[1]!)).toEqual([]);
    expect(await attemptsFor(db, ids[0]!)).toHaveLength(1);
  });
});

describe("outbox claims under concurrency on real PostgreSQL", () => {
  let db: Db;
  let done: () => Promise<void>;
  beforeAll(async () => {
    ({ db, done } = await freshStore(DRIVERS[0]!));
  });
  afterAll(() => done());

  it("of many claimers racing over one person's rows for one recipient, exactly one gets a row", async () => {
    const p = (await upsertPerson(db, newKeys(), T0)).person.id;
    const rows = await insertOutboxRows(
      db,
      [message(p), message(p, { personVersion: 2 }), message(p, { personVersion: 3 })],
      T0,
    );
    const claims = await Promise.all(
      Array.from({ length: 12 }, (_, i) => claimForDelivery(db, rows[i % 3]!.id, `w${i}`, 60_000, T0)),
    );
    expect(claims.filter((c) => c !== null)).toHaveLength(1);
    const inFlight = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM outbox WHERE person_id = $1::uuid AND state = 'IN_FLIGHT'",
      [p],
    );
    expect(inFlight[0]?.n).toBe(1);
  });
});
