/**
 * Impact diff between two mapping versions applied to the same assessments: field by field, what a new
 * mapping would add, remove or change in the drafts, with counts, the commonest transitions and examples
 * (assessment pk only, never personal data in the report's own words). Version bookkeeping (draft id,
 * `mappingVersion`) is ignored so that only real differences show.
 */
import type { ArmsDraft } from "../arms/draft.ts";
import type { FactorAssessment, Prefill } from "../arms/model.ts";
import type { MappingResult } from "./apply.ts";

export type ChangeKind = "added" | "removed" | "changed" | "provenance";

interface FieldValue {
  value: string | null;
  /** Provenance or unfilled reason, without the mapping version. */
  detail: string;
}

export interface ChangeExample {
  assessmentPk: number;
  before: string | null;
  after: string | null;
}

export interface FieldChange {
  field: string;
  kind: ChangeKind;
  count: number;
  transitions: { before: string | null; after: string | null; count: number }[];
  examples: ChangeExample[];
}

export interface MappingDiff {
  from: { version: string; file: string | null };
  to: { version: string; file: string | null };
  assessments: number;
  changedAssessments: number;
  outcomes: { before: string; after: string; count: number }[];
  totals: Record<ChangeKind, number>;
  filledPerDraft: { before: number; after: number };
  fields: FieldChange[];
}

const digest = (p: Prefill | undefined): string =>
  p ? `${p.question} ${p.basis}/${p.strength} rule=${p.rule ?? "-"} note=${p.note}` : "";

const text = (v: unknown): string | null =>
  v === null || v === undefined ? null : typeof v === "string" ? v : JSON.stringify(v);

function factorView(into: Map<string, FieldValue>, base: string, f: FactorAssessment | undefined): void {
  into.set(`${base}/rating`, {
    value: f?.rating ?? null,
    detail: f?.rating ? digest(f.prefill) : (f?.unfilledReason ?? ""),
  });
  const seen = new Map<string, number>();
  for (const e of f?.oasysEvidence ?? []) {
    const n = (seen.get(e.question) ?? 0) + 1;
    seen.set(e.question, n);
    const key = `${base}/oasysEvidence/${e.question}${n > 1 ? `#${n}` : ""}`;
    into.set(key, { value: `${e.supports} (${e.sourceValue ?? "null"})`, detail: digest(e.prefill) });
  }
}

/** A flat view of a mapping result: field path -> comparable value and detail. */
export function fieldView(result: MappingResult): Map<string, FieldValue> {
  const view = new Map<string, FieldValue>();
  if (!result.ok) {
    view.set("/outcome", { value: `REFUSED ${result.refusal.reason}`, detail: result.refusal.detail });
    return view;
  }
  const d: ArmsDraft = result.draft;
  view.set("/outcome", { value: "DRAFT", detail: "" });
  const scalar = (pointer: string, value: unknown) =>
    view.set(pointer, {
      value: text(value),
      detail: d.prefillProvenance[pointer]
        ? digest(d.prefillProvenance[pointer])
        : (d.unfilledReasons[pointer] ?? ""),
    });
  for (const [k, v] of Object.entries(d.subject)) scalar(`/subject/${k}`, v);
  for (const [k, v] of Object.entries(d.sourceAssessment)) scalar(`/sourceAssessment/${k}`, v);
  for (const [k, v] of Object.entries(d.riskManagementPlan)) scalar(`/riskManagementPlan/${k}`, v);
  scalar("/caseFormulation", d.caseFormulation);
  const risk = (s: ArmsDraft["staticRisk"]) =>
    s ? `${s.tool} ${s.band}${s.score == null ? "" : ` (${s.score})`}` : null;
  view.set("/staticRisk", {
    value: risk(d.staticRisk),
    detail: d.staticRisk ? digest(d.staticRisk.prefill) : (d.unfilledReasons["/staticRisk"] ?? ""),
  });
  view.set("/otherStaticRisks", { value: d.otherStaticRisks.map(risk).join(", ") || null, detail: "" });
  view.set("/mappa", {
    value: d.mappa ? `category ${d.mappa.category ?? "-"}, level ${d.mappa.level ?? "-"}` : null,
    detail: d.mappa ? digest(d.mappa.prefill) : (d.unfilledReasons["/mappa"] ?? ""),
  });
  for (const [k, f] of Object.entries(d.riskFactors)) factorView(view, `/riskFactors/${k}`, f);
  for (const [k, f] of Object.entries(d.protectiveFactors)) factorView(view, `/protectiveFactors/${k}`, f);
  return view;
}

function kindOf(before: FieldValue | undefined, after: FieldValue | undefined): ChangeKind | null {
  const b = before?.value ?? null;
  const a = after?.value ?? null;
  if (b === null && a !== null) return "added";
  if (b !== null && a === null) return "removed";
  if (b !== a) return "changed";
  return (before?.detail ?? "") === (after?.detail ?? "") ? null : "provenance";
}

const short = (v: string | null): string | null => (v !== null && v.length > 80 ? `${v.slice(0, 77)}...` : v);

export interface DiffInput {
  assessmentPk: number;
  before: MappingResult;
  after: MappingResult;
}

export function diffMappings(
  from: { version: string; file: string | null },
  to: { version: string; file: string | null },
  inputs: Iterable<DiffInput>,
  examplesPerField = 3,
): MappingDiff {
  const changes = new Map<string, FieldChange & { byTransition: Map<string, number> }>();
  const outcomes = new Map<string, number>();
  const totals: Record<ChangeKind, number> = { added: 0, removed: 0, changed: 0, provenance: 0 };
  let assessments = 0;
  let changedAssessments = 0;
  const filled = { before: 0, after: 0, drafts: { before: 0, after: 0 } };
  for (const input of inputs) {
    assessments += 1;
    const before = fieldView(input.before);
    const after = fieldView(input.after);
    const o = `${before.get("/outcome")?.value} -> ${after.get("/outcome")?.value}`;
    outcomes.set(o, (outcomes.get(o) ?? 0) + 1);
    if (input.before.ok) {
      filled.before += input.before.summary.filled;
      filled.drafts.before += 1;
    }
    if (input.after.ok) {
      filled.after += input.after.summary.filled;
      filled.drafts.after += 1;
    }
    let changed = false;
    for (const field of new Set([...before.keys(), ...after.keys()])) {
      if (field === "/outcome" && before.get(field)?.value === after.get(field)?.value) continue;
      const kind = kindOf(before.get(field), after.get(field));
      if (!kind) continue;
      changed = true;
      totals[kind] += 1;
      const key = `${field}\u0000${kind}`;
      let c = changes.get(key);
      if (!c) {
        c = { field, kind, count: 0, transitions: [], examples: [], byTransition: new Map() };
        changes.set(key, c);
      }
      c.count += 1;
      const b = short(before.get(field)?.value ?? null);
      const a = short(after.get(field)?.value ?? null);
      const t = JSON.stringify([b, a]);
      c.byTransition.set(t, (c.byTransition.get(t) ?? 0) + 1);
      if (c.examples.length < examplesPerField) {
        c.examples.push(
          kind === "provenance"
            ? {
                assessmentPk: input.assessmentPk,
                before: short(before.get(field)?.detail ?? null),
                after: short(after.get(field)?.detail ?? null),
              }
            : { assessmentPk: input.assessmentPk, before: b, after: a },
        );
      }
    }
    if (changed) changedAssessments += 1;
  }
  const fields = [...changes.values()]
    .map(({ byTransition, ...c }) => ({
      ...c,
      transitions: [...byTransition.entries()]
        .map(([t, count]) => {
          const [before, after] = JSON.parse(t) as [string | null, string | null];
          return { before, after, count };
        })
        .sort((x, y) => y.count - x.count)
        .slice(0, 5),
    }))
    .sort((x, y) => y.count - x.count || (x.field < y.field ? -1 : x.field > y.field ? 1 : 0));
  const mean = (n: number, d: number) => (d === 0 ? 0 : Math.round((n / d) * 10) / 10);
  return {
    from,
    to,
    assessments,
    changedAssessments,
    outcomes: [...outcomes.entries()].map(([k, count]) => {
      const [before, after] = k.split(" -> ") as [string, string];
      return { before, after, count };
    }),
    totals,
    filledPerDraft: {
      before: mean(filled.before, filled.drafts.before),
      after: mean(filled.after, filled.drafts.after),
    },
    fields,
  };
}
