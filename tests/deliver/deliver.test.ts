/**
 * Delivering one outbox row against real PostgreSQL, with the agencies' endpoints played by nock.
 */
import nock from "nock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type AgencyClient, createAgencyClient } from "../../src/deliver/agency-client.ts";
import { BUSY_RETRY_MS, deliverOutboxRow } from "../../src/deliver/deliver.ts";
import type { Db } from "../../src/store/db.ts";
import { auditTrail } from "../../src/store/repositories/audit.ts";
import { attemptsFor } from "../../src/store/repositories/deliveries.ts";
import {
  claimForDelivery,
  getOutboxRow,
  insertOutboxRows,
  markDelivered,
  type NewOutboxRow,
} from "../../src/store/repositories/outbox.ts";
import { upsertPerson } from "../../src/store/repositories/persons.ts";
import { DRIVERS, freshStore, newKeys, rejectionCode } from "../store/support.ts";

const ARMS = "http://arms.test";
const OASYS = "http://oasys.test";
const ARMS_PATH = "/arms/v1/prefilled-assessments";
const OASYS_PATH = "/oasys/v1/partner-risk-updates";
const T0 = "2026-11-20T10:00:00.000Z";
const plus = (ms: number) => new Date(Date.parse(T0) + ms).toISOString();

const clients: Record<"ARMS" | "OASYS", AgencyClient> = {
  ARMS: createAgencyClient({ recipient: "ARMS", baseUrl: ARMS, timeoutMs: 5_000 }),
  OASYS: createAgencyClient({ recipient: "OASYS", baseUrl: OASYS, timeoutMs: 5_000 }),
};

let db: Db;
let done: () => Promise<void>;
beforeAll(async () => {
  nock.disableNetConnect();
  ({ db, done } = await freshStore(DRIVERS[0]!));
});
afterAll(() => done());
afterEach(() => nock.cleanAll());

let serial = 0;
async function queued(over: Partial<NewOutboxRow> & { personId?: string } = {}): Promise<string> {
  serial += 1;
  const personId = over.personId ?? (await upsertPerson(db, newKeys(), T0)).person.id;
  const [row] = await insertOutboxRows(
    db,
    [
      {
        personId,
        personVersion: 1,
        recipient: "ARMS",
        kind: "ARMS_DRAFT",
        idempotencyKey: `arms-draft:${serial}:v1:m1:${String(serial).padStart(16, "0")}`,
        contentType: "application/json",
        body: JSON.stringify({ schema: "arms-interchange/1", status: "DRAFT" }),
        correlationId: `corr-${serial}`,
        sources: {
          oasys: { assessmentPk: 9630000 + serial, storedVersion: 1, digest: "d" },
          arms: null,
          mappingVersion: "1",
        },
        correctsKey: null,
        ...over,
      },
    ],
    T0,
  );
  return row!.id;
}

const run = (id: string, over: Partial<Parameters<typeof deliverOutboxRow>[3]> = {}) =>
  deliverOutboxRow(db, clients, id, { worker: "w1", now: T0, attempt: 1, leaseMs: 30_000, ...over });

describe("deliverOutboxRow", () => {
  it("delivers: records the attempt with receipt and latency, marks DELIVERED and audits RECORD_PUSHED by ids", async () => {
    const id = await queued();
    const row = (await getOutboxRow(db, id))!;
    const scope = nock(ARMS)
      .post(ARMS_PATH)
      .matchHeader("idempotency-key", row.idempotencyKey)
      .matchHeader("x-correlation-id", row.correlationId!)
      .reply(201, { receiptId: "R-1" });
    expect(await run(id)).toEqual({ outcome: "DELIVERED", httpStatus: 201, alreadyHeld: false });
    scope.done();
    expect(await getOutboxRow(db, id)).toMatchObject({
      state: "DELIVERED",
      deliveredAt: T0,
      attempts: 1,
      claimedBy: null,
    });
    const [attempt] = await attemptsFor(db, id);
    expect(attempt).toMatchObject({
      attempt: 1,
      outcome: "DELIVERED",
      httpStatus: 201,
      receipt: { receiptId: "R-1" },
    });
    expect(attempt!.latencyMs).toBeGreaterThanOrEqual(0);
    const [audit] = await auditTrail(db, { subjectType: "OUTBOX", subjectId: id });
    expect(audit).toMatchObject({
      category: "DISCLOSURE",
      action: "RECORD_PUSHED",
      actor: "bridge",
      role: "SYSTEM",
      personId: row.personId,
      correlationId: row.correlationId,
      details: { recipient: "ARMS", kind: "ARMS_DRAFT", idempotencyKey: row.idempotencyKey, attempt: 1 },
      sources: [
        {
          type: "OASYS_ASSESSMENT",
          id: String(row.sources.oasys!.assessmentPk),
          version: row.sources.oasys!.storedVersion,
        },
        { type: "MAPPING", id: "oasys-to-arms", version: row.sources.mappingVersion },
      ],
    });
    expect(audit!.justification).toContain(`OASys assessment ${row.sources.oasys!.assessmentPk}`);
    // Delivered once: asking again sends nothing (no interceptor is left, and the network is closed).
    expect(await run(id)).toEqual({ outcome: "ALREADY_DELIVERED" });
  });

  it("409 from the agency counts as delivered", async () => {
    const id = await queued({
      recipient: "OASYS",
      kind: "PARTNER_RISK_UPDATE",
      contentType: "application/xml",
    });
    nock(OASYS)
      .post(OASYS_PATH)
      .reply(409, { error: { code: "DUPLICATE_KEY" } });
    expect(await run(id)).toMatchObject({ outcome: "DELIVERED", alreadyHeld: true, httpStatus: 409 });
    expect((await getOutboxRow(db, id))?.state).toBe("DELIVERED");
    expect((await attemptsFor(db, id))[0]?.outcome).toBe("ALREADY_HELD");
  });

  it("a transient failure goes back to PENDING until Retry-After, then the next attempt delivers", async () => {
    const id = await queued();
    nock(ARMS).post(ARMS_PATH).reply(503, "down", { "Retry-After": "120" });
    expect(await run(id)).toMatchObject({
      outcome: "RETRY",
      retryAfterMs: 120_000,
      errorCode: "BRIDGE_E_HTTP_UNAVAILABLE",
      httpStatus: 503,
    });
    expect(await getOutboxRow(db, id)).toMatchObject({
      state: "PENDING",
      availableAt: plus(120_000),
      lastError: "BRIDGE_E_HTTP_UNAVAILABLE: arms:push: HTTP 503",
    });
    // Too early: nothing is sent, and the caller is told how long is left.
    expect(await run(id, { now: plus(60_000), attempt: 2 })).toEqual({
      outcome: "BUSY",
      retryAfterMs: 60_000,
    });
    nock(ARMS).post(ARMS_PATH).reply(200, { ok: true });
    expect((await run(id, { now: plus(120_000), attempt: 2 })).outcome).toBe("DELIVERED");
    expect((await attemptsFor(db, id)).map((a) => [a.attempt, a.outcome, a.httpStatus])).toEqual([
      [1, "RETRY", 503],
      [2, "DELIVERED", 200],
    ]);
  });

  it("a time-out is recorded as TIMEOUT and retried after the backoff ceiling when no Retry-After came", async () => {
    const id = await queued();
    nock(ARMS).post(ARMS_PATH).delay(1_000).reply(201, {});
    const impatient = {
      ...clients,
      ARMS: createAgencyClient({ recipient: "ARMS", baseUrl: ARMS, timeoutMs: 50 }),
    };
    const outcome = await deliverOutboxRow(db, impatient, id, { worker: "w1", now: T0, attempt: 3 });
    expect(outcome).toMatchObject({
      outcome: "RETRY",
      errorCode: "BRIDGE_E_HTTP_TIMEOUT",
    });
    expect((await attemptsFor(db, id))[0]?.outcome).toBe("TIMEOUT");
    expect((await getOutboxRow(db, id))?.availableAt).toBe(plus(4_000));
  });

  it("a permanent refusal is DEAD at once, and stays DEAD", async () => {
    const id = await queued();
    nock(ARMS)
      .post(ARMS_PATH)
      .reply(422, { error: { code: "SCHEMA" } });
    expect(await run(id)).toMatchObject({
      outcome: "DEAD",
      errorCode: "BRIDGE_E_HTTP_REFUSED",
      reason: "arms:push: HTTP 422",
      httpStatus: 422,
    });
    expect(await getOutboxRow(db, id)).toMatchObject({
      state: "DEAD",
      lastError: "BRIDGE_E_HTTP_REFUSED: arms:push: HTTP 422",
    });
    expect(await run(id)).toEqual({ outcome: "DEAD", errorCode: "BRIDGE_E_HTTP_REFUSED" });
  });

  it("a transient failure on the last allowed attempt is DEAD", async () => {
    const id = await queued();
    nock(ARMS).post(ARMS_PATH).reply(500);
    expect(await run(id, { attempt: 5, maxAttempts: 5 })).toMatchObject({
      outcome: "DEAD",
      errorCode: "BRIDGE_E_HTTP_UNAVAILABLE",
      reason: "arms:push: HTTP 500 (attempts exhausted)",
    });
  });

  it("never sends an older row once a newer one exists for the same person and recipient", async () => {
    const older = await queued();
    const { personId } = (await getOutboxRow(db, older))!;
    const newer = await queued({ personId, personVersion: 2 });
    const newerKey = (await getOutboxRow(db, newer))!.idempotencyKey;
    const scope = nock(ARMS).post(ARMS_PATH).matchHeader("idempotency-key", newerKey).once().reply(201, {});
    expect((await run(newer)).outcome).toBe("DELIVERED");
    expect(await run(older)).toEqual({ outcome: "SUPERSEDED" });
    expect((await getOutboxRow(db, older))?.state).toBe("SUPERSEDED");
    expect(await attemptsFor(db, older)).toEqual([]);
    const trail = await auditTrail(db, { subjectType: "OUTBOX", subjectId: older });
    expect(trail.map((e) => [e.category, e.action])).toEqual([["ALTERATION", "OUTBOX_SUPERSEDED"]]);
    scope.done();
  });

  it("an older row is superseded even when the newer one is still pending", async () => {
    const older = await queued();
    const { personId } = (await getOutboxRow(db, older))!;
    await queued({ personId, personVersion: 2 });
    expect(await run(older)).toEqual({ outcome: "SUPERSEDED" });
  });

  it("is BUSY while another row for the same person and recipient is in flight", async () => {
    const first = await queued();
    const { personId } = (await getOutboxRow(db, first))!;
    const correction = await queued({
      personId,
      kind: "CORRECTION_NOTICE",
      correctsKey: (await getOutboxRow(db, first))!.idempotencyKey,
    });
    await claimForDelivery(db, first, "other-worker", 30_000, T0);
    expect(await run(correction, { now: plus(10_000) })).toEqual({
      outcome: "BUSY",
      retryAfterMs: BUSY_RETRY_MS,
    });
    await markDelivered(db, first, plus(11_000));
    nock(ARMS).post(ARMS_PATH).reply(202, {});
    // A correction notice is never superseded: each reports a change.
    expect((await run(correction, { now: plus(12_000) })).outcome).toBe("DELIVERED");
  });

  it("two workers delivering one row at once make one request", async () => {
    const id = await queued();
    const scope = nock(ARMS).post(ARMS_PATH).once().delay(200).reply(201, {});
    const outcomes = await Promise.all([run(id, { worker: "a" }), run(id, { worker: "b" })]);
    const sorted = outcomes.map((o) => o.outcome).sort();
    // The loser finds the row leased (BUSY), or, on a very slow machine, already delivered.
    expect([
      ["BUSY", "DELIVERED"],
      ["ALREADY_DELIVERED", "DELIVERED"],
    ]).toContainEqual(sorted);
    scope.done();
    expect(await attemptsFor(db, id)).toHaveLength(1);
  });

  it("an unknown outbox id is NOT_FOUND", async () => {
    expect(await rejectionCode(run("00000000-0000-4000-8000-00000000dead"))).toBe("BRIDGE_E_NOT_FOUND");
  });
});
