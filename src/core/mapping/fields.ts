/**
 * Scalar copies (`fields:` in the mapping): identity (row 26) and source-assessment metadata (rows 23, 25).
 * Each yields a value with its provenance, or the reason it is left empty. Invalid identifiers are never
 * copied (ID-1, ID-2): the assessor sees why.
 */
import type { Prefill } from "../arms/model.ts";
import type { Identifier, OasysAssessment } from "../oasys/model.ts";
import { answerOf, answerState, describeState, tokenOf } from "./answers.ts";
import { type MapContext, prefillFor } from "./context.ts";
import type { FieldStep } from "./plan.ts";

export type FieldOutcome =
  | { filled: true; value: string | number; prefill: Prefill }
  | { filled: false; reason: string };

/** The canonical-model value a `from:` path names (paths are fixed by the mapping schema). */
function valueAt(a: OasysAssessment, keys: readonly string[]): unknown {
  let v: unknown = a;
  for (const k of keys)
    v = v === null || typeof v !== "object" ? undefined : (v as Record<string, unknown>)[k];
  return v;
}

const shown = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

const filled = (
  ctx: MapContext,
  step: FieldStep,
  value: string | number,
  question: string,
  sourceValue: string | null,
): FieldOutcome => ({
  filled: true,
  value,
  prefill: prefillFor(ctx, step.rule, question, sourceValue),
});

export function mapField(ctx: MapContext, step: FieldStep): FieldOutcome {
  const rule = step.rule;
  if (step.constant !== null) return filled(ctx, step, step.constant, "constant", null);

  if (rule.question !== undefined) {
    const answer = answerOf(ctx.assessment, rule.question);
    const token = answer ? tokenOf(answer) : null;
    if (answer === undefined || token === null) {
      return {
        filled: false,
        reason: describeState(rule.question, answerState(ctx.assessment, rule.question)),
      };
    }
    if (rule.as === "yesno" && token !== "YES" && token !== "NO") {
      return {
        filled: false,
        reason: `${describeState(rule.question, answerState(ctx.assessment, rule.question))}, not YES or NO`,
      };
    }
    return filled(ctx, step, token, rule.question, answer.raw);
  }

  const question = step.question;
  const raw = valueAt(ctx.assessment, step.fromKeys);
  switch (rule.as) {
    case "identifier": {
      const id = raw as Identifier | null;
      if (!id) return { filled: false, reason: step.absentReason };
      if (!id.valid || id.canonical === null) return { filled: false, reason: step.invalidIdentifierReason };
      return filled(ctx, step, id.canonical, question, id.raw);
    }
    case "date": {
      const s = raw as string | null;
      return s
        ? filled(ctx, step, s.slice(0, 10), question, s)
        : { filled: false, reason: step.absentReason };
    }
    case "integer":
      return typeof raw === "number"
        ? filled(ctx, step, raw, question, String(raw))
        : { filled: false, reason: step.absentReason };
    case "forenames": {
      const names = (raw as string[] | undefined) ?? [];
      return names.length > 0
        ? filled(ctx, step, names.join(" "), question, names.join(" "))
        : { filled: false, reason: step.absentReason };
    }
    case "gender":
    case "text":
      return typeof raw === "string" && raw !== ""
        ? filled(ctx, step, raw, question, shown(raw))
        : { filled: false, reason: step.absentReason };
    default:
      return { filled: false, reason: step.absentReason };
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
