/**
 * Sign-in (issue 11): every route but the probes needs a bearer token the bundled identity provider issued
 * (through the real flows, tests/support/tokens.ts) and a role the access policy allows there. Refusals
 * are 401 BRIDGE_E_UNAUTHENTICATED with `WWW-Authenticate: Bearer` (no token, a malformed header, an
 * expired token, another API's audience, another issuer, a signature not the issuer's) or 403
 * BRIDGE_E_FORBIDDEN (a role the route does not allow), and never echo what the token holds.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OTHER_RESOURCE } from "../../simulators/idp/accounts.ts";
import { startIdp } from "../../simulators/idp/index.ts";
import { clientCredentialsToken, passwordSignIn } from "../../simulators/idp/sign-in.ts";
import { authAs, freshTokenFor, type Person, type System, testIdp, tokenFor } from "../support/tokens.ts";
import { type ErrorJson, type TestApp, testApp, testAuth } from "./support.ts";

let t: TestApp;
const closers: (() => Promise<void>)[] = [];
beforeAll(async () => {
  t = await testApp();
  closers.push(t.done);
});
afterAll(async () => {
  for (const close of closers.reverse()) await close();
});

const NO_SUCH = "7d0c54f4-6f5e-4f07-9d61-6f7a3b1c0a11";
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function refusedAs401(app: TestApp, headers: Record<string, string>, reason: RegExp) {
  const res = await app.app.inject({ method: "GET", url: "/v1/conflicts", headers });
  expect(res.statusCode).toBe(401);
  expect(res.json<ErrorJson>().error.code).toBe("BRIDGE_E_UNAUTHENTICATED");
  expect(res.json<ErrorJson>().error.message).toMatch(reason);
  expect(res.headers["www-authenticate"]).toMatch(/^Bearer realm="oasys-arms-bridge"/);
  return res;
}

describe("401: no valid bearer token", () => {
  it("answers the probes without a token, and nothing else", async () => {
    expect((await t.app.inject({ method: "GET", url: "/health" })).statusCode).toBe(200);
    expect((await t.app.inject({ method: "GET", url: "/ready" })).statusCode).toBe(200);
    for (const [method, url] of [
      ["GET", "/metrics"],
      ["GET", "/docs"],
      ["GET", "/docs/json"],
      ["GET", `/v1/persons/${NO_SUCH}`],
      ["GET", "/v1/conflicts"],
      ["POST", `/v1/conflicts/${NO_SUCH}/decisions`],
      ["POST", "/v1/oasys/exports"],
      ["POST", "/v1/arms/assessments"],
      ["GET", "/v1/dead-letters"],
      ["GET", "/v2/not-a-route"],
    ] as const) {
      const res = await t.app.inject({
        method,
        url,
        headers: { "content-type": "application/json" },
        payload: "{}",
      });
      expect(res.statusCode, `${method} ${url}`).toBe(401);
      expect(res.headers["www-authenticate"], `${method} ${url}`).toBe('Bearer realm="oasys-arms-bridge"');
    }
  });

  it("refuses a header that is not a bearer token", async () => {
    const res = await refusedAs401(t, { authorization: "Basic YWRtaW46YWRtaW4=" }, /not a bearer token/);
    expect(res.headers["www-authenticate"]).toContain('error="invalid_request"');
    await refusedAs401(t, bearer("not.a.jwt"), /not a well-formed signed JWT/);
  });

  it("refuses an expired token (the IdP's 1-second client), saying it expired", async () => {
    // No leeway: the token is refused as soon as its exp has passed.
    const strict = await testApp({ auth: testAuth({ clockSkewS: 0 }) });
    closers.push(strict.done);
    const token = await freshTokenFor("expiring-system");
    const exp = Number(JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString()).exp);
    const accepted = await strict.app.inject({
      method: "POST",
      url: "/v1/arms/assessments",
      headers: { ...bearer(token), "content-type": "application/json" },
      payload: "[]",
    });
    // Refused for its body, not its token: it was valid when sent (unless this machine was slower than 1 s).
    if (Date.now() < exp * 1000) expect(accepted.statusCode).not.toBe(401);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, exp * 1000 - Date.now()) + 1_100));
    const res = await refusedAs401(strict, bearer(token), /the token has expired/);
    expect(res.headers["www-authenticate"]).toContain('error="invalid_token"');
  });

  it("refuses a token the IdP issued for another API (audience)", async () => {
    const other = await freshTokenFor("arms-system", { resource: OTHER_RESOURCE });
    await refusedAs401(t, bearer(other), /not for this API \(audience\)/);
  });

  it("refuses a token from another issuer, even signed with a key the API trusts", async () => {
    // The API trusts the run IdP's keys but expects another issuer: the signature passes, `iss` does not.
    const elsewhere = await testApp({ auth: testAuth({ issuer: "https://sign-in.other.test" }) });
    closers.push(elsewhere.done);
    await refusedAs401(elsewhere, await authAs("data.team.1"), /not from the trusted issuer/);
  });

  it("refuses a token signed by another identity provider (its keys are not the issuer's)", async () => {
    const rogue = await startIdp({ port: 0 });
    closers.push(rogue.close);
    const secret = testIdp().secrets["data-team-system"] ?? "";
    const token = await clientCredentialsToken(rogue.issuer, {
      clientId: "data-team-system",
      clientSecret: secret,
    });
    await refusedAs401(t, bearer(token), /signature is not the issuer's|not from the trusted issuer/);
    const person = await passwordSignIn(rogue.issuer, { username: "data.team.1", password: rogue.password });
    await refusedAs401(t, bearer(person), /signature is not the issuer's|not from the trusted issuer/);
  });

  it("never echoes the token or what it holds, and never logs it", async () => {
    const token = await tokenFor("police.essex");
    const expired = await refusedAs401(t, bearer(`${token}x`), /signature|well-formed/);
    const forbidden = await t.app.inject({ method: "GET", url: "/v1/deliveries", headers: bearer(token) });
    for (const res of [expired, forbidden]) {
      const echoed = `${res.body} ${JSON.stringify(res.headers)}`;
      expect(echoed).not.toContain(token.split(".")[1]);
      expect(echoed).not.toContain(token.split(".")[2]);
      expect(echoed).not.toContain("police.essex");
      expect(echoed).not.toContain("ESSEX");
    }
    const logs = t.logs.join("");
    expect(logs).not.toContain(token.split(".")[2]);
    expect(logs).not.toContain("police.essex");
  });
});

describe("403: a role the route does not allow", () => {
  it.each<[Person | System, string, string]>([
    ["police.essex", "GET", "/v1/deliveries"],
    ["police.kent", "POST", `/v1/conflicts/${NO_SUCH}/decisions`],
    ["auditor.user", "POST", "/v1/persons/search"],
    ["probation.officer", "POST", "/v1/arms/assessments"],
    ["arms-system", "POST", "/v1/oasys/exports"],
    ["oasys-system", "POST", "/v1/arms/assessments"],
    ["auditor.user", "GET", "/v1/dead-letters"],
    ["auditor.user", "GET", "/v1/conflicts"],
    ["data.team.1", "POST", `/v1/dead-letters/${NO_SUCH}/replay`],
    ["data.team.2", "GET", "/metrics"],
    ["admin.user", "POST", `/v1/conflicts/${NO_SUCH}/decisions`],
    ["metrics-scraper", "GET", "/v1/deliveries"],
    ["metrics-scraper", "GET", "/docs/json"],
  ])("%s may not call %s %s", async (who, method, url) => {
    const res = await t.app.inject({
      method: method as "GET",
      url,
      headers: { ...(await authAs(who)), "content-type": "application/json" },
      payload: method === "POST" ? "{}" : undefined,
    });
    expect(res.statusCode).toBe(403);
    expect(res.json<ErrorJson>().error.code).toBe("BRIDGE_E_FORBIDDEN");
    expect(res.json<ErrorJson>().error.message).toContain(`may not call ${method} `);
  });

  it("lets each role through where the policy allows it (the answer is the route's, not a refusal)", async () => {
    const allowed: [Person | System, string][] = [
      ["data.team.2", "/v1/conflicts"],
      ["data-team-system", "/v1/conflicts"],
      ["admin.user", "/v1/dead-letters"],
      ["admin.user", "/metrics"],
      ["metrics-scraper", "/metrics"],
      ["probation.officer", `/v1/exports/${NO_SUCH}`],
      ["admin.user", "/docs/json"],
    ];
    for (const [who, url] of allowed) {
      const res = await t.app.inject({ method: "GET", url, headers: await authAs(who) });
      expect([200, 404], `${who} GET ${url}`).toContain(res.statusCode);
    }
  });

  it("an unknown route is 404 for a signed-in caller (401 without a token, above)", async () => {
    const res = await t.app.inject({
      method: "GET",
      url: "/v2/not-a-route",
      headers: await authAs("auditor.user"),
    });
    expect(res.statusCode).toBe(404);
  });
});
