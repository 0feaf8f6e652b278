/**
 * Security headers, per-client rate limits and request size limits (issue 11, item 2), on the real app.
 * CSRF: nothing to test yet: the API takes bearer tokens, never cookies (src/http/security.ts).
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_LIMITS, loadConfig } from "../../src/config.ts";
import { DEFAULT_BODY_LIMIT } from "../../src/http/app.ts";
import { rateLimitKey } from "../../src/http/security.ts";
import { authAs, type Person, type System } from "../support/tokens.ts";
import { type ErrorJson, TEST_CONFIG, type TestApp, testApp } from "./support.ts";

let t: TestApp;
beforeAll(async () => {
  t = await testApp({
    config: { ...TEST_CONFIG, limits: { ...DEFAULT_LIMITS, armsBodyLimitBytes: 128 * 1024 } },
  });
});
afterAll(() => t.done());

const directives = (header: string | string[] | number | undefined) =>
  Object.fromEntries(
    String(header)
      .split(";")
      .map((d) => d.trim().split(/\s+/))
      .map(([name, ...values]) => [name, values]),
  );

describe("security headers", () => {
  it("put a strict Content-Security-Policy and helmet's headers on every response", async () => {
    for (const res of [
      await t.app.inject({ method: "GET", url: "/health" }),
      await t.app.inject({ method: "GET", url: "/v1/conflicts" }), // 401: errors carry them too
      await t.app.inject({ method: "GET", url: "/v1/conflicts", headers: await authAs("data.team.1") }),
    ]) {
      const csp = directives(res.headers["content-security-policy"]);
      expect(csp).toMatchObject({
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "object-src": ["'none'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
      });
      expect(JSON.stringify(csp)).not.toMatch(/unsafe|\*|https:/);
      expect(res.headers["x-content-type-options"]).toBe("nosniff");
      expect(res.headers["strict-transport-security"]).toMatch(/max-age=\d+/);
      expect(res.headers["x-frame-options"]).toBe("SAMEORIGIN");
      expect(res.headers["referrer-policy"]).toBe("no-referrer");
      expect(res.headers["x-powered-by"]).toBeUndefined();
    }
  });

  it("let Swagger UI under /docs show its data: icons, and nothing inline", async () => {
    const admin = await authAs("admin.user");
    for (const url of ["/docs", "/docs/", "/docs/static/swagger-initializer.js", "/docs/json"]) {
      const res = await t.app.inject({ method: "GET", url, headers: admin });
      const csp = directives(res.headers["content-security-policy"]);
      expect(csp["img-src"], url).toEqual(["'self'", "data:"]);
      expect(csp["script-src"], url).toEqual(["'self'"]);
      expect(csp["style-src"], url).toEqual(["'self'"]);
    }
    const page = await t.app.inject({ method: "GET", url: "/docs/", headers: admin });
    expect(page.statusCode).toBe(200);
    // Every script of the page is a file from the origin: nothing for the policy to allow inline.
    expect(page.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(page.body).not.toMatch(/\sstyle=|<style/);
  });
});

describe("rate limits", () => {
  let limited: TestApp;
  beforeAll(async () => {
    limited = await testApp({
      db: t.db,
      config: { ...TEST_CONFIG, limits: { ...DEFAULT_LIMITS, rateLimitMax: 3, rateLimitWindowMs: 60_000 } },
    });
  });
  afterAll(() => limited.app.close());

  const read = async (who: Person | System) =>
    limited.app.inject({ method: "GET", url: `/v1/exports/${randomUUID()}`, headers: await authAs(who) });

  it("answer 429 BRIDGE_E_RATE_LIMITED with Retry-After past the limit, per client", async () => {
    for (let i = 0; i < 3; i++) expect((await read("oasys-system")).statusCode).toBe(404);
    const refused = await read("oasys-system");
    expect(refused.statusCode).toBe(429);
    expect(refused.json<ErrorJson>().error).toMatchObject({
      code: "BRIDGE_E_RATE_LIMITED",
      message: expect.stringContaining("at most 3 requests per 60 s from one client"),
    });
    expect(Number(refused.headers["retry-after"])).toBeGreaterThan(0);
    // Another client has its own count.
    expect((await read("probation.officer")).statusCode).toBe(404);
  });

  it("count each person on their own, though people share the web app's client id", async () => {
    for (let i = 0; i < 3; i++) {
      const res = await limited.app.inject({
        method: "GET",
        url: "/v1/conflicts",
        headers: await authAs("data.team.1"),
      });
      expect(res.statusCode).toBe(200);
    }
    const first = await limited.app.inject({
      method: "GET",
      url: "/v1/conflicts",
      headers: await authAs("data.team.1"),
    });
    expect(first.statusCode).toBe(429);
    const second = await limited.app.inject({
      method: "GET",
      url: "/v1/conflicts",
      headers: await authAs("data.team.2"),
    });
    expect(second.statusCode).toBe(200);
  });

  it("never limit the probes or the metrics scrape", async () => {
    for (let i = 0; i < 10; i++) {
      expect((await limited.app.inject({ method: "GET", url: "/health" })).statusCode).toBe(200);
    }
  });

  it("count a caller without a verified token by IP", () => {
    const anonymous = { principal: null, ip: "192.0.2.7" } as unknown as Parameters<typeof rateLimitKey>[0];
    expect(rateLimitKey(anonymous)).toBe("ip:192.0.2.7");
  });

  it("are configured, and validated at start-up", () => {
    expect(loadConfig({}).limits).toEqual(DEFAULT_LIMITS);
    expect(loadConfig({ RATE_LIMIT_MAX: "50", RATE_LIMIT_WINDOW_MS: "10000" }).limits).toMatchObject({
      rateLimitMax: 50,
      rateLimitWindowMs: 10_000,
    });
    expect(() => loadConfig({ RATE_LIMIT_MAX: "0", RATE_LIMIT_WINDOW_MS: "soon" })).toThrow(
      /RATE_LIMIT_MAX.*RATE_LIMIT_WINDOW_MS/,
    );
  });
});

describe("request size limits", () => {
  /** Each POST route: its limit, and a caller it admits. */
  const routes: { url: string; limit: number; as: Person | System }[] = [
    { url: "/v1/oasys/exports", limit: TEST_CONFIG.http.bodyLimitBytes, as: "oasys-system" },
    { url: "/v1/arms/assessments", limit: 128 * 1024, as: "arms-system" },
    { url: "/v1/oasys/events", limit: 64 * 1024, as: "oasys-system" },
    { url: `/v1/conflicts/${randomUUID()}/decisions`, limit: 16 * 1024, as: "data.team.1" },
    { url: `/v1/dead-letters/${randomUUID()}/replay`, limit: 1024, as: "admin.user" },
  ];

  it("refuse a body over each route's own limit with 413, and JSON routes are small", async () => {
    for (const { url, limit, as } of routes) {
      const body = JSON.stringify({ pad: "x".repeat(limit) });
      const res = await t.app.inject({
        method: "POST",
        url,
        headers: { "content-type": "application/json", ...(await authAs(as)) },
        payload: body,
      });
      expect(res.statusCode, url).toBe(413);
      expect(res.json<ErrorJson>().error.code, url).toBe("BRIDGE_E_PAYLOAD_TOO_LARGE");
    }
    expect(DEFAULT_BODY_LIMIT).toBe(64 * 1024);
    expect(t.app.initialConfig.bodyLimit).toBe(DEFAULT_BODY_LIMIT);
  });
});
