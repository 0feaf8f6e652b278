/**
 * ARMS interchange (`arms-interchange/1`, contract §3): this project's own, versioned shape for completed
 * ARMS assessments coming in from police and pre-filled drafts going out. The factor catalogue itself is
 * data (`mappings/arms-factors.yaml`); the identifiers below are the v1 enumerations.
 */
import type { RiskLevel } from "../oasys/model.ts";

export const ARMS_SCHEMA = "arms-interchange/1" as const;

export const RISK_FACTORS = [
  "SEXUAL_PREOCCUPATION",
  "OFFENCE_RELATED_SEXUAL_INTEREST",
  "OPPORTUNITY_TO_OFFEND",
  "EMOTIONAL_CONGRUENCE_WITH_CHILDREN",
  "HOSTILE_ORIENTATION",
  "POOR_SELF_MANAGEMENT",
  "NEGATIVE_SOCIAL_INFLUENCES",
] as const;
export const PROTECTIVE_FACTORS = [
  "COMMITMENT_TO_DESIST",
  "SOCIAL_INVESTMENT",
  "EMPLOYMENT_AND_POSITIVE_ROUTINE",
  "INTIMATE_RELATIONSHIP",
] as const;

export type RiskFactor = (typeof RISK_FACTORS)[number];
export type ProtectiveFactor = (typeof PROTECTIVE_FACTORS)[number];
export type FactorRating = "PRESENT" | "SOME_EVIDENCE" | "NOT_PRESENT" | "INSUFFICIENT_INFORMATION";
export type ArmsStatus = "DRAFT" | "COMPLETE";
export type StaticTool = "RM2000_S" | "OSP_C" | "OSP_DC";
export type ManagementMode = "ACTIVE" | "REACTIVE";
export type ArmsGender = "MALE" | "FEMALE" | "NOT_KNOWN";

/** DPA 2018 s.38(2): facts distinguished from personal assessments. */
export type DataBasis = "FACT" | "ASSESSMENT" | "DERIVED";
export type MappingStrength = "STRONG" | "MEDIUM" | "WEAK";

/** Where a pre-filled value came from. Present on every filled field of an outbound draft. */
export interface Prefill {
  source: "OASYS";
  assessmentPk: number;
  /** OASys question code, or a pseudo-code for non-question sources (`ROSHSUM.whoIsAtRisk`, `predictor:OSP_DC`). */
  question: string;
  sourceValue: string | null;
  sourceDate: string | null;
  basis: DataBasis;
  strength: MappingStrength;
  mappingVersion: string;
  note: string;
  /** Id of the mapping rule that produced the value (outbound drafts). */
  rule?: string;
}

/** A piece of OASys evidence attached to a factor (MEDIUM links): shown to the assessor, never a rating. */
export interface FactorEvidenceItem {
  question: string;
  label: string;
  sourceValue: string | null;
  supports: "RISK" | "PROTECTIVE" | "CONTEXT";
  prefill: Prefill;
}

export interface FactorAssessment {
  rating?: FactorRating;
  evidence?: string;
  prefill?: Prefill;
  /** Outbound drafts: evidence from OASys items that inform but do not rate the factor. */
  oasysEvidence?: FactorEvidenceItem[];
  unfilledReason?: string;
}

export interface ArmsSubject {
  pnc?: string | null;
  crn?: string | null;
  cro?: string | null;
  nomisId?: string | null;
  familyName?: string | null;
  givenName?: string | null;
  dateOfBirth?: string | null;
  gender?: ArmsGender;
}

export interface StaticRisk {
  tool: StaticTool;
  band: RiskLevel | "NOT_APPLICABLE";
  score?: number | null;
  prefill?: Prefill;
}

export interface ArmsPlan {
  controls?: string | null;
  monitoring?: string | null;
  rehabilitation?: string | null;
  multiAgencyActions?: string | null;
}

export interface ArmsAssessment {
  schema: typeof ARMS_SCHEMA;
  armsAssessmentId: string;
  revision: number;
  force: string;
  visorRef?: string | null;
  status: ArmsStatus;
  subject: ArmsSubject;
  assessedOn: string;
  nextReviewDue?: string | null;
  assessor?: { id: string; role: string };
  staticRisk?: StaticRisk | null;
  riskFactors: Partial<Record<RiskFactor, FactorAssessment>>;
  protectiveFactors: Partial<Record<ProtectiveFactor, FactorAssessment>>;
  riskLevel?: RiskLevel | null;
  managementMode?: ManagementMode | null;
  visitIntervalDays?: number | null;
  mappa?: { category: number | null; level: number | null } | null;
  riskManagementPlan?: ArmsPlan | null;
}
