import nock from "nock";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { createClientCredentialsTokenProvider } from "../../src/clients/token.ts";
import {
  createAgencyClient,
  type DeliverableRow,
  MAX_RECEIPT_CHARS,
} from "../../src/deliver/agency-client.ts";

const ARMS = "http://arms.test";
const OASYS = "http://oasys.test/base";
const AUTH = "http://auth.test";
const ARMS_PATH = "/arms/v1/prefilled-assessments";
const OASYS_PATH = "/base/oasys/v1/partner-risk-updates";

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

const row: DeliverableRow = {
  id: "00000000-0000-4000-8000-000000000001",
  idempotencyKey: "arms-draft:9630348:v1:m3:0123456789abcdef",
  contentType: "application/json",
  body: JSON.stringify({ schema: "arms-interchange/1", status: "DRAFT" }),
  correlationId: "corr-1",
};

const police = (extra: Partial<Parameters<typeof createAgencyClient>[0]> = {}) =>
  createAgencyClient({ recipient: "ARMS", baseUrl: ARMS, timeoutMs: 300, ...extra });

function tokens(...values: string[]) {
  const scope = nock(AUTH);
  for (const v of values)
    scope.post("/token").reply(200, { access_token: v, token_type: "bearer", expires_in: 600 });
  return createClientCredentialsTokenProvider({
    tokenUrl: `${AUTH}/token`,
    clientId: "bridge",
    clientSecret: "secret",
    timeoutMs: 300,
  });
}

describe("agency client: the request", () => {
  it("posts the police draft as JSON with idempotency key, correlation id and bearer token", async () => {
    const scope = nock(ARMS)
      .post(ARMS_PATH, { schema: "arms-interchange/1", status: "DRAFT" })
      .matchHeader("authorization", "Bearer tok-1")
      .matchHeader("idempotency-key", row.idempotencyKey)
      .matchHeader("x-correlation-id", "corr-1")
      .matchHeader("content-type", "application/json")
      .reply(201, { receiptId: "R-1" });
    const out = await police({ tokenProvider: tokens("tok-1") }).deliver(row);
    expect(out).toMatchObject({ outcome: "DELIVERED", httpStatus: 201, receipt: { receiptId: "R-1" } });
    scope.done();
  });

  it("posts the probation update as XML under a base URL with a path", async () => {
    const xml =
      '<?xml version="1.0" encoding="UTF-8"?>\n<partnerRiskUpdate xmlns="urn:hmpps:oasys:partner-update:1"/>\n';
    const scope = nock("http://oasys.test")
      .post(OASYS_PATH, xml)
      .matchHeader("content-type", "application/xml; charset=utf-8")
      .reply(202, "<receipt>ok</receipt>");
    const client = createAgencyClient({ recipient: "OASYS", baseUrl: `${OASYS}/`, timeoutMs: 300 });
    const out = await client.deliver({ ...row, contentType: "application/xml; charset=utf-8", body: xml });
    expect(out).toMatchObject({ outcome: "DELIVERED", httpStatus: 202, receipt: "<receipt>ok</receipt>" });
    scope.done();
  });
});

describe("agency client: outcomes by status class", () => {
  it.each([200, 201, 202])("%i is DELIVERED with the receipt", async (status) => {
    nock(ARMS).post(ARMS_PATH).reply(status, { ok: true });
    expect(await police().deliver(row)).toMatchObject({
      outcome: "DELIVERED",
      httpStatus: status,
      receipt: { ok: true },
    });
  });

  it("an empty 2xx body is a null receipt; a huge one is cut to the bound", async () => {
    nock(ARMS).post(ARMS_PATH).reply(204);
    expect(await police().deliver(row)).toMatchObject({ outcome: "DELIVERED", receipt: null });
    nock(ARMS)
      .post(ARMS_PATH)
      .reply(200, "x".repeat(MAX_RECEIPT_CHARS + 10));
    const out = await police().deliver(row);
    expect(out.outcome === "DELIVERED" && (out.receipt as string).length).toBe(MAX_RECEIPT_CHARS);
  });

  it("409 is ALREADY_HELD (counts as delivered)", async () => {
    nock(ARMS)
      .post(ARMS_PATH)
      .reply(409, { error: { code: "DUPLICATE" } });
    expect(await police().deliver(row)).toMatchObject({ outcome: "ALREADY_HELD", httpStatus: 409 });
  });

  it.each([400, 404, 422])("%i is a PERMANENT_FAILURE with a person-free reason", async (status) => {
    nock(ARMS)
      .post(ARMS_PATH)
      .reply(status, { error: { code: "SCHEMA_INVALID", message: "subject.familyName 'TESTCASE' is bad" } });
    const out = await police().deliver(row);
    expect(out).toMatchObject({
      outcome: "PERMANENT_FAILURE",
      httpStatus: status,
      errorCode: "BRIDGE_E_HTTP_REFUSED",
      reason: `arms:push: HTTP ${status}`,
      agencyCode: "SCHEMA_INVALID",
    });
    expect(JSON.stringify(out)).not.toContain("TESTCASE");
  });

  it.each([408, 500, 503])("%i is RETRY", async (status) => {
    nock(ARMS).post(ARMS_PATH).reply(status, "busy");
    expect(await police().deliver(row)).toMatchObject({
      outcome: "RETRY",
      httpStatus: status,
      errorCode: "BRIDGE_E_HTTP_UNAVAILABLE",
      retryAfterMs: null,
      timedOut: false,
    });
  });

  it("429 with Retry-After in seconds", async () => {
    nock(ARMS).post(ARMS_PATH).reply(429, "slow down", { "Retry-After": "7" });
    expect(await police().deliver(row)).toMatchObject({
      outcome: "RETRY",
      httpStatus: 429,
      retryAfterMs: 7000,
    });
  });

  it("429 (and 503) with Retry-After as an HTTP date, against the client's clock", async () => {
    const now = Date.parse("2026-11-20T10:00:00Z");
    const client = police({ now: () => now });
    nock(ARMS).post(ARMS_PATH).reply(429, "", { "Retry-After": "Fri, 20 Nov 2026 10:00:30 GMT" });
    expect(await client.deliver(row)).toMatchObject({ outcome: "RETRY", retryAfterMs: 30_000 });
    nock(ARMS).post(ARMS_PATH).reply(503, "", { "Retry-After": "Fri, 20 Nov 2026 09:59:00 GMT" });
    expect(await client.deliver(row)).toMatchObject({ outcome: "RETRY", retryAfterMs: 0 });
  });

  it("a time-out is RETRY, marked as timed out", async () => {
    nock(ARMS).post(ARMS_PATH).delay(1_000).reply(201, {});
    expect(await police({ timeoutMs: 50 }).deliver(row)).toMatchObject({
      outcome: "RETRY",
      httpStatus: null,
      errorCode: "BRIDGE_E_HTTP_TIMEOUT",
      timedOut: true,
    });
  });

  it("a connection reset is RETRY", async () => {
    nock(ARMS).post(ARMS_PATH).replyWithError({ code: "ECONNRESET", message: "socket hang up" });
    expect(await police().deliver(row)).toMatchObject({
      outcome: "RETRY",
      errorCode: "BRIDGE_E_HTTP_UNREACHABLE",
      timedOut: false,
    });
  });
});

describe("agency client: tokens", () => {
  it("on 401 drops the token, fetches a fresh one and sends once more", async () => {
    const provider = tokens("expired", "fresh");
    const scope = nock(ARMS)
      .post(ARMS_PATH)
      .matchHeader("authorization", "Bearer expired")
      .reply(401)
      .post(ARMS_PATH)
      .matchHeader("authorization", "Bearer fresh")
      .reply(201, { receiptId: "R-2" });
    expect(await police({ tokenProvider: provider }).deliver(row)).toMatchObject({
      outcome: "DELIVERED",
      receipt: { receiptId: "R-2" },
    });
    scope.done();
    // The fresh token is cached for the next push.
    nock(ARMS).post(ARMS_PATH).matchHeader("authorization", "Bearer fresh").reply(201, {});
    expect((await police({ tokenProvider: provider }).deliver(row)).outcome).toBe("DELIVERED");
  });

  it("a second 401 after the refresh is permanent", async () => {
    nock(ARMS).post(ARMS_PATH).times(2).reply(401);
    expect(await police({ tokenProvider: tokens("a", "b") }).deliver(row)).toMatchObject({
      outcome: "PERMANENT_FAILURE",
      httpStatus: 401,
      reason: "arms:push: HTTP 401 after a token refresh",
    });
  });

  it("a token endpoint refusing the credentials is permanent; one that is down is retried", async () => {
    nock(AUTH).post("/token").reply(401, { error: "invalid_client" });
    const refused = createClientCredentialsTokenProvider({
      tokenUrl: `${AUTH}/token`,
      clientId: "bridge",
      clientSecret: "wrong",
      timeoutMs: 300,
    });
    expect(await police({ tokenProvider: refused }).deliver(row)).toMatchObject({
      outcome: "PERMANENT_FAILURE",
      errorCode: "BRIDGE_E_AUTH_TOKEN_REFUSED",
    });
    nock(AUTH).post("/token").reply(503);
    expect(await police({ tokenProvider: refused }).deliver(row)).toMatchObject({
      outcome: "RETRY",
      errorCode: "BRIDGE_E_HTTP_UNAVAILABLE",
    });
  });
});
