/**
 * The served API description is a contract (src/http/openapi.ts): an operationId on every operation, from
 * the one table, unique and readable; every operation's error responses, from the error registry, in the
 * one error shape; the bearer required everywhere but the probes; servers and the OIDC scheme from the
 * configuration; the access policy's roles when the app is given them. The documented statuses are checked
 * against what the routes really answer to a few requests any client can make by mistake.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadAccessPolicy } from "../../src/auth/policy.ts";
import { ERROR_CODES } from "../../src/errors.ts";
import { discoveryUrl, errorStatuses, OPERATIONS } from "../../src/http/openapi.ts";
import { authAs, type Person } from "../support/tokens.ts";
import { TEST_CONFIG, type TestApp, testApp } from "./support.ts";

interface Response {
  description: string;
  content?: Record<string, { schema?: { $ref?: string } }>;
}
interface OperationDoc {
  operationId?: string;
  description?: string;
  security?: unknown[];
  responses: Record<string, Response>;
  "x-roles"?: string[];
}
interface Doc {
  servers: { url: string }[];
  security: unknown[];
  paths: Record<string, Record<string, OperationDoc>>;
  components: { securitySchemes: Record<string, Record<string, unknown>> };
}

const operationsOf = (doc: Doc) =>
  Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, method, path, op })),
  );

/** `/v1/conflicts/:id` -> `/v1/conflicts/{id}`, as the description names paths. */
const openApiPath = (url: string): string => url.replace(/:([A-Za-z0-9_]+)/g, "{$1}");

const tableByPath = new Map(
  Object.entries(OPERATIONS).map(([key, operation]) => {
    const [method, url] = key.split(" ") as [string, string];
    return [`${method} ${openApiPath(url)}`, operation];
  }),
);

const ISSUER = "https://sign-in.hmpps.test/auth/issuer";
let t: TestApp;
let doc: Doc;
const closers: (() => Promise<void>)[] = [];

/** A seeded person holding each role (tests/support/tokens.ts). */
const HOLDER: Readonly<Record<string, Person>> = {
  PROBATION: "probation.officer",
  POLICE: "police.kent",
  DATA_TEAM: "data.team.1",
  ADMIN: "admin.user",
  AUDITOR: "auditor.user",
};
const policy = loadAccessPolicy();
/** Headers of someone the access policy lets call the route, and of someone it does not. */
async function callers(method: string, url: string) {
  const roles = policy.rolesFor(method, url) ?? [];
  const allowed = Object.keys(HOLDER).find((role) => roles.includes(role as never));
  const refused = Object.keys(HOLDER).find((role) => !roles.includes(role as never));
  return {
    allowed: allowed ? await authAs(HOLDER[allowed]!) : {},
    refused: refused ? await authAs(HOLDER[refused]!) : {},
  };
}

async function served(app: TestApp): Promise<Doc> {
  const res = await app.app.inject({ method: "GET", url: "/docs/json", headers: await authAs("admin.user") });
  expect(res.statusCode).toBe(200);
  return res.json<Doc>();
}

beforeAll(async () => {
  t = await testApp();
  closers.push(t.done);
  doc = await served(t);
});
afterAll(async () => {
  for (const close of closers) await close();
});

describe("operationIds", () => {
  it("every operation has the one the table gives it, and the table names no route that is not served", () => {
    const ops = operationsOf(doc);
    expect(ops.length).toBe(16);
    for (const { key, op } of ops) expect(op.operationId, key).toBe(tableByPath.get(key)?.operationId);
    expect(ops.map((o) => o.key).sort()).toEqual([...tableByPath.keys()].sort());
  });

  it("are unique, readable camelCase names starting with a verb", () => {
    const ids = operationsOf(doc).map((o) => o.op.operationId as string);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^(discard|get|list|post|record|replay|search)[A-Z][A-Za-z]+$/);
    expect(tableByPath.get("POST /v1/conflicts/{id}/decisions")?.operationId).toBe("recordConflictDecision");
  });
});

/** The routes outside the per-client rate limit (src/http/security.ts UNLIMITED_ROUTES). */
const UNLIMITED = ["GET /health", "GET /ready", "GET /metrics"];

describe("error responses", () => {
  it("every operation under the rate limit documents 429 BRIDGE_E_RATE_LIMITED; the probes and /metrics do not", () => {
    for (const { key, op } of operationsOf(doc)) {
      const limited = !UNLIMITED.includes(key);
      expect(op.responses["429"] !== undefined, key).toBe(limited);
      if (limited) expect(op.responses["429"]?.description, key).toContain("BRIDGE_E_RATE_LIMITED");
    }
  });

  it("every operation lists the statuses of the registry codes it can answer with, in the one error shape", () => {
    for (const { key, op } of operationsOf(doc)) {
      const operation = tableByPath.get(key)!;
      const expected = errorStatuses(operation, { rateLimited: !UNLIMITED.includes(key) });
      expect(expected.has(500), key).toBe(true);
      for (const [status, codes] of expected) {
        const response = op.responses[String(status)];
        expect(response, `${key} ${status}`).toBeDefined();
        if (key === "GET /ready" && status === 503) continue; // the route's own Readiness answer
        expect(response?.content?.["application/json"]?.schema?.$ref, `${key} ${status}`).toBe(
          "#/components/schemas/ErrorResponse",
        );
        for (const code of codes) {
          expect(ERROR_CODES[code].status).toBe(status);
          expect(response?.description, `${key} ${status}`).toContain(code);
        }
      }
      const errors = Object.keys(op.responses).filter((s) => Number(s) >= 400);
      const own = key === "GET /ready" ? ["503"] : [];
      expect(errors.sort(), key).toEqual([...new Set([...expected.keys()].map(String).concat(own))].sort());
      expect(Object.keys(op.responses), key).not.toContain("4XX");
    }
  });

  it("401 and 403 on every operation that needs a token, none on the probes", () => {
    for (const { key, op } of operationsOf(doc)) {
      const open = key === "GET /health" || key === "GET /ready";
      expect(op.responses["401"] !== undefined, key).toBe(!open);
      expect(op.responses["403"] !== undefined, key).toBe(!open);
    }
  });

  it("says what the routes really answer to requests a client gets wrong", async () => {
    for (const { key, method, path, op } of operationsOf(doc)) {
      const documented = (status: number) => expect(Object.keys(op.responses), `${key} -> ${status}`);
      const url = path.replace(/\{([A-Za-z0-9_]+)\}/g, ":$1");
      const { allowed: headers, refused } = await callers(method.toUpperCase(), url);
      if (op.security === undefined) {
        const concrete = path.replace("{id}", randomUUID());
        const anonymous = await t.app.inject({ method: method.toUpperCase() as "GET", url: concrete });
        expect(anonymous.statusCode, `${key} without a token`).toBe(401);
        documented(401).toContain("401");
        const other = await t.app.inject({
          method: method.toUpperCase() as "GET",
          url: concrete,
          headers: refused,
        });
        expect(other.statusCode, `${key} with a role it does not allow`).toBe(403);
        documented(403).toContain("403");
      }
      if (path.includes("{id}")) {
        const res = await t.app.inject({
          method: method.toUpperCase() as "GET",
          url: path.replace("{id}", "x"),
          headers,
          ...(method === "post" ? { payload: {} } : {}),
        });
        expect(res.statusCode, key).toBe(400);
        documented(400).toContain("400");
        if (method === "get") {
          const missing = await t.app.inject({
            method: "GET",
            url: path.replace("{id}", randomUUID()),
            headers,
          });
          expect(missing.statusCode, key).toBe(404);
          documented(404).toContain("404");
        }
      }
      if (method === "post") {
        const res = await t.app.inject({
          method: "POST",
          url: path.replace("{id}", randomUUID()),
          headers: { ...headers, "content-type": "application/x-unknown" },
          payload: "x",
        });
        expect(res.statusCode, key).toBe(415);
        documented(415).toContain("415");
      }
      if (path === "/v1/conflicts" || path === "/v1/deliveries" || path === "/v1/dead-letters") {
        const res = await t.app.inject({ method: "GET", url: `${path}?cursor=not-ours`, headers });
        expect(res.statusCode, key).toBe(400);
        expect(res.json().error.code).toBe("BRIDGE_E_USAGE");
        expect(op.responses["400"]?.description).toContain("BRIDGE_E_USAGE");
      }
    }
  });
});

describe("security and servers", () => {
  it("requires the bearer everywhere; the probes declare security: []", () => {
    expect(doc.security).toEqual([{ bearerAuth: [] }]);
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({
      type: "http",
      scheme: "bearer",
      bearerFormat: "JWT",
    });
    for (const { key, op } of operationsOf(doc)) {
      if (key === "GET /health" || key === "GET /ready") expect(op.security, key).toEqual([]);
      else expect(op.security, key).toBeUndefined();
    }
  });

  it("serves `/` (the serving host) by default, and names no OIDC issuer it was not given", () => {
    expect(doc.servers).toEqual([{ url: "/", description: expect.any(String) }]);
    expect(doc.components.securitySchemes.oidc).toBeUndefined();
  });

  it("names PUBLIC_BASE_URL and the issuer's discovery document when configured, and the policy's roles", async () => {
    const configured = await testApp({
      config: { ...TEST_CONFIG, http: { ...TEST_CONFIG.http, publicBaseUrl: "https://bridge.test/api" } },
      openapi: {
        authIssuer: `${ISSUER}/`,
        rolesFor: (method, url) => (url.startsWith("/v1/conflicts/:id") ? [`ROLE_${method}_REVIEW`] : []),
      },
    });
    closers.push(configured.done);
    const d = await served(configured);
    expect(d.servers).toEqual([{ url: "https://bridge.test/api", description: expect.any(String) }]);
    expect(d.security).toEqual([{ bearerAuth: [] }, { oidc: [] }]);
    expect(d.paths["/v1/conflicts"]).toBeDefined();
    expect(d.components.securitySchemes.oidc).toEqual({
      type: "openIdConnect",
      openIdConnectUrl: `${ISSUER}/.well-known/openid-configuration`,
      description: expect.any(String),
    });
    expect(discoveryUrl(`${ISSUER}/`)).toBe(`${ISSUER}/.well-known/openid-configuration`);
    const decide = d.paths["/v1/conflicts/{id}/decisions"]?.post;
    expect(decide?.["x-roles"]).toEqual(["ROLE_POST_REVIEW"]);
    expect(decide?.description).toMatch(/Roles: one of ROLE_POST_REVIEW\.$/);
    expect(d.paths["/v1/deliveries"]?.get?.["x-roles"]).toEqual([]);
    expect(d.paths["/health"]?.get?.["x-roles"]).toBeUndefined();
  });
});
