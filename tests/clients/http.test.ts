import nock from "nock";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  CORRELATION_ID_HEADER,
  HttpError,
  parseRetryAfter,
  requestJson,
  requestText,
  send,
} from "../../src/clients/http.ts";

const BASE = "http://agency.test";

beforeAll(() => {
  nock.disableNetConnect();
});
afterEach(() => {
  nock.cleanAll();
});

async function failure(p: Promise<unknown>): Promise<HttpError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof HttpError) return e;
    throw e;
  }
  throw new Error("expected the request to fail");
}

describe("send / requestJson", () => {
  it("parses a JSON body and sends the correlation id and accept headers", async () => {
    const scope = nock(BASE)
      .get("/thing")
      .matchHeader(CORRELATION_ID_HEADER, "corr-1")
      .matchHeader("accept", "application/json")
      .reply(200, { a: 1 });
    const { json, response } = await requestJson({
      method: "GET",
      url: `${BASE}/thing`,
      label: "test:thing",
      timeoutMs: 1000,
      correlationId: "corr-1",
    });
    expect(json).toEqual({ a: 1 });
    expect(response.correlationId).toBe("corr-1");
    scope.done();
  });

  it("makes up a correlation id when none is given", async () => {
    let seen: string | undefined;
    nock(BASE)
      .get("/thing")
      .reply(function () {
        seen = this.req.headers[CORRELATION_ID_HEADER] as string;
        return [200, "ok"];
      });
    const res = await requestText({ method: "GET", url: `${BASE}/thing`, label: "t", timeoutMs: 1000 });
    expect(seen).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.correlationId).toBe(seen);
  });

  it("posts a form body", async () => {
    nock(BASE)
      .post("/form", "a=1&b=two")
      .matchHeader("content-type", /application\/x-www-form-urlencoded/)
      .reply(201, "made");
    const res = await requestText({
      method: "POST",
      url: `${BASE}/form`,
      label: "t",
      timeoutMs: 1000,
      body: new URLSearchParams({ a: "1", b: "two" }),
    });
    expect(res.status).toBe(201);
    expect(res.text).toBe("made");
  });

  it("send resolves for any status (a 409 is an answer, not a failure)", async () => {
    nock(BASE).post("/push").reply(409, "already have it");
    const res = await send({ method: "POST", url: `${BASE}/push`, label: "t", timeoutMs: 1000, body: "x" });
    expect(res.status).toBe(409);
  });

  it("a 5xx is retryable, with the status and no path in the message", async () => {
    nock(BASE).get("/people/X123456").reply(503, "down");
    const e = await failure(
      requestText({ method: "GET", url: `${BASE}/people/X123456`, label: "ords:rmp", timeoutMs: 1000 }),
    );
    expect(e.code).toBe("BRIDGE_E_HTTP_UNAVAILABLE");
    expect(e.httpStatus).toBe(503);
    expect(e.retryable).toBe(true);
    expect(e.message).toContain("ords:rmp");
    expect(e.message).not.toContain("X123456");
  });

  it("429 carries Retry-After; 408 is retryable; other 4xx are permanent", async () => {
    nock(BASE).get("/a").reply(429, "", { "Retry-After": "7" });
    nock(BASE).get("/b").reply(408);
    nock(BASE).get("/c").reply(422);
    const a = await failure(requestText({ method: "GET", url: `${BASE}/a`, label: "t", timeoutMs: 1000 }));
    expect([a.code, a.retryAfterMs, a.retryable]).toEqual(["BRIDGE_E_HTTP_UNAVAILABLE", 7000, true]);
    const b = await failure(requestText({ method: "GET", url: `${BASE}/b`, label: "t", timeoutMs: 1000 }));
    expect(b.retryable).toBe(true);
    const c = await failure(requestText({ method: "GET", url: `${BASE}/c`, label: "t", timeoutMs: 1000 }));
    expect([c.code, c.retryable, c.httpStatus]).toEqual(["BRIDGE_E_HTTP_REFUSED", false, 422]);
  });

  it("a body that is not JSON is BAD_BODY and permanent", async () => {
    nock(BASE).get("/j").reply(200, "{not json", { "content-type": "application/json" });
    const e = await failure(requestJson({ method: "GET", url: `${BASE}/j`, label: "t", timeoutMs: 1000 }));
    expect([e.code, e.failure, e.retryable]).toEqual(["BRIDGE_E_HTTP_BAD_BODY", "BAD_BODY", false]);
  });

  it("times out a slow answer", async () => {
    nock(BASE).get("/slow").delay(500).reply(200, "late");
    const started = Date.now();
    const e = await failure(requestText({ method: "GET", url: `${BASE}/slow`, label: "t", timeoutMs: 50 }));
    expect([e.code, e.failure, e.retryable]).toEqual(["BRIDGE_E_HTTP_TIMEOUT", "TIMEOUT", true]);
    expect(Date.now() - started).toBeLessThan(450);
  });

  it("a connection error is UNREACHABLE and retryable", async () => {
    nock(BASE).get("/reset").replyWithError({ code: "ECONNRESET", message: "socket hang up" });
    const e = await failure(
      requestText({ method: "GET", url: `${BASE}/reset`, label: "t", timeoutMs: 1000 }),
    );
    expect([e.code, e.failure, e.retryable]).toEqual(["BRIDGE_E_HTTP_UNREACHABLE", "UNREACHABLE", true]);
  });
});

describe("parseRetryAfter", () => {
  it("reads delta-seconds and HTTP dates", () => {
    const now = Date.parse("2026-11-20T10:00:00Z");
    expect(parseRetryAfter("120", now)).toBe(120_000);
    expect(parseRetryAfter("Fri, 20 Nov 2026 10:00:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfter("Fri, 20 Nov 2026 09:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("soon", now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
  });
});
