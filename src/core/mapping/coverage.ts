/**
 * Coverage: how much of a blank ARMS form the mapping fills, as evidence of officer time saved. For the
 * "typical" population (complete LAYER3 assessments) it gives the median, range and per-field rates of
 * filled / evidence-only / unfilled fields, and the commonest reason a field stays empty.
 */
import type { OasysAssessment } from "../oasys/model.ts";
import type { MappingResult } from "./apply.ts";
import { median, spread } from "./prefilled.ts";
import type { FieldState, MappingSummary } from "./summary.ts";

export interface FieldCoverage {
  field: string;
  filled: number;
  evidenceOnly: number;
  unfilled: number;
  /** The commonest reason the field was not filled, with how often. */
  topReason: { reason: string; count: number } | null;
}

export interface CoverageReport {
  assessments: number;
  drafts: number;
  refused: { reason: string; count: number }[];
  /** The population the headline describes. */
  typical: {
    selection: string;
    drafts: number;
    formFields: number;
    /** Pre-filled fields per draft (`prefilledFields`, the one definition). */
    filled: { median: number; min: number; max: number };
    /** Pre-filled fields of the population's drafts together. */
    filledInAll: number;
    evidenceOnly: { median: number; min: number; max: number };
    evidenceItems: { median: number };
  };
  fields: FieldCoverage[];
}

/** Is this the kind of assessment the headline is about? */
export const isTypical = (a: OasysAssessment): boolean => a.type === "LAYER3" && a.status === "COMPLETE";

export function coverageOf(
  results: Iterable<{ assessment: OasysAssessment; result: MappingResult }>,
): CoverageReport {
  let assessments = 0;
  const refused = new Map<string, number>();
  const all: MappingSummary[] = [];
  const typical: MappingSummary[] = [];
  for (const { assessment, result } of results) {
    assessments += 1;
    if (!result.ok) {
      refused.set(result.refusal.reason, (refused.get(result.refusal.reason) ?? 0) + 1);
      continue;
    }
    all.push(result.summary);
    if (isTypical(assessment)) typical.push(result.summary);
  }
  const population = typical.length > 0 ? typical : all;
  const perField = new Map<string, { counts: Record<FieldState, number>; reasons: Map<string, number> }>();
  for (const s of population) {
    for (const f of s.fields) {
      let entry = perField.get(f.field);
      if (!entry) {
        entry = { counts: { FILLED: 0, EVIDENCE_ONLY: 0, UNFILLED: 0 }, reasons: new Map() };
        perField.set(f.field, entry);
      }
      entry.counts[f.state] += 1;
      if (f.state !== "FILLED" && f.reason)
        entry.reasons.set(f.reason, (entry.reasons.get(f.reason) ?? 0) + 1);
    }
  }
  return {
    assessments,
    drafts: all.length,
    refused: [...refused.entries()].map(([reason, count]) => ({ reason, count })),
    typical: {
      selection:
        typical.length > 0
          ? "complete LAYER3 assessments"
          : "all mapped assessments (no complete LAYER3 among them)",
      drafts: population.length,
      formFields: population[0]?.total ?? 0,
      filled: spread(population.map((s) => s.filled)),
      filledInAll: population.reduce((sum, s) => sum + s.filled, 0),
      evidenceOnly: spread(population.map((s) => s.evidenceOnly)),
      evidenceItems: { median: median(population.map((s) => s.evidenceItems)) },
    },
    fields: [...perField.entries()].map(([field, { counts, reasons }]) => {
      const top = [...reasons.entries()].sort((a, b) => b[1] - a[1])[0];
      return {
        field,
        filled: counts.FILLED,
        evidenceOnly: counts.EVIDENCE_ONLY,
        unfilled: counts.UNFILLED,
        topReason: top ? { reason: top[0], count: top[1] } : null,
      };
    }),
  };
}
