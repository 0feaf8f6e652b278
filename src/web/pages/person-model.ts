/**
 * The person page's view model (pure): the person as the caller was shown them (src/http/person-lookup.ts,
 * through the access policy's visibility) laid out for the page. Nothing here decides what a role may
 * see: a field the viewer withheld is null in the view and named in its `withheld`, and the page says
 * "not shown to your role" for it, never the value.
 *
 * The draft is read field by field against the blank ARMS form, with the one definition of a pre-filled
 * field (`prefilledFields`, src/core/mapping/summary.ts): filled (a value with its provenance),
 * evidence-only (a factor with OASys evidence and no proposed rating) or unfilled (with the reason).
 */
import type { ArmsDraft } from "../../core/arms/draft.ts";
import type { FactorAssessment, Prefill, StaticRisk } from "../../core/arms/model.ts";
import type { Mapping } from "../../core/mapping/spec.ts";
import { armsFormFields, type FieldState, prefilledFields, valueAt } from "../../core/mapping/summary.ts";
import type { ShownPersonView } from "../../http/person-lookup.ts";
import { type PageModel, pageTitle } from "./page.ts";

export type ShownFieldState = FieldState | "WITHHELD";

export interface ProvenanceRow {
  assessmentPk: number;
  question: string;
  sourceDate: string | null;
  basis: string;
  strength: string;
  mappingVersion: string;
  rule: string | null;
  note: string;
}

export interface DraftFieldRow {
  field: string;
  label: string;
  group: "Subject" | "Static risk" | "Risk factors" | "Protective factors" | "MAPPA" | "Police only" | "Plan";
  state: ShownFieldState;
  value: string | null;
  reason: string | null;
  provenance: ProvenanceRow | null;
  evidence: {
    question: string;
    label: string;
    value: string | null;
    supports: string;
    provenance: ProvenanceRow;
  }[];
}

export interface DeliveryRow {
  kind: string;
  state: string;
  attempts: number;
  createdAt: string;
  deliveredAt: string | null;
  lastError: string | null;
  lastErrorWithheld: boolean;
  history: {
    attempt: number;
    outcome: string;
    httpStatus: number | null;
    at: string;
    receipt: string | null;
    receiptWithheld: boolean;
  }[];
}

export interface PersonPageModel extends PageModel {
  personId: string;
  limitedAccess: boolean;
  person: {
    pnc: string | null;
    crn: string | null;
    force: string | null;
    version: number;
    updatedAt: string;
  };
  name: string | null;
  match: { status: string; matchedOn: string[]; explanation: string | null; evaluatedAt: string } | null;
  draft: {
    mappingVersion: string;
    assessmentPk: number;
    updatedAt: string;
    counts: { filled: number; evidenceOnly: number; unfilled: number; withheld: number; formFields: number };
    groups: { name: DraftFieldRow["group"]; rows: DraftFieldRow[] }[];
  } | null;
  conflicts: {
    id: string;
    ruleId: string;
    severity: string;
    state: string;
    explanation: string;
    openedAt: string;
  }[];
  deliveries: { recipient: string; rows: DeliveryRow[] }[];
  /** Fields of the record not shown to the caller's role (JSON pointers as the policy names them). */
  withheld: string[];
}

const SUBJECT_LABELS: Readonly<Record<string, string>> = {
  "/subject/pnc": "PNC",
  "/subject/crn": "CRN",
  "/subject/cro": "CRO number",
  "/subject/nomisId": "NOMIS number",
  "/subject/familyName": "Family name",
  "/subject/givenName": "Given name",
  "/subject/dateOfBirth": "Date of birth",
  "/subject/gender": "Gender",
  "/force": "Police force",
  "/visorRef": "ViSOR reference",
  "/assessedOn": "Assessed on",
  "/nextReviewDue": "Next review due",
  "/assessor": "Assessor",
  "/riskLevel": "Risk level",
  "/managementMode": "Management mode",
  "/visitIntervalDays": "Visit interval (days)",
  "/riskManagementPlan/controls": "Plan: controls",
  "/riskManagementPlan/monitoring": "Plan: monitoring",
  "/riskManagementPlan/rehabilitation": "Plan: rehabilitation",
  "/riskManagementPlan/multiAgencyActions": "Plan: multi-agency actions",
  "/caseFormulation": "Case formulation",
  "/staticRisk": "Static risk",
  "/mappa": "MAPPA",
};

/** "SOME_EVIDENCE" -> "Some evidence". */
export const humanise = (code: string): string => {
  const words = code.toLowerCase().replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
};

function groupOf(field: string): DraftFieldRow["group"] {
  if (field.startsWith("/subject/")) return "Subject";
  if (field === "/staticRisk") return "Static risk";
  if (field.startsWith("/riskFactors/")) return "Risk factors";
  if (field.startsWith("/protectiveFactors/")) return "Protective factors";
  if (field === "/mappa") return "MAPPA";
  if (field.startsWith("/riskManagementPlan/") || field === "/caseFormulation") return "Plan";
  return "Police only";
}

const provenanceOf = (p: Prefill | undefined | null): ProvenanceRow | null =>
  p
    ? {
        assessmentPk: p.assessmentPk,
        question: p.question,
        sourceDate: p.sourceDate,
        basis: p.basis,
        strength: p.strength,
        mappingVersion: p.mappingVersion,
        rule: p.rule ?? null,
        note: p.note,
      }
    : null;

function valueText(field: string, value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (field === "/staticRisk") {
    const s = value as StaticRisk;
    return `${s.tool}: ${humanise(s.band)}${s.score === null || s.score === undefined ? "" : ` (score ${s.score})`}`;
  }
  if (field === "/mappa") {
    const m = value as { category: number | null; level: number | null };
    return `Category ${m.category ?? "not given"}, level ${m.level ?? "not given"}`;
  }
  if (field.includes("Factors/")) {
    const f = value as FactorAssessment;
    return f.rating ? humanise(f.rating) : null;
  }
  if (field === "/assessor") {
    const a = value as { id: string; role: string };
    return `${a.id} (${a.role})`;
  }
  if (field === "/subject/gender") return humanise(String(value));
  return String(value);
}

/** Whether the viewer withheld the field, or everything under the draft. */
function isWithheld(withheld: readonly string[], field: string): boolean {
  const pointer = `/draft/content${field}`;
  return withheld.some((w) => w === pointer || pointer.startsWith(`${w}/`) || w === "/draft");
}

function draftRows(mapping: Mapping, draft: ArmsDraft, withheld: readonly string[]): DraftFieldRow[] {
  const labels = new Map(
    mapping.catalogue.factors.map((f) => [
      `/${f.type === "RISK" ? "riskFactors" : "protectiveFactors"}/${f.id}`,
      f.label,
    ]),
  );
  const states = new Map(prefilledFields(mapping, draft).fields.map((f) => [f.field, f]));
  return armsFormFields(mapping).map((field): DraftFieldRow => {
    const label = labels.get(field) ?? SUBJECT_LABELS[field] ?? field;
    const group = groupOf(field);
    if (isWithheld(withheld, field)) {
      return {
        field,
        label,
        group,
        state: "WITHHELD",
        value: null,
        reason: null,
        provenance: null,
        evidence: [],
      };
    }
    const report = states.get(field);
    const value = valueAt(draft, field);
    const inline = value as { prefill?: Prefill; oasysEvidence?: FactorAssessment["oasysEvidence"] } | null;
    const state = report?.state ?? "UNFILLED";
    const evidence = (inline?.oasysEvidence ?? []).map((e) => ({
      question: e.question,
      label: e.label,
      value: e.sourceValue,
      supports: humanise(e.supports),
      provenance: provenanceOf(e.prefill) as ProvenanceRow,
    }));
    const factorEvidence = field.includes("Factors/")
      ? (value as FactorAssessment | undefined)?.evidence
      : undefined;
    return {
      field,
      label,
      group,
      state,
      value: state === "FILLED" ? (valueText(field, value) ?? null) : null,
      reason: state === "FILLED" ? (factorEvidence ?? null) : (report?.reason ?? null),
      provenance:
        state === "FILLED" ? provenanceOf(inline?.prefill ?? draft.prefillProvenance[field] ?? null) : null,
      evidence,
    };
  });
}

const GROUP_ORDER: DraftFieldRow["group"][] = [
  "Subject",
  "Static risk",
  "Risk factors",
  "Protective factors",
  "MAPPA",
  "Plan",
  "Police only",
];

function receiptText(receipt: unknown): string | null {
  if (receipt === null || receipt === undefined) return null;
  return typeof receipt === "string" ? receipt : JSON.stringify(receipt);
}

/** The person page's model from the view the caller was shown. */
export function personPageModel(view: ShownPersonView, mapping: Mapping): PersonPageModel {
  const withheld = view.withheld ?? [];
  const content = view.draft?.content as ArmsDraft | undefined;
  let draft: PersonPageModel["draft"] = null;
  if (view.draft && content && typeof content === "object" && content.subject) {
    const rows = draftRows(mapping, content, withheld);
    const count = (s: ShownFieldState) => rows.filter((r) => r.state === s).length;
    draft = {
      mappingVersion: view.draft.mappingVersion,
      assessmentPk: view.draft.assessmentPk,
      updatedAt: view.draft.updatedAt,
      counts: {
        filled: count("FILLED"),
        evidenceOnly: count("EVIDENCE_ONLY"),
        unfilled: count("UNFILLED"),
        withheld: count("WITHHELD"),
        formFields: rows.length,
      },
      groups: GROUP_ORDER.map((name) => ({ name, rows: rows.filter((r) => r.group === name) })).filter(
        (g) => g.rows.length > 0,
      ),
    };
  }
  const subject = content?.subject;
  const name = subject
    ? [subject.givenName, subject.familyName].filter((s) => typeof s === "string" && s !== "").join(" ") ||
      null
    : null;
  const byRecipient = new Map<string, DeliveryRow[]>();
  for (const d of view.deliveries) {
    // A delivery is a view of its own (Delivery), with its own withheld fields.
    const hidden = (d as { withheld?: string[] }).withheld ?? [];
    const rows = byRecipient.get(d.recipient) ?? [];
    rows.push({
      kind: d.kind,
      state: d.state,
      attempts: d.attempts,
      createdAt: d.createdAt,
      deliveredAt: d.deliveredAt,
      lastError: d.lastError,
      lastErrorWithheld: hidden.includes("/lastError"),
      history: d.history.map((h) => ({
        attempt: h.attempt,
        outcome: h.outcome,
        httpStatus: h.httpStatus,
        at: h.at,
        receipt: receiptText((h as { receipt?: unknown }).receipt),
        receiptWithheld: hidden.includes("/history/*/receipt"),
      })),
    });
    byRecipient.set(d.recipient, rows);
  }
  return {
    title: pageTitle("Person record"),
    personId: view.person.id,
    limitedAccess: view.limitedAccess === true,
    person: {
      pnc: view.person.pnc,
      crn: view.person.crn,
      force: view.person.force,
      version: view.person.version,
      updatedAt: view.person.updatedAt,
    },
    name,
    match: view.match
      ? {
          status: view.match.status,
          matchedOn: view.match.matchedOn,
          explanation: view.match.explanation,
          evaluatedAt: view.match.evaluatedAt,
        }
      : null,
    draft,
    conflicts: view.openConflicts.map((c) => ({
      id: c.id,
      ruleId: c.ruleId,
      severity: c.severity,
      state: c.state,
      explanation: c.explanation,
      openedAt: c.openedAt,
    })),
    deliveries: [...byRecipient].map(([recipient, rows]) => ({ recipient, rows })),
    withheld,
  };
}
