/**
 * What of a record a caller is shown: the one applier of the access policy's `visibility` section
 * (mappings/access-policy.yaml, parsed and checked against the views' schemas by visibility-policy.ts).
 * Pure: a view, the person it is about, the caller and the policy in; the view as the caller may see it,
 * or NOT_VISIBLE, out. Every route that shows records goes through it (the route's policy entry says
 * `shows`), the single-record routes answering 404 for NOT_VISIBLE; the list routes put the same rules
 * into their queries (`scope`), so pages and cursors count only what the caller may see.
 *
 * - Scope, per role: `all`, `force` (the person's force is the caller's; a person with no force is no
 *   one's), `none`. Only the caller's roles the route allows count; a caller sees a record when any of
 *   them does.
 * - Limited-access offenders: a caller without `laoAccess` sees of such a person's record only what the
 *   view's `existence` list keeps (`limitedAccess: true` says so), or nothing when the view is not listed.
 * - Withheld fields, per role and view, by JSON pointer (`*`: every item of an array; `where`: only where
 *   the object holding the field has one of the values): answered as null (an array: empty) and named in
 *   the view's `withheld`. A caller with several roles that see the record is shown what any of them is.
 * A PersonView's openConflicts and deliveries are Conflict and Delivery views, each shown by its own rules.
 */
import type { PersonScope } from "../store/repositories/visibility.ts";
import type { Principal, Role } from "./principal.ts";

export const VIEWS = ["PersonView", "Conflict", "ConflictEvent", "Delivery"] as const;
export type ViewKind = (typeof VIEWS)[number];
export type Scope = "all" | "force" | "none";
export type { PersonScope };

export interface WithholdRule {
  /** As written in the policy: `/evidence/*\/value`. */
  pointer: string;
  segments: readonly string[];
  where: { property: string; values: readonly unknown[] } | null;
}

export interface Visibility {
  scope: ReadonlyMap<Role, Scope>;
  /** Per view, the pointers a caller without lao_access is shown of a limited-access offender's record. */
  existence: ReadonlyMap<ViewKind, readonly string[]>;
  withhold: ReadonlyMap<Role, ReadonlyMap<ViewKind, readonly WithholdRule[]>>;
}

/** The person a record is about, as far as visibility goes. */
export interface Subject {
  force: string | null;
  limitedAccess: boolean;
}

export const NOT_VISIBLE: unique symbol = Symbol("not visible");
export type Shown<T> = T | typeof NOT_VISIBLE;

/** Views inside a view, shown by their own rules: `[property holding an array of them, their view]`. */
export const NESTED: Readonly<Partial<Record<ViewKind, readonly (readonly [string, ViewKind])[]>>> = {
  PersonView: [
    ["openConflicts", "Conflict"],
    ["deliveries", "Delivery"],
  ],
};

/** What a route handler asks of the caller it serves (`request.viewer`, set by the auth plugin). */
export interface Viewer {
  /** Which persons' records a list of this view may hold for the caller: for its query. */
  scope(kind: ViewKind): PersonScope;
  /** Whether a record of this view about this person is there at all for the caller. */
  sees(kind: ViewKind, subject: Subject): boolean;
  /** The view as the caller may see it (a copy), or NOT_VISIBLE. */
  show<T extends object>(kind: ViewKind, view: T, subject: Subject): Shown<T>;
}

export const unescapePointer = (s: string): string => s.replace(/~1/g, "/").replace(/~0/g, "~");
export const escapePointer = (s: string): string => s.replace(/~/g, "~0").replace(/\//g, "~1");
export const pointerSegments = (pointer: string): string[] =>
  pointer.split("/").slice(1).map(unescapePointer);
const pointerOf = (segments: readonly string[]): string =>
  segments.map((s) => `/${escapePointer(s)}`).join("");

const isEmpty = (v: unknown): boolean =>
  v === null || v === undefined || (Array.isArray(v) && v.length === 0);
const emptied = (v: unknown): null | [] => (Array.isArray(v) ? [] : null);
type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** Withholds every location the rule names in `root` (mutated); true when anything was there. */
function withholdAt(root: unknown, rule: WithholdRule): boolean {
  let hit = false;
  const last = rule.segments.length - 1;
  const visit = (node: unknown, i: number): void => {
    if (typeof node !== "object" || node === null) return;
    const seg = rule.segments[i] as string;
    const keys = seg === "*" ? (Array.isArray(node) ? [...node.keys()].map(String) : []) : [seg];
    const holder = node as Json;
    for (const key of keys) {
      if (!Object.hasOwn(holder, key)) continue;
      if (i < last) {
        visit(holder[key], i + 1);
        continue;
      }
      if (rule.where && !rule.where.values.includes(holder[rule.where.property])) continue;
      if (isEmpty(holder[key])) continue;
      holder[key] = emptied(holder[key]);
      hit = true;
    }
  };
  visit(root, 0);
  return hit;
}

interface Trie {
  keep: boolean;
  children: Map<string, Trie>;
}

function trieOf(pointers: readonly string[]): Trie {
  const root: Trie = { keep: false, children: new Map() };
  for (const p of pointers) {
    let node = root;
    for (const seg of pointerSegments(p)) {
      let next = node.children.get(seg);
      if (!next) {
        next = { keep: false, children: new Map() };
        node.children.set(seg, next);
      }
      node = next;
    }
    node.keep = true;
  }
  return root;
}

/** A copy of `node` holding only what the trie keeps; everything else emptied and its pointer recorded. */
function keepOnly(node: unknown, trie: Trie, path: string[], withheld: Set<string>): unknown {
  if (trie.keep) return node;
  if (Array.isArray(node)) {
    const items = trie.children.get("*");
    return items ? node.map((item) => keepOnly(item, items, [...path, "*"], withheld)) : [];
  }
  if (!isObject(node)) return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) {
    const child = trie.children.get(key);
    const descend =
      child !== undefined &&
      (child.keep || (Array.isArray(value) ? child.children.has("*") : isObject(value)));
    if (descend) {
      out[key] = keepOnly(value, child, [...path, key], withheld);
    } else {
      out[key] = emptied(value);
      if (!isEmpty(value)) withheld.add(pointerOf([...path, key]));
    }
  }
  return out;
}

const ruleKey = (r: WithholdRule) => `${r.pointer} ${JSON.stringify(r.where)}`;

function sameForce(a: string | null, b: string | null): boolean {
  return a !== null && b !== null && a.toUpperCase() === b.toUpperCase();
}

/**
 * The caller as a route sees them: the caller's roles the route allows (`routeRoles`; all of them when
 * not given), their force and their lao_access, under the policy's visibility rules.
 */
export function viewerFor(
  visibility: Visibility,
  principal: Principal,
  routeRoles: readonly Role[] = principal.roles,
): Viewer {
  const roles = principal.roles.filter((r) => routeRoles.includes(r));
  const scopeOf = (role: Role): Scope => visibility.scope.get(role) ?? "none";
  const rolesSeeing = (subject: Subject): Role[] =>
    roles.filter((role) => {
      const scope = scopeOf(role);
      return scope === "all" || (scope === "force" && sameForce(principal.force, subject.force));
    });
  const reducedFor = (subject: Subject) => subject.limitedAccess && !principal.laoAccess;
  const sees = (kind: ViewKind, subject: Subject): boolean =>
    rolesSeeing(subject).length > 0 && (!reducedFor(subject) || visibility.existence.has(kind));

  /** The rules every role that sees the record applies (a field any of them may see is shown). */
  const rulesFor = (kind: ViewKind, seeing: readonly Role[]): WithholdRule[] => {
    const [first, ...rest] = seeing.map((role) => visibility.withhold.get(role)?.get(kind) ?? []);
    if (!first) return [];
    return first.filter((rule) => rest.every((rules) => rules.some((r) => ruleKey(r) === ruleKey(rule))));
  };

  const show = <T extends object>(kind: ViewKind, view: T, subject: Subject): Shown<T> => {
    if (!sees(kind, subject)) return NOT_VISIBLE;
    const withheld = new Set<string>();
    const reduced = reducedFor(subject);
    let copy = structuredClone(view) as unknown as Json;
    if (reduced) copy = keepOnly(copy, trieOf(visibility.existence.get(kind) ?? []), [], withheld) as Json;
    for (const rule of rulesFor(kind, rolesSeeing(subject))) {
      if (withholdAt(copy, rule)) withheld.add(rule.pointer);
    }
    for (const [property, nestedKind] of NESTED[kind] ?? []) {
      const items = copy[property];
      if (!Array.isArray(items)) continue;
      copy[property] = items
        .map((item) => show(nestedKind, item as object, subject))
        .filter((item) => item !== NOT_VISIBLE);
    }
    if (withheld.size > 0) copy.withheld = [...withheld];
    if (reduced) copy.limitedAccess = true;
    return copy as unknown as T;
  };

  return {
    scope(kind) {
      const scopes = roles.map(scopeOf);
      const forces: PersonScope["forces"] = scopes.includes("all")
        ? "ALL"
        : scopes.includes("force") && principal.force !== null
          ? [principal.force.toUpperCase()]
          : [];
      const limitedAccess = principal.laoAccess || visibility.existence.has(kind) ? "include" : "exclude";
      return { forces, limitedAccess };
    },
    sees,
    show,
  };
}

/** A viewer that sees nothing (public routes, unknown routes: nothing there shows records). */
export const NOBODY: Viewer = {
  scope: () => ({ forces: [], limitedAccess: "exclude" }),
  sees: () => false,
  show: () => NOT_VISIBLE,
};

/** `viewerFor(...).show(...)`: the one function, for callers holding the parts rather than a request. */
export function applyVisibility<T extends object>(
  view: T,
  kind: ViewKind,
  subject: Subject,
  principal: Principal,
  visibility: Visibility,
  routeRoles?: readonly Role[],
): Shown<T> {
  return viewerFor(visibility, principal, routeRoles).show(kind, view, subject);
}
