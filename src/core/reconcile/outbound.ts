/**
 * The partner risk update probation receives (contract §4, `urn:hmpps:oasys:partner-update:1`): who it
 * is about, the latest ARMS summary, the open conflicts, and the decisions people have recorded. This is
 * the content; rendering it as XML and delivering it belong to the delivery adapter.
 */
import type { ArmsAssessment, FactorRating } from "../arms/model.ts";
import type { Conflict, Severity } from "../conflicts/types.ts";
import type { OasysAssessment, RiskLevel } from "../oasys/model.ts";
import type { DecisionReviewer } from "./lifecycle.ts";

export interface ReconciliationDecision {
  ruleId: string;
  fingerprint: string;
  outcome: "RESOLVED" | "DISMISSED";
  decision: string | null;
  rationale: string;
  decidedBy: string[];
  /** The same reviewers with the role and agency each decided in (issue 11). */
  reviewers: DecisionReviewer[];
  decidedAt: string;
}

export interface PartnerRiskUpdate {
  schema: "urn:hmpps:oasys:partner-update:1";
  subject: { crn: string | null; pnc: string | null; oasysAssessmentPk: number };
  arms: {
    armsAssessmentId: string;
    revision: number;
    force: string | null;
    assessedOn: string | null;
    nextReviewDue: string | null;
    riskLevel: RiskLevel | null;
    managementMode: string | null;
    factors: { factor: string; kind: "RISK" | "PROTECTIVE"; rating: FactorRating | null }[];
  };
  openConflicts: { ruleId: string; severity: Severity; fingerprint: string; explanation: string }[];
  decisions: ReconciliationDecision[];
}

export function partnerRiskUpdate(
  oasys: OasysAssessment,
  arms: ArmsAssessment,
  conflicts: readonly Conflict[],
  decisions: readonly ReconciliationDecision[] = [],
): PartnerRiskUpdate {
  const factors = [
    ...Object.entries(arms.riskFactors).map(([factor, f]) => ({
      factor,
      kind: "RISK" as const,
      rating: f?.rating ?? null,
    })),
    ...Object.entries(arms.protectiveFactors).map(([factor, f]) => ({
      factor,
      kind: "PROTECTIVE" as const,
      rating: f?.rating ?? null,
    })),
  ];
  return {
    schema: "urn:hmpps:oasys:partner-update:1",
    subject: {
      crn: oasys.offender.crn?.canonical ?? null,
      pnc: oasys.offender.pnc?.canonical ?? null,
      oasysAssessmentPk: oasys.assessmentPk,
    },
    arms: {
      armsAssessmentId: arms.armsAssessmentId,
      revision: arms.revision,
      force: arms.force ?? null,
      assessedOn: arms.assessedOn ?? null,
      nextReviewDue: arms.nextReviewDue ?? null,
      riskLevel: arms.riskLevel ?? null,
      managementMode: arms.managementMode ?? null,
      factors,
    },
    openConflicts: conflicts.map((c) => ({
      ruleId: c.ruleId,
      severity: c.severity,
      fingerprint: c.fingerprint,
      explanation: c.explanation,
    })),
    decisions: [...decisions],
  };
}
