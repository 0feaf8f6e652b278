/**
 * The outbound pre-filled ARMS draft: `arms-interchange/1` with `status: DRAFT` plus the draft-only fields
 * the schema allows on drafts. How provenance is carried (docs/mapping.md):
 * - objects carry it inline: each factor (`prefill` on a proposed rating, `prefill` on every `oasysEvidence`
 *   item, `unfilledReason` when no rating is proposed), `staticRisk`, each of `otherStaticRisks`, `mappa`;
 * - scalar leaves (subject identity, plan and case-formulation texts, source-assessment metadata) have theirs
 *   in `prefillProvenance`, keyed by JSON pointer; unfilled scalars and null objects in `unfilledReasons`.
 */
import type {
  ArmsAssessment,
  ArmsPlan,
  ArmsSubject,
  FactorAssessment,
  Prefill,
  ProtectiveFactor,
  RiskFactor,
  StaticRisk,
} from "./model.ts";

/** Draft fields only the police assessor can fill: OASys holds nothing for them (JSON pointers). */
export const POLICE_ONLY_FIELDS = [
  "/force",
  "/visorRef",
  "/assessedOn",
  "/nextReviewDue",
  "/assessor",
  "/riskLevel",
  "/managementMode",
  "/visitIntervalDays",
] as const;

export interface SourceAssessment {
  system: "OASYS";
  assessmentPk: number;
  type?: string | null;
  purposeCode?: number | null;
  purposeDescription?: string | null;
  status?: "OPEN" | "COMPLETE" | "LOCKED_INCOMPLETE" | null;
  initiationDate?: string | null;
  assessorSignedDate?: string | null;
  dateCompleted?: string | null;
  requiredToRegister?: "YES" | "NO" | null;
  registered?: "YES" | "NO" | null;
}

export interface ArmsDraft
  extends Omit<
    ArmsAssessment,
    "status" | "assessedOn" | "force" | "assessor" | "staticRisk" | "mappa" | "riskManagementPlan"
  > {
  status: "DRAFT";
  assessor: { id: string; role: string } | null;
  force: string | null;
  assessedOn: string | null;
  subject: ArmsSubject;
  staticRisk: StaticRisk | null;
  otherStaticRisks: StaticRisk[];
  mappa: { category: number | null; level: number | null; prefill?: Prefill } | null;
  riskFactors: Partial<Record<RiskFactor, FactorAssessment>>;
  protectiveFactors: Partial<Record<ProtectiveFactor, FactorAssessment>>;
  riskManagementPlan: ArmsPlan;
  caseFormulation: string | null;
  sourceAssessment: SourceAssessment;
  mappingVersion: string;
  /** JSON pointer -> provenance, for every pre-filled scalar leaf. */
  prefillProvenance: Record<string, Prefill>;
  /** JSON pointer -> why the field is left for the assessor. */
  unfilledReasons: Record<string, string>;
}
