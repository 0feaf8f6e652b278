/**
 * The access policy (`mappings/access-policy.yaml`, schema `schemas/access-policy.schema.json`): token
 * authorities -> the bridge's roles, the public routes, and for every other route which roles (and which
 * kinds of caller) may call it. Parsing is pure (text in, policy or error out); `loadAccessPolicy` does the
 * one file read. Every error names the file, line and column, as the thresholds file's do.
 *
 * Routes are named by method and the URL pattern the API declares (`GET /v1/persons/:id`); HEAD is GET's.
 * A pattern ending in `/**` covers that path and everything under it (the OpenAPI UI's assets).
 * `checkCoverage` refuses a route the policy does not name and an entry naming no route: fail closed.
 * A route that answers with records says which (`shows`); what of them each caller sees is the file's
 * `visibility` section, checked against the views' schemas as the file is read (visibility-policy.ts).
 *
 * `pages` does the same for the data team's web pages (src/web/), which a person reaches with a session,
 * never a bearer token: its `public` pages answer anyone (signing in, the assets), its `routes` name the
 * roles that may see each page (people only). The API routes and the pages are checked together when the
 * web pages are mounted; without them (an app with the API alone) the `pages` entries are not used.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type Document, LineCounter, type Node, parseDocument } from "yaml";
import { nodeAt } from "../core/data-file.ts";
import { schemaValidator } from "../core/schemas.ts";
import { BridgeError } from "../errors.ts";
import { type Principal, ROLES, type Role } from "./principal.ts";
import type { Visibility } from "./visibility.ts";
import { parseVisibility, type VisibilityFile } from "./visibility-policy.ts";

export const ACCESS_POLICY_SCHEMA = "access-policy.schema.json";
export const DEFAULT_ACCESS_POLICY_PATH = fileURLToPath(
  new URL("../../mappings/access-policy.yaml", import.meta.url),
);

export type PrincipalKind = Principal["kind"];
/** What records a route answers with: one (404 when not visible) or a list scoped in its query. */
export type Shows = "person" | "persons" | "conflict" | "conflicts" | "deliveries";

/** Who may call one route. */
export interface RouteRule {
  /** `METHOD pattern` as written in the file. */
  key: string;
  roles: readonly Role[];
  principals: readonly PrincipalKind[];
  /** System clients allowed by client_id whatever their roles. */
  clients: readonly string[];
  /** The records the route answers with, which go through the visibility rules; absent: none. */
  shows?: Shows;
}

export interface AccessPolicy {
  file: string;
  /** Token authority -> role. */
  authorities: ReadonlyMap<string, Role>;
  /** Every API route rule, in file order. */
  rules: readonly RouteRule[];
  /** What of the records a read shows each caller (src/auth/visibility.ts applies it). */
  visibility: Visibility;
  /** Whether the route answers without a token. */
  isPublic(method: string, url: string): boolean;
  /** The rule for a route, or null when the policy does not name it. */
  rule(method: string, url: string): RouteRule | null;
  /** The roles a route's rule names (for the API description); undefined for public or unknown routes. */
  rolesFor(method: string, url: string): readonly Role[] | undefined;
  /** Whether a web page answers without a session (signing in, the assets). */
  isPublicPage(method: string, url: string): boolean;
  /** The rule for a web page that needs a session, or null when `pages.routes` does not name it. */
  page(method: string, url: string): RouteRule | null;
  /** Whether the route is a web page (public or not): it signs in with a session, not a bearer token. */
  isPage(method: string, url: string): boolean;
  /** Whether an unmatched path is under the API's paths (the first segment of a route the policy names). */
  isApiPath(path: string): boolean;
  /**
   * Checks the app's routes against the policy; throws naming every route not covered and stale entry.
   * `pages`: the web pages are mounted, so `pages` entries must each name a route and cover the web's.
   */
  checkCoverage(routes: readonly { method: string; url: string }[], options?: { pages?: boolean }): void;
}

interface PolicyFile {
  version: 1;
  authorities: Record<string, Role>;
  public: string[];
  routes: Record<
    string,
    { roles: Role[]; principals?: PrincipalKind[]; clients?: string[]; shows?: Shows; why?: string }
  >;
  visibility: VisibilityFile;
  pages?: { public?: string[]; routes?: Record<string, { roles: Role[]; why?: string }> };
}

interface Position {
  line: number;
  column: number;
}

function invalid(file: string, at: Position | null, path: string, reason: string): BridgeError {
  const where = at ? `${file}:${at.line}:${at.column}` : file;
  return new BridgeError("BRIDGE_E_ACCESS_POLICY_INVALID", `${where} ${path} ${reason}`, {
    file,
    line: at?.line ?? null,
    column: at?.column ?? null,
    path,
  });
}

function positionOf(node: Node | null, lines: LineCounter): Position | null {
  const offset = node?.range?.[0];
  if (offset === undefined) return null;
  const { line, col } = lines.linePos(offset);
  return { line, column: col };
}

const escapePointer = (s: string) => s.replace(/~/g, "~0").replace(/\//g, "~1");

/** Whether a request's method (HEAD is GET) and route URL match a policy key. */
function matches(key: string, method: string, url: string): boolean {
  const space = key.indexOf(" ");
  if (key.slice(0, space) !== (method === "HEAD" ? "GET" : method)) return false;
  const pattern = key.slice(space + 1);
  if (!pattern.endsWith("/**")) return pattern === url;
  const base = pattern.slice(0, -3);
  return url === base || url.startsWith(`${base}/`);
}

/** Parse and validate the policy YAML. Throws `BRIDGE_E_ACCESS_POLICY_INVALID` naming file:line:column. */
export function parseAccessPolicy(text: string, file: string): AccessPolicy {
  const lines = new LineCounter();
  const doc: Document = parseDocument(text, { lineCounter: lines, prettyErrors: true });
  const syntax = doc.errors[0];
  if (syntax) {
    const pos = syntax.linePos?.[0];
    const at = pos ? { line: pos.line, column: pos.col } : null;
    throw invalid(file, at, "/", syntax.message.split("\n")[0] ?? "");
  }
  const data = doc.toJS() as unknown;
  const validate = schemaValidator(ACCESS_POLICY_SCHEMA);
  if (!validate(data)) {
    const e = validate.errors?.[0];
    const extra = e?.keyword === "additionalProperties" ? (e.params as { additionalProperty: string }) : null;
    // A key that breaks `propertyNames` (a route not written METHOD /path): ajv names it on the error.
    const name = (e as { propertyName?: string } | undefined)?.propertyName ?? null;
    const node = nodeAt(doc, e?.instancePath ?? "", extra?.additionalProperty ?? name ?? undefined);
    const reason = extra
      ? `has an unknown setting "${extra.additionalProperty}"`
      : name !== null
        ? `has a key "${name}" that is not allowed here (${e?.message})`
        : e?.keyword === "enum"
          ? `${e.message} (${JSON.stringify((e.params as { allowedValues: unknown[] }).allowedValues)})`
          : (e?.message ?? "is invalid");
    throw invalid(file, positionOf(node, lines), e?.instancePath || "/", reason);
  }
  const parsed = data as PolicyFile;
  const keyAt = (pointer: string, key: string) => positionOf(nodeAt(doc, pointer, key), lines);

  for (const [i, key] of parsed.public.entries()) {
    if (parsed.routes[key]) {
      const at = keyAt("/routes", key);
      throw invalid(file, at, `/routes/${escapePointer(key)}`, `is also listed as public (/public/${i})`);
    }
  }
  const rules: RouteRule[] = Object.entries(parsed.routes).map(([key, r]) => ({
    key,
    roles: [...r.roles],
    principals: [...(r.principals ?? ["user", "system"])],
    clients: [...(r.clients ?? [])],
    ...(r.shows ? { shows: r.shows } : {}),
  }));
  for (const r of rules) {
    if (r.clients.length > 0 && !r.principals.includes("system")) {
      const at = keyAt(`/routes/${escapePointer(r.key)}`, "clients");
      throw invalid(
        file,
        at,
        `/routes/${escapePointer(r.key)}/clients`,
        "names clients but systems may not call it",
      );
    }
  }
  const publicPages = parsed.pages?.public ?? [];
  const pageRules: RouteRule[] = Object.entries(parsed.pages?.routes ?? {}).map(([key, r]) => ({
    key,
    roles: [...r.roles],
    principals: ["user"],
    clients: [],
  }));
  // A route is the API's or a page, never both: a page does not take a token, a route does not read a session.
  const apiKeys = [...parsed.public.map((key, i) => [key, `/public/${i}`]), ...rules.map((r) => [r.key, ""])];
  for (const [key, where] of apiKeys as [string, string][]) {
    const i = publicPages.indexOf(key);
    const pointer = i >= 0 ? `/pages/public/${i}` : parsed.pages?.routes?.[key] ? "/pages/routes" : null;
    if (pointer === null) continue;
    const at = i >= 0 ? positionOf(nodeAt(doc, pointer), lines) : keyAt("/pages/routes", key);
    throw invalid(file, at, pointer, `"${key}" is also an API route (${where || "/routes"})`);
  }
  const visibility = parseVisibility(parsed.visibility, (pointer, reason) =>
    invalid(file, positionOf(nodeAt(doc, pointer), lines), pointer, reason),
  );
  const authorities = new Map(Object.entries(parsed.authorities));
  const find = (list: readonly RouteRule[], method: string, url: string) => {
    // An exact entry wins over a `/**` one.
    const exact = list.find((r) => !r.key.endsWith("/**") && matches(r.key, method, url));
    return exact ?? list.find((r) => matches(r.key, method, url)) ?? null;
  };
  const lookup = (method: string, url: string) => find(rules, method, url);
  const page = (method: string, url: string) => find(pageRules, method, url);
  const isPublic = (method: string, url: string) => parsed.public.some((key) => matches(key, method, url));
  const isPublicPage = (method: string, url: string) => publicPages.some((key) => matches(key, method, url));
  const apiSegments = new Set(
    [...parsed.public, ...rules.map((r) => r.key)].map((key) => key.split(" ")[1]?.split("/")[1] ?? ""),
  );

  return {
    file,
    authorities,
    rules,
    visibility,
    isPublic,
    rule: lookup,
    rolesFor: (method, url) => (isPublic(method, url) ? undefined : lookup(method, url)?.roles),
    isPublicPage,
    page,
    isPage: (method, url) => isPublicPage(method, url) || page(method, url) !== null,
    isApiPath: (path) => apiSegments.has(path.split("?", 1)[0]?.split("/")[1] ?? ""),
    checkCoverage(routes, options = {}) {
      const missing = new Set<string>();
      const used = new Set<string>();
      const withPages = options.pages === true;
      for (const { method, url } of routes) {
        if (method === "OPTIONS") continue;
        const publicKey =
          parsed.public.find((key) => matches(key, method, url)) ??
          (withPages ? publicPages.find((key) => matches(key, method, url)) : undefined);
        const rule = publicKey ? null : (lookup(method, url) ?? (withPages ? page(method, url) : null));
        if (publicKey) used.add(publicKey);
        else if (rule) used.add(rule.key);
        else missing.add(`${method === "HEAD" ? "GET" : method} ${url}`);
      }
      if (missing.size > 0) {
        throw invalid(
          file,
          null,
          "/routes",
          `names no rule for ${[...missing].join(", ")}: list each under routes (with the roles that may call it) or under public${withPages ? " (a web page: under pages.routes or pages.public)" : ""}; the API does not start with a route the policy does not cover`,
        );
      }
      const stale = [...parsed.public, ...Object.keys(parsed.routes)].find((key) => !used.has(key));
      if (stale) {
        const isPublicKey = parsed.public.includes(stale);
        const at = isPublicKey
          ? positionOf(nodeAt(doc, `/public/${parsed.public.indexOf(stale)}`), lines)
          : keyAt("/routes", stale);
        throw invalid(file, at, isPublicKey ? "/public" : "/routes", `"${stale}" names no route the API has`);
      }
      const stalePage = withPages
        ? [...publicPages, ...pageRules.map((r) => r.key)].find((key) => !used.has(key))
        : undefined;
      if (stalePage) {
        const i = publicPages.indexOf(stalePage);
        const at =
          i >= 0 ? positionOf(nodeAt(doc, `/pages/public/${i}`), lines) : keyAt("/pages/routes", stalePage);
        throw invalid(
          file,
          at,
          i >= 0 ? "/pages/public" : "/pages/routes",
          `"${stalePage}" names no page the web has`,
        );
      }
    },
  };
}

/** Loads the policy file once (IO at start-up only). */
export function loadAccessPolicy(path: string = DEFAULT_ACCESS_POLICY_PATH): AccessPolicy {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new BridgeError(
      "BRIDGE_E_ACCESS_POLICY_INVALID",
      `${path} could not be read`,
      { file: path },
      {
        cause: e,
      },
    );
  }
  return parseAccessPolicy(text, path);
}

/** Whether the policy lets this caller call the route the rule is for. */
export function allows(rule: RouteRule, principal: Principal): boolean {
  if (!rule.principals.includes(principal.kind)) return false;
  if (principal.kind === "system" && rule.clients.includes(principal.subject)) return true;
  return principal.roles.some((role) => rule.roles.includes(role));
}

/** The roles a token's authorities grant, in the order ROLES lists them; unknown authorities grant none. */
export function rolesOf(policy: Pick<AccessPolicy, "authorities">, authorities: readonly string[]): Role[] {
  const granted = new Set(authorities.map((a) => policy.authorities.get(a)).filter((r) => r !== undefined));
  return ROLES.filter((role) => granted.has(role));
}
