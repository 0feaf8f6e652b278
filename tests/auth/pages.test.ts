/**
 * The access policy's web pages (`pages` in mappings/access-policy.yaml): who may see which page, the
 * 404-not-403 answer to a role that may not, and fail-closed coverage when the web is mounted (a page the
 * web has and the policy does not name, or an entry naming no page, stops start-up); pages and API routes
 * never overlap. The web's own use of it is tested through the app in tests/web/.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { pageAccess, pagesFor } from "../../src/auth/pages.ts";
import { loadAccessPolicy, parseAccessPolicy } from "../../src/auth/policy.ts";
import type { Principal, Role } from "../../src/auth/principal.ts";
import { BridgeError } from "../../src/errors.ts";
import { PAGES } from "../../src/web/pages/index.ts";

const BUNDLED = readFileSync("mappings/access-policy.yaml", "utf8");
const policy = loadAccessPolicy();

const person = (...roles: Role[]): Principal => ({
  kind: "user",
  subject: "someone",
  clientId: "bridge-web",
  roles,
  agency: "BRIDGE",
  force: null,
  laoAccess: false,
});

/** The routes of an app with the API and the web mounted, as the policy names them. */
function appRoutes(): { method: string; url: string }[] {
  const api = [
    "GET /health",
    "GET /ready",
    "GET /metrics",
    "GET /docs",
    "GET /docs/json",
    "POST /v1/oasys/exports",
    "POST /v1/oasys/events",
    "GET /v1/exports/:id",
    "POST /v1/arms/assessments",
    "GET /v1/persons/:id",
    "GET /v1/conflicts",
    "GET /v1/conflicts/:id",
    "POST /v1/conflicts/:id/decisions",
    "GET /v1/deliveries",
    "GET /v1/dead-letters",
    "POST /v1/dead-letters/:id/replay",
  ];
  const web = [
    "GET /",
    "HEAD /",
    "GET /sign-in",
    "GET /sign-in/callback",
    "POST /sign-out",
    "GET /signed-out",
    "GET /assets/*",
    "GET /assets/govuk/*",
    // The web's pages (src/web/pages/index.ts), as the app registers them.
    ...PAGES.map((p) => `${p.method} ${p.url}`),
  ];
  // The API routes the bundled policy names beyond these (added by other work) are the app's too.
  const named = [...BUNDLED.matchAll(/^ {2}((?:GET|POST|PUT|PATCH|DELETE) \/v1\/\S+):$/gm)].map((m) => m[1]!);
  return [...new Set([...api, ...named, ...web])].map((key) => {
    const [method = "", url = ""] = key.split(" ");
    return { method, url };
  });
}

function refusal(run: () => void): BridgeError {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(BridgeError);
    expect((e as BridgeError).code).toBe("BRIDGE_E_ACCESS_POLICY_INVALID");
    return e as BridgeError;
  }
  throw new Error("accepted");
}

describe("who may see which page", () => {
  it("answers sign-in, the assets and the signed-out page to anyone", () => {
    for (const [method, url] of [
      ["GET", "/sign-in"],
      ["GET", "/sign-in/callback"],
      ["GET", "/signed-out"],
      ["GET", "/assets/*"],
      ["HEAD", "/assets/govuk/*"],
    ] as const) {
      expect(pageAccess(policy, method, url, null), `${method} ${url}`).toBe("public");
      expect(policy.isPage(method, url)).toBe(true);
    }
  });

  it("sends a person who is not signed in to sign in, whatever the page (known or not)", () => {
    expect(pageAccess(policy, "GET", "/", null)).toBe("sign-in");
    expect(pageAccess(policy, "POST", "/sign-out", null)).toBe("sign-in");
    expect(pageAccess(policy, "GET", undefined, null)).toBe("sign-in");
  });

  it("lets every role see the start page and sign out", () => {
    for (const role of ["PROBATION", "POLICE", "DATA_TEAM", "ADMIN", "AUDITOR"] as const) {
      expect(pageAccess(policy, "GET", "/", person(role))).toBe("allowed");
      expect(pageAccess(policy, "HEAD", "/", person(role))).toBe("allowed");
      expect(pageAccess(policy, "POST", "/sign-out", person(role))).toBe("allowed");
    }
  });

  it("answers not-found (404, never 403) to a role a page does not allow, a person with no role, a system, and a page the policy does not name", () => {
    const text = BUNDLED.replace(
      /^ {2}routes:\n/m,
      "  routes:\n    GET /admin-only:\n      roles: [ADMIN]\n",
    );
    const withAdminPage = parseAccessPolicy(text, "policy.yaml");
    expect(pageAccess(withAdminPage, "GET", "/admin-only", person("ADMIN"))).toBe("allowed");
    expect(pageAccess(withAdminPage, "GET", "/admin-only", person("DATA_TEAM"))).toBe("not-found");
    expect(pageAccess(withAdminPage, "GET", "/", person())).toBe("not-found");
    expect(pageAccess(withAdminPage, "GET", "/", { ...person("ADMIN"), kind: "system" })).toBe("not-found");
    expect(pageAccess(withAdminPage, "GET", "/nowhere", person("ADMIN"))).toBe("not-found");
    expect(pageAccess(withAdminPage, "GET", undefined, person("ADMIN"))).toBe("not-found");
    const links = [
      { method: "GET", url: "/", text: "Home" },
      { method: "GET", url: "/admin-only", text: "Admin" },
    ];
    expect(pagesFor(withAdminPage, person("DATA_TEAM"), links).map((l) => l.text)).toEqual(["Home"]);
    expect(pagesFor(withAdminPage, person("ADMIN"), links).map((l) => l.text)).toEqual(["Home", "Admin"]);
  });

  it("tells the API's paths from the web's by their first segment, query strings aside", () => {
    for (const path of ["/v1/nowhere", "/v1", "/v1?x=1", "/docs/x", "/metrics", "/health"]) {
      expect(policy.isApiPath(path), path).toBe(true);
    }
    for (const path of ["/", "/nowhere", "/conflicts/1", "/v10/x", "/assets/x.css"]) {
      expect(policy.isApiPath(path), path).toBe(false);
    }
    expect(policy.isPage("GET", "/v1/conflicts")).toBe(false);
  });
});

describe("fail closed when the web is mounted", () => {
  it("covers the API's routes and the web's pages with the bundled policy", () => {
    expect(() => policy.checkCoverage(appRoutes(), { pages: true })).not.toThrow();
  });

  it("refuses a page the policy does not name, saying where to list it", () => {
    const e = refusal(() =>
      policy.checkCoverage([...appRoutes(), { method: "GET", url: "/reports" }], { pages: true }),
    );
    expect(e.message).toContain("names no rule for GET /reports");
    expect(e.message).toContain("under pages.routes or pages.public");
  });

  it("refuses a page entry that names no page, at its line; ignores the pages when the web is not mounted", () => {
    const text = BUNDLED.replace(
      /^ {2}routes:\n/m,
      "  routes:\n    GET /reports:\n      roles: [DATA_TEAM]\n",
    );
    const withReports = parseAccessPolicy(text, "policy.yaml");
    const line = text.split("\n").indexOf("    GET /reports:") + 1;
    const e = refusal(() => withReports.checkCoverage(appRoutes(), { pages: true }));
    expect(e.message).toContain(
      `policy.yaml:${line}:5 /pages/routes "GET /reports" names no page the web has`,
    );
    const api = appRoutes().filter((r) => policy.isApiPath(r.url));
    expect(() => withReports.checkCoverage(api)).not.toThrow();
  });

  it("refuses a route listed both as an API route and as a page", () => {
    const text = BUNDLED.replace(
      /^ {2}routes:\n/m,
      "  routes:\n    GET /v1/conflicts:\n      roles: [DATA_TEAM]\n",
    );
    const e = refusal(() => parseAccessPolicy(text, "policy.yaml"));
    expect(e.message).toContain('/pages/routes "GET /v1/conflicts" is also an API route');
  });

  it("refuses a page without roles, and a page that names systems or clients (people only)", () => {
    refusal(() =>
      parseAccessPolicy(BUNDLED.replace(/^ {2}routes:\n/m, "  routes:\n    GET /x:\n      why: none\n"), "p"),
    );
    refusal(() =>
      parseAccessPolicy(
        BUNDLED.replace(
          /^ {2}routes:\n/m,
          "  routes:\n    GET /x:\n      roles: [ADMIN]\n      clients: [a]\n",
        ),
        "p",
      ),
    );
  });
});
