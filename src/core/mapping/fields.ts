/**
 * Scalar copies (`fields:` in the mapping): identity (row 26) and source-assessment metadata (rows 23, 25).
 * Each yields a value with its provenance, or the reason it is left empty. Invalid identifiers are never
 * copied (ID-1, ID-2): the assessor sees why.
 */
import type { Prefill } from "../arms/model.ts";
import type { Identifier, OasysAssessment } from "../oasys/model.ts";
import { answerState, describeState } from "./answers.ts";
import { type MapContext, prefillFor } from "./context.ts";
import type { FieldRule } from "./spec.ts";

export type FieldOutcome =
  | { filled: true; value: string | number; prefill: Prefill }
  | { filled: false; reason: string };

/** The canonical-model value a `from:` path names (paths are fixed by the mapping schema). */
const pathCache = new Map<string, string[]>();

function valueAt(a: OasysAssessment, from: string): unknown {
  let keys = pathCache.get(from);
  if (!keys) {
    keys = from.split(".");
    pathCache.set(from, keys);
  }
  let v: unknown = a;
  for (const k of keys)
    v = v === null || typeof v !== "object" ? undefined : (v as Record<string, unknown>)[k];
  return v;
}

const shown = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

export function mapField(ctx: MapContext, rule: FieldRule): FieldOutcome {
  const a = ctx.assessment;
  const fill = (value: string | number, question: string, sourceValue: string | null): FieldOutcome => ({
    filled: true,
    value,
    prefill: prefillFor(ctx, rule, question, sourceValue),
  });
  if (rule.constant !== undefined) return fill(String(rule.constant), "constant", null);

  if (rule.question !== undefined) {
    const state = answerState(a, rule.question);
    if (state.kind !== "VALUE") return { filled: false, reason: describeState(rule.question, state) };
    if (rule.as === "yesno" && state.token !== "YES" && state.token !== "NO") {
      return { filled: false, reason: `${describeState(rule.question, state)}, not YES or NO` };
    }
    return fill(state.token, rule.question, state.raw);
  }

  const from = rule.from as string;
  const question = from.startsWith("offender.") ? `offender/${from.slice(9)}` : from;
  const raw = valueAt(a, from);
  const absent = { filled: false as const, reason: `OASys holds no ${question} for this assessment` };
  switch (rule.as) {
    case "identifier": {
      const id = raw as Identifier | null;
      if (!id) return absent;
      if (!id.valid || id.canonical === null) {
        return {
          filled: false,
          reason: `the OASys ${question} fails its format or check-character test: not copied; confirm the identity (ID-1/ID-2)`,
        };
      }
      return fill(id.canonical, question, id.raw);
    }
    case "date": {
      const s = raw as string | null;
      return s ? fill(s.slice(0, 10), question, s) : absent;
    }
    case "integer":
      return typeof raw === "number" ? fill(raw, question, String(raw)) : absent;
    case "forenames": {
      const names = (raw as string[] | undefined) ?? [];
      return names.length > 0 ? fill(names.join(" "), question, names.join(" ")) : absent;
    }
    case "gender":
    case "text":
      return typeof raw === "string" && raw !== "" ? fill(raw, question, shown(raw)) : absent;
    default:
      return absent;
  }
}

interface SchemaNode {
  $ref?: string;
  properties?: Record<string, SchemaNode>;
  maxLength?: number;
}

/**
 * The `maxLength` the ARMS interchange schema sets for the field at `pointer`, or null. Read from the schema
 * itself so a value that cannot fit is left unfilled with a reason instead of producing an invalid draft.
 */
export function armsMaxLength(schema: SchemaNode, pointer: string): number | null {
  const definitions = (schema as { definitions?: Record<string, SchemaNode> }).definitions ?? {};
  const deref = (n: SchemaNode | undefined): SchemaNode | undefined =>
    n?.$ref?.startsWith("#/definitions/") ? deref(definitions[n.$ref.slice(14)]) : n;
  let node: SchemaNode | undefined = schema;
  for (const key of pointer.slice(1).split("/")) node = deref(deref(node)?.properties?.[key]);
  return node?.maxLength ?? null;
}
