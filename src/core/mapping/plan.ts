/**
 * What a loaded mapping looks like indexed for fast application: evidence items grouped by factor, rating
 * rules by factor, the ARMS field-length limits of each copied field, the form's field pointers. Computed
 * once per `Mapping` object and memoised (the mapping is immutable data), so `applyMapping` does no
 * per-call scanning of the whole rule list.
 */
import { schemaValidator } from "../schemas.ts";
import { armsMaxLength } from "./fields.ts";
import type { EvidenceItemRule, EvidenceRule, Mapping, RatingRule } from "./spec.ts";

export interface MappingPlan {
  ratingByFactor: ReadonlyMap<string, RatingRule>;
  evidenceByFactor: ReadonlyMap<string, readonly { rule: EvidenceRule; item: EvidenceItemRule }[]>;
  /** ARMS schema `maxLength` of each `fields:` target (null when unlimited). */
  fieldLimits: ReadonlyMap<string, number | null>;
}

const plans = new WeakMap<Mapping, MappingPlan>();

export function planFor(mapping: Mapping): MappingPlan {
  let plan = plans.get(mapping);
  if (plan) return plan;
  const evidenceByFactor = new Map<string, { rule: EvidenceRule; item: EvidenceItemRule }[]>();
  for (const rule of mapping.spec.evidence) {
    for (const item of rule.items) {
      const list = evidenceByFactor.get(item.factor) ?? [];
      list.push({ rule, item });
      evidenceByFactor.set(item.factor, list);
    }
  }
  const schema = schemaValidator("arms-interchange.schema.json").schema as object;
  plan = {
    ratingByFactor: new Map(mapping.spec.ratings.map((r) => [r.factor, r])),
    evidenceByFactor,
    fieldLimits: new Map(mapping.spec.fields.map((f) => [f.target, armsMaxLength(schema, f.target)])),
  };
  plans.set(mapping, plan);
  return plan;
}
