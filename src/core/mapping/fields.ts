/**
 * Scalar copies (`fields:` in the mapping): identity (row 26) and source-assessment metadata (rows 23, 25).
 * Each writes a value with its provenance, or null and the reason it is left empty. Only a VALID identifier is
 * copied: an invalid or ambiguous one never is (ID-1, ID-2), and a placeholder (`UNKNOWN PNC`) is absent.
 */
import type { Prefill } from "../arms/model.ts";
import { identifierStatus } from "../identity/identifiers.ts";
import type { Identifier, OasysAssessment } from "../oasys/model.ts";
import { answerOf, answerState, describeState, tokenOf } from "./answers.ts";
import { type MapContext, prefillFor } from "./context.ts";
import { type FieldStep, setAt } from "./plan.ts";

/** Where a field's outcome goes: the draft's scalar owners, and its provenance and reason maps. */
export interface FieldSink {
  scalars: Record<string, unknown>;
  prefillProvenance: Record<string, Prefill>;
  unfilledReasons: Record<string, string>;
}

/** The canonical-model value a `from:` path names (paths are fixed by the mapping schema). */
function valueAt(a: OasysAssessment, keys: readonly string[]): unknown {
  let v: unknown = a;
  for (const k of keys)
    v = v === null || typeof v !== "object" ? undefined : (v as Record<string, unknown>)[k];
  return v;
}

const shown = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

/**
 * Fill the field with its value and provenance: null; or, for a string longer than the ARMS field allows,
 * the reason it is left empty instead.
 */
function fill(
  ctx: MapContext,
  sink: FieldSink,
  step: FieldStep,
  value: string | number,
  question: string,
  sourceValue: string | null,
): string | null {
  const limit = step.limit;
  if (typeof value === "string" && limit !== null && value.length > limit)
    return `the OASys value is longer than the ARMS field allows (${limit} characters): not copied; the assessor completes it`;
  setAt(sink.scalars, step.target, value);
  sink.prefillProvenance[step.target.pointer] = prefillFor(ctx, step.rule, question, sourceValue);
  return null;
}

/** Fill the field (null), or the reason it is left empty. */
function fillOrReason(ctx: MapContext, step: FieldStep, sink: FieldSink): string | null {
  const rule = step.rule;
  if (step.constant !== null) return fill(ctx, sink, step, step.constant, "constant", null);

  if (rule.question !== undefined) {
    const answer = answerOf(ctx.assessment, rule.question);
    const token = answer ? tokenOf(answer) : null;
    if (answer === undefined || token === null)
      return describeState(rule.question, answerState(ctx.assessment, rule.question));
    if (rule.as === "yesno" && token !== "YES" && token !== "NO")
      return `${describeState(rule.question, answerState(ctx.assessment, rule.question))}, not YES or NO`;
    return fill(ctx, sink, step, token, rule.question, answer.raw);
  }

  const question = step.question;
  const raw = valueAt(ctx.assessment, step.fromKeys);
  switch (rule.as) {
    case "identifier": {
      const id = raw as Identifier | null;
      const status = id ? identifierStatus(id) : "ABSENT";
      if (!id || status === "ABSENT") return step.absentReason;
      if (status !== "VALID" || id.canonical === null) return step.invalidIdentifierReason;
      return fill(ctx, sink, step, id.canonical, question, id.raw);
    }
    case "date": {
      const s = raw as string | null;
      return s ? fill(ctx, sink, step, s.slice(0, 10), question, s) : step.absentReason;
    }
    case "integer":
      return typeof raw === "number" ? fill(ctx, sink, step, raw, question, String(raw)) : step.absentReason;
    case "forenames": {
      const names = (raw as string[] | undefined) ?? [];
      if (names.length === 0) return step.absentReason;
      const joined = names.join(" ");
      return fill(ctx, sink, step, joined, question, joined);
    }
    case "gender":
    case "text":
      return typeof raw === "string" && raw !== ""
        ? fill(ctx, sink, step, raw, question, shown(raw))
        : step.absentReason;
    default:
      return step.absentReason;
  }
}

/** Apply one `fields:` rule to the draft: its value with provenance, or null with the reason. */
export function mapField(ctx: MapContext, step: FieldStep, sink: FieldSink): void {
  const reason = fillOrReason(ctx, step, sink);
  if (reason === null) return;
  setAt(sink.scalars, step.target, null);
  sink.unfilledReasons[step.target.pointer] = reason;
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
