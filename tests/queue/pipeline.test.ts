/**
 * The pipeline through real Redis (BullMQ) and real PostgreSQL, with the agencies' push endpoints faked by
 * nock: ingest -> reconcile -> push, idempotency under re-delivery, per-person ordering with deliberately
 * reordered input, retries with backoff, dead letters and replay.
 */
import nock from "nock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Config } from "../../src/config.ts";
import { jobIds, QUEUES } from "../../src/queue/jobs.ts";
import { type BullProducer, createProducer } from "../../src/queue/producer.ts";
import { replayDeadLetter } from "../../src/queue/replay.ts";
import { type RunningWorker, startWorker } from "../../src/queue/worker.ts";
import type { Db } from "../../src/store/index.ts";
import { saveArmsRevision } from "../../src/store/repositories/arms.ts";
import { listDeadLetters } from "../../src/store/repositories/dead-letters.ts";
import { saveRawExport } from "../../src/store/repositories/exports.ts";
import { getOasysAssessment } from "../../src/store/repositories/oasys.ts";
import { findPersonByKeys } from "../../src/store/repositories/persons.ts";
import { type Agencies, fakeAgencies } from "./agencies.ts";
import { type Person, personFrom } from "./fixtures.ts";
import { dropPrefix, postgresStore, silentLog, testConfig, uniquePrefix, waitFor } from "./support.ts";

const prefix = uniquePrefix();
let db: Db;
let dropStore: () => Promise<void>;
let config: Config;
let worker: RunningWorker;
let producer: BullProducer;
let agencies: Agencies;

interface OutboxView {
  id: string;
  recipient: "ARMS" | "OASYS";
  kind: string;
  state: string;
  idempotencyKey: string;
  personVersion: number;
  sources: { oasys: { storedVersion: number } | null; arms: { revision: number } | null };
}

async function outboxOf(person: Person): Promise<OutboxView[]> {
  const [held] = await findPersonByKeys(db, { pnc: person.pnc });
  if (!held) return [];
  return db.query<OutboxView>(
    `SELECT id, recipient, kind, state, idempotency_key AS "idempotencyKey", person_version AS "personVersion",
            sources
       FROM outbox WHERE person_id = $1::uuid ORDER BY person_version, created_at`,
    [held.id],
  );
}

/** Waits until the person has outbox rows for both agencies and none is still to be delivered. */
const settledOutbox = (person: Person) =>
  waitFor(`outbox of ${person.assessmentPk} settled`, async () => {
    const rows = await outboxOf(person);
    const recipients = new Set(rows.map((r) => r.recipient));
    return recipients.size === 2 && rows.every((r) => !["PENDING", "IN_FLIGHT"].includes(r.state)) && rows;
  });

const queueIdle = () =>
  waitFor("queues idle", async () => {
    const counts = await Promise.all(
      Object.values(producer.queues).map((q) => q.getJobCounts("waiting", "active", "delayed")),
    );
    return counts.every((c) => c.waiting === 0 && c.active === 0 && c.delayed === 0);
  });

async function storeExport(bytes: Uint8Array): Promise<string> {
  return (await saveRawExport(db, bytes, "test", new Date().toISOString())).exportId;
}

beforeAll(async () => {
  nock.disableNetConnect();
  agencies = fakeAgencies();
  ({ db, done: dropStore } = await postgresStore());
  config = testConfig(prefix, db.schema);
  worker = await startWorker({
    config,
    db,
    log: silentLog,
    backoff: { baseMs: 20, capMs: 200, maxRetryAfterMs: 5_000 },
    graceMs: 5_000,
    sweeper: false,
  });
  producer = createProducer({ redisUrl: config.redisUrl, prefix, attempts: config.worker.pushAttempts });
});

afterAll(async () => {
  await producer?.close();
  await worker?.close();
  agencies?.done();
  nock.enableNetConnect();
  await dropStore?.();
  await dropPrefix(prefix);
});

describe("ingest -> reconcile -> push", () => {
  it("delivers one ARMS draft and one partner update for a stored export, with the Idempotency-Key", async () => {
    const person = personFrom("matched-consistent");
    await saveArmsRevision(db, person.arms[0]!, new Date().toISOString());
    const exportId = await storeExport(person.oasysXml());
    await producer.ingest({ type: "OASYS_EXPORT", exportId });

    const rows = await settledOutbox(person);
    expect(rows.map((r) => [r.recipient, r.kind, r.state])).toEqual(
      expect.arrayContaining([
        ["ARMS", "ARMS_DRAFT", "DELIVERED"],
        ["OASYS", "PARTNER_RISK_UPDATE", "DELIVERED"],
      ]),
    );
    await queueIdle();
    const keys = rows.map((r) => r.idempotencyKey).sort();
    expect(
      agencies.received
        .filter((r) => keys.includes(r.idempotencyKey))
        .map((r) => r.idempotencyKey)
        .sort(),
    ).toEqual(keys);
  });
});

describe("idempotency", () => {
  it("adds one job for an export enqueued twice, and repeats nothing when it comes back after BullMQ forgot it", async () => {
    const person = personFrom("matched-consistent");
    await saveArmsRevision(db, person.arms[0]!, new Date().toISOString());
    const exportId = await storeExport(person.oasysXml());
    const job = { type: "OASYS_EXPORT", exportId } as const;
    await Promise.all([producer.ingest(job), producer.ingest(job), producer.ingest(job)]);
    const rows = await settledOutbox(person);
    await queueIdle();
    const ingestJobs = (await producer.queues[QUEUES.ingest].getJobs()).filter(
      (j) => j.data.exportId === exportId,
    );
    expect(ingestJobs).toHaveLength(1);
    const ingestJob = ingestJobs[0];
    const sentBefore = agencies.received.length;
    const assessmentVersion = (await getOasysAssessment(db, person.assessmentPk))?.version;

    // Redis forgets the completed job (retention ran out): the same job again is recognised in PostgreSQL.
    await ingestJob!.remove();
    await producer.ingest(job);
    await waitFor("re-delivered job done", async () => {
      const again = (await producer.queues[QUEUES.ingest].getJobs(["completed"])).find(
        (j) => j.data.exportId === exportId,
      );
      return again?.returnvalue?.outcome === "duplicate";
    });
    // The same reconcile job for the same stored version: also nothing new.
    await producer.reconcile({ source: "OASYS", record: String(person.assessmentPk), revision: 1 });
    await queueIdle();

    expect(await outboxOf(person)).toEqual(rows);
    expect(agencies.received.length).toBe(sentBefore);
    expect((await getOasysAssessment(db, person.assessmentPk))?.version).toBe(assessmentVersion);
    const processed = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM processed_jobs WHERE job_key = $1",
      [jobIds.ingest(job)],
    );
    expect(processed[0]?.n).toBe(1);
  });
});

describe("per-person ordering with reordered input", () => {
  it("an ARMS revision 1 processed after revision 2 changes nothing: no push ever carries revision 1", async () => {
    const person = personFrom("arms-revision-late-older");
    const [revision2, revision1] = person.arms;
    expect([revision2?.revision, revision1?.revision]).toEqual([2, 1]);
    await saveArmsRevision(db, revision2!, new Date().toISOString());
    await producer.reconcile({ source: "ARMS", record: person.armsAssessmentId, revision: 2 });
    await producer.ingest({ type: "OASYS_EXPORT", exportId: await storeExport(person.oasysXml()) });
    const before = await settledOutbox(person);
    await queueIdle();

    // The older revision arrives late: it is kept as history and its reconcile job re-reads the latest state.
    expect((await saveArmsRevision(db, revision1!, new Date().toISOString())).outcome).toBe("STORED_HISTORY");
    await producer.reconcile({ source: "ARMS", record: person.armsAssessmentId, revision: 1 });
    await queueIdle();

    const after = await outboxOf(person);
    expect(after).toEqual(before);
    const probation = after.filter((r) => r.recipient === "OASYS");
    expect(probation.length).toBeGreaterThan(0);
    expect(probation.every((r) => r.sources.arms?.revision === 2)).toBe(true);
    const sentKeys = agencies.of("OASYS").map((r) => r.idempotencyKey);
    expect(
      probation.filter((r) => r.state === "DELIVERED").every((r) => sentKeys.includes(r.idempotencyKey)),
    ).toBe(true);
  });

  it("two OASys versions reconciled newest first: the older job re-reconciles the newer version", async () => {
    const person = personFrom("matched-consistent");
    await saveArmsRevision(db, person.arms[0]!, new Date().toISOString());
    const v1 = await storeExport(person.oasysXml());
    const v2 = await storeExport(
      person.oasysXml((xml) =>
        xml
          .replace('generatedAt="2026-11-20T09:00:00Z"', 'generatedAt="2026-11-20T10:00:00Z"')
          .replace('<answer q="11.11">1</answer>', '<answer q="11.11">0</answer>'),
      ),
    );
    // Save both versions without the queue, then run the reconcile jobs newest first.
    const { saveExportAssessments } = await import("../../src/pipeline/ingest.ts");
    const now = new Date().toISOString();
    for (const exportId of [v1, v2]) {
      const { getRawExport } = await import("../../src/store/repositories/exports.ts");
      const raw = await getRawExport(db, exportId);
      await saveExportAssessments(db, { exportId, bytes: raw!.content, today: "2026-11-20", now });
    }
    expect((await getOasysAssessment(db, person.assessmentPk))?.version).toBe(2);
    await producer.reconcile({ source: "OASYS", record: String(person.assessmentPk), revision: 2 });
    const before = await settledOutbox(person);
    await queueIdle();
    await producer.reconcile({ source: "OASYS", record: String(person.assessmentPk), revision: 1 });
    await queueIdle();

    const after = await outboxOf(person);
    expect(after).toEqual(before);
    expect(after.every((r) => r.sources.oasys?.storedVersion === 2)).toBe(true);
  });

  it("concurrent reconcile jobs for one person serialise: versions follow revisions, the latest is delivered last", async () => {
    const person = personFrom("matched-consistent");
    await producer.ingest({ type: "OASYS_EXPORT", exportId: await storeExport(person.oasysXml()) });
    const base = person.arms[0]!;
    // Revisions arrive while reconcile jobs for the earlier ones are running (concurrency 4).
    for (let revision = 1; revision <= 8; revision++) {
      await saveArmsRevision(db, { ...base, revision }, new Date().toISOString());
      await producer.reconcile({ source: "ARMS", record: person.armsAssessmentId, revision });
    }
    await waitFor("revision 8 delivered to probation", async () =>
      (await outboxOf(person)).some(
        (r) => r.recipient === "OASYS" && r.sources.arms?.revision === 8 && r.state === "DELIVERED",
      ),
    );
    await queueIdle();

    // Partner updates (correction notices about earlier deliveries are not superseded by design).
    const probation = (await outboxOf(person)).filter((r) => r.kind === "PARTNER_RISK_UPDATE");
    const revisions = probation.map((r) => r.sources.arms?.revision ?? 0);
    // Rows in person-version order read ever newer (or equal) revisions: no reconciliation read stale state.
    expect(revisions).toEqual([...revisions].sort((a, b) => a - b));
    const latest = probation[probation.length - 1]!;
    expect(latest).toMatchObject({ state: "DELIVERED" });
    expect(latest.sources.arms?.revision).toBe(8);
    // Nothing older went out after the latest: the last probation push for this person is the latest row.
    const keys = new Set(probation.map((r) => r.idempotencyKey));
    const pushed = agencies.of("OASYS").filter((r) => keys.has(r.idempotencyKey));
    expect(pushed[pushed.length - 1]?.idempotencyKey).toBe(latest.idempotencyKey);
    expect(probation.filter((r) => r.state === "DELIVERED").length).toBe(
      new Set(pushed.map((p) => p.idempotencyKey)).size,
    );
  });
});

describe("retries, dead letters and replay", () => {
  it("retries a push the agency answers 503 (honouring Retry-After), then delivers it", async () => {
    const person = personFrom("matched-consistent");
    await saveArmsRevision(db, person.arms[0]!, new Date().toISOString());
    agencies.script("ARMS", { status: 503, headers: { "Retry-After": "1" } }, { status: 503 });
    await producer.ingest({ type: "OASYS_EXPORT", exportId: await storeExport(person.oasysXml()) });
    const rows = await settledOutbox(person);
    const draft = rows.find((r) => r.recipient === "ARMS")!;
    expect(draft.state).toBe("DELIVERED");
    const attempts = await db.query<{ attempt: number; outcome: string; httpStatus: number; at: string }>(
      `SELECT attempt, outcome, http_status AS "httpStatus", at FROM deliveries WHERE outbox_id = $1::uuid
        ORDER BY attempt`,
      [draft.id],
    );
    expect(attempts.map((a) => [a.attempt, a.outcome, a.httpStatus])).toEqual([
      [1, "RETRY", 503],
      [2, "RETRY", 503],
      [3, "DELIVERED", 201],
    ]);
    // Retry-After: 1 -> the second attempt started at least a second after the first.
    expect(Date.parse(attempts[1]!.at) - Date.parse(attempts[0]!.at)).toBeGreaterThanOrEqual(1_000);
    await queueIdle();
  });

  it("dead-letters a push the agency refuses (400), and delivers it on replay", async () => {
    const person = personFrom("matched-consistent");
    await saveArmsRevision(db, person.arms[0]!, new Date().toISOString());
    agencies.script("ARMS", { status: 400 });
    await producer.ingest({ type: "OASYS_EXPORT", exportId: await storeExport(person.oasysXml()) });
    const rows = await settledOutbox(person);
    const draft = rows.find((r) => r.recipient === "ARMS")!;
    expect(draft.state).toBe("DEAD");
    const letter = await waitFor("dead letter", async () =>
      (await listDeadLetters(db, { stage: "PUSH", state: "OPEN" })).items.find(
        (d) => (d.subject.data as { outboxId?: string }).outboxId === draft.id,
      ),
    );
    expect(letter).toMatchObject({ errorCode: "BRIDGE_E_HTTP_REFUSED", attempts: 1 });

    const replayed = await replayDeadLetter(db, producer, letter.id);
    expect(replayed.jobKey).toBe(`push:${draft.id}:replay-1`);
    await waitFor("replayed push delivered", async () =>
      (await outboxOf(person)).some((r) => r.id === draft.id && r.state === "DELIVERED"),
    );
    expect(agencies.of("ARMS").filter((r) => r.idempotencyKey === draft.idempotencyKey)).toHaveLength(2);
    await queueIdle();
  });

  it("dead-letters a hostile export, an unknown export and an unknown record without retrying", async () => {
    const { readFileSync } = await import("node:fs");
    const hostile = readFileSync(new URL("../../examples/oasys/hostile-doctype.xml", import.meta.url));
    const hostileId = await storeExport(hostile);
    await producer.ingest({ type: "OASYS_EXPORT", exportId: hostileId });
    await producer.ingest({ type: "OASYS_EXPORT", exportId: "4c0ffee0-0000-4000-8000-000000000000" });
    await producer.reconcile({ source: "ARMS", record: "ARMS-NONE-000000", revision: 1 });
    await queueIdle();

    const letters = (await listDeadLetters(db, { limit: 500 })).items;
    const about = (key: string) => letters.find((d) => d.subject.jobKey === key);
    expect(about(`ingest:oasys-export:${hostileId}`)).toMatchObject({
      stage: "INGEST",
      errorCode: "BRIDGE_E_XML_DOCTYPE_REFUSED",
      attempts: 1,
    });
    expect(about("ingest:oasys-export:4c0ffee0-0000-4000-8000-000000000000")).toMatchObject({
      stage: "INGEST",
      errorCode: "BRIDGE_E_NOT_FOUND",
    });
    expect(about("reconcile:ARMS:ARMS-NONE-000000:1")).toMatchObject({
      stage: "RECONCILE",
      errorCode: "BRIDGE_E_NOT_FOUND",
    });
    const failed = await producer.queues[QUEUES.ingest].getJobs(["failed"]);
    expect(failed.filter((j) => j.data.exportId === hostileId).map((j) => j.attemptsMade)).toEqual([1]);
  });
});
