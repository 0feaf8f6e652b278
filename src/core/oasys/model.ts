/**
 * The canonical model of one OASys assessment (`oasys-canonical/1`).
 *
 * Whatever the source (XML export, ORDS REST pull), ingest produces exactly this shape, validated by
 * `schemas/oasys-assessment.schema.json`. It is plain JSON (no Dates, no classes) so it can be stored,
 * diffed and compared for equality. Local date-times are kept as OASys sends them
 * (`YYYY-MM-DDTHH:mm:ss`, Europe/London, no zone); dates as `YYYY-MM-DD`.
 */

export const CANONICAL_SCHEMA = "oasys-canonical/1" as const;

export type AssessmentType = "LAYER1" | "LAYER2" | "LAYER3" | "BCS" | "TR_BCS" | "SARA" | "RM2000";
export type AssessmentStatus = "OPEN" | "COMPLETE" | "LOCKED_INCOMPLETE";
export type PartcompStatus = "SIGNED" | "UNSIGNED";
export type Gender = "MALE" | "FEMALE" | "NOT_KNOWN";
export type RiskLevel = "LOW" | "MEDIUM" | "HIGH" | "VERY_HIGH";
export type Band = RiskLevel | "NOT_APPLICABLE";
export type RoshGroup = "CHILDREN" | "PUBLIC" | "KNOWN_ADULT" | "STAFF" | "PRISONERS";
export type RoshSetting = "COMMUNITY" | "CUSTODY";
export type StaticOrDynamic = "STATIC" | "DYNAMIC";

/**
 * A normalised answer. An item that is absent from `answers` was NOT ASKED; `missing` means it was asked
 * (the element or field exists) but holds no usable value (`M`, empty, null). Neither is "no problem".
 */
export type NormalisedAnswer =
  | { kind: "score"; score: 0 | 1 | 2 }
  | { kind: "yesno"; value: "YES" | "NO" }
  | { kind: "code"; code: string }
  | { kind: "number"; value: number }
  | { kind: "date"; value: string }
  | { kind: "text"; text: string }
  | { kind: "missing" };

export interface Answer {
  /** The value exactly as the source gave it (`null` when the source field was null or empty). */
  raw: string | null;
  value: NormalisedAnswer;
}

/**
 * What an identifier value is: VALID (usable as a key), INVALID (wrong format or check character),
 * AMBIGUOUS (reads as more than one identifier, e.g. a PNC without its slash) or ABSENT (a placeholder
 * such as `UNKNOWN PNC`, `N/A` or zeros: nothing was recorded).
 */
export type IdentifierStatus = "VALID" | "INVALID" | "AMBIGUOUS" | "ABSENT";

export interface Identifier {
  raw: string;
  /** Canonical form when the value parses (e.g. PNC `YYYY/NNNNNNNC`), otherwise null. */
  canonical: string | null;
  /**
   * True only when the status is VALID. False when the format or check character is wrong, when the value
   * is ambiguous or a placeholder; a warning is recorded, never a crash.
   */
  valid: boolean;
  /**
   * Written only when `valid` does not already say it: ABSENT or AMBIGUOUS. Missing means VALID when
   * `valid` is true and INVALID otherwise (so records stored before the field existed read the same); read
   * it with `identifierStatus` (core/identity/identifiers.ts).
   */
  status?: IdentifierStatus;
}

export interface Offender {
  oasysOffenderPk: number | null;
  crn: Identifier | null;
  pnc: Identifier | null;
  cro: Identifier | null;
  nomisId: Identifier | null;
  familyName: string | null;
  forenames: string[];
  dateOfBirth: string | null;
  gender: Gender;
  limitedAccessOffender: boolean;
  /** `custodyInd` Y/N; null when not given. */
  inCustody: boolean | null;
  /** OASys merge markers (`MERGE_PNC_NUMBER`, `MERGED_OFFENDER_PK`). */
  mergedPnc: string | null;
  mergedOffenderPk: number | null;
}

export interface LaterAssessmentFlags {
  laterWIPAssessmentExists: boolean | null;
  latestWIPDate: string | null;
  laterSignLockAssessmentExists: boolean | null;
  latestSignLockDate: string | null;
  laterPartCompUnsignedAssessmentExists: boolean | null;
  latestPartCompUnsignedDate: string | null;
  laterPartCompSignedAssessmentExists: boolean | null;
  latestPartCompSignedDate: string | null;
  laterCompleteAssessmentExists: boolean | null;
  latestCompleteDate: string | null;
}

/** Every "is there something newer" flag and date, in the order OASys sends them. */
export const LATER_FLAG_KEYS: readonly (keyof LaterAssessmentFlags)[] = [
  "laterWIPAssessmentExists",
  "latestWIPDate",
  "laterSignLockAssessmentExists",
  "latestSignLockDate",
  "laterPartCompUnsignedAssessmentExists",
  "latestPartCompUnsignedDate",
  "laterPartCompSignedAssessmentExists",
  "latestPartCompSignedDate",
  "laterCompleteAssessmentExists",
  "latestCompleteDate",
];

export interface SectionFlags {
  linkedToHarm: boolean | null;
  linkedToReoffending: boolean | null;
  issuesDetails: string | null;
}

export interface RoshLevel {
  group: RoshGroup;
  setting: RoshSetting;
  level: RiskLevel;
}

export interface RoshSummary {
  /** R10.6 grid: one entry per answered cell, sorted group then setting. */
  levels: RoshLevel[];
  whoIsAtRisk: string | null;
  natureOfRisk: string | null;
  riskImminence: string | null;
  riskIncreaseFactors: string | null;
  riskMitigationFactors: string | null;
  analysisOfRiskFactors: string | null;
}

/** Predictor types the bridge knows; newer ones are carried through with their source spelling. */
export const KNOWN_PREDICTOR_TYPES = [
  "OGRS3_1YR",
  "OGRS3_2YR",
  "OGP",
  "OVP",
  "RSR",
  "OSP_C",
  "OSP_I",
  "OSP_DC",
  "OSP_IIC",
  "RM2000_S",
] as const;

export interface Predictor {
  type: string;
  score: number | null;
  /** RM2000 points (and other point-scored tools). */
  points: number | null;
  /** Band exactly as OASys supplied it, normalised; never recomputed from the score (rule SP-6). */
  band: Band | null;
  staticOrDynamic: StaticOrDynamic | null;
  algorithmVersion: string | null;
  calculatedAt: string | null;
}

export interface Mappa {
  /** 1..4 (Delius M4), null when nominal/unknown. */
  category: number | null;
  /** 1..3, null when nominal/unknown. */
  level: number | null;
}

export interface RiskManagementPlan {
  mappa: Mappa | null;
  keyInformationCurrentSituation: string | null;
  furtherConsiderationsCurrentSituation: string | null;
  supervision: string | null;
  monitoringAndControl: string | null;
  interventionsAndTreatment: string | null;
  victimSafetyPlanning: string | null;
  contingencyPlans: string | null;
}

/** Something the source held that the model has no field for: carried raw, never dropped. */
export interface Extra {
  path: string;
  raw: string;
}

export interface RecordWarning {
  code: string;
  path: string;
  message: string;
}

export interface OasysAssessment {
  schema: typeof CANONICAL_SCHEMA;
  assessmentPk: number;
  type: AssessmentType;
  /** "1" = OASys, "2" = SAN. */
  version: string | null;
  status: AssessmentStatus;
  partcompStatus: PartcompStatus | null;
  purposeCode: number | null;
  purposeDescription: string | null;
  initiationDate: string | null;
  assessorSignedDate: string | null;
  dateCompleted: string | null;
  later: LaterAssessmentFlags;
  offender: Offender;
  /** Answers keyed by OASys question code (`6.12`, `R1.2.3`, `RM8`...). Absent = not asked. */
  answers: Record<string, Answer>;
  /** Section-level flags keyed by section code (`3`..`13`). */
  sections: Record<string, SectionFlags>;
  rosh: RoshSummary | null;
  predictors: Predictor[];
  rmp: RiskManagementPlan | null;
  extras: Extra[];
  warnings: RecordWarning[];
}

/** Where an ingested assessment came from. Kept beside the model, not in it. */
export interface AssessmentSource {
  kind: "XML_EXPORT" | "ORDS_PULL";
  exportId: string | null;
  generatedAt: string | null;
  /** 1-based position of the assessment in the export, for error messages. */
  index: number | null;
}

/** A rejected record: names the record and the problem, never the person. */
export interface RecordError {
  code: string;
  exportId: string | null;
  assessmentPk: string | null;
  index: number | null;
  path: string;
  reason: string;
  line?: number;
  column?: number;
}

export type IngestResult =
  | { ok: true; assessment: OasysAssessment; source: AssessmentSource }
  | { ok: false; error: RecordError };
