/**
 * How a reconciliation is shown: the JSON shape of `bridge reconcile --json` (a contract) and the readable
 * per-person report. The readable report names people by their identifiers only, never by name.
 */
import type { PersonReconciliation } from "../core/reconcile/reconcile.ts";
import type { FileFailure, Rejection } from "./inputs.ts";

/** One entry of `results` in `bridge reconcile --json`. */
export function resultJson(r: PersonReconciliation) {
  return {
    personKey: r.personKey,
    subject: r.subject,
    match: r.match,
    draft: r.draft,
    draftRefusal: r.draftRefusal,
    conflicts: r.conflicts,
    push: r.push,
    outbound: {
      police: r.outbound.police ? { draftId: r.outbound.police.armsAssessmentId } : null,
      probation: r.outbound.probation,
      withheld: r.outbound.withheld,
    },
  };
}

export interface ReconcileTotals {
  persons: number;
  byMatch: Record<string, number>;
  bySeverity: Record<string, number>;
  byRule: Record<string, number>;
  drafts: number;
  toPolice: number;
  toProbation: number;
  held: number;
}

export function totalsOf(results: readonly PersonReconciliation[]): ReconcileTotals {
  const t: ReconcileTotals = {
    persons: results.length,
    byMatch: {},
    bySeverity: { BLOCK: 0, WARN: 0, INFO: 0 },
    byRule: {},
    drafts: 0,
    toPolice: 0,
    toProbation: 0,
    held: 0,
  };
  const bump = (m: Record<string, number>, k: string) => {
    m[k] = (m[k] ?? 0) + 1;
  };
  for (const r of results) {
    bump(t.byMatch, r.match.status);
    for (const c of r.conflicts) {
      bump(t.bySeverity, c.severity);
      bump(t.byRule, c.ruleId);
    }
    if (r.draft) t.drafts += 1;
    if (r.outbound.police) t.toPolice += 1;
    if (r.outbound.probation) t.toProbation += 1;
    if (!r.push.allowed) t.held += 1;
  }
  return t;
}

const counts = (m: Record<string, number>) =>
  Object.entries(m)
    .filter(([, n]) => n > 0)
    .sort(([a], [b]) => a.localeCompare(b, "en", { numeric: true }))
    .map(([k, n]) => `${k} ${n}`)
    .join(", ") || "none";

export function formatTotals(t: ReconcileTotals): string {
  return [
    `People reconciled: ${t.persons}`,
    `  identity:   ${counts(t.byMatch)}`,
    `  conflicts:  ${counts(t.bySeverity)}`,
    `  by rule:    ${counts(t.byRule)}`,
    `  drafts:     ${t.drafts} pre-filled ARMS drafts`,
    `  to send:    ${t.toPolice} draft(s) to police, ${t.toProbation} update(s) to probation; ${t.held} person(s) held by a conflict awaiting a decision`,
  ].join("\n");
}

export function formatPerson(r: PersonReconciliation): string {
  const s = r.subject;
  const arms = s.armsAssessmentId ? `ARMS ${s.armsAssessmentId} r${s.armsRevision}` : "no ARMS";
  const oasys = s.oasysAssessmentPk !== null ? `OASys ${s.oasysAssessmentPk}` : "no OASys";
  const lines = [
    `Person ${r.personKey}  (${oasys} <-> ${arms})`,
    `  identity: ${r.match.status}: ${r.match.explanation}`,
  ];
  if (r.draft) {
    const d = r.draft;
    const factors = [...Object.values(d.riskFactors), ...Object.values(d.protectiveFactors)];
    const rated = factors.filter((f) => f?.rating).length;
    const evidence = factors.filter((f) => !f?.rating && (f?.oasysEvidence?.length ?? 0) > 0).length;
    lines.push(
      `  draft:    ${d.armsAssessmentId}: ${rated} factor rating(s) proposed, ${evidence} factor(s) with OASys evidence only, ${Object.keys(d.unfilledReasons).length} field(s) left for the assessor`,
    );
  } else if (r.draftRefusal) {
    lines.push(`  draft:    refused: ${r.draftRefusal.reason}`);
  }
  if (r.conflicts.length === 0) lines.push("  conflicts: none");
  else {
    lines.push(`  conflicts: ${r.conflicts.length}`);
    for (const c of r.conflicts)
      lines.push(`    ${c.severity.padEnd(5)} ${c.ruleId.padEnd(5)} ${c.explanation}`);
  }
  const send = [
    r.outbound.police ? "draft to police" : null,
    r.outbound.probation ? "update to probation" : null,
  ]
    .filter(Boolean)
    .join(" and ");
  lines.push(`  send:     ${send || "nothing"}`);
  for (const w of r.outbound.withheld) lines.push(`    held: ${w}`);
  return lines.join("\n");
}

export function formatProblems(rejected: readonly Rejection[], failed: readonly FileFailure[]): string {
  const lines: string[] = [];
  for (const f of failed) lines.push(`FAILED   ${f.file}: ${f.code}: ${f.message}`);
  for (const r of rejected) {
    const e = r.error as {
      code: string;
      path: string;
      reason: string;
      assessmentPk?: string | null;
      armsAssessmentId?: string | null;
      index?: number | null;
    };
    const id =
      r.kind === "OASYS" ? `assessment ${e.assessmentPk ?? "?"}` : `ARMS ${e.armsAssessmentId ?? "?"}`;
    lines.push(`REJECTED ${r.file}: ${id} (#${e.index ?? "?"}) at ${e.path}: ${e.code}: ${e.reason}`);
  }
  return lines.join("\n");
}
