/**
 * What a draft fills, measured against a blank ARMS form: filled (a value with provenance), evidence-only
 * (a factor with OASys evidence but no proposed rating) and unfilled (with the reason). Also the check that
 * every filled field carries provenance and every unfilled one a reason, used by tests and `prefill`.
 */

import { type ArmsDraft, POLICE_ONLY_FIELDS } from "../arms/draft.ts";
import type { FactorAssessment } from "../arms/model.ts";
import type { ActiveGate } from "./gates.ts";
import { perMapping } from "./per-mapping.ts";
import type { Mapping } from "./spec.ts";

export type FieldState = "FILLED" | "EVIDENCE_ONLY" | "UNFILLED";

export interface FieldReport {
  field: string;
  state: FieldState;
  reason?: string;
}

export interface MappingSummary {
  /** Fields of the ARMS form (see `armsFormFields`). */
  total: number;
  filled: number;
  evidenceOnly: number;
  unfilled: number;
  /** Evidence items attached across all factors. */
  evidenceItems: number;
  fields: FieldReport[];
  /** Why each unfilled or evidence-only field is so. */
  reasons: { field: string; reason: string }[];
  gates: { gate: string; reason: string }[];
}

const SCALARS = [
  "/subject/pnc",
  "/subject/crn",
  "/subject/cro",
  "/subject/nomisId",
  "/subject/familyName",
  "/subject/givenName",
  "/subject/dateOfBirth",
  "/subject/gender",
  ...POLICE_ONLY_FIELDS,
  "/riskManagementPlan/controls",
  "/riskManagementPlan/monitoring",
  "/riskManagementPlan/rehabilitation",
  "/riskManagementPlan/multiAgencyActions",
  "/caseFormulation",
];

/** The fields of a blank ARMS assessment the officer would otherwise complete by hand. */
export function armsFormFields(mapping: Mapping): string[] {
  const factors = mapping.catalogue.factors.map(
    (f) => `/${f.type === "RISK" ? "riskFactors" : "protectiveFactors"}/${f.id}`,
  );
  return [...SCALARS.slice(0, 8), "/staticRisk", ...factors, "/mappa", ...SCALARS.slice(8)];
}

const valueAtKeys = (doc: unknown, keys: readonly string[]): unknown => {
  let v: unknown = doc;
  for (const k of keys)
    v = v !== null && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined;
  return v;
};

export const valueAt = (doc: unknown, pointer: string): unknown =>
  valueAtKeys(doc, pointer.slice(1).split("/"));

interface FormField {
  field: string;
  keys: string[];
  factor: boolean;
}

/** The form's fields with their pointer split once per mapping. */
const formOf = perMapping((mapping): FormField[] =>
  armsFormFields(mapping).map((field) => ({
    field,
    keys: field.slice(1).split("/"),
    factor: field.startsWith("/riskFactors/") || field.startsWith("/protectiveFactors/"),
  })),
);

function report(draft: ArmsDraft, { field, keys, factor }: FormField): FieldReport {
  const value = valueAtKeys(draft, keys);
  if (factor) {
    const f = value as FactorAssessment | undefined;
    const reason = f?.unfilledReason ?? "factor not in the draft";
    if (f?.rating !== undefined) return { field, state: "FILLED" };
    if ((f?.oasysEvidence?.length ?? 0) > 0) return { field, state: "EVIDENCE_ONLY", reason };
    return { field, state: "UNFILLED", reason };
  }
  if (value !== null && value !== undefined) return { field, state: "FILLED" };
  return { field, state: "UNFILLED", reason: draft.unfilledReasons[field] ?? "no reason recorded" };
}

/** The fields of the blank ARMS form as a draft leaves them, with the counts `prefilledFields` gives. */
export interface PrefilledFields {
  /** Every field of the form (`armsFormFields`) with its state; FILLED is pre-filled. */
  fields: FieldReport[];
  formFields: number;
  /** Fields of the form given a value from OASys with its provenance. */
  prefilled: number;
  /** Factors with OASys evidence and no proposed rating: not pre-filled. */
  evidenceOnly: number;
  /** The pre-filled factors: ratings proposed for the ARMS assessor to confirm. */
  ratings: number;
}

/**
 * The one definition of a pre-filled field (`PREFILLED_FIELD` in prefilled.ts says it in words): a field
 * of the blank ARMS form the draft fills from OASys, with its provenance: a subject or plan detail, the
 * static risk, MAPPA, or a factor with a proposed rating. A factor with OASys evidence but no rating is
 * evidence-only, not pre-filled. `bridge prefill`, `mapping coverage` (through `summarise`) and `demo`
 * all count with it.
 */
export function prefilledFields(mapping: Mapping, draft: ArmsDraft): PrefilledFields {
  const fields: FieldReport[] = [];
  let prefilled = 0;
  let evidenceOnly = 0;
  let ratings = 0;
  for (const f of formOf(mapping)) {
    const r = report(draft, f);
    fields.push(r);
    if (r.state === "FILLED") {
      prefilled += 1;
      if (f.factor) ratings += 1;
    } else if (r.state === "EVIDENCE_ONLY") evidenceOnly += 1;
  }
  return { fields, formFields: fields.length, prefilled, evidenceOnly, ratings };
}

export function summarise(mapping: Mapping, draft: ArmsDraft, gates: ActiveGate[]): MappingSummary {
  const { fields, prefilled: filled, evidenceOnly } = prefilledFields(mapping, draft);
  const reasons: { field: string; reason: string }[] = [];
  for (const r of fields) if (r.reason !== undefined) reasons.push({ field: r.field, reason: r.reason });
  let evidenceItems = 0;
  for (const f of Object.values(draft.riskFactors)) evidenceItems += f?.oasysEvidence?.length ?? 0;
  for (const f of Object.values(draft.protectiveFactors)) evidenceItems += f?.oasysEvidence?.length ?? 0;
  return {
    total: fields.length,
    filled,
    evidenceOnly,
    unfilled: fields.length - filled - evidenceOnly,
    evidenceItems,
    fields,
    reasons,
    gates: gates.map((g) => ({ gate: g.gate, reason: g.reason })),
  };
}

/**
 * Every filled value carries provenance and every empty field a reason. Returns the problems (JSON
 * pointers and what is wrong); an empty list means the draft is fully accounted for.
 */
export function provenanceProblems(mapping: Mapping, draft: ArmsDraft): string[] {
  const problems: string[] = [];
  const scalarOwners = ["/subject", "/sourceAssessment", "/riskManagementPlan"];
  for (const owner of scalarOwners) {
    const obj = valueAt(draft, owner) as Record<string, unknown> | null;
    for (const [k, v] of Object.entries(obj ?? {})) {
      const p = `${owner}/${k}`;
      if (v !== null && v !== undefined && !draft.prefillProvenance[p])
        problems.push(`${p}: filled without provenance`);
      if ((v === null || v === undefined) && !draft.unfilledReasons[p])
        problems.push(`${p}: empty without a reason`);
    }
  }
  for (const field of armsFormFields(mapping)) {
    const v = valueAt(draft, field);
    if (field.includes("Factors/")) {
      const f = v as FactorAssessment | undefined;
      if (!f) problems.push(`${field}: missing`);
      else if (f.rating !== undefined && !f.prefill) problems.push(`${field}: rating without provenance`);
      else if (f.rating === undefined && !f.unfilledReason)
        problems.push(`${field}: no rating and no reason`);
      for (const [i, e] of (f?.oasysEvidence ?? []).entries()) {
        if (!e.prefill) problems.push(`${field}/oasysEvidence/${i}: evidence without provenance`);
      }
    } else if (field === "/staticRisk" || field === "/mappa") {
      const o = v as { prefill?: unknown } | null;
      if (o && !o.prefill) problems.push(`${field}: filled without provenance`);
      if (!o && !draft.unfilledReasons[field]) problems.push(`${field}: empty without a reason`);
    } else if (v !== null && v !== undefined && !draft.prefillProvenance[field]) {
      problems.push(`${field}: filled without provenance`);
    } else if ((v === null || v === undefined) && !draft.unfilledReasons[field]) {
      problems.push(`${field}: empty without a reason`);
    }
  }
  for (const [i, s] of draft.otherStaticRisks.entries()) {
    if (!s.prefill) problems.push(`/otherStaticRisks/${i}: filled without provenance`);
  }
  return problems;
}
