/**
 * The access policy's `visibility` section (mappings/access-policy.yaml), after the file passed its JSON
 * Schema: turned into the rules src/auth/visibility.ts applies, and checked against the API's response
 * schemas (schemas/http/) so a rule that could not work stops start-up, naming file:line:column:
 * - every pointer names a field the view has (`*` only where the view has an array);
 * - every field a rule withholds can be withheld and the answer still satisfy the view's schema: its
 *   schema allows null, or it is an array (answered empty), or it is free-form;
 * - likewise everything an `existence` list does not keep; and a `where` names a property the object
 *   holding the field has.
 * Inside a free-form part of a view (the draft's content) pointers cannot be checked further.
 */
import { apiSchemas } from "../http/schemas.ts";
import type { Role } from "./principal.ts";
import {
  pointerSegments,
  type Scope,
  type ViewKind,
  type Visibility,
  type WithholdRule,
} from "./visibility.ts";

export interface VisibilityFile {
  scope: Partial<Record<Role, Scope>>;
  limitedAccess: { existence: Partial<Record<ViewKind, string[]>> };
  withhold: Partial<
    Record<
      Role,
      Partial<Record<ViewKind, { pointer: string; where?: Record<string, unknown[]>; why: string }[]>>
    >
  >;
}

/** Where a problem is in the file (`/visibility/...` pointer, optional key) and what it is. */
export type Refuse = (pointer: string, reason: string) => Error;

type SchemaNode = {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  enum?: unknown[];
  const?: unknown;
};

/** Markers the applier adds; not fields of the record. */
const MARKERS = new Set(["withheld", "limitedAccess"]);

function schemaNamed(name: string): SchemaNode | undefined {
  return apiSchemas().find((s) => s.$id === name) as SchemaNode | undefined;
}

function resolve(node: SchemaNode): SchemaNode {
  let n = node;
  for (let i = 0; n.$ref && i < 10; i++) {
    const target = schemaNamed(n.$ref.replace(/#$/, ""));
    if (!target) break;
    n = target;
  }
  return n;
}

const types = (n: SchemaNode): string[] => (n.type === undefined ? [] : [n.type].flat());
const isArray = (n: SchemaNode) => types(n).includes("array");
/** Free-form: nothing below it is described (the draft's content, a receipt). */
const isFreeForm = (n: SchemaNode) =>
  n.properties === undefined &&
  n.items === undefined &&
  !isArray(n) &&
  n.enum === undefined &&
  n.const === undefined;

/** Whether the field can be answered as null (or, for an array, empty) and still satisfy its schema. */
function maskable(n: SchemaNode): boolean {
  if (isArray(n) || types(n).includes("null")) return true;
  return types(n).length === 0 && n.enum === undefined && n.const === undefined;
}

/**
 * The schema of the field a pointer names, with the schema of the object holding it; null at a free-form
 * node (nothing further can be checked). Throws the reason when the view has no such field.
 */
function fieldAt(
  view: ViewKind,
  segments: readonly string[],
): { field: SchemaNode; holder: SchemaNode } | null {
  let node = resolve(schemaNamed(view) ?? {});
  let holder = node;
  for (const seg of segments) {
    if (isFreeForm(node)) return null;
    holder = node;
    if (seg === "*") {
      if (!isArray(node) || !node.items) throw new Error(`"*" is not at an array of ${view}`);
      node = resolve(node.items);
    } else {
      const next = node.properties?.[seg];
      if (!next || MARKERS.has(seg)) throw new Error(`${view} has no field "${seg}" there`);
      node = resolve(next);
    }
  }
  return { field: node, holder };
}

/** Everything a keep-list does not keep must be maskable (names the first field that is not). */
function checkComplement(view: ViewKind, node: SchemaNode, keep: readonly string[][], path: string[]): void {
  if (keep.some((k) => k.length === 0)) return;
  if (isFreeForm(node)) return;
  if (isArray(node)) {
    const inner = keep.filter((k) => k[0] === "*").map((k) => k.slice(1));
    if (node.items) checkComplement(view, resolve(node.items), inner, [...path, "*"]);
    return;
  }
  for (const [name, prop] of Object.entries(node.properties ?? {})) {
    if (MARKERS.has(name)) continue;
    const inner = keep.filter((k) => k[0] === name).map((k) => k.slice(1));
    const field = resolve(prop);
    if (inner.length > 0) checkComplement(view, field, inner, [...path, name]);
    else if (!maskable(field)) {
      throw new Error(
        `leaves ${view} /${[...path, name].join("/")} to withhold, which its schema does not allow to be null: keep it`,
      );
    }
  }
}

/** The section as the applier's rules; `refuse` builds the error for a problem at a pointer. */
export function parseVisibility(file: VisibilityFile, refuse: Refuse): Visibility {
  const check = (at: string, fn: () => void) => {
    try {
      fn();
    } catch (e) {
      throw refuse(at, (e as Error).message);
    }
  };
  const existence = new Map<ViewKind, readonly string[]>();
  for (const [view, pointers] of Object.entries(file.limitedAccess.existence) as [ViewKind, string[]][]) {
    pointers.forEach((p, i) => {
      check(`/visibility/limitedAccess/existence/${view}/${i}`, () => fieldAt(view, pointerSegments(p)));
    });
    check(`/visibility/limitedAccess/existence/${view}`, () =>
      checkComplement(view, resolve(schemaNamed(view) ?? {}), pointers.map(pointerSegments), []),
    );
    existence.set(view, [...pointers]);
  }
  const withhold = new Map<Role, Map<ViewKind, WithholdRule[]>>();
  for (const [role, views] of Object.entries(file.withhold) as [Role, VisibilityFile["withhold"][Role]][]) {
    const byView = new Map<ViewKind, WithholdRule[]>();
    for (const [view, rules] of Object.entries(views ?? {}) as [
      ViewKind,
      NonNullable<typeof views>[ViewKind],
    ][]) {
      const parsed = (rules ?? []).map((r, i): WithholdRule => {
        const segments = pointerSegments(r.pointer);
        const [property, values] = Object.entries(r.where ?? {})[0] ?? [];
        check(`/visibility/withhold/${role}/${view}/${i}/pointer`, () => {
          const found = fieldAt(view, segments);
          if (!found) return;
          if (!maskable(found.field)) {
            throw new Error(`names a field of ${view} whose schema does not allow it to be null`);
          }
          if (property !== undefined && found.holder.properties && !found.holder.properties[property]) {
            throw new Error(`has a where on "${property}", which the object holding the field does not have`);
          }
        });
        return {
          pointer: r.pointer,
          segments,
          where: property === undefined ? null : { property, values: values ?? [] },
        };
      });
      byView.set(view, parsed);
    }
    withhold.set(role, byView);
  }
  const scope = new Map(Object.entries(file.scope) as [Role, Scope][]);
  return { scope, existence, withhold };
}
