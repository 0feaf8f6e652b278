import nock from "nock";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { HttpError } from "../../src/clients/http.ts";
import { createClientCredentialsTokenProvider, readTokenResponse } from "../../src/clients/token.ts";
import { BridgeError } from "../../src/errors.ts";

const AUTH = "http://auth.test";

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

function provider(
  clock: { t: number },
  extra: Partial<Parameters<typeof createClientCredentialsTokenProvider>[0]> = {},
) {
  return createClientCredentialsTokenProvider({
    tokenUrl: `${AUTH}/oauth/token`,
    clientId: "bridge-client",
    clientSecret: "s3cr3t value",
    timeoutMs: 1000,
    refreshMarginMs: 60_000,
    now: () => clock.t,
    ...extra,
  });
}

const tokenReply = (token: string, expiresIn = 1200) => ({
  access_token: token,
  token_type: "bearer",
  expires_in: expiresIn,
});

describe("client-credentials token provider", () => {
  it("posts grant_type=client_credentials with HTTP Basic client authentication", async () => {
    const expected = `Basic ${Buffer.from("bridge-client:s3cr3t%20value").toString("base64")}`;
    const scope = nock(AUTH)
      .post("/oauth/token", "grant_type=client_credentials&scope=read")
      .matchHeader("authorization", expected)
      .reply(200, tokenReply("tok-1"));
    const p = provider({ t: 0 }, { scope: "read" });
    expect(await p.getToken()).toBe("tok-1");
    scope.done();
  });

  it("can send the credentials as form fields instead", async () => {
    const scope = nock(AUTH)
      .post("/oauth/token", {
        grant_type: "client_credentials",
        client_id: "bridge-client",
        client_secret: "s3cr3t value",
      })
      .reply(200, tokenReply("tok-body"));
    expect(await provider({ t: 0 }, { clientAuth: "body" }).getToken()).toBe("tok-body");
    scope.done();
  });

  it("caches the token until the refresh margin before expiry, then refreshes", async () => {
    const clock = { t: 1_000_000 };
    nock(AUTH).post("/oauth/token").reply(200, tokenReply("tok-1", 1200));
    nock(AUTH).post("/oauth/token").reply(200, tokenReply("tok-2", 1200));
    const p = provider(clock);
    expect(await p.getToken()).toBe("tok-1");
    clock.t += (1200 - 60) * 1000 - 1; // just inside the margin
    expect(await p.getToken()).toBe("tok-1");
    clock.t += 1;
    expect(await p.getToken()).toBe("tok-2");
    expect(nock.isDone()).toBe(true);
  });

  it("concurrent callers share one token request (single-flight)", async () => {
    let calls = 0;
    nock(AUTH)
      .post("/oauth/token")
      .times(5)
      .delay(30)
      .reply(() => {
        calls += 1;
        return [200, tokenReply(`tok-${calls}`)];
      });
    const p = provider({ t: 0 });
    const tokens = await Promise.all(Array.from({ length: 5 }, () => p.getToken()));
    expect(tokens).toEqual(Array(5).fill("tok-1"));
    expect(calls).toBe(1);
  });

  it("invalidate() drops the refused token, but keeps a newer one another caller already fetched", async () => {
    nock(AUTH).post("/oauth/token").reply(200, tokenReply("tok-1"));
    nock(AUTH).post("/oauth/token").reply(200, tokenReply("tok-2"));
    const p = provider({ t: 0 });
    expect(await p.getToken()).toBe("tok-1");
    p.invalidate("tok-1");
    expect(await p.getToken()).toBe("tok-2");
    p.invalidate("tok-1"); // a late 401 for the old token
    expect(await p.getToken()).toBe("tok-2");
    expect(nock.isDone()).toBe(true);
  });

  it("a failed request is not cached: the next call asks again", async () => {
    nock(AUTH).post("/oauth/token").reply(503);
    nock(AUTH).post("/oauth/token").reply(200, tokenReply("tok-ok"));
    const p = provider({ t: 0 });
    const e = await p.getToken().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(HttpError);
    expect((e as HttpError).retryable).toBe(true);
    expect(await p.getToken()).toBe("tok-ok");
  });

  it("refused credentials are a permanent AUTH_TOKEN_REFUSED without the secret in the message", async () => {
    nock(AUTH).post("/oauth/token").reply(401, { error: "invalid_client" });
    const e = await provider({ t: 0 })
      .getToken()
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(BridgeError);
    expect((e as BridgeError).code).toBe("BRIDGE_E_AUTH_TOKEN_REFUSED");
    expect((e as BridgeError).permanent).toBe(true);
    expect((e as Error).message).not.toContain("s3cr3t");
  });

  it("a token response without expires_in is used once, not cached", async () => {
    nock(AUTH).post("/oauth/token").reply(200, { access_token: "once-1", token_type: "Bearer" });
    nock(AUTH).post("/oauth/token").reply(200, { access_token: "once-2", token_type: "Bearer" });
    const p = provider({ t: 0 });
    expect(await p.getToken()).toBe("once-1");
    expect(await p.getToken()).toBe("once-2");
  });
});

describe("readTokenResponse", () => {
  it("refuses bodies without a usable bearer token", () => {
    expect(() => readTokenResponse("nope")).toThrow(/not JSON/);
    expect(() => readTokenResponse("{}")).toThrow(/no access_token/);
    expect(() => readTokenResponse('{"access_token":"a","token_type":"mac"}')).toThrow(/not bearer/);
    expect(readTokenResponse('{"access_token":"a","expires_in":"300"}')).toEqual({
      accessToken: "a",
      expiresInS: 300,
    });
  });
});
