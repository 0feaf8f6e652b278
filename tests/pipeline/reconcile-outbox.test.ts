/**
 * The reconciliation writes its outbox rows in its own transaction: idempotency keys stable per record and
 * revision, nothing new for the same state, PU-1 as the store sees it, and PU-3 correction notices after a
 * source changes behind a DELIVERED push. Real PostgreSQL, the bundled example pairs, the real readers.
 */
import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadThresholds } from "../../src/core/conflicts/load-thresholds.ts";
import { loadMapping } from "../../src/core/mapping/load.ts";
import { groupPersons } from "../../src/core/reconcile/persons.ts";
import { ingestArmsDocuments, ingestOasysExport } from "../../src/pipeline/ingest.ts";
import { reconcileAndStore } from "../../src/pipeline/reconcile.ts";
import type { Db } from "../../src/store/db.ts";
import { currentArmsFor } from "../../src/store/repositories/arms.ts";
import { auditTrail } from "../../src/store/repositories/audit.ts";
import { verifyChain } from "../../src/store/repositories/audit-chain.ts";
import { recordDecision as recordDecisionUnder } from "../../src/store/repositories/conflict-decisions.ts";
import { oasysAssessmentsFor } from "../../src/store/repositories/oasys.ts";
import {
  claimForDelivery,
  getOutboxRow,
  getOutboxRowByKey,
  listOutbox,
  markDelivered,
} from "../../src/store/repositories/outbox.ts";
import { readXml } from "../deliver/xml-tree.ts";
import { DRIVERS, freshStore } from "../store/support.ts";

/** Decisions under the shipped push policy (BLOCK: two reviewers; WARN, INFO: one). */
const recordDecision = (
  db: Parameters<typeof recordDecisionUnder>[0],
  id: string,
  request: Parameters<typeof recordDecisionUnder>[2],
) => recordDecisionUnder(db, id, request, loadThresholds().pushPolicy);

const TODAY = "2026-11-20";
const deps = { mapping: loadMapping(), thresholds: loadThresholds(), today: TODAY };
const pair = (name: string, file: string) =>
  readFileSync(new URL(`../../examples/pairs/${name}/${file}`, import.meta.url), "utf8");
const MATCHED = { pnc: "2004/0345678X", crn: "P100101" };
const FEMALE = { pnc: "2005/0667788G", crn: "P100113" };

let clock = Date.parse("2026-11-20T10:00:00.000Z");
function tick(): string {
  clock += 60_000;
  return new Date(clock).toISOString();
}

let db: Db;
let done: () => Promise<void>;
beforeEach(async () => {
  ({ db, done } = await freshStore(DRIVERS[0]!));
});
afterEach(() => done());

async function ingestOasys(xml: string) {
  const report = await ingestOasysExport(db, {
    bytes: Buffer.from(xml),
    source: "test",
    today: TODAY,
    now: tick(),
  });
  expect(report.failure).toBeNull();
  return report;
}

async function ingestArms(doc: unknown) {
  const report = await ingestArmsDocuments(db, { text: JSON.stringify(doc), now: tick() });
  expect(report.rejected).toEqual([]);
}

async function ingestPair(name: string) {
  await ingestOasys(pair(name, "oasys.xml"));
  await ingestArms(JSON.parse(pair(name, "arms.json")));
}

/** Reconciles the person from what the store holds, as the reconcile processor does. */
async function reconcile(keys: { pnc: string; crn: string }) {
  const oasys = (await oasysAssessmentsFor(db, keys)).map((s) => s.assessment);
  const arms = (await currentArmsFor(db, keys)).map((s) => s.document);
  const groups = groupPersons(oasys, arms, TODAY);
  expect(groups).toHaveLength(1);
  return reconcileAndStore(db, groups[0]!, deps, { now: tick(), reason: "test", correlationId: "corr-test" });
}

async function deliver(key: string) {
  const row = (await getOutboxRowByKey(db, key))!;
  expect(await claimForDelivery(db, row.id, "test", 10_000, tick())).not.toBeNull();
  expect(await markDelivered(db, row.id, tick())).toBe(true);
}

const armsRevision = (revision: number, changes: Record<string, unknown>) => ({
  ...JSON.parse(pair("matched-consistent", "arms.json")),
  revision,
  ...changes,
});

describe("reconcileAndStore writes the outbox", () => {
  it("queues the police draft and the probation update; the same state again queues nothing", async () => {
    await ingestPair("matched-consistent");
    const first = await reconcile(MATCHED);
    expect(first.personVersion).toBe(1);
    expect(first.outbox.map((r) => [r.recipient, r.kind])).toEqual([
      ["ARMS", "ARMS_DRAFT"],
      ["OASYS", "PARTNER_RISK_UPDATE"],
    ]);
    const [police, probation] = first.outbox;
    expect(police!.idempotencyKey).toMatch(/^arms-draft:9640101:v1:m[^:]+:[0-9a-f]{16}$/);
    expect(probation!.idempotencyKey).toMatch(/^partner-update:ARMS-KEN-000501:r1:9640101:[0-9a-f]{16}$/);

    const row = (await getOutboxRow(db, police!.id))!;
    expect(row).toMatchObject({
      personId: first.personId,
      personVersion: 1,
      state: "PENDING",
      contentType: "application/json",
      correlationId: "corr-test",
      sources: { oasys: { assessmentPk: 9640101, storedVersion: 1 }, arms: null },
    });
    expect(JSON.parse(row.body)).toEqual(first.reconciliation.draft);
    const update = (await getOutboxRow(db, probation!.id))!;
    expect(update.contentType).toBe("application/xml; charset=utf-8");
    expect(readXml(update.body).root.name).toBe("partnerRiskUpdate");

    const again = await reconcile(MATCHED);
    expect(again.personVersion).toBe(2);
    expect(again.outbox).toEqual([]);
    expect((await listOutbox(db, { personId: first.personId! })).items).toHaveLength(2);
  });

  it("a new ARMS revision gives the probation update a new key; the police draft is unchanged", async () => {
    await ingestPair("matched-consistent");
    const first = await reconcile(MATCHED);
    await ingestArms(armsRevision(2, { nextReviewDue: "2027-04-30" }));
    const second = await reconcile(MATCHED);
    expect(second.outbox.map((r) => r.kind)).toEqual(["PARTNER_RISK_UPDATE"]);
    expect(second.outbox[0]!.idempotencyKey).toMatch(/^partner-update:ARMS-KEN-000501:r2:9640101:/);
    expect(second.outbox[0]!.idempotencyKey).not.toBe(first.outbox[1]!.idempotencyKey);
    expect((await getOutboxRow(db, second.outbox[0]!.id))?.personVersion).toBe(2);
  });

  it("after the probation update is DELIVERED, a new ARMS revision brings one correction notice naming it", async () => {
    await ingestPair("matched-consistent");
    const first = await reconcile(MATCHED);
    const delivered = first.outbox[1]!.idempotencyKey;
    await deliver(delivered);
    await ingestArms(armsRevision(2, { nextReviewDue: "2027-04-30" }));
    const second = await reconcile(MATCHED);
    expect(second.outbox.map((r) => [r.recipient, r.kind])).toEqual([
      ["OASYS", "PARTNER_RISK_UPDATE"],
      ["OASYS", "CORRECTION_NOTICE"],
    ]);
    const notice = (await getOutboxRow(db, second.outbox[1]!.id))!;
    expect(notice.correctsKey).toBe(delivered);
    expect(notice.idempotencyKey.startsWith(`correction:${delivered}:`)).toBe(true);
    const { root } = readXml(notice.body);
    expect(root.name).toBe("correctionNotice");
    expect(root.attributes.corrects).toBe(delivered);
    const change = root.children.find((c) => c.name === "changes")?.children[0];
    expect(change?.attributes).toEqual({
      source: "ARMS",
      record: "ARMS-KEN-000501",
      change: "REVISED",
      delivered: "1",
      current: "2",
    });
    const replacement = root.children.find((c) => c.name === "replacement");
    expect(replacement?.attributes.idempotencyKey).toBe(second.outbox[0]!.idempotencyKey);

    expect((await reconcile(MATCHED)).outbox).toEqual([]);
  });

  it("after the police draft is DELIVERED, corrected OASys content brings a new draft and a JSON correction", async () => {
    await ingestPair("matched-consistent");
    const first = await reconcile(MATCHED);
    const delivered = first.outbox[0]!.idempotencyKey;
    await deliver(delivered);
    const corrected = pair("matched-consistent", "oasys.xml")
      .replace('generatedAt="2026-11-20T09:00:00Z"', 'generatedAt="2026-11-20T11:00:00Z"')
      .replace(
        "<assessorSignedDate>2026-10-03T14:00:00</assessorSignedDate>",
        "<assessorSignedDate>2026-10-03T14:01:00</assessorSignedDate>",
      );
    expect((await ingestOasys(corrected)).outcomes.UPDATED).toBe(1);
    const second = await reconcile(MATCHED);
    const kinds = second.outbox.map((r) => [r.recipient, r.kind]);
    expect(kinds).toContainEqual(["ARMS", "ARMS_DRAFT"]);
    expect(kinds).toContainEqual(["ARMS", "CORRECTION_NOTICE"]);
    const draft = second.outbox.find((r) => r.kind === "ARMS_DRAFT")!;
    expect(draft.idempotencyKey).toMatch(/^arms-draft:9640101:v2:/);
    const notice = (await getOutboxRow(db, second.outbox.find((r) => r.kind === "CORRECTION_NOTICE")!.id))!;
    expect(notice.contentType).toBe("application/json");
    expect(JSON.parse(notice.body)).toEqual({
      schema: "bridge-correction-notice/1",
      recipient: "ARMS",
      corrects: delivered,
      subject: { oasysAssessmentPk: 9640101, armsAssessmentId: null },
      changes: [{ source: "OASYS", record: "9640101", change: "CORRECTED", delivered: 1, current: 2 }],
      replacement: draft.idempotencyKey,
    });
    expect((await reconcile(MATCHED)).outbox).toEqual([]);
  });

  it("OASys saying a later complete assessment exists tells police their draft's source is superseded", async () => {
    await ingestPair("matched-consistent");
    const delivered = (await reconcile(MATCHED)).outbox[0]!.idempotencyKey;
    await deliver(delivered);
    await ingestOasys(
      pair("matched-consistent", "oasys.xml")
        .replace('generatedAt="2026-11-20T09:00:00Z"', 'generatedAt="2026-11-20T11:00:00Z"')
        .replace(
          "<laterCompleteAssessmentExists>false</laterCompleteAssessmentExists>",
          "<laterCompleteAssessmentExists>true</laterCompleteAssessmentExists>",
        ),
    );
    const second = await reconcile(MATCHED);
    const notice = second.outbox.find((r) => r.kind === "CORRECTION_NOTICE" && r.recipient === "ARMS");
    const body = JSON.parse((await getOutboxRow(db, notice!.id))!.body);
    expect(body.changes).toEqual([
      { source: "OASYS", record: "9640101", change: "SUPERSEDED", delivered: 1, current: 2 },
    ]);
    expect(second.outbox.some((r) => r.kind === "ARMS_DRAFT")).toBe(false);
  });

  it("PU-1: a BLOCK conflict holds both back until two reviewers resolve it; the update then carries the decision and who took it, in what role", async () => {
    await ingestPair("female-offender");
    const blocked = await reconcile(FEMALE);
    expect(blocked.outbox).toEqual([]);
    expect(blocked.withheld.join("\n")).toMatch(/PU-1/);
    const id5 = blocked.sync!.opened.find((c) => c.ruleId === "ID-5")!;
    await recordDecision(db, id5.id, { action: "ACKNOWLEDGE", actor: "reviewer-a", at: tick() });
    for (const actor of ["reviewer-a", "reviewer-b"]) {
      await recordDecision(db, id5.id, {
        action: "RESOLVE",
        actor,
        role: "DATA_TEAM",
        agency: actor === "reviewer-a" ? "BRIDGE" : "PROBATION",
        rationale: `Checked with the case manager & police <ok>`,
        decision: "Same person; ARMS female pathway applies",
        at: tick(),
      });
    }
    const released = await reconcile(FEMALE);
    expect(released.outbox.map((r) => r.kind)).toEqual(["ARMS_DRAFT", "PARTNER_RISK_UPDATE"]);
    const { root } = readXml((await getOutboxRow(db, released.outbox[1]!.id))!.body);
    const decision = root.children.find((c) => c.name === "decisions")?.children[0];
    expect(decision?.attributes).toMatchObject({ ruleId: "ID-5", outcome: "RESOLVED" });
    expect(decision?.children.find((c) => c.name === "rationale")?.text).toBe(
      "Checked with the case manager & police <ok>",
    );
    expect(decision?.children.filter((c) => c.name === "decidedBy").map((c) => c.text)).toEqual([
      "reviewer-a",
      "reviewer-b",
    ]);
    // Each reviewer's role and agency travels with the decision (issue 11).
    expect(
      decision?.children
        .filter((c) => c.name === "decidedBy")
        .map((c) => [c.attributes.role, c.attributes.agency]),
    ).toEqual([
      ["DATA_TEAM", "BRIDGE"],
      ["DATA_TEAM", "PROBATION"],
    ]);
  });
});

describe("the audit trail of a reconciliation", () => {
  it("records PREFILL_GENERATED once per new or changed draft, not again for the same draft", async () => {
    await ingestPair("matched-consistent");
    const first = await reconcile(MATCHED);
    await reconcile(MATCHED);
    const prefills = (await auditTrail(db, { personId: first.personId! })).filter(
      (e) => e.action === "PREFILL_GENERATED",
    );
    expect(prefills).toHaveLength(1);
    expect(prefills[0]?.details).toMatchObject({ outcome: "CREATED" });
  });

  it("records what was collected, and each reconciliation as one COMBINATION naming the records and versions it combined", async () => {
    await ingestPair("matched-consistent");
    const arms = JSON.parse(pair("matched-consistent", "arms.json"));
    const [oasys] = await oasysAssessmentsFor(db, MATCHED);
    const stored = await reconcile(MATCHED);
    await ingestArms(armsRevision(arms.revision + 1, { riskLevel: "VERY_HIGH" }));
    await reconcile(MATCHED);

    const collected = await db.query<{
      action: string;
      category: string;
      subjectId: string;
      sources: unknown;
    }>(
      `SELECT action, category, subject_id AS "subjectId", sources FROM audit_events
        WHERE category IN ('COLLECTION', 'ALTERATION') AND subject_type <> 'CONFLICT' ORDER BY seq`,
    );
    expect(collected.map((e) => [e.action, e.category])).toEqual([
      ["EXPORT_RECEIVED", "COLLECTION"],
      ["OASYS_ASSESSMENT_STORED", "COLLECTION"],
      ["ARMS_REVISION_RECEIVED", "COLLECTION"],
      ["ARMS_REVISION_RECEIVED", "COLLECTION"],
      ["ARMS_REVISION_SUPERSEDED", "ALTERATION"],
    ]);
    expect(collected[1]?.sources).toEqual([
      { type: "OASYS_ASSESSMENT", id: String(oasys!.assessmentPk), version: 1 },
      expect.objectContaining({ type: "RAW_EXPORT" }),
    ]);

    const reconciled = (await auditTrail(db, { personId: stored.personId! })).filter(
      (e) => e.action === "PERSON_RECONCILED",
    );
    expect(reconciled.map((e) => [e.category, e.correlationId, e.sources])).toEqual(
      [arms.revision, arms.revision + 1].map((revision) => [
        "COMBINATION",
        "corr-test",
        [
          { type: "OASYS_ASSESSMENT", id: String(oasys!.assessmentPk), version: 1 },
          { type: "ARMS_REVISION", id: arms.armsAssessmentId, version: revision },
          { type: "MAPPING", id: "oasys-to-arms", version: deps.mapping.spec.version },
        ],
      ]),
    );
    expect(reconciled[0]?.details).toMatchObject({ personVersion: 1, match: "MATCHED", queued: 2 });
    expect(await verifyChain(db)).toMatchObject({ ok: true });
  });
});
