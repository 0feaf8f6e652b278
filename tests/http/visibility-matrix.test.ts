/**
 * The visibility matrix (issue 11): every route the access policy says shows records (`shows`), called as
 * every seeded person and system of the run's identity provider (real tokens, tests/support/tokens.ts),
 * about each of four persons seeded through the real pipeline: one of Essex, one of Kent, one with no
 * force yet (OASys only) and a limited-access offender of Essex. Generated from the policy file, so a new
 * route that shows records, or a new role, is covered without editing this test.
 *
 * What each case expects is read from the policy's data here, independently of src/auth/visibility.ts:
 * 403 for a role the route does not allow; for a person outside the caller's scope 404 (or left out of a
 * list); for a limited-access offender and a caller without lao_access the existence view, or nothing;
 * otherwise the record. Then no value the policy withholds from the caller may appear anywhere in the
 * body: the synthetic values seeded (dates of birth, the victim's name, narrative and safety-plan
 * sentences, a receipt quoting the victim, and for a person not shown their ids), located in the full
 * views the data team sees and matched against the policy's pointers.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { DEV_CLIENTS, DEV_USERS } from "../../simulators/idp/accounts.ts";
import { loadAccessPolicy, type RouteRule, rolesOf } from "../../src/auth/policy.ts";
import type { Role } from "../../src/auth/principal.ts";
import { authAs, type Person, type System } from "../support/tokens.ts";
import { type TestApp, testApp } from "./support.ts";
import { type Seeded, type SeedSpec, seedPerson } from "./visibility-seed.ts";

const policy = loadAccessPolicy();
/** The file's visibility section as plain data (not through the code under test). */
const RAW = parse(readFileSync("mappings/access-policy.yaml", "utf8")).visibility as {
  scope: Record<string, string>;
  limitedAccess: { existence: Record<string, string[]> };
  withhold: Record<string, Record<string, { pointer: string; where?: Record<string, unknown[]> }[]>>;
};

interface Caller {
  name: Person | System;
  kind: "user" | "system";
  roles: Role[];
  force: string | null;
  lao: boolean;
}
const CALLERS: Caller[] = [
  ...DEV_USERS.map((u) => ({ name: u.username as Person, kind: "user" as const, claims: u.claims })),
  // expiring-system's tokens live one second (it tests expiry); arms-system has the same claims.
  ...DEV_CLIENTS.filter((c) => c.clientId !== "expiring-system").map((c) => ({
    name: c.clientId as System,
    kind: "system" as const,
    claims: c.claims,
  })),
].map(({ name, kind, claims }) => ({
  name,
  kind,
  roles: rolesOf(policy, claims.authorities),
  force: claims.force?.toUpperCase() ?? null,
  lao: claims.lao_access === true,
}));

const SPECS: SeedSpec[] = [
  { tag: "ESX", force: "ESSEX", lao: false },
  { tag: "KNT", force: "KENT", lao: false },
  { tag: "NOF", force: null, lao: false },
  { tag: "LAO", force: "ESSEX", lao: true },
];
const ROUTES = policy.rules.filter((r) => r.shows !== undefined);
const VIEW_OF = { person: "PersonView", persons: "PersonView", conflict: "Conflict", conflicts: "Conflict" };
const viewOf = (rule: RouteRule) => VIEW_OF[rule.shows as keyof typeof VIEW_OF] ?? "Delivery";

type Expectation = "forbidden" | "absent" | "reduced" | "shown";

function allowed(rule: RouteRule, c: Caller): boolean {
  if (!rule.principals.includes(c.kind)) return false;
  return (
    (c.kind === "system" && rule.clients.includes(c.name)) || c.roles.some((r) => rule.roles.includes(r))
  );
}
const seeingRoles = (rule: RouteRule, c: Caller, p: SeedSpec): Role[] =>
  c.roles.filter((role) => {
    if (!rule.roles.includes(role)) return false;
    const scope = RAW.scope[role] ?? "none";
    return scope === "all" || (scope === "force" && c.force !== null && c.force === p.force);
  });
function expectation(rule: RouteRule, c: Caller, p: SeedSpec): Expectation {
  if (!allowed(rule, c)) return "forbidden";
  if (seeingRoles(rule, c, p).length === 0) return "absent";
  if (p.lao && !c.lao) return RAW.limitedAccess.existence[viewOf(rule)] ? "reduced" : "absent";
  return "shown";
}

// Where each seeded value sits in the full views (the data team's, who sees everything), per view.
interface Location {
  view: string;
  path: string[];
  holder: Record<string, unknown>;
}
const NESTED: Record<string, Record<string, string>> = {
  PersonView: { openConflicts: "Conflict", deliveries: "Delivery" },
};
function locate(value: unknown, view: string, needle: string, path: string[] = [], out: Location[] = []) {
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      locate(v, view, needle, [...path, String(i)], out);
    });
  } else if (typeof value === "object" && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      const nested = path.length === 0 ? NESTED[view]?.[k] : undefined;
      if (nested && Array.isArray(v)) {
        for (const item of v) locate(item, nested, needle, [], out);
      } else if (typeof v === "string" && v.includes(needle)) {
        out.push({ view, path: [...path, k], holder: value as Record<string, unknown> });
      } else locate(v, view, needle, [...path, k], out);
    }
  }
  return out;
}
const segments = (pointer: string) =>
  pointer
    .split("/")
    .slice(1)
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
const segmentMatches = (pattern: string, seg: string) =>
  pattern === seg || (pattern === "*" && /^\d+$/.test(seg));
const withheldBy = (loc: Location, rule: { pointer: string; where?: Record<string, unknown[]> }) => {
  const p = segments(rule.pointer);
  const under = p.length <= loc.path.length && p.every((s, i) => segmentMatches(s, loc.path[i] as string));
  const [prop, values] = Object.entries(rule.where ?? {})[0] ?? [];
  return (
    under && (prop === undefined || (p.length === loc.path.length && values!.includes(loc.holder[prop])))
  );
};
const kept = (loc: Location) =>
  (RAW.limitedAccess.existence[loc.view] ?? []).some((k) => {
    const p = segments(k);
    return p.length <= loc.path.length && p.every((s, i) => segmentMatches(s, loc.path[i] as string));
  });

let t: TestApp;
const seeded = new Map<string, Seeded>();
/** Per person: each seeded value and where it sits in the full views. */
const located = new Map<string, Map<string, Location[]>>();

const call = async (who: Caller["name"], method: "GET" | "POST", url: string, payload?: object) =>
  t.app.inject({ method, url, headers: await authAs(who), ...(payload ? { payload } : {}) });

beforeAll(async () => {
  t = await testApp();
  for (const spec of SPECS) seeded.set(spec.tag, await seedPerson(t.db, spec));
  for (const [tag, p] of seeded) {
    const full: [string, unknown][] = [
      ["PersonView", (await call("data.team.1", "GET", `/v1/persons/${p.personId}`)).json()],
      ["Delivery", (await call("data.team.1", "GET", `/v1/deliveries?personId=${p.personId}`)).json().items],
    ];
    for (const id of p.conflictIds) {
      const { conflict, history } = (await call("data.team.1", "GET", `/v1/conflicts/${id}`)).json();
      full.push(["Conflict", conflict], ["ConflictEvent", history]);
    }
    const values = { ...p.secrets, pnc: p.keys.pnc, crn: p.keys.crn, nomis: p.keys.nomis };
    const where = new Map<string, Location[]>();
    for (const value of Object.values(values)) {
      where.set(
        value,
        full.flatMap(([view, v]) =>
          Array.isArray(v) ? v.flatMap((item) => locate(item, view, value)) : locate(v, view, value),
        ),
      );
    }
    located.set(tag, where);
  }
}, 120_000);
afterAll(() => t.done());

/** The seeded values (and, for a person not shown, their ids) the caller must not be given. */
function forbiddenValues(rule: RouteRule, c: Caller, p: Seeded, e: Expectation): string[] {
  const where = located.get(p.tag)!;
  if (e === "forbidden" || e === "absent") return [...where.keys(), p.personId];
  const seeing = seeingRoles(rule, c, p);
  return [...where].flatMap(([value, locations]) => {
    // A value nowhere in the full views (a limited-access offender's narrative is never pre-filled).
    if (locations.length === 0) return [value];
    const hidden = locations.some((loc) =>
      e === "reduced"
        ? !kept(loc)
        : seeing.every((role) => (RAW.withhold[role]?.[loc.view] ?? []).some((r) => withheldBy(loc, r))),
    );
    return hidden ? [value] : [];
  });
}

const CASES = CALLERS.flatMap((c) => SPECS.map((p) => [`${c.name} about ${p.tag}`, c, p.tag] as const));

describe.each(ROUTES.map((r) => [r.key, r] as const))("%s", (_, rule) => {
  it.each(CASES)("%s", async (_label, c, tag) => {
    const p = seeded.get(tag)!;
    const e = expectation(rule, c, p);
    const [method, pattern] = rule.key.split(" ") as ["GET" | "POST", string];
    const bodies: string[] = [];
    type Item = { personId?: string; person?: { id: string }; limitedAccess?: true };
    const listed = (items: Item[]) => items.filter((i) => (i.personId ?? i.person?.id) === p.personId);
    const shownInLists = e === "shown" || e === "reduced";

    if (rule.shows === "persons") {
      for (const body of [{ pnc: p.keys.pnc }, { crn: p.keys.crn }, { nomis: p.keys.nomis }]) {
        const res = await call(c.name, "POST", pattern, body);
        bodies.push(res.body);
        expect(res.statusCode, JSON.stringify(body)).toBe(e === "forbidden" ? 403 : 200);
        if (e === "forbidden") continue;
        const found = listed(res.json().items);
        expect(found.length, JSON.stringify(body)).toBe(shownInLists ? 1 : 0);
        if (e === "reduced") expect(found[0]?.limitedAccess).toBe(true);
      }
    } else if (rule.shows === "conflicts" || rule.shows === "deliveries") {
      const urls = [`${pattern}?personId=${p.personId}`, `${pattern}?limit=500`];
      if (rule.shows === "conflicts" && p.force) urls.push(`${pattern}?force=${p.force}&limit=500`);
      for (const url of urls) {
        const res = await call(c.name, "GET", url);
        bodies.push(res.body);
        expect(res.statusCode, url).toBe(e === "forbidden" ? 403 : 200);
        if (e === "forbidden") continue;
        const found = listed(res.json().items);
        expect(found.length > 0, url).toBe(shownInLists);
        if (e === "reduced") for (const item of found) expect(item.limitedAccess).toBe(true);
      }
    } else {
      const id = rule.shows === "person" ? p.personId : p.conflictIds[0]!;
      const res = await call(
        c.name,
        method,
        pattern.replace(":id", id),
        method === "POST" ? { action: "ACKNOWLEDGE" } : undefined,
      );
      bodies.push(res.body);
      const statuses = {
        forbidden: [403],
        absent: [404],
        reduced: [200],
        shown: method === "POST" ? [200, 409] : [200],
      };
      expect(statuses[e]).toContain(res.statusCode);
      if (e === "reduced") expect(res.json().limitedAccess).toBe(true);
    }

    const leaked = forbiddenValues(rule, c, p, e).filter((v) => bodies.some((b) => b.includes(v)));
    expect(leaked, `${c.name} was given what the policy withholds`).toEqual([]);
  });
});

describe("the matrix means something", () => {
  it("seeds every value where the data team sees it, and the policy withholds some of them from police", () => {
    for (const p of seeded.values()) {
      const where = located.get(p.tag)!;
      expect(where.get(p.secrets.oasysDob)!.length, p.tag).toBeGreaterThan(0);
      expect(where.get(p.secrets.receipt)!.length, p.tag).toBeGreaterThan(0);
      if (!p.lao) expect(where.get(p.secrets.victim)!.length, p.tag).toBeGreaterThan(0);
      if (p.force) expect(where.get(p.secrets.armsDob)!.length, p.tag).toBeGreaterThan(0);
    }
    const police = CALLERS.find((c) => c.name === "police.essex")!;
    const rule = policy.rules.find((r) => r.key === "GET /v1/persons/:id")!;
    const essex = seeded.get("ESX")!;
    expect(forbiddenValues(rule, police, essex, "shown")).toEqual(
      expect.arrayContaining([essex.secrets.oasysDob, essex.secrets.victim, essex.secrets.narrative]),
    );
  });

  it("police see their own force's person, with what is withheld named and the rest there", async () => {
    const essex = seeded.get("ESX")!;
    const view = (await call("police.essex", "GET", `/v1/persons/${essex.personId}`)).json();
    expect(view.person.pnc).toBe(essex.keys.pnc);
    expect(view.draft.content.caseFormulation).toBeNull();
    expect(view.draft.content.riskManagementPlan.monitoring).toContain("Fortnightly appointments");
    expect(view.withheld).toEqual(
      expect.arrayContaining(["/draft/content/caseFormulation", "/draft/content/subject/dateOfBirth"]),
    );
    const dob = view.openConflicts.find((c: { ruleId: string }) => c.ruleId === "ID-3");
    expect(dob.withheld).toEqual(["/evidence/*/value"]);
    expect(dob.evidence.map((e: { value: unknown }) => e.value)).toEqual([null, null]);
  });

  it("covers every route whose answer can hold a person's records: each says what it shows", async () => {
    const doc = (await call("admin.user", "GET", "/docs/json")).json();
    const VIEWS = new Set(["PersonView", "Conflict", "ConflictEvent", "Delivery"]);
    const refs = (schema: unknown, seen = new Set<string>()): string[] => {
      if (typeof schema !== "object" || schema === null) return [];
      const ref = (schema as { $ref?: string }).$ref?.split("/").pop();
      if (ref && !seen.has(ref)) {
        seen.add(ref);
        return [ref, ...refs(doc.components.schemas[ref], seen)];
      }
      return Object.values(schema).flatMap((v) => refs(v, seen));
    };
    for (const [path, item] of Object.entries<Record<string, { responses: Record<string, unknown> }>>(
      doc.paths,
    )) {
      for (const [method, op] of Object.entries(item)) {
        const shown = refs(op.responses["200"] ?? op.responses["202"]).some((r) => VIEWS.has(r));
        const key = `${method.toUpperCase()} ${path.replace(/\{([^}]+)\}/g, ":$1")}`;
        if (shown) expect(policy.rules.find((r) => r.key === key)?.shows, key).toBeDefined();
      }
    }
  });
});
