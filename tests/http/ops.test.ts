/**
 * Health, readiness (each dependency failing in turn, for real: a closed port, a closed pool, an
 * unmigrated schema), Prometheus metrics, the OpenAPI document, and the response-validation guard.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BridgeError } from "../../src/errors.ts";
import { buildApp } from "../../src/http/app.ts";
import { redisCheck, storeChecks } from "../../src/http/readiness.ts";
import { ref, serializerCompiler } from "../../src/http/schemas.ts";
import { createLogger } from "../../src/log.ts";
import { createMetrics, METRIC_NAMES } from "../../src/observability/metrics.ts";
import { dropSchema, openDb } from "../../src/store/db.ts";
import { countLiveConflicts } from "../../src/store/repositories/conflicts.ts";
import { DATABASE_URL, uniqueSchema } from "../store/support.ts";
import { authAs } from "../support/tokens.ts";
import { type ErrorJson, TEST_CONFIG, type TestApp, testApp, testAuth } from "./support.ts";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
/** Nothing listens on port 1. */
const CLOSED_REDIS = "redis://127.0.0.1:1";

const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const close of closers.reverse()) await close();
});

describe("GET /health and GET /ready", () => {
  it("is live and ready when Redis, the database and the migrations are", async () => {
    const redis = redisCheck(REDIS_URL);
    const t = await testApp();
    closers.push(t.done, redis.close);
    const ready = await testApp({ readiness: { ...storeChecks(t.db), redis: redis.check } });
    closers.push(ready.done);
    expect((await ready.app.inject({ method: "GET", url: "/health" })).json()).toEqual({ status: "ok" });
    const res = await ready.app.inject({ method: "GET", url: "/ready" });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      status: "ready",
      checks: { database: { ok: true }, migrations: { ok: true }, redis: { ok: true } },
    });
  });

  it("is unready (503) naming Redis when Redis does not answer", async () => {
    const redis = redisCheck(CLOSED_REDIS);
    const t = await testApp();
    closers.push(t.done, redis.close);
    const app = await testApp({ readiness: { ...storeChecks(t.db), redis: redis.check } });
    closers.push(app.done);
    const res = await app.app.inject({ method: "GET", url: "/ready" });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({
      status: "unavailable",
      checks: { database: { ok: true }, redis: { ok: false, code: "BRIDGE_E_QUEUE_UNAVAILABLE" } },
    });
    // Liveness does not depend on Redis.
    expect((await app.app.inject({ method: "GET", url: "/health" })).statusCode).toBe(200);
  });

  it("is unready naming the database when its pool cannot be used", async () => {
    const down = await openDb({ databaseUrl: DATABASE_URL, schema: uniqueSchema() });
    await down.close();
    const app = await testApp({ readiness: storeChecks(down) });
    closers.push(app.done);
    const res = await app.app.inject({ method: "GET", url: "/ready" });
    expect(res.statusCode).toBe(503);
    expect(res.json().checks.database).toMatchObject({ ok: false, code: "BRIDGE_E_STORE_UNAVAILABLE" });
  });

  it("is unready naming the migrations when the schema lags the code", async () => {
    const unmigrated = await openDb({ databaseUrl: DATABASE_URL, schema: uniqueSchema() });
    closers.push(async () => {
      await dropSchema(unmigrated);
      await unmigrated.close();
    });
    const app = await testApp({ readiness: storeChecks(unmigrated) });
    closers.push(app.done);
    const res = await app.app.inject({ method: "GET", url: "/ready" });
    expect(res.statusCode).toBe(503);
    expect(res.json().checks).toMatchObject({
      database: { ok: true },
      migrations: { ok: false, code: "BRIDGE_E_STORE_MIGRATION", detail: expect.stringMatching(/pending/) },
    });
  });
});

describe("GET /metrics", () => {
  let t: TestApp;
  let failQueues = false;
  beforeAll(async () => {
    const base = await testApp();
    closers.push(base.done);
    const metrics = createMetrics({
      queueCounts: async () => {
        if (failQueues) throw new Error("redis down");
        return { ingest: { waiting: 3, active: 1 }, "push-arms": { failed: 2 } };
      },
      conflictCounts: () => countLiveConflicts(base.db),
    });
    metrics.jobFinished("reconcile", "completed");
    metrics.pushAttempted("ARMS", "delivered", 0.12);
    metrics.pushAttempted("OASYS", "timeout", 10);
    t = await testApp({ db: base.db, metrics });
    closers.push(async () => {
      await t.app.close();
    });
  });

  it("exposes the named metrics in Prometheus text", async () => {
    await t.app.inject({ method: "GET", url: "/health" });
    // Prometheus scrapes as a client of its own (client credentials) that may call nothing else.
    const res = await t.app.inject({
      method: "GET",
      url: "/metrics",
      headers: await authAs("metrics-scraper"),
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = res.body;
    for (const name of Object.values(METRIC_NAMES)) expect(text).toContain(`# TYPE ${name} `);
    expect(text).toMatch(
      /bridge_http_request_duration_seconds_count\{route="\/health",method="GET",status="200"\} 1/,
    );
    expect(text).toContain('bridge_queue_jobs{queue="ingest",state="waiting"} 3');
    expect(text).toContain('bridge_queue_jobs{queue="push-arms",state="failed"} 2');
    expect(text).toContain('bridge_jobs_total{queue="reconcile",outcome="completed"} 1');
    expect(text).toContain('bridge_push_duration_seconds_count{recipient="ARMS",outcome="delivered"} 1');
    expect(text).toContain('bridge_push_failures_total{recipient="OASYS",outcome="timeout"} 1');
    expect(text).not.toContain('bridge_push_failures_total{recipient="ARMS"');
    expect(text).toContain("bridge_process_cpu_user_seconds_total");
  });

  it("still answers when a gauge's source is down, counting the scrape error", async () => {
    failQueues = true;
    try {
      const res = await t.app.inject({ method: "GET", url: "/metrics", headers: await authAs("admin.user") });
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('bridge_metrics_scrape_errors_total{source="queues"} 1');
      expect(res.body).not.toContain('bridge_queue_jobs{queue="ingest"');
    } finally {
      failQueues = false;
    }
  });
});

describe("OpenAPI", () => {
  it("documents every route, with the shared schemas as components", async () => {
    const t = await testApp();
    closers.push(t.done);
    const admin = await authAs("admin.user");
    const res = await t.app.inject({ method: "GET", url: "/docs/json", headers: admin });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toBe("3.1.0");
    const routes = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(
      ([path, ops]) => Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(routes.sort()).toEqual(
      [
        "GET /health",
        "GET /ready",
        "GET /metrics",
        "POST /v1/oasys/exports",
        "GET /v1/exports/{id}",
        "POST /v1/oasys/events",
        "POST /v1/arms/assessments",
        "GET /v1/persons/{id}",
        "POST /v1/persons/search",
        "GET /v1/conflicts",
        "GET /v1/conflicts/{id}",
        "POST /v1/conflicts/{id}/decisions",
        "GET /v1/deliveries",
        "GET /v1/dead-letters",
        "POST /v1/dead-letters/{id}/replay",
        "POST /v1/dead-letters/{id}/discard",
      ].sort(),
    );
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining(["ErrorResponse", "ExportAccepted", "Conflict", "PersonView", "Readiness"]),
    );
    const exportsBody = doc.paths["/v1/oasys/exports"].post.requestBody.content;
    expect(Object.keys(exportsBody).sort()).toEqual(["application/json", "application/xml", "text/xml"]);
    const ui = await t.app.inject({ method: "GET", url: "/docs", headers: admin });
    expect([200, 302]).toContain(ui.statusCode);
  });
});

describe("errors", () => {
  it("answers an unknown route with 404 in the one shape", async () => {
    const t = await testApp();
    closers.push(t.done);
    const res = await t.app.inject({
      method: "GET",
      url: "/v2/anything",
      headers: { "x-request-id": "trace-123", ...(await authAs("data.team.1")) },
    });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({
      error: { code: "BRIDGE_E_NOT_FOUND", message: "no such resource", requestId: "trace-123" },
    });
    expect(res.headers["x-request-id"]).toBe("trace-123");
  });

  it("answers a store outage with 503 in the one shape, without a stack trace", async () => {
    const down = await openDb({ databaseUrl: DATABASE_URL, schema: uniqueSchema() });
    await down.close();
    const t = await testApp({ db: down, readiness: {} });
    closers.push(async () => {
      await t.app.close();
    });
    const res = await t.app.inject({
      method: "GET",
      url: "/v1/conflicts",
      headers: await authAs("data.team.1"),
    });
    expect(res.statusCode).toBeGreaterThanOrEqual(500);
    const body = res.json<ErrorJson>();
    expect(Object.keys(body.error).sort()).toEqual(["code", "message", "requestId"]);
    expect(res.body).not.toMatch(/\.ts:\d+|node_modules|pool/i);
  });

  it("answers 500 in the one shape when a route's response drifts from its schema, and logs where", async () => {
    const base = await testApp();
    closers.push(base.done);
    const logs: string[] = [];
    // The route this test adds must be in the access policy, or the app does not start.
    const dir = mkdtempSync(join(tmpdir(), "policy-"));
    const policyPath = join(dir, "access-policy.yaml");
    const bundled = readFileSync("mappings/access-policy.yaml", "utf8");
    writeFileSync(policyPath, `${bundled}  GET /drifted:\n    roles: [ADMIN]\n`);
    const app = buildApp({
      db: base.db,
      producer: base.producer,
      config: TEST_CONFIG,
      logger: createLogger({ level: "info" }, { write: (line: string) => logs.push(line) }),
      auth: testAuth({ policyPath }),
    });
    app.get("/drifted", { schema: { response: { 200: ref("Health") } } }, async () => ({
      status: "ok",
      crn: "X123456",
    }));
    closers.push(() => app.close());
    const res = await app.inject({ method: "GET", url: "/drifted", headers: await authAs("admin.user") });
    expect(res.statusCode).toBe(500);
    expect(res.json<ErrorJson>().error).toMatchObject({
      code: "BRIDGE_E_INTERNAL",
      message: "internal error",
    });
    expect(res.body).not.toContain("X123456");
    expect(logs.join("")).toContain('"route":"/drifted"');
    expect(logs.join("")).not.toContain("X123456");
  });

  it("refuses to send a response that does not satisfy its schema", () => {
    const serialise = serializerCompiler({
      schema: { $ref: "Health#" },
      method: "GET",
      url: "/health",
      httpStatus: "200",
    });
    expect(serialise({ status: "ok" })).toBe('{"status":"ok"}');
    expect(() => serialise({ status: "ok", secret: "X123456" })).toThrow(BridgeError);
  });
});
