/** Plain-text renderings of mapping results for people: prefill summaries, coverage (diffs: src/cli/mapping-report.ts). */
import { type ArmsDraft, POLICE_ONLY_FIELDS } from "../arms/draft.ts";
import type { FactorAssessment } from "../arms/model.ts";
import type { CoverageReport } from "./coverage.ts";
import type { MappingRefusal } from "./gates.ts";
import { formatPerDraft, PREFILLED_FIELD } from "./prefilled.ts";
import type { Mapping } from "./spec.ts";
import type { MappingSummary } from "./summary.ts";

const POLICE_ONLY: ReadonlySet<string> = new Set(POLICE_ONLY_FIELDS);

const pct = (n: number, d: number) => (d === 0 ? "0%" : `${Math.round((n / d) * 100)}%`);

/** One draft, for the person reading `bridge prefill`: counts, gates, and why each field is empty. */
export function formatDraftSummary(draft: ArmsDraft, summary: MappingSummary): string {
  const s = draft.sourceAssessment;
  const when = s.dateCompleted ? `completed ${s.dateCompleted}` : "not completed";
  const lines = [
    `assessment ${s.assessmentPk} -> draft ${draft.armsAssessmentId} (${s.type ?? "?"} ${s.status ?? "?"}, ${when})`,
    `  filled ${summary.filled} of ${summary.total} ARMS fields (${pct(summary.filled, summary.total)}), evidence-only ${summary.evidenceOnly}, unfilled ${summary.unfilled}; ${summary.evidenceItems} OASys evidence item(s) attached`,
  ];
  for (const g of summary.gates) lines.push(`  gate ${g.gate}: ${g.reason}`);
  const police = summary.reasons.filter((r) => POLICE_ONLY.has(r.field));
  const width = Math.max(
    0,
    ...summary.reasons.filter((r) => !POLICE_ONLY.has(r.field)).map((r) => r.field.length),
  );
  for (const r of summary.reasons) {
    if (POLICE_ONLY.has(r.field)) continue;
    if (summary.fields.find((f) => f.field === r.field)?.state === "EVIDENCE_ONLY") {
      const [, group, id] = r.field.split("/") as [string, "riskFactors" | "protectiveFactors", string];
      const items = (draft[group] as Record<string, FactorAssessment | undefined>)[id]?.oasysEvidence ?? [];
      const listed = items
        .map((e) => `${e.question}=${(e.sourceValue ?? "").slice(0, 12)} ${e.supports}`)
        .join(", ");
      lines.push(
        `  ${"evidence".padEnd(8)} ${r.field.padEnd(width)}  no rating proposed; ${items.length} OASys item(s): ${listed}`,
      );
    } else {
      lines.push(`  ${"unfilled".padEnd(8)} ${r.field.padEnd(width)}  ${r.reason}`);
    }
  }
  if (police.length > 0) {
    lines.push(
      `  police   ${police.map((r) => r.field.slice(1)).join(", ")}: the ARMS assessor's own judgement or police data`,
    );
  }
  return lines.join("\n");
}

export function formatRefusal(file: string, refusal: MappingRefusal): string {
  return `assessment ${refusal.assessmentPk} (${file}) refused, ${refusal.code} ${refusal.reason}: ${refusal.detail}`;
}

export function formatCoverage(report: CoverageReport, mapping: Mapping): string {
  const t = report.typical;
  const lines = [
    `Mapping ${mapping.spec.version}: coverage of a blank ARMS form (${t.formFields} fields an officer would otherwise complete)`,
    `Assessments read: ${report.assessments}; drafts: ${report.drafts}; refused: ${report.refused.map((r) => `${r.reason} ${r.count}`).join(", ") || "none"}`,
    "",
    `Population: ${t.selection} (${t.drafts})`,
    `  ${formatPerDraft(t.filled, t.formFields, t.filledInAll)}`,
    `  ${PREFILLED_FIELD}`,
    `  factors with OASys evidence but no proposed rating: median ${t.evidenceOnly.median} (range ${t.evidenceOnly.min}-${t.evidenceOnly.max})`,
    `  OASys evidence items attached per draft: median ${t.evidenceItems.median}`,
    `  a blank ARMS starts with 0 of ${t.formFields} fields filled`,
    "",
  ];
  const width = Math.max(5, ...report.fields.map((f) => f.field.length));
  lines.push(`${"field".padEnd(width)}  filled  evidence  unfilled  commonest reason when not filled`);
  for (const f of report.fields) {
    const reason = f.topReason ? `${f.topReason.reason} (${f.topReason.count})` : "";
    lines.push(
      `${f.field.padEnd(width)}  ${pct(f.filled, t.drafts).padStart(6)}  ${pct(f.evidenceOnly, t.drafts).padStart(8)}  ${pct(f.unfilled, t.drafts).padStart(8)}  ${reason}`,
    );
  }
  return lines.join("\n");
}
