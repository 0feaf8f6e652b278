import nock from "nock";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { createClientCredentialsTokenProvider } from "../../../src/clients/token.ts";
import { BridgeError } from "../../../src/errors.ts";
import { createOrdsClient, type OrdsClientConfig } from "../../../src/ingest/ords/client.ts";
import { createOrdsTransport } from "../../../src/ingest/ords/transport.ts";
import { fixture, MALE, ORDS_BASE, ordsPath, scenarioBodies, serveScenario } from "./ords-fixtures.ts";

const TODAY = "2026-11-20";
const AUTH = "http://auth.test";
const config: OrdsClientConfig = { baseUrl: ORDS_BASE, timeoutMs: 2_000, retry: { baseDelayMs: 1 } };

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

async function thrown(p: Promise<unknown>): Promise<BridgeError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof BridgeError) return e;
    throw e;
  }
  throw new Error("expected the pull to fail");
}

const pull = (c: OrdsClientConfig = config) =>
  createOrdsClient(c).pullAssessment(MALE.crn, MALE.pk, { today: TODAY });

describe("pullAssessment: transport faults", () => {
  it("no such assessment (section 1 is 404): ORDS_NOT_FOUND", async () => {
    serveScenario(MALE, { replies: { section1: { status: 404 } } });
    const e = await thrown(pull());
    expect(e.code).toBe("BRIDGE_E_ORDS_NOT_FOUND");
    expect(e.context).toMatchObject({ endpoint: "section1", assessmentPk: 9630348 });
  });

  it("a 500 then a success on one payload: retried inside the client, the pull succeeds", async () => {
    serveScenario(MALE, { replies: { section6: "skip" } });
    const flaky = nock(ORDS_BASE)
      .get(ordsPath("section6", MALE.crn, MALE.pk))
      .reply(500, "ORA-00000")
      .get(ordsPath("section6", MALE.crn, MALE.pk))
      .reply(200, scenarioBodies(MALE.name).section6);
    const result = await pull();
    flaky.done();
    expect(result.ok && result.assessment.answers["6.12"]?.value).toEqual({ kind: "score", score: 0 });
  });

  it("a payload that keeps failing: ORDS_UNAVAILABLE (transient) after the bounded attempts", async () => {
    serveScenario(MALE, { replies: { riskscrass: "skip" } });
    const failing = nock(ORDS_BASE)
      .get(ordsPath("riskscrass", MALE.crn, MALE.pk))
      .times(3)
      .reply(503);
    const e = await thrown(pull());
    failing.done(); // exactly the 3 attempts of the default policy
    expect([e.code, e.permanent]).toEqual(["BRIDGE_E_ORDS_UNAVAILABLE", false]);
    expect(e.detail).toBe("riskscrass: HTTP 503");
  });

  it("a payload slower than the time-out: ORDS_UNAVAILABLE", async () => {
    serveScenario(MALE, { replies: { section3: "skip" } });
    nock(ORDS_BASE)
      .get(ordsPath("section3", MALE.crn, MALE.pk))
      .delay(1_000)
      .reply(200, {});
    const e = await thrown(pull({ ...config, timeoutMs: 100, retry: { maxAttempts: 1 } }));
    expect(e.code).toBe("BRIDGE_E_ORDS_UNAVAILABLE");
    expect(e.detail).toBe("section3: timeout");
  });

  it("a time-out once, then an answer: the retry recovers", async () => {
    serveScenario(MALE, { replies: { section3: "skip" } });
    nock(ORDS_BASE)
      .get(ordsPath("section3", MALE.crn, MALE.pk))
      .delay(1_000)
      .reply(200, {})
      .get(ordsPath("section3", MALE.crn, MALE.pk))
      .reply(200, scenarioBodies(MALE.name).section3);
    const result = await pull({ ...config, timeoutMs: 100, retry: { maxAttempts: 2, baseDelayMs: 1 } });
    expect(result.ok && result.assessment.answers["3.3"]?.value).toEqual({ kind: "yesno", value: "NO" });
  });

  it("a connection reset: ORDS_UNAVAILABLE", async () => {
    serveScenario(MALE, { replies: { section7: "skip" } });
    nock(ORDS_BASE)
      .get(ordsPath("section7", MALE.crn, MALE.pk))
      .times(2)
      .replyWithError({ code: "ECONNRESET", message: "socket hang up" });
    const e = await thrown(pull({ ...config, retry: { maxAttempts: 2, baseDelayMs: 1 } }));
    expect(e.code).toBe("BRIDGE_E_ORDS_UNAVAILABLE");
  });

  it("a body that is not JSON: ORDS_BAD_RESPONSE", async () => {
    serveScenario(MALE, { replies: { sectionroshsumm: { status: 200, body: '{"assessments": [' } } });
    const e = await thrown(pull());
    expect([e.code, e.detail]).toEqual(["BRIDGE_E_ORDS_BAD_RESPONSE", "sectionroshsumm: body is not JSON"]);
  });

  it("JSON that is not an ORDS envelope: ORDS_BAD_RESPONSE", async () => {
    serveScenario(MALE, { replies: { section4: { notAssessments: true } } });
    const e = await thrown(pull());
    expect([e.code, e.detail]).toEqual([
      "BRIDGE_E_ORDS_BAD_RESPONSE",
      "section4: body has no assessments array",
    ]);
  });

  it("403: ORDS_AUTH, permanent, not retried", async () => {
    serveScenario(MALE, { replies: { section1: { status: 403 } } });
    const e = await thrown(pull());
    expect([e.code, e.permanent]).toEqual(["BRIDGE_E_ORDS_AUTH", true]);
  });

  it("never puts the CRN of the request path into an error", async () => {
    serveScenario(MALE, { replies: { rmp: "skip" } });
    nock(ORDS_BASE)
      .get(ordsPath("rmp", MALE.crn, MALE.pk))
      .times(3)
      .reply(502);
    const e = await thrown(pull());
    expect(e.message).toBe("OASys did not answer in time: rmp: HTTP 502");
    expect(JSON.stringify(e.context)).not.toContain(MALE.crn);
  });
});

describe("pullAssessment: bearer tokens", () => {
  const tokens = (clock = { t: 0 }) =>
    createClientCredentialsTokenProvider({
      tokenUrl: `${AUTH}/auth/oauth/token`,
      clientId: "bridge",
      clientSecret: "secret",
      timeoutMs: 1_000,
      now: () => clock.t,
    });
  const token = (value: string) => ({ access_token: value, token_type: "bearer", expires_in: 1200 });

  it("all twelve concurrent requests share one token request", async () => {
    const auth = nock(AUTH).post("/auth/oauth/token").once().reply(200, token("tok-1"));
    const ords = serveScenario(MALE, { reqheaders: { authorization: "Bearer tok-1" } });
    const result = await pull({ ...config, tokenProvider: tokens() });
    expect(result.ok).toBe(true);
    auth.done();
    ords.done();
  });

  it("a 401 drops the token, fetches a new one and retries that request once", async () => {
    const auth = nock(AUTH)
      .post("/auth/oauth/token")
      .reply(200, token("tok-old"))
      .post("/auth/oauth/token")
      .reply(200, token("tok-new"));
    serveScenario(MALE, { replies: { section1: "skip" } });
    const s1 = nock(ORDS_BASE)
      .get(ordsPath("section1", MALE.crn, MALE.pk))
      .matchHeader("authorization", "Bearer tok-old")
      .reply(401)
      .get(ordsPath("section1", MALE.crn, MALE.pk))
      .matchHeader("authorization", "Bearer tok-new")
      .reply(200, scenarioBodies(MALE.name).section1);
    const result = await pull({ ...config, tokenProvider: tokens() });
    expect(result.ok).toBe(true);
    auth.done();
    s1.done();
  });

  it("a second 401 after the refresh: ORDS_AUTH", async () => {
    nock(AUTH).post("/auth/oauth/token").times(2).reply(200, token("tok"));
    serveScenario(MALE, { replies: { section1: "skip" } });
    nock(ORDS_BASE)
      .get(ordsPath("section1", MALE.crn, MALE.pk))
      .times(2)
      .reply(401);
    const e = await thrown(pull({ ...config, tokenProvider: tokens() }));
    expect(e.code).toBe("BRIDGE_E_ORDS_AUTH");
  });

  it("credentials refused by the token endpoint: ORDS_AUTH", async () => {
    nock(AUTH).post("/auth/oauth/token").reply(401, { error: "invalid_client" });
    nock(ORDS_BASE).get(/.*/).times(12).reply(200, {});
    const e = await thrown(pull({ ...config, tokenProvider: tokens() }));
    expect(e.code).toBe("BRIDGE_E_ORDS_AUTH");
    expect(e.message).not.toContain("secret");
  });
});

describe("listAssessments", () => {
  it("reads the person's assessment timeline", async () => {
    nock(ORDS_BASE)
      .get("/eor/oasys/ass/allasslist/prob/X123456/ALLOW")
      .reply(200, fixture("timeline-x123456.json"));
    const timeline = await createOrdsClient(config).listAssessments("X123456");
    expect(timeline.limitedAccessOffender).toBe(false);
    expect(timeline.assessments).toHaveLength(9);
    expect(timeline.assessments[0]).toEqual({
      assessmentPk: 9630348,
      type: "LAYER3",
      status: "COMPLETE",
      partcompStatus: null,
      initiationDate: "2023-12-17T16:57:25",
      completedDate: "2024-12-19T16:57:25",
    });
    expect(timeline.assessments[1]).toMatchObject({
      status: "LOCKED_INCOMPLETE",
      partcompStatus: "UNSIGNED",
    });
    expect(timeline.assessments[6]).toMatchObject({
      assessmentPk: 9641348,
      status: "OPEN",
      completedDate: null,
    });
  });

  it("unknown person: ORDS_NOT_FOUND (the upstream stub answers NOT_FOUND with 404)", async () => {
    nock(ORDS_BASE).get("/eor/oasys/ass/allasslist/prob/NOT_FOUND/LIMIT").reply(404, "{}");
    const e = await thrown(
      createOrdsClient({ ...config, laoPrivilege: "LIMIT" }).listAssessments("NOT_FOUND"),
    );
    expect(e.code).toBe("BRIDGE_E_ORDS_NOT_FOUND");
  });
});

describe("ORDS transport: retry limits", () => {
  const path = "/eor/oasys/ass/riskscrass/ALLOW/9630348";

  it("a Retry-After longer than the longest wait ends the retries at once (the queue takes over)", async () => {
    const scope = nock(ORDS_BASE).get(path).once().reply(429, "", { "Retry-After": "30" });
    const get = createOrdsTransport({ baseUrl: ORDS_BASE, timeoutMs: 1_000, retry: { maxAttempts: 5 } });
    const e = await thrown(get({ path, endpoint: "riskscrass", correlationId: "c" }));
    scope.done();
    expect(e.code).toBe("BRIDGE_E_ORDS_UNAVAILABLE");
  });

  it("a cancelled call stops retrying", async () => {
    // Retry-After makes the wait before the second attempt at least 5 s: the abort lands inside it.
    nock(ORDS_BASE).get(path).reply(503, "", { "Retry-After": "5" });
    const later = nock(ORDS_BASE).get(path).reply(200, {});
    const get = createOrdsTransport({
      baseUrl: ORDS_BASE,
      timeoutMs: 1_000,
      retry: { maxAttempts: 3, baseDelayMs: 10_000, maxDelayMs: 10_000 },
    });
    const cancel = new AbortController();
    const call = get({ path, endpoint: "riskscrass", correlationId: "c", signal: cancel.signal });
    setTimeout(() => cancel.abort(), 20);
    await expect(call).rejects.toThrow(/abort/i);
    expect(later.isDone()).toBe(false);
  });
});
