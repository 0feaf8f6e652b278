/** Conflict rules' shared vocabulary (domain brief §7). */

import type { ArmsAssessment, Prefill } from "../arms/model.ts";
import type { MatchResult } from "../identity/match-types.ts";
import type { OasysAssessment, RiskLevel } from "../oasys/model.ts";

export type Severity = "BLOCK" | "WARN" | "INFO";
export type RuleFamily = "ID" | "ST" | "LV" | "SP" | "FC" | "PF" | "MP" | "PU";
export type EvidenceSide = "OASYS" | "ARMS" | "DELIUS" | "BRIDGE";

/** One value a rule compared, with where it came from. */
export interface Evidence {
  side: EvidenceSide;
  /** Field or question compared (`11.11`, `riskLevel`, `rosh.CHILDREN.COMMUNITY`, `predictor:OSP_DC.band`). */
  field: string;
  value: string | number | boolean | null;
  /** OASys assessment pk or ARMS assessment id + revision (`ARMS-ESX-000123@3`). */
  record: string | null;
  /** Date of the source record (OASys dateCompleted, ARMS assessedOn). */
  date: string | null;
}

/** A conflict a rule raised for one person. */
export interface Conflict {
  ruleId: string;
  severity: Severity;
  /** One line, no personal data. */
  explanation: string;
  evidence: Evidence[];
  /**
   * Stable identity of this conflict across re-evaluations of the same person (rule id + what it is about,
   * e.g. `FC-1:SEXUAL_PREOCCUPATION`), so a conflict that still holds keeps its history and one that no
   * longer holds can be closed.
   */
  fingerprint: string;
}

// ---------------------------------------------------------------------------------------------------
// The rule engine's inputs and catalogue (step 3). Additive to the shared vocabulary above.

/** RULE raises conflicts; GATE governs when other rules may compare (brief §7 rows marked "rule"). */
export type RuleKind = "RULE" | "GATE";

/** Delius registration flags the rules read (brief §9 DeliusFlags subset, §2.6, §3.6, §4). */
export type DeliusFlag = "ARSO" | "AVIS" | "MAPP" | "SHPO" | "ANSO" | "DOFF" | "KDUP" | "ADVP" | "REG30";
export type DeliusRoshRegistration = "RVHR" | "RHRH" | "RMRH" | "RLRH";
/** Delius MAPPA codes: level `M0` and category `X9` mean nominal or unknown. */
export type DeliusMappaLevel = "M0" | "M1" | "M2" | "M3";
export type DeliusMappaCategory = "X9" | "M1" | "M2" | "M3" | "M4";

/**
 * nDelius registrations for the person (optional input). Rules that need them stay dormant while no
 * Delius registrations feed is connected (the context carries `registrations: null`).
 */
export interface DeliusRegistrations {
  /** Date the registrations were read (`YYYY-MM-DD`), the provenance date of Delius evidence. */
  asOf: string;
  /** Active registration flags. */
  flags: readonly DeliusFlag[];
  /** The one RoSH registration Delius holds (max over the nine RoSH cells), null when none. */
  roshRegistration: DeliusRoshRegistration | null;
  mappa: { level: DeliusMappaLevel | null; category: DeliusMappaCategory | null } | null;
}

/** Delius case access for the user the reconciliation is run for (ARNS `CaseAccess`). */
export interface CaseAccess {
  userExcluded: boolean;
  userRestricted: boolean;
}

/** Events that make both assessments out of date (ST-5). */
export type TriggerEventKind =
  | "RECALL"
  | "RELEASE"
  | "SERIOUS_INCIDENT_REVIEW"
  | "NEW_SEXUAL_OR_VIOLENT_CHARGE"
  | "NEW_SEXUAL_OR_VIOLENT_CONVICTION"
  | "CHANGE_OF_ADDRESS"
  | "CHANGE_OF_RELATIONSHIP";

/** A trigger event from a feed (police intelligence, Delius contact, court result). */
export interface TriggerEvent {
  kind: TriggerEventKind;
  /** `YYYY-MM-DD` the event happened. */
  date: string;
  side: EvidenceSide;
  /** Source record id (event id, contact id), never personal data. */
  record: string | null;
}

/** A record the bridge pushed earlier (PU-3): which source version went to which recipient. */
export interface PushedRecord {
  recipient: "POLICE" | "PROBATION";
  /** What was pushed was built from this source record. */
  source: "OASYS" | "ARMS";
  /** OASys assessment pk (`9630348`) or ARMS assessment id (`ARMS-ESX-000123`). */
  sourceId: string;
  /** ARMS revision pushed (null for OASys). */
  sourceRevision: number | null;
  /** `recordDigest` of the source as it was when pushed. */
  sourceDigest: string;
  /** `YYYY-MM-DD` of the push. */
  pushedOn: string;
}

/**
 * The outbound pre-filled ARMS draft as PU-2 reads it. Structural, so the mapping's `ArmsDraft` (and a plain
 * `arms-interchange/1` draft) fit: PU-2 walks every `prefill` object in it and the `prefillProvenance` map
 * (JSON pointer -> provenance), and reads the source assessment metadata the draft carries.
 */
export interface PushCandidate {
  armsAssessmentId: string;
  revision: number;
  sourceAssessment?: { assessmentPk: number; assessorSignedDate?: string | null } | null;
  prefillProvenance?: Readonly<Record<string, Prefill>>;
}

/** Everything the rules may look at for one person. Pure data; `today` stands in for the clock. */
export interface RuleContext {
  oasys: OasysAssessment | null;
  /** The latest completed ARMS assessment (latest revision). */
  arms: ArmsAssessment | null;
  match: MatchResult;
  registrations: DeliusRegistrations | null;
  /** `YYYY-MM-DD`, the comparison date. */
  today: string;
  /** The pre-filled ARMS draft about to be pushed (PU-2). */
  draft?: PushCandidate | null;
  /** Trigger events from feeds (ST-5); events implied by the OASys record itself are derived. */
  events?: readonly TriggerEvent[];
  /** Delius case access of the requesting user (ID-6). */
  access?: CaseAccess | null;
  /** Delivery history (PU-3). */
  pushes?: readonly PushedRecord[];
}

/** Tunable values (mappings/conflict-thresholds.yaml, validated by schemas/conflict-thresholds.schema.json). */
export interface ThresholdValues {
  oasysStaleWeeks: number;
  armsStaleMonths: number;
  temporalGapMonths: number;
  minimumAgeYears: number;
  levelGapWarn: number;
  levelGapInfo: number;
  childrenRoshLevels: RiskLevel[];
  ospHighBands: RiskLevel[];
  ospLowBands: RiskLevel[];
  armsLowLevels: RiskLevel[];
  armsVeryHighLevels: RiskLevel[];
  staticBandGapInfo: number;
  factorPresentRatings: string[];
  factorAbsentRatings: string[];
  sameEffectiveDateDays: number;
  planCheckMappaLevels: number[];
}

/** What an undecided conflict of one severity does to the person's pushes (PU-1), and who may lift it. */
export interface SeverityPolicy {
  /** While OPEN or ACKNOWLEDGED, nothing about the person is pushed to either agency. */
  holdsPush: boolean;
  /** Different reviewers a RESOLVE or DISMISS takes (2: four-eyes). */
  reviewers: 1 | 2;
}

/** `pushPolicy` in mappings/conflict-thresholds.yaml: one entry per severity. */
export type PushPolicy = Readonly<Record<Severity, SeverityPolicy>>;

export interface Thresholds extends ThresholdValues {
  /** Version of the thresholds file the values came from (recorded with results). */
  version: string;
  pushPolicy: PushPolicy;
}

export type OptionalInput = "registrations" | "events" | "access" | "draft" | "pushes";

/** What the catalogue says about one rule or gate (docs/conflict-rules.md documents every entry). */
export interface RuleMeta {
  id: string;
  family: RuleFamily;
  kind: RuleKind;
  /** Severity of what it raises; a GATE that never raises anything itself has null. */
  severity: Severity | null;
  /** One line: what it checks. */
  meaning: string;
  thresholdKeys: readonly Exclude<keyof Thresholds, "version">[];
  /** Brief section and upstream source tag. */
  source: string;
  /**
   * Optional context inputs the rule reads. Parts of a rule that need an input that is absent stay dormant
   * (do not fire) until that feed is connected.
   */
  optionalInputs: readonly OptionalInput[];
}

export interface RuleDefinition extends RuleMeta {
  /** Absent for GATEs: they are guard functions called by the rules they govern. */
  evaluate?: (ctx: RuleContext, t: Thresholds) => Conflict[];
}
