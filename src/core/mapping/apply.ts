/**
 * `applyMapping`: one canonical OASys assessment -> a pre-filled ARMS draft (`arms-interchange/1`,
 * status DRAFT) with provenance on every filled field and a reason on every empty one, validated against
 * `schemas/arms-interchange.schema.json` before it is returned; or a typed refusal. Pure and deterministic:
 * the same mapping, assessment and `today` always give the same draft (its id is `OASYS-<pk>-M<version>`).
 */
import { type ArmsDraft, POLICE_ONLY_FIELDS, type SourceAssessment } from "../arms/draft.ts";
import type { ArmsPlan, ArmsSubject, FactorAssessment, Prefill } from "../arms/model.ts";
import type { OasysAssessment } from "../oasys/model.ts";
import { validateAgainst } from "../schemas.ts";
import type { MapContext } from "./context.ts";
import { mapFactor } from "./factors.ts";
import { mapField } from "./fields.ts";
import { activeGates, type MappingRefusal, refusalFor } from "./gates.ts";
import { mapNarrative } from "./narratives.ts";
import { planFor } from "./plan.ts";
import type { Mapping } from "./spec.ts";
import { mapMappa, mapStaticRisk } from "./static-risk.ts";
import { type MappingSummary, summarise } from "./summary.ts";

export interface ApplyOptions {
  /** Today's date, `YYYY-MM-DD`: the age reference when the assessment has no completion date. */
  today: string;
}

export type MappingResult =
  | { ok: true; draft: ArmsDraft; summary: MappingSummary }
  | { ok: false; refusal: MappingRefusal };

export const draftIdFor = (assessmentPk: number, mappingVersion: string): string =>
  `OASYS-${assessmentPk}-M${mappingVersion}`;

const NOT_MAPPED = "not mapped from OASys by this mapping version";

const pointerKeys = new Map<string, string[]>();

function setAt(target: Record<string, unknown>, pointer: string, value: unknown): void {
  let keys = pointerKeys.get(pointer);
  if (!keys) {
    keys = pointer.slice(1).split("/");
    pointerKeys.set(pointer, keys);
  }
  let obj = target;
  for (const k of keys.slice(0, -1)) obj = obj[k] as Record<string, unknown>;
  obj[keys[keys.length - 1] as string] = value;
}

export function applyMapping(
  mapping: Mapping,
  assessment: OasysAssessment,
  options: ApplyOptions,
): MappingResult {
  const refusal = refusalFor(mapping, assessment);
  if (refusal) return { ok: false, refusal };
  const spec = mapping.spec;
  const gates = activeGates(mapping, assessment, options.today);
  const ctx: MapContext = { mapping, assessment, gates };
  const prefillProvenance: Record<string, Prefill> = {};
  const unfilledReasons: Record<string, string> = {};

  const subject: ArmsSubject = {};
  const sourceAssessment: SourceAssessment = { system: "OASYS", assessmentPk: assessment.assessmentPk };
  const plan: ArmsPlan = { controls: null, monitoring: null, rehabilitation: null, multiAgencyActions: null };
  const scalars = {
    subject,
    sourceAssessment,
    riskManagementPlan: plan,
    caseFormulation: null as string | null,
  };

  const { fieldLimits } = planFor(mapping);
  for (const rule of spec.fields) {
    const outcome = mapField(ctx, rule);
    const limit = fieldLimits.get(rule.target) ?? null;
    if (
      outcome.filled &&
      typeof outcome.value === "string" &&
      limit !== null &&
      outcome.value.length > limit
    ) {
      setAt(scalars, rule.target, null);
      unfilledReasons[rule.target] =
        `the OASys value is longer than the ARMS field allows (${limit} characters): not copied; the assessor completes it`;
    } else if (outcome.filled) {
      setAt(scalars, rule.target, outcome.value);
      prefillProvenance[rule.target] = outcome.prefill;
    } else {
      setAt(scalars, rule.target, null);
      unfilledReasons[rule.target] = outcome.reason;
    }
  }

  const staticRisk = mapStaticRisk(ctx);
  if (staticRisk.staticRisk === null) unfilledReasons["/staticRisk"] = staticRisk.reason;
  const mappa = mapMappa(ctx);
  if (mappa.mappa === null) unfilledReasons["/mappa"] = mappa.reason;

  const riskFactors: Record<string, FactorAssessment> = {};
  const protectiveFactors: Record<string, FactorAssessment> = {};
  for (const factor of mapping.catalogue.factors) {
    (factor.type === "RISK" ? riskFactors : protectiveFactors)[factor.id] = mapFactor(ctx, factor);
  }

  for (const rule of spec.narratives) {
    const outcome = mapNarrative(ctx, rule);
    if (outcome.filled) {
      setAt(scalars, rule.target, outcome.text);
      prefillProvenance[rule.target] = outcome.prefill;
    } else {
      unfilledReasons[rule.target] = outcome.reason;
    }
  }
  for (const key of Object.keys(plan) as (keyof ArmsPlan)[]) {
    const pointer = `/riskManagementPlan/${key}`;
    if (plan[key] === null && !unfilledReasons[pointer]) unfilledReasons[pointer] = NOT_MAPPED;
  }
  if (scalars.caseFormulation === null && !unfilledReasons["/caseFormulation"]) {
    unfilledReasons["/caseFormulation"] = NOT_MAPPED;
  }

  const policeOnly = new Map(spec.policeOnly.map((p) => [p.target, p.reason]));
  for (const target of POLICE_ONLY_FIELDS) {
    unfilledReasons[target] = policeOnly.get(target) ?? NOT_MAPPED;
  }

  const draft: ArmsDraft = {
    schema: "arms-interchange/1",
    armsAssessmentId: draftIdFor(assessment.assessmentPk, spec.version),
    revision: 1,
    status: "DRAFT",
    mappingVersion: spec.version,
    force: null,
    visorRef: null,
    assessedOn: null,
    nextReviewDue: null,
    assessor: null,
    subject,
    staticRisk: staticRisk.staticRisk,
    otherStaticRisks: staticRisk.others,
    riskFactors,
    protectiveFactors,
    riskLevel: null,
    managementMode: null,
    visitIntervalDays: null,
    mappa: mappa.mappa,
    riskManagementPlan: plan,
    caseFormulation: scalars.caseFormulation,
    sourceAssessment,
    prefillProvenance,
    unfilledReasons,
  };

  const problem = validateAgainst("arms-interchange.schema.json", draft);
  if (problem) {
    return {
      ok: false,
      refusal: {
        code: "BRIDGE_E_MAPPING_REFUSED",
        reason: "DRAFT_SCHEMA_INVALID",
        assessmentPk: assessment.assessmentPk,
        mappingVersion: spec.version,
        detail: `the draft fails the ARMS interchange schema at ${problem.path}: ${problem.reason}`,
      },
    };
  }
  return { ok: true, draft, summary: summarise(mapping, draft, gates) };
}
