/**
 * Content types and bodies the API did not ask for (issue 10, defect 5): every POST route answers a
 * Content-Type it does not declare with 415, and a body of a declared type that it refuses with 4xx
 * (the exports route: 400), never 500; a refused request stores and queues nothing. An export posted as
 * text/plain used to reach the JSON-bundle handler as a string and crash it with a TypeError (500).
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { declaredMediaTypes, mediaTypeOf } from "../../src/http/media-types.ts";
import { authAs, type Person, type System } from "../support/tokens.ts";
import { type ErrorJson, type TestApp, testApp } from "./support.ts";

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(() => t.done());

const NO_SUCH = "00000000-0000-4000-8000-000000000000";
/** Every POST route that reads a body, with the media types it declares and a caller allowed there. */
const ROUTES: readonly { url: string; declared: readonly string[]; as: Person | System }[] = [
  {
    url: "/v1/oasys/exports",
    declared: ["application/xml", "text/xml", "application/json"],
    as: "oasys-system",
  },
  { url: "/v1/oasys/events", declared: ["application/json"], as: "oasys-system" },
  { url: "/v1/arms/assessments", declared: ["application/json"], as: "arms-system" },
  { url: `/v1/conflicts/${NO_SUCH}/decisions`, declared: ["application/json"], as: "data.team.1" },
];

const token = fc.stringMatching(/^[a-z][a-z0-9.+-]{0,15}$/);
/** A media type, with parameters and odd case now and then; common ones weighted in. */
const contentType = fc
  .tuple(
    fc.oneof(
      fc.constantFrom(
        "text/plain",
        "text/html",
        "text/csv",
        "application/octet-stream",
        "application/x-www-form-urlencoded",
        "multipart/form-data",
        "application/problem+json",
        "application/jsonx",
        "application/soap+xml",
        "*/*",
        "application/xml",
        "text/xml",
        "application/json",
      ),
      fc.tuple(token, token).map(([a, b]) => `${a}/${b}`),
    ),
    fc.constantFrom("", "; charset=utf-8", "; boundary=x", ";charset=latin1"),
    fc.boolean(),
  )
  .map(([type, params, upper]) => `${upper ? type.toUpperCase() : type}${params}`);

const body = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.json({ maxDepth: 3 }),
  fc.constantFrom("", "<a/>", '<?xml version="1.0"?><oasysExport/>', "{}", "[]", "null"),
);

const counts = async () => {
  const rows = await t.db.query<{ exports: string; arms: string }>(
    "SELECT (SELECT count(*) FROM raw_exports) AS exports, (SELECT count(*) FROM arms_revisions) AS arms",
  );
  const queued = t.producer.ingested.length + t.producer.reconciled.length + t.producer.pushed.length;
  return { ...rows[0], queued };
};

describe("media types", () => {
  it("reads the declared types off each route's schema", () => {
    expect(declaredMediaTypes(undefined)).toBeNull();
    expect(declaredMediaTypes({ body: { type: "object" } })).toEqual(["application/json"]);
    expect(declaredMediaTypes({ body: { content: { "Application/XML": {}, "text/xml": {} } } })).toEqual([
      "application/xml",
      "text/xml",
    ]);
    expect(mediaTypeOf(" Application/JSON ; charset=utf-8")).toBe("application/json");
    expect(mediaTypeOf(undefined)).toBe("");
  });

  it("posting an export as text/plain is 415, not a 500 from the JSON-bundle handler", async () => {
    const before = await counts();
    const res = await t.app.inject({
      method: "POST",
      url: "/v1/oasys/exports",
      headers: { "content-type": "text/plain", ...(await authAs("oasys-system")) },
      payload: '<?xml version="1.0"?><oasysExport xmlns="urn:hmpps:oasys:export:1"/>',
    });
    expect(res.statusCode).toBe(415);
    const error = res.json<ErrorJson>().error;
    expect(error.code).toBe("BRIDGE_E_UNSUPPORTED_MEDIA_TYPE");
    expect(error.message).toContain("text/plain is not read here; send application/xml or text/xml");
    expect(await counts()).toEqual(before);
  });

  it("an export with no content type and no body is 415", async () => {
    const res = await t.app.inject({
      method: "POST",
      url: "/v1/oasys/exports",
      headers: await authAs("oasys-system"),
    });
    expect(res.statusCode).toBe(415);
    expect(res.json<ErrorJson>().error.message).toContain("no content type given");
  });

  it("any undeclared content type on any POST route is 415, and nothing is stored or queued", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ROUTES), contentType, body, async (route, type, payload) => {
        fc.pre(!route.declared.includes(mediaTypeOf(type)));
        const before = await counts();
        const res = await t.app.inject({
          method: "POST",
          url: route.url,
          headers: { "content-type": type, ...(await authAs(route.as)) },
          payload,
        });
        expect(res.statusCode).toBe(415);
        expect(res.json<ErrorJson>().error.code).toBe("BRIDGE_E_UNSUPPORTED_MEDIA_TYPE");
        expect(await counts()).toEqual(before);
      }),
      { numRuns: 150 },
    );
  });

  it("a declared type with a body the route refuses is a 4xx with a registry code, never a 5xx", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ROUTES), body, fc.nat(), async (route, payload, pick) => {
        const type = route.declared[pick % route.declared.length]!;
        const res = await t.app.inject({
          method: "POST",
          url: route.url,
          headers: { "content-type": type, ...(await authAs(route.as)) },
          payload,
        });
        expect(res.statusCode).toBeLessThan(500);
        if (res.statusCode >= 400) expect(res.json<ErrorJson>().error.code).toMatch(/^BRIDGE_E_/);
        // An export that is not a well-formed export of the contract is refused whole, with 400.
        if (route.url === "/v1/oasys/exports" && res.statusCode >= 400) expect(res.statusCode).toBe(400);
      }),
      { numRuns: 150 },
    );
  });
});
