/**
 * The OASys -> ARMS mapping as data: the shapes of `mappings/oasys-to-arms.yaml` and
 * `mappings/arms-factors.yaml` once they have passed `schemas/mapping.schema.json` and the loader's
 * cross-checks. The language is documented in `mappings/README.md`.
 */
import type { DataBasis, FactorRating, MappingStrength, StaticTool } from "../arms/model.ts";
import type { AssessmentStatus, AssessmentType, Gender } from "../oasys/model.ts";

/** A condition on answers. Tokens: a 0/1/2 score as "0".."2", YES/NO, a code, a number as written. */
export type Condition =
  | { question: string; is: string[] }
  | { question: string; atLeast: number }
  | { allOf: Condition[] }
  | { anyOf: Condition[] }
  | { not: Condition };

export type Supports = "RISK" | "PROTECTIVE" | "CONTEXT";

export interface FactorSpec {
  id: string;
  type: "RISK" | "PROTECTIVE";
  label: string;
  confidence: "P" | "K" | "I";
  ratedFromOasys: boolean;
  oasysCounterpart?: string;
}

export interface FactorCatalogue {
  kind: "arms-factor-catalogue";
  catalogue: string;
  version: string;
  ratings: FactorRating[];
  factors: FactorSpec[];
}

export type FieldSource = "identifier" | "text" | "date" | "integer" | "gender" | "forenames" | "yesno";

export interface FieldRule {
  id: string;
  row: number;
  target: string;
  from?: string;
  question?: string;
  constant?: string | number | boolean;
  as?: FieldSource;
  basis: DataBasis;
  strength: MappingStrength;
  note: string;
}

export interface RatingRule {
  id: string;
  row: number;
  factor: string;
  question: string;
  requires?: { condition: Condition; reason: string };
  values: Record<string, FactorRating>;
  basis: DataBasis;
  strength: MappingStrength;
  note: string;
}

export interface EvidenceItemRule {
  factor: string;
  question: string;
  label?: string;
  when?: Condition;
  /** Value token -> what it supports; `*` matches any answered value. */
  supports: Record<string, Supports>;
  note: string;
}

export interface EvidenceRule {
  id: string;
  row: number;
  strength: MappingStrength;
  items: EvidenceItemRule[];
}

export interface StaticToolRule {
  tool: StaticTool;
  predictor: string;
  score: "score" | "points";
  row: number;
  strength: MappingStrength;
}

export interface NarrativeRule {
  id: string;
  row: number;
  target: string;
  attribution: string;
  basis: DataBasis;
  strength: MappingStrength;
  parts: { from: string; code: string; label: string }[];
}

export interface MappingGates {
  acceptedAssessmentTypes: AssessmentType[];
  requireAnyIdentifier: ("crn" | "pnc" | "cro" | "nomisId")[];
  refuseWhenLaterCompleteExists: boolean;
  ratingsRequireStatus: AssessmentStatus[];
  applicability: { genders: Gender[]; minimumAgeYears: number; excludeLimitedAccessOffenders: boolean };
  sectionlessPurposes: { code: number; label: string }[];
}

export interface MappingSpec {
  kind: "oasys-to-arms-mapping";
  mapping: string;
  version: string;
  factorCatalogue: string;
  changelog: { version: string; date: string; summary: string }[];
  gates: MappingGates;
  fields: FieldRule[];
  ratings: RatingRule[];
  evidence: EvidenceRule[];
  staticRisk: { id: string; basis: DataBasis; tools: StaticToolRule[]; note: string };
  mappa: { id: string; row: number; basis: DataBasis; strength: MappingStrength; note: string };
  narratives: NarrativeRule[];
  policeOnly: { target: string; reason: string }[];
  notMapped?: { row: number; reason: string }[];
}

/** A loaded, checked mapping: what `applyMapping` runs. Plain data; safe to share between calls. */
export interface Mapping {
  spec: MappingSpec;
  catalogue: FactorCatalogue;
  /** Where it was loaded from (for messages and reports); null when built in memory. */
  file: string | null;
}
