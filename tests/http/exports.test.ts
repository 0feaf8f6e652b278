/**
 * POST /v1/oasys/exports (XML and JSON bundle) and GET /v1/exports/{id} against a real PostgreSQL schema.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getOasysAssessment } from "../../src/store/repositories/oasys.ts";
import { newKeys, newPk, oasysAssessment } from "../store/support.ts";
import { authAs } from "../support/tokens.ts";
import { type ErrorJson, type TestApp, testApp } from "./support.ts";

const fixture = (name: string) => readFileSync(new URL(`../fixtures/xml/${name}`, import.meta.url));
const example = (path: string) => readFileSync(new URL(`../../examples/${path}`, import.meta.url));

/** Exports come from the OASys system (client credentials, PROBATION). */
const probation = () => authAs("oasys-system");
const postXml = async (t: TestApp, body: Buffer | string, contentType = "application/xml") =>
  t.app.inject({
    method: "POST",
    url: "/v1/oasys/exports",
    headers: { "content-type": contentType, ...(await probation()) },
    body,
  });
const postJson = async (t: TestApp, body: unknown) =>
  t.app.inject({
    method: "POST",
    url: "/v1/oasys/exports",
    headers: { "content-type": "application/json", ...(await probation()) },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
const rawExportCount = async (t: TestApp) =>
  Number((await t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM raw_exports"))[0]?.n);

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(() => t.done());

describe("XML exports", () => {
  it("stores the raw export, reports each assessment's acceptance and queues one ingest job", async () => {
    const before = t.producer.ingested.length;
    const res = await postXml(t, fixture("bad-record-in-the-middle.xml"));
    expect(res.statusCode).toBe(202);
    const body = res.json();
    expect(body).toMatchObject({ duplicate: false, format: "XML", accepted: 2, rejected: 1 });
    expect(body.assessments.map((a: { index: number; accepted: boolean }) => [a.index, a.accepted])).toEqual([
      [1, true],
      [2, false],
      [3, true],
    ]);
    expect(body.assessments[1]).toMatchObject({
      assessmentPk: "3002",
      error: { code: "BRIDGE_E_RECORD_BAD_VALUE", path: expect.stringContaining("status") },
    });
    expect(t.producer.ingested.slice(before)).toEqual([{ type: "OASYS_EXPORT", exportId: body.exportId }]);
    const stored = await t.db.query<{ source: string; byte_length: number }>(
      "SELECT source, byte_length FROM raw_exports WHERE id = $1::uuid",
      [body.exportId],
    );
    expect(stored).toEqual([
      { source: "http:application/xml", byte_length: fixture("bad-record-in-the-middle.xml").length },
    ]);
    // Nothing is saved by the request's read: the ingest job saves the assessments.
    expect(await getOasysAssessment(t.db, 3001)).toBeNull();
  });

  it("accepts text/xml too", async () => {
    const res = await postXml(t, example("oasys/female-offender.xml"), "text/xml; charset=utf-8");
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ accepted: 1, rejected: 0 });
  });

  it("recognises the same bytes posted again: 200, the first export's id, nothing stored or parsed again", async () => {
    const bytes = example("oasys/lao.xml");
    const first = (await postXml(t, bytes)).json();
    const exports = await rawExportCount(t);
    const again = await postXml(t, bytes);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({
      exportId: first.exportId,
      duplicate: true,
      format: "XML",
      accepted: 0,
      rejected: 0,
      assessments: [],
    });
    expect(await rawExportCount(t)).toBe(exports);
    // The same job id again: a no-op for BullMQ and processed_jobs, a recovery if the first enqueue was lost.
    expect(
      t.producer.ingested.filter((j) => j.type === "OASYS_EXPORT" && j.exportId === first.exportId),
    ).toHaveLength(2);
  });

  it.each([
    ["hostile-billion-laughs.xml", 400, "BRIDGE_E_XML_DOCTYPE_REFUSED"],
    ["hostile-external-entity.xml", 400, "BRIDGE_E_XML_DOCTYPE_REFUSED"],
    ["not-well-formed-mismatched-tag.xml", 400, "BRIDGE_E_XML_NOT_WELL_FORMED"],
  ])("refuses %s whole with its registry code and stores nothing", async (file, status, code) => {
    const exports = await rawExportCount(t);
    const queued = t.producer.ingested.length;
    const res = await postXml(t, fixture(file));
    expect(res.statusCode).toBe(status);
    const body = res.json<ErrorJson>();
    expect(body.error.code).toBe(code);
    expect(body.error.requestId).toBe(res.headers["x-request-id"]);
    expect(Object.keys(body)).toEqual(["error"]);
    expect(res.body).not.toMatch(/\bat .*\.ts:\d+/);
    expect(await rawExportCount(t)).toBe(exports);
    expect(t.producer.ingested.length).toBe(queued);
  });

  it("refuses a body over the limit with 413 BRIDGE_E_PAYLOAD_TOO_LARGE", async () => {
    const big = `<?xml version="1.0"?><oasysExport xmlns="urn:hmpps:oasys:export:1">${" ".repeat(300 * 1024)}</oasysExport>`;
    const res = await postXml(t, big);
    expect(res.statusCode).toBe(413);
    expect(res.json<ErrorJson>().error.code).toBe("BRIDGE_E_PAYLOAD_TOO_LARGE");
  });

  it("refuses a content type it does not read with 415", async () => {
    const res = await postXml(t, "assessmentPk,crn\n1,X1", "text/csv");
    expect(res.statusCode).toBe(415);
    expect(res.json<ErrorJson>().error.code).toBe("BRIDGE_E_UNSUPPORTED_MEDIA_TYPE");
  });

  it("answers 503 BRIDGE_E_QUEUE_UNAVAILABLE when the job cannot be queued, keeping what was stored", async () => {
    const bytes = example("oasys/custody.xml");
    t.producer.failWith = new Error("connect ECONNREFUSED 127.0.0.1:6379");
    try {
      const res = await postXml(t, bytes);
      expect(res.statusCode).toBe(503);
      expect(res.json<ErrorJson>().error.code).toBe("BRIDGE_E_QUEUE_UNAVAILABLE");
      expect(res.body).not.toContain("6379");
    } finally {
      t.producer.failWith = null;
    }
    // Posting again recovers: recognised as a duplicate and queued.
    const retry = await postXml(t, bytes);
    expect(retry.statusCode).toBe(200);
    expect(t.producer.ingested.at(-1)).toEqual({ type: "OASYS_EXPORT", exportId: retry.json().exportId });
  });
});

describe("JSON bundles", () => {
  it("saves valid canonical assessments in one go, refuses invalid ones by index and path, queues reconciliations", async () => {
    const good = oasysAssessment({ pk: newPk(), keys: newKeys() });
    const bad = { ...oasysAssessment({ pk: newPk(), keys: newKeys() }), status: "HALF_DONE" };
    const before = t.producer.reconciled.length;
    const res = await postJson(t, {
      exportId: "BUNDLE-1",
      generatedAt: "2026-11-20T09:00:00Z",
      assessments: [good, bad],
    });
    expect(res.statusCode).toBe(202);
    const body = res.json();
    expect(body).toMatchObject({ format: "JSON_BUNDLE", duplicate: false, accepted: 1, rejected: 1 });
    expect(body.assessments[0]).toEqual({
      index: 1,
      assessmentPk: String(good.assessmentPk),
      accepted: true,
    });
    expect(body.assessments[1]).toMatchObject({
      index: 2,
      assessmentPk: String(bad.assessmentPk),
      accepted: false,
      error: { code: "BRIDGE_E_RECORD_SCHEMA", path: "/status" },
    });
    expect(t.producer.reconciled.slice(before)).toEqual([
      { source: "OASYS", record: String(good.assessmentPk), revision: 1 },
    ]);
    const stored = await getOasysAssessment(t.db, good.assessmentPk);
    expect(stored).toMatchObject({
      exportId: body.exportId,
      version: 1,
      sourceAsOf: "2026-11-20T09:00:00.000Z",
    });
    expect(await getOasysAssessment(t.db, bad.assessmentPk)).toBeNull();

    const view = await t.app.inject({
      method: "GET",
      url: `/v1/exports/${body.exportId}`,
      headers: await probation(),
    });
    expect(view.statusCode).toBe(200);
    expect(view.json()).toMatchObject({
      exportId: body.exportId,
      source: "http:application/json",
      assessments: [{ assessmentPk: good.assessmentPk, status: "COMPLETE", version: 1 }],
    });
  });

  it("recognises a re-posted bundle and saves nothing again", async () => {
    const text = JSON.stringify({ assessments: [oasysAssessment({ pk: newPk(), keys: newKeys() })] });
    const first = (await postJson(t, text)).json();
    const again = await postJson(t, text);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ exportId: first.exportId, duplicate: true, assessments: [] });
  });

  it("refuses a bundle that breaks the request schema with 400, naming where and never a value", async () => {
    const person = oasysAssessment({ pk: newPk(), keys: { crn: "X987654" } });
    const res = await postJson(t, { assessments: [person], sender: "X987654" });
    expect(res.statusCode).toBe(400);
    const body = res.json<ErrorJson>();
    expect(body.error.code).toBe("BRIDGE_E_REQUEST_INVALID");
    expect(body.error.message).toContain("body");
    expect(body.error.message).toContain("sender");
    expect(res.body).not.toContain("X987654");
    expect(res.body).not.toContain("TESTCASE");
  });

  it("refuses JSON that does not parse with 400", async () => {
    const res = await postJson(t, '{"assessments": [');
    expect(res.statusCode).toBe(400);
    expect(res.json<ErrorJson>().error.code).toBe("BRIDGE_E_REQUEST_INVALID");
  });

  it("limits JSON bodies too", async () => {
    const res = await postJson(t, { assessments: [{ pad: "x".repeat(300 * 1024) }] });
    expect(res.statusCode).toBe(413);
    expect(res.json<ErrorJson>().error.code).toBe("BRIDGE_E_PAYLOAD_TOO_LARGE");
  });
});

describe("GET /v1/exports/{id}", () => {
  it("404s an export it does not hold and 400s an id that is not one", async () => {
    const missing = await t.app.inject({
      method: "GET",
      url: "/v1/exports/7d0c54f4-6f5e-4f07-9d61-6f7a3b1c0a11",
      headers: await probation(),
    });
    expect(missing.statusCode).toBe(404);
    expect(missing.json<ErrorJson>().error.code).toBe("BRIDGE_E_NOT_FOUND");
    const bad = await t.app.inject({
      method: "GET",
      url: "/v1/exports/not-a-uuid",
      headers: await probation(),
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<ErrorJson>().error.code).toBe("BRIDGE_E_REQUEST_INVALID");
  });
});

describe("logging", () => {
  it("logs requests by route and status, never bodies or personal data", () => {
    const text = t.logs.join("");
    expect(text).toContain('"route":"/v1/oasys/exports"');
    expect(text).not.toContain("TESTCASE");
    expect(text).not.toContain("HOLLOWAY");
    expect(text).not.toContain("X987654");
    expect(text).not.toContain("<oasysExport");
  });
});
