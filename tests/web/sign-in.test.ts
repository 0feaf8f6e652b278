/**
 * The web pages' sign-in, sessions and access, through the real flows: a browser without JavaScript
 * (tests/support/web-client.ts) signs in at the run's identity provider (authorization code + PKCE, its
 * real form), and the app (buildApp with the web mounted, PostgreSQL) keeps a server-side session.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PAGES } from "../../src/web/pages/index.ts";
import { pageTitle } from "../../src/web/pages/page.ts";
import { testIdp, tokenFor } from "../support/tokens.ts";
import { hiddenValue, titleOf, WebClient } from "../support/web-client.ts";
import { person, type WebTestApp, webApp } from "./support.ts";

let web: WebTestApp;

beforeAll(async () => {
  web = await webApp();
});
afterAll(async () => {
  await web?.done();
});

const sessionRows = async () =>
  web.db.query<{ id_hash: string; principal: { subject: string; roles: string[] } }>(
    "SELECT id_hash, principal FROM web_sessions",
  );

describe("signing in", () => {
  it("sends a person who is not signed in to the issuer, then back to the page asked for, signed in", async () => {
    const browser = new WebClient();
    const first = await browser.request(`${web.base}/`);
    expect(first.status).toBe(303);
    expect(first.headers.get("location")).toBe("/sign-in?returnTo=%2F");
    const toIssuer = await browser.request(`${web.base}/sign-in?returnTo=%2F`);
    expect(toIssuer.status).toBe(303);
    const auth = new URL(toIssuer.headers.get("location") ?? "");
    expect(auth.origin).toBe(testIdp().issuer);
    expect(auth.searchParams.get("client_id")).toBe("bridge-web");
    expect(auth.searchParams.get("redirect_uri")).toBe(`${web.base}/sign-in/callback`);
    expect(auth.searchParams.get("code_challenge_method")).toBe("S256");
    expect(auth.searchParams.get("state")).toMatch(/^[A-Za-z0-9_-]{20,}$/);

    const home = await browser.signIn(`${web.base}/`, person("data.team.1"));
    expect(home.status).toBe(200);
    expect(home.url).toBe(`${web.base}/`);
    expect(titleOf(home.html)).toBe("Home - OASys–ARMS bridge");
    expect(home.html).toContain("data.team.1");
    expect(home.html).toContain("Data team");
    expect(home.html).toContain("Conflicts to review");
    expect(home.html).toContain("<code>GET /v1/conflicts</code>");
    expect(home.headers.get("cache-control")).toBe("no-store");
  });

  it("keeps only an opaque random id in an HttpOnly SameSite=Lax cookie, and a keyed hash of it in the store", async () => {
    const browser = new WebClient();
    await browser.signIn(`${web.base}/`, person("data.team.2"));
    const id = browser.cookie(web.base, "bridge-session") ?? "";
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const set = browser.setCookies.find((c) => c.header.startsWith("bridge-session="))?.header ?? "";
    expect(set).toMatch(/; Path=\//);
    expect(set).toMatch(/; HttpOnly/);
    expect(set).toMatch(/; SameSite=Lax/);
    expect(set).not.toMatch(/; Secure/); // served over http here; Secure (and __Host-) when PUBLIC_BASE_URL is https
    const rows = await sessionRows();
    const mine = rows.find((r) => r.principal.subject === "data.team.2");
    expect(mine?.principal.roles).toEqual(["DATA_TEAM"]);
    expect(rows.map((r) => r.id_hash)).not.toContain(id);
    expect(JSON.stringify(rows)).not.toContain(id);
    // The sign-in cookie (state and PKCE verifier) is signed, scoped to /sign-in, and gone once used.
    const signInCookie = browser.setCookies.find(
      (c) => c.header.startsWith("bridge-sign-in=") && c.header.includes("Max-Age=600"),
    );
    expect(signInCookie?.header).toMatch(/; Path=\/sign-in; HttpOnly; SameSite=Lax/);
    expect(browser.cookie(web.base, "bridge-sign-in")).toBeUndefined();
  });

  it("signs in on the address the service calls itself (cookies belong to a host)", async () => {
    const other = web.base.replace("127.0.0.1", "localhost");
    const res = await new WebClient().request(`${other}/sign-in?returnTo=%2F`);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`${web.base}/sign-in?returnTo=%2F`);
  });

  it("refuses a callback it did not start, or whose state does not match, with a GOV.UK page", async () => {
    const browser = new WebClient();
    const page = await browser.follow(`${web.base}/sign-in/callback?code=x&state=y&iss=z`);
    expect(page.status).toBe(401);
    expect(titleOf(page.html)).toBe("Sorry, you could not be signed in - OASys–ARMS bridge");
    expect(page.html).toContain('href="/sign-in"');

    // A real sign-in whose state was swapped on the way back.
    const start = await browser.request(`${web.base}/sign-in`);
    const auth = new URL(start.headers.get("location") ?? "");
    auth.searchParams.set("state", "not-the-state-this-browser-was-given");
    const back = await browser.signIn(auth.href, person("data.team.1"));
    expect(back.status).toBe(401);
    expect(browser.cookie(web.base, "bridge-session")).toBeUndefined();
  });

  it("never goes back anywhere but a path of the service after signing in", async () => {
    for (const returnTo of [
      "https://elsewhere.example/",
      "//elsewhere.example/x",
      "/\\elsewhere",
      "/x?q=name",
    ]) {
      const browser = new WebClient();
      const page = await browser.signIn(
        `${web.base}/sign-in?returnTo=${encodeURIComponent(returnTo)}`,
        person("admin.user"),
      );
      expect(page.url, returnTo).toBe(`${web.base}/`);
    }
  });
});

describe("the session names the person for every page; cookies never reach the API", () => {
  it("answers an unknown page with the GOV.UK 'Page not found' once signed in, and sends others to sign in", async () => {
    const anonymous = await new WebClient().request(`${web.base}/no-such-page`);
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get("location")).toBe("/sign-in?returnTo=%2Fno-such-page");

    const browser = new WebClient();
    await browser.signIn(`${web.base}/`, person("probation.officer"));
    const page = await browser.follow(`${web.base}/no-such-page`);
    expect(page.status).toBe(404);
    expect(titleOf(page.html)).toBe("Page not found - OASys–ARMS bridge");
    expect(page.html).toContain("Sign out");
    expect(page.headers.get("content-security-policy")).toContain("form-action 'self'");
  });

  it("keeps the API's own answers: a JSON 404 or 401 under its paths, and a session cookie is no token", async () => {
    const browser = new WebClient();
    await browser.signIn(`${web.base}/`, person("data.team.1"));
    const unknown = await browser.request(`${web.base}/v1/no-such-route`);
    expect(unknown.status).toBe(401);
    expect(unknown.headers.get("content-type")).toMatch(/^application\/json/);
    const withCookie = await browser.request(`${web.base}/v1/conflicts`);
    expect(withCookie.status).toBe(401);
    const withToken = await browser.request(`${web.base}/v1/no-such-route`, {
      headers: { authorization: `Bearer ${await tokenFor("data.team.1")}` },
    });
    expect(withToken.status).toBe(404);
    expect(((await withToken.json()) as { error: { code: string } }).error.code).toBe("BRIDGE_E_NOT_FOUND");
  });

  it("ends a session after the idle limit, and after the absolute limit whatever happens", async () => {
    let now = new Date("2026-11-20T12:00:00.000Z");
    const timed = await webApp({ now: () => now, idleS: 600, maxS: 1500 });
    try {
      const browser = new WebClient();
      await browser.signIn(`${timed.base}/`, person("data.team.1"));
      const at = (s: number) => new Date(Date.parse("2026-11-20T12:00:00.000Z") + s * 1000);
      for (const s of [500, 1000, 1400]) {
        now = at(s); // each within 600 s of the last request, which extends the idle limit
        expect((await browser.request(`${timed.base}/`)).status, `at ${s} s`).toBe(200);
      }
      now = at(1501); // past the absolute limit
      expect((await browser.request(`${timed.base}/`)).status).toBe(303);

      const idle = new WebClient();
      now = at(0);
      await idle.signIn(`${timed.base}/`, person("data.team.1"));
      now = at(601);
      expect((await idle.request(`${timed.base}/`)).status).toBe(303);
    } finally {
      await timed.done();
    }
  });
});

describe("who may see which page: the access policy's pages", () => {
  const adminOnly = {
    method: "GET" as const,
    url: "/admin-only",
    nav: { text: "Administration", order: 5 },
    handle: async () => ({
      view: "errors/error.njk",
      model: { title: pageTitle("Administration"), heading: "Admin" },
    }),
  };
  const boom = {
    method: "GET" as const,
    url: "/boom",
    handle: async (): Promise<never> => {
      throw new Error("a detail that must stay in the log");
    },
  };
  const rules = "    GET /admin-only:\n      roles: [ADMIN]\n    GET /boom:\n      roles: [ADMIN]\n";

  it("answers 404, not 403, to a role a page does not allow, and links each role to its pages only", async () => {
    const app = await webApp({ pages: [...PAGES, adminOnly, boom], pageRules: rules });
    try {
      const admin = new WebClient();
      const adminHome = await admin.signIn(`${app.base}/`, person("admin.user"));
      expect(adminHome.html).toContain('href="/admin-only"');
      expect((await admin.follow(`${app.base}/admin-only`)).status).toBe(200);

      const team = new WebClient();
      const teamHome = await team.signIn(`${app.base}/`, person("data.team.1"));
      expect(teamHome.html).not.toContain("/admin-only");
      const refused = await team.follow(`${app.base}/admin-only`);
      expect(refused.status).toBe(404);
      expect(titleOf(refused.html)).toBe("Page not found - OASys–ARMS bridge");

      const failed = await admin.follow(`${app.base}/boom`);
      expect(failed.status).toBe(500);
      expect(titleOf(failed.html)).toBe("Sorry, there is a problem with the service - OASys–ARMS bridge");
      expect(failed.html).not.toContain("a detail that must stay in the log");
      expect(app.logs.join("")).toContain("a detail that must stay in the log");
    } finally {
      await app.done();
    }
  });

  it("refuses to start with a page the policy does not name", async () => {
    await expect(webApp({ pages: [...PAGES, adminOnly] })).rejects.toMatchObject({
      code: "BRIDGE_E_ACCESS_POLICY_INVALID",
      message: expect.stringContaining("names no rule for GET /admin-only"),
    });
  });

  it("tells a person with no role in the service so, and keeps no session", async () => {
    const app = await webApp({
      policy: (text) => text.replace(/^ {2}ROLE_ARMS_BRIDGE_AUDITOR: AUDITOR\n/m, ""),
    });
    try {
      const browser = new WebClient();
      const page = await browser.signIn(`${app.base}/`, person("auditor.user"));
      expect(page.status).toBe(403);
      expect(titleOf(page.html)).toBe("You do not have access to this service - OASys–ARMS bridge");
      expect(browser.cookie(app.base, "bridge-session")).toBeUndefined();
      expect(await app.db.query("SELECT 1 FROM web_sessions")).toEqual([]);
    } finally {
      await app.done();
    }
  });
});

describe("signing out, and CSRF on every form", () => {
  it("refuses a form posted without its token, or with another session's, with a GOV.UK page; the session stays", async () => {
    const browser = new WebClient();
    const home = await browser.signIn(`${web.base}/`, person("data.team.1"));
    const token = hiddenValue(home.html, "_csrf") ?? "";
    expect(token.length).toBeGreaterThan(20);

    const without = await browser.post(`${web.base}/sign-out`, {});
    expect(without.status).toBe(403);
    expect(titleOf(without.html)).toBe("Sorry, there is a problem with the service - OASys–ARMS bridge");
    expect(without.html).toContain("Your form could not be sent");

    const other = new WebClient();
    const otherHome = await other.signIn(`${web.base}/`, person("data.team.2"));
    const othersToken = hiddenValue(otherHome.html, "_csrf") ?? "";
    expect((await browser.post(`${web.base}/sign-out`, { _csrf: othersToken })).status).toBe(403);
    expect((await browser.request(`${web.base}/`)).status).toBe(200);
  });

  it("ends the session, then the issuer's, and lands on 'You have signed out'", async () => {
    const browser = new WebClient();
    const home = await browser.signIn(`${web.base}/`, person("police.essex"));
    const out = await browser.request(`${web.base}/sign-out`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ _csrf: hiddenValue(home.html, "_csrf") ?? "" }).toString(),
    });
    expect(out.status).toBe(303);
    const endSession = new URL(out.headers.get("location") ?? "");
    expect(`${endSession.origin}${endSession.pathname}`).toBe(`${testIdp().issuer}/session/end`);
    expect(endSession.searchParams.get("post_logout_redirect_uri")).toBe(`${web.base}/signed-out`);
    expect(endSession.searchParams.get("id_token_hint")).toMatch(/^ey/);
    expect(browser.cookie(web.base, "bridge-session")).toBeUndefined();
    expect(
      (await web.db.query("SELECT principal FROM web_sessions WHERE principal->>'subject' = 'police.essex'"))
        .length,
    ).toBe(0);

    // The issuer asks to confirm (a plain form), then sends the browser back.
    const confirm = await browser.follow(endSession.href);
    const form = /<form[^>]*action="([^"]+)"[\s\S]*?<\/form>/i.exec(confirm.html);
    const xsrf = hiddenValue(confirm.html, "xsrf") ?? "";
    expect(form).not.toBeNull();
    const signedOut = await browser.post(new URL(form?.[1] ?? "", confirm.url).href, { xsrf, logout: "yes" });
    expect(signedOut.url).toBe(`${web.base}/signed-out`);
    expect(signedOut.status).toBe(200);
    expect(titleOf(signedOut.html)).toBe("You have signed out - OASys–ARMS bridge");
    expect(signedOut.html).not.toContain("Sign out</button>");
    // Signed out at the issuer too: opening the service asks for the password again.
    const again = await browser.follow(`${web.base}/`);
    expect(again.url).toMatch(/\/interaction\//);
  });

  it("answers a form posted after the session ended with 'You have been signed out'", async () => {
    const page = await new WebClient().post(`${web.base}/sign-out`, { _csrf: "x" });
    expect(page.status).toBe(401);
    expect(titleOf(page.html)).toBe("You have been signed out - OASys–ARMS bridge");
  });
});
