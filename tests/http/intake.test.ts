/**
 * POST /v1/oasys/events (assessment.summary.produced) and POST /v1/arms/assessments.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_LIMITS } from "../../src/config.ts";
import { pullRequestFrom } from "../../src/http/intake/domain-event.ts";
import { armsAssessment, newArmsId, newKeys } from "../store/support.ts";
import { authAs } from "../support/tokens.ts";
import { type ErrorJson, TEST_CONFIG, type TestApp, testApp } from "./support.ts";

const EVENT = JSON.parse(
  readFileSync(new URL("../fixtures/events/assessment-summary-produced.json", import.meta.url), "utf8"),
);

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(() => t.done());

/** Events come from the OASys system (PROBATION), ARMS assessments from the ARMS system (POLICE). */
const postEvent = async (body: unknown) =>
  t.app.inject({
    method: "POST",
    url: "/v1/oasys/events",
    headers: await authAs("oasys-system"),
    payload: body as Record<string, unknown>,
  });
const postArms = async (body: unknown) =>
  t.app.inject({
    method: "POST",
    url: "/v1/arms/assessments",
    headers: await authAs("arms-system"),
    payload: body as Record<string, unknown>,
  });

describe("POST /v1/oasys/events", () => {
  it("queues a pull of the assessment the event's detailUrl names, under an id derived from the event", async () => {
    const res = await postEvent(EVENT);
    expect(res.statusCode).toBe(202);
    const body = res.json();
    expect(body).toEqual({
      eventId: expect.stringMatching(/^[0-9a-f]{32}$/),
      assessmentPk: 9630348,
      queued: true,
    });
    expect(t.producer.ingested.at(-1)).toEqual({
      type: "OASYS_EVENT",
      crn: "X123456",
      assessmentPk: 9630348,
      eventId: body.eventId,
    });
    // Re-delivery of the same event: the same event id, hence the same job id.
    const again = await postEvent(EVENT);
    expect(again.json().eventId).toBe(body.eventId);
    // A later event about the same assessment is new work.
    const later = await postEvent({ ...EVENT, occurredAt: "2026-11-21T10:15:00+00:00" });
    expect(later.json().eventId).not.toBe(body.eventId);
  });

  it("takes the pk from additionalInformation.assessmentPk when there is no detailUrl", async () => {
    const { detailUrl: _, ...withoutUrl } = EVENT;
    const res = await postEvent({ ...withoutUrl, additionalInformation: { assessmentPk: "9630349" } });
    expect(res.statusCode).toBe(202);
    expect(res.json().assessmentPk).toBe(9630349);
  });

  it.each([
    ["names no assessment", { ...EVENT, detailUrl: "https://example.test/other" }],
    [
      "names a different CRN in its detailUrl",
      { ...EVENT, detailUrl: EVENT.detailUrl.replace("X123456", "X654321") },
    ],
    ["has a pk that disagrees with its detailUrl", { ...EVENT, additionalInformation: { assessmentPk: 1 } }],
    [
      "has no valid CRN",
      { ...EVENT, personReference: { identifiers: [{ type: "CRN", value: "NOT-A-CRN" }] } },
    ],
  ])("refuses an event that %s with 422 BRIDGE_E_EVENT_INVALID", async (_why, event) => {
    const queued = t.producer.ingested.length;
    const res = await postEvent(event);
    expect(res.statusCode).toBe(422);
    expect(res.json<ErrorJson>().error.code).toBe("BRIDGE_E_EVENT_INVALID");
    expect(res.body).not.toContain("X123456");
    expect(res.body).not.toContain("NOT-A-CRN");
    expect(t.producer.ingested.length).toBe(queued);
  });

  it("refuses another event type or a malformed event with 400", async () => {
    for (const event of [
      { ...EVENT, eventType: "risk-assessment.scores.rsr.determined" },
      { eventType: EVENT.eventType },
    ]) {
      const res = await postEvent(event);
      expect(res.statusCode).toBe(400);
      expect(res.json<ErrorJson>().error.code).toBe("BRIDGE_E_REQUEST_INVALID");
    }
  });

  it("reads the asssummsan form of the detail URL as well (pure)", () => {
    const pull = pullRequestFrom({
      ...EVENT,
      detailUrl: "https://ords.justice.gov.uk/ords/asssummsan/X123456/ALLOW/42/COMPLETE",
    });
    expect(pull).toMatchObject({ crn: "X123456", assessmentPk: 42 });
  });
});

describe("POST /v1/arms/assessments", () => {
  it("stores each document, reports its outcome and queues reconciliation for current revisions", async () => {
    const keys = newKeys();
    const id = newArmsId();
    const before = t.producer.reconciled.length;
    const r2 = armsAssessment({ id, revision: 2, keys });
    const r1 = armsAssessment({ id, revision: 1, keys });
    const invalid = { ...armsAssessment({ id: newArmsId(), revision: 1, keys }), riskLevel: "EXTREME" };
    const res = await postArms([r2, r1, invalid, r2]);
    expect(res.statusCode).toBe(202);
    const body = res.json();
    expect(body).toMatchObject({ stored: 3, rejected: 1 });
    expect(body.documents).toEqual([
      { index: 1, armsAssessmentId: id, revision: 2, outcome: "STORED_CURRENT", queued: true },
      { index: 2, armsAssessmentId: id, revision: 1, outcome: "STORED_HISTORY", queued: false },
      {
        index: 3,
        armsAssessmentId: invalid.armsAssessmentId,
        revision: 1,
        outcome: "REJECTED",
        error: { code: "BRIDGE_E_ARMS_INVALID", path: "/riskLevel", reason: expect.any(String) },
      },
      { index: 4, armsAssessmentId: id, revision: 2, outcome: "DUPLICATE", queued: true },
    ]);
    expect(t.producer.reconciled.slice(before)).toEqual([
      { source: "ARMS", record: id, revision: 2 },
      { source: "ARMS", record: id, revision: 2 },
    ]);
  });

  it("accepts a single document and refuses a changed revision already held, per document", async () => {
    const keys = newKeys();
    const id = newArmsId();
    expect((await postArms(armsAssessment({ id, revision: 1, keys }))).statusCode).toBe(202);
    const changed = armsAssessment({ id, revision: 1, keys, riskLevel: "LOW" });
    const res = await postArms(changed);
    expect(res.statusCode).toBe(202);
    expect(res.json().documents).toEqual([
      {
        index: 1,
        armsAssessmentId: id,
        revision: 1,
        outcome: "REJECTED",
        error: { code: "BRIDGE_E_ARMS_REVISION_CONFLICT", path: "/revision", reason: expect.any(String) },
      },
    ]);
    expect(res.body).not.toContain("TESTCASE");
  });

  it("refuses a body that is not a document or an array of them with 400", async () => {
    for (const body of [[], ["text"]]) {
      const res = await postArms(body);
      expect(res.statusCode).toBe(400);
      expect(res.json<ErrorJson>().error.code).toBe("BRIDGE_E_REQUEST_INVALID");
    }
  });

  it("limits the body to its own configured size (HTTP_ARMS_BODY_LIMIT_BYTES, not the exports' limit)", async () => {
    const small = await testApp({
      db: t.db,
      config: { ...TEST_CONFIG, limits: { ...DEFAULT_LIMITS, armsBodyLimitBytes: 128 * 1024 } },
    });
    try {
      const res = await small.app.inject({
        method: "POST",
        url: "/v1/arms/assessments",
        headers: { "content-type": "application/json", ...(await authAs("arms-system")) },
        payload: { pad: "x".repeat(130 * 1024) },
      });
      expect(res.statusCode).toBe(413);
      expect(res.json<ErrorJson>().error.code).toBe("BRIDGE_E_PAYLOAD_TOO_LARGE");
    } finally {
      await small.app.close();
    }
  });
});
