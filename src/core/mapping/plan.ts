/**
 * What a loaded mapping looks like indexed for fast application: each rule with everything about it that
 * does not depend on the assessment worked out once (pointers split, conditions compiled, labels, reasons
 * and provenance notes composed, the ARMS field-length limits read from the schema). Computed once per
 * `Mapping` object and memoised (the mapping is immutable data), so `applyMapping` does no per-call
 * scanning of the rule list, string building of fixed text, or re-reading of the schema.
 */
import { POLICE_ONLY_FIELDS } from "../arms/draft.ts";
import { QUESTION_BY_CODE } from "../oasys/questions.ts";
import { schemaValidator } from "../schemas.ts";
import { type CompiledCondition, compileCondition } from "./answers.ts";
import type { RuleProvenance } from "./context.ts";
import { armsMaxLength } from "./fields.ts";
import { perMapping } from "./per-mapping.ts";
import type {
  EvidenceItemRule,
  EvidenceRule,
  FactorSpec,
  FieldRule,
  NarrativeRule,
  RatingRule,
  Supports,
} from "./spec.ts";

/** A JSON pointer split once: the keys down to the parent object, and the key set in it. */
export interface Target {
  pointer: string;
  parents: readonly string[];
  leaf: string;
}

export const targetOf = (pointer: string): Target => {
  const keys = pointer.slice(1).split("/");
  return { pointer, parents: keys.slice(0, -1), leaf: keys[keys.length - 1] as string };
};

/** Set the value at a split pointer; every object on the way exists. */
export function setAt(target: Record<string, unknown>, at: Target, value: unknown): void {
  let obj = target;
  for (const k of at.parents) obj = obj[k] as Record<string, unknown>;
  obj[at.leaf] = value;
}

export interface FieldStep {
  rule: FieldRule;
  target: Target;
  /** ARMS schema `maxLength` of the target (null when unlimited). */
  limit: number | null;
  /** `String(rule.constant)` for a constant rule. */
  constant: string | null;
  /** The `from:` path split at dots, and how reasons name it (`offender/pnc`). */
  fromKeys: readonly string[];
  question: string;
  /** `OASys holds no <question> for this assessment`. */
  absentReason: string;
  invalidIdentifierReason: string;
}

export interface NarrativePart {
  block: string;
  field: string;
  code: string;
  label: string;
}

export interface NarrativeStep {
  rule: NarrativeRule;
  target: Target;
  parts: readonly NarrativePart[];
  /** The reason when no part holds text. */
  noTextReason: string;
  provenance: RuleProvenance;
}

export interface RatingStep {
  rule: RatingRule;
  requires: CompiledCondition | null;
  label: string;
  /** The rule's provenance with the note saying the rating was withheld by a gate. */
  withheldProvenance: RuleProvenance;
}

export interface EvidenceStep {
  question: string;
  label: string;
  when: CompiledCondition | null;
  supports: Record<string, Supports>;
  provenance: RuleProvenance;
}

export interface FactorStep {
  factor: FactorSpec;
  risk: boolean;
  rating: RatingStep | null;
  evidence: readonly EvidenceStep[];
}

export interface MappingPlan {
  fields: readonly FieldStep[];
  narratives: readonly NarrativeStep[];
  /** The catalogue's factors in order, each with its rating rule and evidence items. */
  factors: readonly FactorStep[];
  /** Each police-only field with the mapping's reason for it (or null: not mapped). */
  policeOnly: readonly { target: string; reason: string | null }[];
}

const labelOf = (item: { question: string; label?: string }): string =>
  item.label ?? QUESTION_BY_CODE.get(item.question)?.label ?? `OASys ${item.question}`;

function fieldStep(rule: FieldRule, limit: number | null): FieldStep {
  const from = rule.from ?? "";
  const question = from.startsWith("offender.") ? `offender/${from.slice(9)}` : from;
  return {
    rule,
    target: targetOf(rule.target),
    limit,
    constant: rule.constant === undefined ? null : String(rule.constant),
    fromKeys: from.split("."),
    question,
    absentReason: `OASys holds no ${question} for this assessment`,
    invalidIdentifierReason: `the OASys ${question} fails its format or check-character test: not copied; confirm the identity (ID-1/ID-2)`,
  };
}

function narrativeStep(rule: NarrativeRule): NarrativeStep {
  return {
    rule,
    target: targetOf(rule.target),
    parts: rule.parts.map((p) => {
      const [block, field] = p.from.split(".") as [string, string];
      return { block, field, code: p.code, label: p.label };
    }),
    noTextReason: `OASys holds no text for ${rule.parts.map((p) => p.code).join(", ")} in this assessment`,
    provenance: {
      id: rule.id,
      basis: rule.basis,
      strength: rule.strength,
      note: "Copied verbatim with attribution for the assessor to edit; the text itself is the source value",
    },
  };
}

const ratingStep = (rule: RatingRule): RatingStep => ({
  rule,
  requires: rule.requires ? compileCondition(rule.requires.condition) : null,
  label: labelOf(rule),
  withheldProvenance: { ...rule, note: `${rule.note}. Rating withheld by a gate; shown as evidence only` },
});

const evidenceStep = (rule: EvidenceRule, item: EvidenceItemRule): EvidenceStep => ({
  question: item.question,
  label: labelOf(item),
  when: item.when ? compileCondition(item.when) : null,
  supports: item.supports,
  provenance: { id: rule.id, basis: "ASSESSMENT", strength: rule.strength, note: item.note },
});

export const planFor = perMapping((mapping): MappingPlan => {
  const spec = mapping.spec;
  const evidenceByFactor = new Map<string, { rule: EvidenceRule; item: EvidenceItemRule }[]>();
  for (const rule of spec.evidence) {
    for (const item of rule.items) {
      const list = evidenceByFactor.get(item.factor) ?? [];
      list.push({ rule, item });
      evidenceByFactor.set(item.factor, list);
    }
  }
  const schema = schemaValidator("arms-interchange.schema.json").schema as object;
  const ratingByFactor = new Map(spec.ratings.map((r) => [r.factor, r]));
  const fieldLimits = new Map(spec.fields.map((f) => [f.target, armsMaxLength(schema, f.target)]));
  const policeOnly = new Map(spec.policeOnly.map((p) => [p.target, p.reason]));
  return {
    fields: spec.fields.map((f) => fieldStep(f, fieldLimits.get(f.target) ?? null)),
    narratives: spec.narratives.map(narrativeStep),
    factors: mapping.catalogue.factors.map((factor) => {
      const rating = ratingByFactor.get(factor.id);
      return {
        factor,
        risk: factor.type === "RISK",
        rating: rating ? ratingStep(rating) : null,
        evidence: (evidenceByFactor.get(factor.id) ?? []).map(({ rule, item }) => evidenceStep(rule, item)),
      };
    }),
    policeOnly: POLICE_ONLY_FIELDS.map((target) => ({ target, reason: policeOnly.get(target) ?? null })),
  };
});
