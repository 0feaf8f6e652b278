/**
 * The bundled identity provider issues what contract §7 says, through the real flows: every seeded person
 * (authorization code + PKCE through the sign-in form) and every seeded system (client credentials) gets a
 * JWT signed with a key from the issuer's JWKS, for the bridge's audience, with HMPPS-Auth-style claims.
 * And `bridge idp` as a command: it prints its issuer, refuses production, and `token` signs in.
 */
import { createRemoteJWKSet, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { DEV_CLIENTS, DEV_USERS, OTHER_AUDIENCE, OTHER_RESOURCE } from "../../simulators/idp/accounts.ts";
import { discover, passwordSignIn, SignInError } from "../../simulators/idp/sign-in.ts";
import { idpCommand } from "../../src/cli/idp.ts";
import { captureIo } from "../cli/capture.ts";
import { freshTokenFor, type Person, type System, testIdp } from "../support/tokens.ts";

const keys = () => createRemoteJWKSet(new URL(`${testIdp().issuer}/jwks`));
const verified = async (token: string, audience = testIdp().audience) =>
  (await jwtVerify(token, keys(), { issuer: testIdp().issuer, audience })).payload;

describe("the bundled identity provider", () => {
  it.each(DEV_USERS.map((u) => [u.username, u] as const))(
    "signs %s in through the form and issues their claims",
    async (username, user) => {
      const claims = await verified(await freshTokenFor(username as Person));
      expect(claims).toMatchObject({
        sub: username,
        user_name: username,
        client_id: "bridge-dev",
        aud: "oasys-arms-bridge",
        authorities: user.claims.authorities,
        auth_source: user.claims.auth_source,
        agency: user.claims.agency,
      });
      expect(claims.force).toBe(user.claims.force);
      expect(claims.lao_access).toBe(user.claims.lao_access);
      expect(claims.exp).toBeGreaterThan(claims.iat as number);
    },
  );

  it("seeds one person per role, two DATA_TEAM reviewers, police of two forces and one LAO-allowed reviewer", () => {
    const byAuthority = (a: string) => DEV_USERS.filter((u) => u.claims.authorities.includes(a));
    expect(byAuthority("ROLE_ARMS_BRIDGE_DATA_TEAM").map((u) => u.username)).toEqual([
      "data.team.1",
      "data.team.2",
    ]);
    expect(byAuthority("ROLE_ARMS_BRIDGE_POLICE").map((u) => u.claims.force)).toEqual(["ESSEX", "KENT"]);
    for (const role of ["PROBATION", "ADMIN", "AUDITOR"]) {
      expect(byAuthority(`ROLE_ARMS_BRIDGE_${role}`)).toHaveLength(1);
    }
    expect(DEV_USERS.filter((u) => u.claims.lao_access).map((u) => u.username)).toEqual([
      "probation.officer",
      "data.team.1",
    ]);
  });

  it.each(DEV_CLIENTS.map((c) => [c.clientId, c] as const))(
    "issues %s a client-credentials token with its claims and no user_name",
    async (clientId, client) => {
      const claims = await verified(await freshTokenFor(clientId as System));
      expect(claims).toMatchObject({
        sub: clientId,
        client_id: clientId,
        aud: "oasys-arms-bridge",
        authorities: client.claims.authorities,
        auth_source: "none",
        agency: client.claims.agency,
      });
      expect(claims.user_name).toBeUndefined();
      expect(claims.lao_access).toBeUndefined();
    },
  );

  it("issues a token for another API when asked, with that API's audience", async () => {
    const token = await freshTokenFor("arms-system", { resource: OTHER_RESOURCE });
    expect((await verified(token, OTHER_AUDIENCE)).aud).toBe(OTHER_AUDIENCE);
    await expect(verified(token)).rejects.toThrow(/aud/);
  });

  it("refuses a wrong password with the form again (401), and serves a form that needs no JavaScript", async () => {
    const { issuer } = testIdp();
    await expect(passwordSignIn(issuer, { username: "data.team.1", password: "not-it" })).rejects.toThrow(
      SignInError,
    );
    await expect(
      passwordSignIn(issuer, { username: "nobody", password: testIdp().password }),
    ).rejects.toThrow(/401 to the form/);
    const endpoints = await discover(issuer);
    const start = await fetch(
      `${endpoints.authorization}?client_id=bridge-dev&response_type=code&scope=openid&redirect_uri=${encodeURIComponent(`${issuer}/dev/callback`)}&code_challenge=${"a".repeat(43)}&code_challenge_method=S256`,
      { redirect: "manual" },
    );
    const cookie = start.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
    const form = await fetch(new URL(start.headers.get("location") ?? "", issuer), { headers: { cookie } });
    const html = await form.text();
    expect(html).toMatch(/<form method="post" action="\/interaction\/[A-Za-z0-9_-]+\/login">/);
    expect(html).not.toContain("<script");
  });
});

describe("the browser sign-in at /dev/sign-in", () => {
  it("goes through the form without JavaScript and ends on a page showing the person's token", async () => {
    const { issuer, password } = testIdp();
    const cookies = new Map<string, string>();
    const go = async (url: string, init: RequestInit = {}) => {
      const cookie = [...cookies].map(([k, v]) => `${k}=${v}`).join("; ");
      const res = await fetch(url, { ...init, redirect: "manual", headers: { ...init.headers, cookie } });
      for (const line of res.headers.getSetCookie()) {
        const [pair = ""] = line.split(";");
        const eq = pair.indexOf("=");
        cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
      }
      return res;
    };
    let res = await go(`${issuer}/dev/sign-in`);
    let url = `${issuer}/dev/sign-in`;
    let page = "";
    for (let step = 0; step < 10 && !page.includes("Signed in"); step++) {
      const location = res.headers.get("location");
      if (location) {
        url = new URL(location, url).href;
        res = await go(url);
        continue;
      }
      page = await res.text();
      const action = /<form method="post" action="([^"]+)"/.exec(page)?.[1];
      if (action) {
        url = new URL(action, url).href;
        res = await go(url, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({ username: "auditor.user", password }).toString(),
        });
      }
    }
    expect(url.startsWith(`${issuer}/dev/callback?`)).toBe(true);
    const token = /<pre>([^<]+)<\/pre>/.exec(page)?.[1] ?? "";
    expect(await verified(token)).toMatchObject({
      sub: "auditor.user",
      authorities: ["ROLE_ARMS_BRIDGE_AUDITOR"],
    });
  });
});

describe("bridge idp", () => {
  it("prints its issuer and each role's way to a token, and stops when told", async () => {
    const { io, stdout } = captureIo();
    const stop = new AbortController();
    const run = idpCommand(["--port", "0"], io, stop.signal, {});
    for (let i = 0; i < 200 && !stdout.text.includes("curl"); i++)
      await new Promise((r) => setTimeout(r, 25));
    const issuer = /issuer (http:\S+)/.exec(stdout.text)?.[1] ?? "";
    expect((await discover(issuer)).jwks).toBe(`${issuer}/jwks`);
    for (const name of ["data.team.2", "police.kent", "auditor.user", "arms-system", "oasys-system"]) {
      expect(stdout.text).toContain(name);
    }
    expect(stdout.text).toContain(`AUTH_ISSUER=${issuer}`);
    const token = captureIo();
    expect(await idpCommand(["token", "police.kent", "--issuer", issuer], token.io, undefined, {})).toBe(0);
    const claims = (await jwtVerify(token.stdout.text.trim(), createRemoteJWKSet(new URL(`${issuer}/jwks`))))
      .payload;
    expect(claims).toMatchObject({ sub: "police.kent", force: "KENT" });
    stop.abort();
    expect(await run).toBe(0);
  });

  it("refuses to run with BRIDGE_ENV=production, and names unknown people", async () => {
    const prod = captureIo();
    expect(
      await idpCommand(["--port", "0"], prod.io, AbortSignal.abort(), { BRIDGE_ENV: "production" }),
    ).toBe(1);
    expect(prod.stderr.text).toContain("does not run with BRIDGE_ENV=production");
    const unknown = captureIo();
    const args = ["token", "someone.else", "--issuer", testIdp().issuer];
    expect(await idpCommand(args, unknown.io, undefined, {})).toBe(1);
    expect(unknown.stderr.text).toContain("neither a seeded person nor a seeded system");
  });
});
