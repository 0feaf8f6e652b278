/**
 * What every page is made of: GOV.UK Frontend's and MoJ Frontend's precompiled assets served from the
 * packages (and nothing else of theirs), the layout (skip link, header, service navigation, phase banner,
 * footer, the script as a file), a Content-Security-Policy that allows GOV.UK's one inline line by its hash
 * and nothing else inline, titles that are literals, and pages kept out of the API description.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { devSecret, WEB_CLIENT } from "../../simulators/idp/accounts.ts";
import { loadConfig } from "../../src/config.ts";
import { ERROR_PAGES } from "../../src/web/errors.ts";
import { pageTitle } from "../../src/web/pages/page.ts";
import { DEV_WEB_CLIENT_ID, DEV_WEB_CLIENT_SECRET, webSettings } from "../../src/web/settings.ts";
import { GOVUK_ROOT, templateScriptHashes } from "../../src/web/views.ts";
import { authAs } from "../support/tokens.ts";
import { titleOf, WebClient } from "../support/web-client.ts";
import { person, type WebTestApp, webApp } from "./support.ts";

let web: WebTestApp;
beforeAll(async () => {
  web = await webApp();
});
afterAll(async () => {
  await web?.done();
});

describe("assets, from the packages' dist folders", () => {
  it.each([
    ["/assets/govuk/govuk-frontend.min.css", /^text\/css/],
    ["/assets/govuk/govuk-frontend.min.js", /javascript/],
    ["/assets/moj/moj-frontend.min.css", /^text\/css/],
    ["/assets/moj/moj-frontend.min.js", /javascript/],
    ["/assets/fonts/bold-b542beb274-v2.woff2", /font\/woff2/],
    ["/assets/images/govuk-crest.svg", /image\/svg/],
    ["/assets/images/icon-toggle-plus-minus.svg", /image\/svg/],
    ["/assets/manifest.json", /json/],
    ["/assets/init.mjs", /javascript/],
    ["/assets/bridge.css", /^text\/css/],
  ])("serves %s without signing in", async (url, type) => {
    const res = await web.app.inject({ url });
    expect(res.statusCode, url).toBe(200);
    expect(res.headers["content-type"]).toMatch(type);
  });

  it("serves nothing else of theirs: no sources, templates or package files", async () => {
    for (const url of [
      "/assets/govuk/all.mjs",
      "/assets/govuk/template.njk",
      "/assets/govuk/../../package.json",
      "/assets/moj/filters/all.js",
      "/assets/%2e%2e/package.json",
    ]) {
      const res = await web.app.inject({ url });
      expect([303, 403, 404], url).toContain(res.statusCode);
      expect(res.body).not.toContain('"name": "govuk-frontend"');
    }
  });

  it("serves the same bytes the package ships", async () => {
    const res = await web.app.inject({ url: "/assets/govuk/govuk-frontend.min.css" });
    expect(res.rawPayload.equals(readFileSync(join(GOVUK_ROOT, "govuk", "govuk-frontend.min.css")))).toBe(
      true,
    );
  });
});

describe("the layout and its security headers", () => {
  it("has the GOV.UK parts, loads its script as a file, and allows only GOV.UK's inline line by its hash", async () => {
    const browser = new WebClient();
    const home = await browser.signIn(`${web.base}/`, person("data.team.1"));
    const html = home.html;
    expect(html).toContain('<a href="#main-content" class="govuk-skip-link"');
    expect(html).toContain('class="govuk-header"');
    expect(html).toContain('class="govuk-service-navigation"');
    expect(html).toContain('class="govuk-phase-banner__content"');
    expect(html).toContain('class="govuk-footer"');
    expect(html).toContain('<main class="govuk-main-wrapper" id="main-content"');
    expect(html).toContain('<script type="module" src="/assets/init.mjs"></script>');
    expect(html).toMatch(/<form method="post" action="\/sign-out"/);

    const inline = [...html.matchAll(/<script(?![^>]*\ssrc=)[^>]*>([\s\S]*?)<\/script>/g)].map(
      (m) => m[1] ?? "",
    );
    expect(inline).toHaveLength(1);
    const hash = `'sha256-${createHash("sha256")
      .update(inline[0] ?? "")
      .digest("base64")}'`;
    expect(templateScriptHashes()).toEqual([hash]);
    const csp = home.headers.get("content-security-policy") ?? "";
    expect(csp).toContain(`script-src 'self' ${hash}`);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toMatch(/form-action 'self' http:\/\/127\.0\.0\.1:\d+/);
    expect(csp).not.toContain("unsafe-inline");
    expect(html).not.toMatch(/\sstyle="/);
    expect(html).not.toMatch(/\son[a-z]+="/);
  });

  it("keeps the API's policy on the API's responses", async () => {
    const res = await web.app.inject({ url: "/health" });
    expect(res.headers["content-security-policy"]).not.toContain("sha256-");
  });
});

describe("titles never carry personal data", () => {
  it("are literals: every error page's, and pageTitle refuses a string built from data", () => {
    for (const page of Object.values(ERROR_PAGES)) expect(page.title).toMatch(/^[A-Z][A-Za-z ,']+$/);
    const fromData: string = `Conflict ${Math.random()}`;
    // @ts-expect-error a title must be a literal: `string` is refused
    expect(pageTitle(fromData)).toBe(fromData);
  });
});

describe("the API description", () => {
  it("describes the API only: no page, sign-in route or asset", async () => {
    const res = await web.app.inject({ url: "/docs/json", headers: await authAs("admin.user") });
    expect(res.statusCode).toBe(200);
    const paths = Object.keys((res.json() as { paths: Record<string, unknown> }).paths);
    expect(paths.length).toBeGreaterThan(10);
    expect(
      paths.filter((p) => !p.startsWith("/v1/") && !["/health", "/ready", "/metrics"].includes(p)),
    ).toEqual([]);
  });
});

describe("settings", () => {
  it("defaults, outside production, to the client the bundled identity provider seeds", () => {
    expect(DEV_WEB_CLIENT_ID).toBe(WEB_CLIENT);
    expect(DEV_WEB_CLIENT_SECRET).toBe(devSecret(WEB_CLIENT));
  });

  it("takes the public base URL over the listening address, and makes cookies Secure under https", () => {
    const config = (publicBaseUrl: string | null) => ({
      auth: {
        issuer: "https://sign-in.example.test",
        jwksUrl: null,
        audience: "a",
        clockSkewS: 30,
        policyPath: null,
      },
      web: {
        clientId: "c",
        clientSecret: "s",
        sessionSecret: "x".repeat(32),
        sessionIdleS: 60,
        sessionMaxS: 600,
      },
      environment: "production" as const,
      http: { host: "0.0.0.0", port: 8080, bodyLimitBytes: 1024, publicBaseUrl },
    });
    const listening = () => ({ host: "0.0.0.0", port: 8080 });
    const live = webSettings(config("https://bridge.example.test"), listening);
    expect(live.baseUrl()).toBe("https://bridge.example.test");
    expect(live.secure).toBe(true);
    expect(live.allowHttpIssuer).toBe(false);
    expect(() => webSettings(config(null), listening)).toThrow(/PUBLIC_BASE_URL must be set/);
    const dev = webSettings({ ...config(null), environment: "development" }, listening);
    expect(dev.baseUrl()).toBe("http://localhost:8080");
    expect(dev.secure).toBe(false);
  });

  it("validates WEB_* at start-up: production needs the client, the session secret and an https base URL", () => {
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig(env);
        return "";
      } catch (e) {
        return (e as Error).message;
      }
    };
    const production = problems({ BRIDGE_ENV: "production" });
    for (const name of ["WEB_CLIENT_ID", "WEB_CLIENT_SECRET", "WEB_SESSION_SECRET", "PUBLIC_BASE_URL"]) {
      expect(production).toContain(`${name} is required when BRIDGE_ENV=production`);
    }
    expect(problems({ BRIDGE_ENV: "production", PUBLIC_BASE_URL: "http://bridge.example.test" })).toContain(
      "PUBLIC_BASE_URL must use https: when BRIDGE_ENV=production",
    );
    expect(problems({ WEB_SESSION_SECRET: "too-short" })).toContain("WEB_SESSION_SECRET must be at least 32");
    expect(problems({ WEB_SESSION_SECRET: "too-short" })).not.toContain("too-short");
    expect(problems({ WEB_SESSION_IDLE_S: "3600", WEB_SESSION_MAX_S: "600" })).toContain(
      "WEB_SESSION_IDLE_S must not exceed WEB_SESSION_MAX_S",
    );
    expect(loadConfig({}).web).toEqual({
      clientId: null,
      clientSecret: null,
      sessionSecret: null,
      sessionIdleS: 1800,
      sessionMaxS: 28_800,
    });
  });

  it("is the page's title, with the service's name, on the signed-out page", async () => {
    const page = await new WebClient().follow(`${web.base}/signed-out`);
    expect(page.status).toBe(200);
    expect(titleOf(page.html)).toBe("You have signed out - OASys–ARMS bridge");
  });
});
