/** Conflict rules' shared vocabulary (domain brief §7). */

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
