/**
 * The erasure job (src/pipeline/retention.ts over src/store/repositories/retention.ts) on both drivers,
 * with a clock passed in: each class loses what is past its period and nothing else (never an export not
 * yet ingested or with an open dead letter, a person's latest records, a record behind an undelivered
 * outbox row, an unreconciled assessment, an open dead letter); each class and run leaves one ERASURE
 * entry with counts and id ranges; the audit trail's own old prefix goes through a checkpoint and the
 * chain still verifies; a dry run changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseRetention } from "../../src/core/retention/policy.ts";
import { runRetention } from "../../src/pipeline/retention.ts";
import type { Db } from "../../src/store/db.ts";
import { saveArmsRevision } from "../../src/store/repositories/arms.ts";
import { auditTrail } from "../../src/store/repositories/audit.ts";
import { verifyChain } from "../../src/store/repositories/audit-chain.ts";
import { claimReplay, recordDeadLetter } from "../../src/store/repositories/dead-letters.ts";
import { saveDraft } from "../../src/store/repositories/drafts.ts";
import { saveRawExport } from "../../src/store/repositories/exports.ts";
import { saveOasysAssessment } from "../../src/store/repositories/oasys.ts";
import { insertOutboxRows, markDelivered, type NewOutboxRow } from "../../src/store/repositories/outbox.ts";
import { saveMatch, upsertPerson } from "../../src/store/repositories/persons.ts";
import {
  armsAssessment,
  DRIVERS,
  freshStore,
  newArmsId,
  newKeys,
  newPk,
  oasysAssessment,
} from "./support.ts";

const POLICY = parseRetention(
  `version: "1.0.0"
changelog: [{ version: "1.0.0", date: "2026-12-08", change: test }]
periods: { rawExports: P1Y, oasysRecords: P1Y, armsRevisions: P1Y, drafts: P1Y, deliveredBodies: P1Y,
           deadLetters: P1Y, audit: P3Y }
`,
  "test.yaml",
);
const NOW = "2030-01-01T00:00:00.000Z"; // cut-offs: 2029-01-01 (P1Y), 2027-01-01 (audit, P3Y)
const OLD = "2026-03-01T10:00:00.000Z";
const RECENT = "2029-06-01T10:00:00.000Z";
const MATCHED = {
  status: "MATCHED" as const,
  matchedOn: ["PNC" as const],
  confirmedBy: [],
  disagreements: [],
  markers: [],
  explanation: "test",
};

describe.each(DRIVERS)("retention on $driver", (driver) => {
  let db: Db;
  let done: () => Promise<void>;
  const seen = {} as Record<string, string | number>;
  let outboxSerial = 0;

  const outbox = async (personId: string, sources: NewOutboxRow["sources"], at: string) => {
    outboxSerial += 1;
    const [row] = await insertOutboxRows(
      db,
      [
        {
          personId,
          personVersion: outboxSerial,
          recipient: "ARMS",
          kind: "ARMS_DRAFT",
          idempotencyKey: `retention-test:${outboxSerial}`,
          contentType: "application/json",
          body: '{"draft":"synthetic"}',
          correlationId: null,
          sources,
          correctsKey: null,
        },
      ],
      at,
    );
    return row!.id;
  };
  const saveOasys = async (
    pk: number,
    keys: { pnc: string; crn: string },
    completed: string,
    reconciled = true,
  ) => {
    await saveOasysAssessment(db, {
      assessment: oasysAssessment({ pk, keys, dateCompleted: completed }),
      sourceKind: "XML_EXPORT",
      sourceAsOf: OLD,
      ingestedAt: OLD,
    });
    if (reconciled)
      await db.query("UPDATE oasys_assessments SET reconciled_version = version WHERE assessment_pk = $1", [
        pk,
      ]);
  };

  beforeAll(async () => {
    ({ db, done } = await freshStore(driver));
    // Raw exports: old and ingested (erased); old, not yet ingested; old with an open dead letter; recent.
    for (const [name, at, ingested] of [
      ["erased", OLD, true],
      ["notIngested", OLD, false],
      ["lettered", OLD, true],
      ["recent", RECENT, true],
    ] as const) {
      seen[`export:${name}`] = (
        await saveRawExport(db, Buffer.from(`<x>${name}</x>`), "test", at, { ingested })
      ).exportId;
    }
    await recordDeadLetter(db, {
      stage: "INGEST",
      subject: {
        queue: "ingest",
        jobKey: "k",
        data: { type: "OASYS_EXPORT", exportId: seen["export:lettered"] },
      },
      errorCode: "BRIDGE_E_XML_NOT_WELL_FORMED",
      reason: "line 1",
      attempts: 1,
      createdAt: OLD,
    });

    // OASys: A superseded by B (A erased with its draft, its match unlinked; B is the latest valid).
    const k1 = newKeys();
    const person = (await upsertPerson(db, k1, OLD)).person.id;
    seen.person = person;
    const [a, b] = [newPk(), newPk()];
    Object.assign(seen, { a, b });
    await saveOasys(a, k1, "2026-01-10T10:00:00");
    await saveOasys(b, k1, "2026-02-10T10:00:00");
    const base = { personId: person, armsAssessmentId: null, armsRevision: null, result: MATCHED };
    await saveMatch(db, { ...base, assessmentPk: a, evaluatedAt: OLD });
    await saveMatch(db, { ...base, assessmentPk: b, evaluatedAt: "2026-03-02T10:00:00.000Z" });
    const draft = (pk: number) => ({
      ...armsAssessment({ id: `D-${pk}`, revision: 0, keys: k1 }),
      status: "DRAFT" as const,
    });
    seen.draftA = (
      await saveDraft(db, {
        personId: person,
        assessmentPk: a,
        mappingVersion: "m",
        draft: draft(a),
        now: OLD,
      })
    ).draftId;
    seen.draftB1 = (
      await saveDraft(db, {
        personId: person,
        assessmentPk: b,
        mappingVersion: "m0",
        draft: draft(b),
        now: OLD,
      })
    ).draftId;
    seen.draftB2 = (
      await saveDraft(db, {
        personId: person,
        assessmentPk: b,
        mappingVersion: "m1",
        draft: draft(b),
        now: "2026-03-03T10:00:00.000Z",
      })
    ).draftId;
    // C superseded but not yet reconciled; E superseded but behind a pending outbox row: both kept.
    const [k2, k3] = [newKeys(), newKeys()];
    const [c, d, e, f] = [newPk(), newPk(), newPk(), newPk()];
    Object.assign(seen, { c, e });
    await saveOasys(c, k2, "2026-01-10T10:00:00", false);
    await saveOasys(d, k2, "2026-02-10T10:00:00");
    await saveOasys(e, k3, "2026-01-10T10:00:00");
    await saveOasys(f, k3, "2026-02-10T10:00:00");
    await outbox(
      person,
      { oasys: { assessmentPk: e, storedVersion: 1, digest: "x" }, arms: null, mappingVersion: "m" },
      OLD,
    );

    // ARMS: X@1 history (erased), X@2 current; Y@1 history behind a pending outbox row (kept).
    const [x, y] = [newArmsId(), newArmsId()];
    Object.assign(seen, { x, y });
    for (const id of [x, y]) {
      for (const revision of [1, 2])
        await saveArmsRevision(db, armsAssessment({ id, revision, keys: newKeys() }), OLD);
    }
    await outbox(
      person,
      { oasys: null, arms: { armsAssessmentId: y, revision: 1, digest: "x" }, mappingVersion: null },
      OLD,
    );

    // Outbox bodies: old delivered (emptied), old pending (kept above), recent delivered (kept).
    seen.deliveredOld = await outbox(person, { oasys: null, arms: null, mappingVersion: null }, OLD);
    await markDelivered(db, String(seen.deliveredOld), OLD);
    seen.deliveredRecent = await outbox(person, { oasys: null, arms: null, mappingVersion: null }, RECENT);
    await markDelivered(db, String(seen.deliveredRecent), RECENT);

    // Dead letters: old and replayed (erased), old and open (kept), recently replayed (kept).
    for (const [name, replayedAt] of [
      ["replayedOld", OLD],
      ["open", null],
      ["replayedRecent", RECENT],
    ] as const) {
      const letter = await recordDeadLetter(db, {
        stage: "RECONCILE",
        subject: { queue: "reconcile", jobKey: `letter-${name}`, data: {} },
        errorCode: "BRIDGE_E_INTERNAL",
        reason: "test",
        attempts: 1,
        createdAt: OLD,
      });
      if (replayedAt) await claimReplay(db, letter.id, replayedAt);
      seen[`letter:${name}`] = letter.id;
    }
  });
  afterAll(() => done());

  const exists = async (sql: string, params: unknown[]) => (await db.query(sql, params)).length > 0;

  it("a dry run counts what is due and changes nothing", async () => {
    const head = await db.query("SELECT last_seq FROM audit_head");
    const report = await runRetention(db, POLICY, { now: NOW, dryRun: true });
    expect(Object.fromEntries(report.classes.map((c) => [c.dataClass, c.count]))).toMatchObject({
      rawExports: 1,
      oasysRecords: 1,
      armsRevisions: 1,
      // Each class counted as if it ran alone: draftA is due with its assessment and as an older draft.
      drafts: 2,
      deliveredBodies: 1,
      deadLetters: 1,
    });
    expect(await db.query("SELECT last_seq FROM audit_head")).toEqual(head);
    expect(await exists("SELECT 1 FROM oasys_assessments WHERE assessment_pk = $1", [seen.a])).toBe(true);
  });

  it("erases what is past its period and nothing a live process still needs, and logs each class", async () => {
    const [first] = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_events WHERE seq < COALESCE(
         (SELECT min(seq) FROM audit_events WHERE at >= '2027-01-01T00:00:00Z'), (SELECT last_seq + 1 FROM audit_head))`,
    );
    const oldAudit = first!.n;
    const report = await runRetention(db, POLICY, { now: NOW, correlationId: "run-1" });
    const counts = Object.fromEntries(report.classes.map((c) => [c.dataClass, c.count]));
    expect(counts).toEqual({
      rawExports: 1,
      oasysRecords: 1,
      armsRevisions: 1,
      // draftA goes with its assessment; of person's other two the older goes here.
      drafts: 1,
      deliveredBodies: 1,
      deadLetters: 1,
      audit: oldAudit,
    });
    expect(oldAudit).toBeGreaterThan(0);

    const content = await db.query<{ id: string; n: number }>(
      "SELECT id::text AS id, octet_length(content) AS n FROM raw_exports ORDER BY received_at, id",
    );
    expect(Object.fromEntries(content.map((r) => [r.id, r.n]))).toMatchObject({
      [seen["export:erased"]!]: 0,
      [seen["export:notIngested"]!]: expect.any(Number),
    });
    expect(content.find((r) => r.id === seen["export:notIngested"])?.n).toBeGreaterThan(0);
    expect(content.find((r) => r.id === seen["export:lettered"])?.n).toBeGreaterThan(0);
    expect(content.find((r) => r.id === seen["export:recent"])?.n).toBeGreaterThan(0);

    const pks = (await db.query<{ pk: number }>("SELECT assessment_pk AS pk FROM oasys_assessments")).map(
      (r) => r.pk,
    );
    expect(pks).not.toContain(seen.a);
    expect(pks).toEqual(expect.arrayContaining([seen.b, seen.c, seen.e]));
    const matches = await db.query<{ pk: number | null }>(
      "SELECT assessment_pk AS pk FROM person_matches WHERE person_id = $1::uuid ORDER BY evaluated_at",
      [seen.person],
    );
    expect(matches.map((m) => m.pk)).toEqual([null, seen.b]);
    const drafts = (await db.query<{ id: number }>("SELECT id FROM drafts")).map((r) => r.id);
    expect(drafts).toEqual([seen.draftB2]);

    const revisions = await db.query<{ key: string }>(
      "SELECT arms_assessment_id || '@' || revision AS key FROM arms_revisions WHERE arms_assessment_id IN ($1, $2) ORDER BY 1",
      [seen.x, seen.y],
    );
    expect(revisions.map((r) => r.key).sort()).toEqual([`${seen.x}@2`, `${seen.y}@1`, `${seen.y}@2`].sort());

    const bodies = await db.query<{ id: string; body: string; erased: string | null }>(
      `SELECT id::text AS id, body, body_erased_at AS erased FROM outbox WHERE state = 'DELIVERED'`,
    );
    expect(bodies.find((r) => r.id === seen.deliveredOld)).toEqual({
      id: seen.deliveredOld,
      body: "",
      erased: NOW,
    });
    expect(bodies.find((r) => r.id === seen.deliveredRecent)?.body).not.toBe("");
    expect(await exists(`SELECT 1 FROM outbox WHERE state = 'PENDING' AND body <> ''`, [])).toBe(true);

    const letters = (await db.query<{ id: string }>("SELECT id::text AS id FROM dead_letters")).map(
      (r) => r.id,
    );
    expect(letters).not.toContain(seen["letter:replayedOld"]);
    expect(letters).toEqual(expect.arrayContaining([seen["letter:open"], seen["letter:replayedRecent"]]));

    // One ERASURE entry per class, with counts and id ranges; ids only, never content.
    const erasures = await db.query<{
      subjectId: string;
      details: Record<string, unknown>;
      correlationId: string;
    }>(
      `SELECT subject_id AS "subjectId", details, correlation_id AS "correlationId" FROM audit_events
        WHERE category = 'ERASURE' ORDER BY seq`,
    );
    expect(erasures.map((e) => e.subjectId)).toEqual(report.classes.map((c) => c.dataClass));
    expect(erasures.every((e) => e.correlationId === "run-1")).toBe(true);
    expect(erasures[1]?.details).toMatchObject({
      dataClass: "oasysRecords",
      period: "P1Y",
      cutoff: "2029-01-01T00:00:00.000Z",
      count: 1,
      ids: { first: seen.a, last: seen.a },
      related: { drafts: 1, unlinked: 1 },
    });
    expect(JSON.stringify(erasures)).not.toContain("synthetic");
    const audit = erasures[6]?.details as { checkpoint: { throughSeq: number }; count: number };
    expect(audit.checkpoint.throughSeq).toBe(oldAudit);
    expect(await verifyChain(db)).toMatchObject({ ok: true, checkpoint: { throughSeq: oldAudit } });
  });

  it("a second run erases nothing more and still says so, once per class", async () => {
    const report = await runRetention(db, POLICY, { now: NOW });
    expect(report.classes.map((c) => c.count)).toEqual([0, 0, 0, 0, 0, 0, 0]);
    const trail = await auditTrail(db, { subjectType: "DATA_CLASS", subjectId: "drafts" });
    expect(trail.map((e) => e.details.count)).toEqual([1, 0]);
    expect(await verifyChain(db)).toMatchObject({ ok: true });
  });
});
