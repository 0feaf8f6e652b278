/**
 * `applyMapping`: one canonical OASys assessment -> a pre-filled ARMS draft (`arms-interchange/1`,
 * status DRAFT) with provenance on every filled field and a reason on every empty one, validated against
 * `schemas/arms-interchange.schema.json` before it is returned; or a typed refusal. Pure and deterministic:
 * the same mapping, assessment and `today` always give the same draft (its id is `OASYS-<pk>-M<version>`).
 */
import type { ArmsDraft, SourceAssessment } from "../arms/draft.ts";
import type { ArmsPlan, ArmsSubject, FactorAssessment, Prefill } from "../arms/model.ts";
import type { OasysAssessment } from "../oasys/model.ts";
import { validateAgainst } from "../schemas.ts";
import { assessmentDate, type MapContext } from "./context.ts";
import { mapFactor } from "./factors.ts";
import { mapField } from "./fields.ts";
import { type ActiveGate, activeGates, type MappingRefusal, refusalFor, withholdings } from "./gates.ts";
import { mapNarrative } from "./narratives.ts";
import { planFor, setAt } from "./plan.ts";
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

/** The draft's plan fields, each with its pointer. */
const PLAN_FIELDS = (["controls", "monitoring", "rehabilitation", "multiAgencyActions"] as const).map(
  (key) => ({ key, pointer: `/riskManagementPlan/${key}` }),
);

export function applyMapping(
  mapping: Mapping,
  assessment: OasysAssessment,
  options: ApplyOptions,
): MappingResult {
  const refusal = refusalFor(mapping, assessment);
  if (refusal) return { ok: false, refusal };
  const spec = mapping.spec;
  const plan = planFor(mapping);
  const gates = activeGates(mapping, assessment, options.today);
  const ctx: MapContext = {
    mapping,
    assessment,
    gates,
    withheld: withholdings(gates),
    date: assessmentDate(assessment),
  };
  const prefillProvenance: Record<string, Prefill> = {};
  const unfilledReasons: Record<string, string> = {};

  const subject: ArmsSubject = {};
  const sourceAssessment: SourceAssessment = { system: "OASYS", assessmentPk: assessment.assessmentPk };
  const riskManagementPlan: ArmsPlan = {
    controls: null,
    monitoring: null,
    rehabilitation: null,
    multiAgencyActions: null,
  };
  const scalars = {
    subject,
    sourceAssessment,
    riskManagementPlan,
    caseFormulation: null as string | null,
  };

  const sink = { scalars, prefillProvenance, unfilledReasons };
  for (const step of plan.fields) mapField(ctx, step, sink);

  const staticRisk = mapStaticRisk(ctx);
  if (staticRisk.staticRisk === null) unfilledReasons["/staticRisk"] = staticRisk.reason;
  const mappa = mapMappa(ctx);
  if (mappa.mappa === null) unfilledReasons["/mappa"] = mappa.reason;

  const riskFactors: Record<string, FactorAssessment> = {};
  const protectiveFactors: Record<string, FactorAssessment> = {};
  for (const step of plan.factors) {
    (step.risk ? riskFactors : protectiveFactors)[step.factor.id] = mapFactor(ctx, step);
  }

  for (const step of plan.narratives) {
    const outcome = mapNarrative(ctx, step);
    if (outcome.filled) {
      setAt(scalars, step.target, outcome.text);
      prefillProvenance[step.target.pointer] = outcome.prefill;
    } else {
      unfilledReasons[step.target.pointer] = outcome.reason;
    }
  }
  for (const { key, pointer } of PLAN_FIELDS) {
    if (riskManagementPlan[key] === null && !unfilledReasons[pointer]) unfilledReasons[pointer] = NOT_MAPPED;
  }
  if (scalars.caseFormulation === null && !unfilledReasons["/caseFormulation"]) {
    unfilledReasons["/caseFormulation"] = NOT_MAPPED;
  }

  for (const { target, reason } of plan.policeOnly) unfilledReasons[target] = reason ?? NOT_MAPPED;

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
    riskManagementPlan,
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
  return new MappedDraft(mapping, draft, gates);
}

/**
 * A draft the mapping produced. Its summary is worked out when first read: `bridge prefill`, the coverage
 * report and `mapping diff` read it; the pipeline, which maps every record it reconciles, never does.
 * (A class, not an object literal with a getter: V8 optimises `applyMapping` far worse with the closure.)
 */
class MappedDraft {
  readonly ok = true as const;
  readonly draft: ArmsDraft;
  readonly #mapping: Mapping;
  readonly #gates: ActiveGate[];
  #summary: MappingSummary | undefined;
  constructor(mapping: Mapping, draft: ArmsDraft, gates: ActiveGate[]) {
    this.#mapping = mapping;
    this.draft = draft;
    this.#gates = gates;
  }
  get summary(): MappingSummary {
    this.#summary ??= summarise(this.#mapping, this.draft, this.#gates);
    return this.#summary;
  }
  /** As a plain object (the summary included), for `JSON.stringify`. */
  toJSON(): { ok: true; draft: ArmsDraft; summary: MappingSummary } {
    return { ok: true, draft: this.draft, summary: this.summary };
  }
}
