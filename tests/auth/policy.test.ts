/**
 * The access policy as data (mappings/access-policy.yaml): validated at start-up with errors that name
 * file:line:column; a route the API has and the policy does not name stops the app from starting (fail
 * closed), as does an entry naming no route; authorities map to roles; claims become a Principal.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { appAuth } from "../../src/auth/index.ts";
import { allows, loadAccessPolicy, parseAccessPolicy, rolesOf } from "../../src/auth/policy.ts";
import { principalFrom } from "../../src/auth/verify.ts";
import { BridgeError } from "../../src/errors.ts";
import { buildApp } from "../../src/http/app.ts";
import type { Db } from "../../src/store/index.ts";

const BUNDLED = readFileSync("mappings/access-policy.yaml", "utf8");
const dir = mkdtempSync(join(tmpdir(), "access-policy-"));

function refusal(text: string): BridgeError {
  try {
    parseAccessPolicy(text, "policy.yaml");
  } catch (e) {
    expect(e).toBeInstanceOf(BridgeError);
    expect((e as BridgeError).code).toBe("BRIDGE_E_ACCESS_POLICY_INVALID");
    return e as BridgeError;
  }
  throw new Error("the policy was accepted");
}

/** The app with a policy file of the test's own; no route runs, so no store is needed. */
async function appWith(policyText: string) {
  const policyPath = join(dir, `policy-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(policyPath, policyText);
  const app = buildApp({
    db: {} as Db,
    producer: { ingest: async () => {}, reconcile: async () => {}, push: async () => {} },
    config: {
      http: { host: "127.0.0.1", port: 0, bodyLimitBytes: 1024, publicBaseUrl: null },
      xml: { maxBytes: null, maxDepth: null, maxAttributes: null, maxTextLength: null },
    },
    logger: pino({ level: "silent" }),
    readiness: {},
    auth: appAuth({
      issuer: "https://issuer.invalid",
      jwksUrl: "https://issuer.invalid/jwks",
      audience: "oasys-arms-bridge",
      clockSkewS: 30,
      policyPath,
    }),
  });
  try {
    await app.ready();
  } finally {
    await app.close();
  }
}

describe("the bundled policy", () => {
  const policy = loadAccessPolicy();

  it("maps the five authorities to the five roles and ignores any other", () => {
    expect(rolesOf(policy, ["ROLE_ARMS_BRIDGE_AUDITOR", "ROLE_ARMS_BRIDGE_PROBATION", "ROLE_OTHER"])).toEqual(
      ["PROBATION", "AUDITOR"],
    );
    expect(rolesOf(policy, [])).toEqual([]);
  });

  it("makes only the probes public; HEAD is GET's; /docs/** covers the description and its UI", () => {
    expect(policy.isPublic("GET", "/health")).toBe(true);
    expect(policy.isPublic("HEAD", "/ready")).toBe(true);
    expect(policy.isPublic("GET", "/metrics")).toBe(false);
    for (const url of ["/docs", "/docs/json", "/docs/static/*"]) {
      expect(policy.rule("GET", url)?.key, url).toBe("GET /docs/**");
    }
    expect(policy.rule("GET", "/documents")).toBeNull();
    expect(policy.rolesFor("POST", "/v1/conflicts/:id/decisions")).toEqual(["DATA_TEAM"]);
    expect(policy.rolesFor("GET", "/health")).toBeUndefined();
  });

  it("lets a DATA_TEAM person decide, never a system, and lets the scraper client read metrics only", () => {
    const person = { kind: "user", subject: "p", clientId: "c", roles: ["DATA_TEAM"] } as const;
    const base = { agency: "BRIDGE", force: null, laoAccess: false } as const;
    const decisions = policy.rule("POST", "/v1/conflicts/:id/decisions")!;
    expect(allows(decisions, { ...base, ...person, roles: [...person.roles] })).toBe(true);
    expect(allows(decisions, { ...base, ...person, kind: "system", roles: ["DATA_TEAM"] })).toBe(false);
    const scraper = {
      ...base,
      kind: "system",
      subject: "metrics-scraper",
      clientId: "metrics-scraper",
      roles: [],
    } as const;
    expect(allows(policy.rule("GET", "/metrics")!, { ...scraper, roles: [] })).toBe(true);
    expect(allows(policy.rule("GET", "/v1/deliveries")!, { ...scraper, roles: [] })).toBe(false);
  });
});

describe("fail closed at start-up", () => {
  it("starts with the bundled policy", async () => {
    await expect(appWith(BUNDLED)).resolves.toBeUndefined();
  });

  it("refuses to start when a route the API has is not in the policy, naming it", async () => {
    const without = BUNDLED.replace(
      / {2}GET \/v1\/deliveries:\n {4}roles: \[DATA_TEAM, ADMIN\]\n( {4}shows: deliveries\n)?/,
      "",
    );
    expect(without).not.toBe(BUNDLED);
    await expect(appWith(without)).rejects.toMatchObject({
      code: "BRIDGE_E_ACCESS_POLICY_INVALID",
      message: expect.stringContaining("names no rule for GET /v1/deliveries"),
    });
  });

  it("refuses to start when an entry names a route the API does not have, at its line", async () => {
    const lines = BUNDLED.split("\n").length;
    await expect(appWith(`${BUNDLED}  GET /v1/everything:\n    roles: [ADMIN]\n`)).rejects.toMatchObject({
      code: "BRIDGE_E_ACCESS_POLICY_INVALID",
      message: expect.stringMatching(new RegExp(`:${lines}:3 /routes "GET /v1/everything" names no route`)),
    });
  });
});

describe("validation errors name file:line:column", () => {
  it.each([
    [
      "an unknown role",
      BUNDLED.replace(
        "GET /v1/dead-letters:\n    roles: [ADMIN]",
        "GET /v1/dead-letters:\n    roles: [ROOT]",
      ),
      /policy\.yaml:\d+:\d+ \/routes\/GET ~1v1~1dead-letters\/roles\/0 must be equal to one of the allowed values/,
    ],
    [
      "an unknown setting",
      BUNDLED.replace("    principals: [user]\n", "    principals: [user]\n    owner: nobody\n"),
      /policy\.yaml:\d+:5 .* has an unknown setting "owner"/,
    ],
    [
      "a route key that is not METHOD /path",
      `${BUNDLED}  /v1/no-method:\n    roles: [ADMIN]\n`,
      /has a key "\/v1\/no-method" that is not allowed here/,
    ],
    [
      "a route both public and ruled",
      `${BUNDLED}  GET /health:\n    roles: [ADMIN]\n`,
      /\/routes\/GET ~1health is also listed as public/,
    ],
    [
      "clients on a route systems may not call",
      BUNDLED.replace("    principals: [user]\n", "    principals: [user]\n    clients: [robot]\n"),
      /clients names clients but systems may not call it/,
    ],
    ["a YAML syntax error", `${BUNDLED}\n  - : [\n`, /policy\.yaml:\d+:\d+ \//],
  ])("%s", (_, text, message) => {
    expect(refusal(text).message).toMatch(message);
  });

  it("names where the unknown role is, by line", () => {
    const text = BUNDLED.replace(
      "GET /v1/dead-letters:\n    roles: [ADMIN]",
      "GET /v1/dead-letters:\n    roles: [ROOT]",
    );
    const line = text.split("\n").findIndex((l) => l.includes("[ROOT]")) + 1;
    expect(refusal(text).context).toMatchObject({ file: "policy.yaml", line });
  });
});

describe("claims -> Principal", () => {
  const policy = loadAccessPolicy();

  it("a person: sub, roles from authorities, agency, force upper-cased, LAO only when exactly true", () => {
    expect(
      principalFrom(
        {
          sub: "police.essex",
          user_name: "police.essex",
          client_id: "bridge-dev",
          authorities: ["ROLE_ARMS_BRIDGE_POLICE", "ROLE_SOMETHING_ELSE"],
          agency: "POLICE",
          force: "essex",
          lao_access: "true",
        },
        policy,
      ),
    ).toEqual({
      kind: "user",
      subject: "police.essex",
      clientId: "bridge-dev",
      roles: ["POLICE"],
      agency: "POLICE",
      force: "ESSEX",
      laoAccess: false,
    });
  });

  it("a system: the client id is the subject; an unknown agency is none", () => {
    expect(principalFrom({ sub: "arms-system", client_id: "arms-system", agency: "MI5" }, policy)).toEqual({
      kind: "system",
      subject: "arms-system",
      clientId: "arms-system",
      roles: [],
      agency: null,
      force: null,
      laoAccess: false,
    });
  });

  it("refuses claims it cannot trust the shape of", () => {
    expect(() =>
      principalFrom({ sub: "x", client_id: "c", authorities: "ROLE_ARMS_BRIDGE_ADMIN" }, policy),
    ).toThrow(/authorities/);
    expect(() => principalFrom({ sub: "x", user_name: "x", force: "not a force!" }, policy)).toThrow(/force/);
    expect(() => principalFrom({ user_name: "x" }, policy)).toThrow(/sub/);
  });
});
