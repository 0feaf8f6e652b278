/** What every mapping rule needs while one assessment is mapped, and the one way to write provenance. */
import type { DataBasis, MappingStrength, Prefill } from "../arms/model.ts";
import type { OasysAssessment } from "../oasys/model.ts";
import type { ActiveGate, Withheld } from "./gates.ts";
import type { Mapping } from "./spec.ts";

export interface MapContext {
  mapping: Mapping;
  assessment: OasysAssessment;
  gates: ActiveGate[];
  /** The first active gate withholding each class of field (`withholdings(gates)`). */
  withheld: Withheld;
  /** `assessmentDate(assessment)`: the default source date of every prefill. */
  date: string | null;
}

/** The date a value was true in OASys: completion, else signature, else initiation (local date-time). */
export const assessmentDate = (a: OasysAssessment): string | null =>
  a.dateCompleted ?? a.assessorSignedDate ?? a.initiationDate;

export interface RuleProvenance {
  id: string;
  basis: DataBasis;
  strength: MappingStrength;
  note: string;
}

export function prefillFor(
  ctx: MapContext,
  rule: RuleProvenance,
  question: string,
  sourceValue: string | null,
  sourceDate: string | null = ctx.date,
): Prefill {
  return {
    source: "OASYS",
    assessmentPk: ctx.assessment.assessmentPk,
    question,
    sourceValue,
    sourceDate,
    basis: rule.basis,
    strength: rule.strength,
    mappingVersion: ctx.mapping.spec.version,
    note: rule.note,
    rule: rule.id,
  };
}
