/** The outcome of matching an OASys record to an ARMS record for the same person (step 3). */

export type MatchStatus = "MATCHED" | "MISMATCH" | "NO_MATCH" | "AMBIGUOUS";
export type MatchKey = "PNC" | "CRN";
export type IdentityField = "pnc" | "crn" | "cro" | "nomisId" | "dateOfBirth" | "familyName";

export interface IdentityDisagreement {
  field: IdentityField;
  oasys: string | null;
  arms: string | null;
}

/** Merge/duplicate markers seen on either record (OASys MERGE_PNC_NUMBER / MERGED_OFFENDER_PK...). */
export type IdentityMarker =
  | "OASYS_MERGED_PNC"
  | "OASYS_MERGED_OFFENDER"
  | "DUPLICATE_CANDIDATES"
  /** The ARMS PNC is the PNC OASys records as merged away: the police record may predate the merge. */
  | "ARMS_PNC_IS_OASYS_MERGED_PNC";

/** An identifier on one side that cannot serve as a link (it never names the value). */
export interface IdentifierProblem {
  side: "OASYS" | "ARMS";
  field: "pnc" | "crn" | "cro" | "nomisId";
  /** AMBIGUOUS: the value reads as more than one identifier (a PNC written without its slash). */
  problem: "CHECK_LETTER_FAILS" | "NOT_RECOGNISED" | "AMBIGUOUS";
}

export interface MatchResult {
  status: MatchStatus;
  /** Keys that linked the records, strongest first. Empty for NO_MATCH. */
  matchedOn: MatchKey[];
  /** Fields confirmed equal (date of birth, family name...). */
  confirmedBy: IdentityField[];
  /** Fields that disagree: a MISMATCH always has at least one. */
  disagreements: IdentityDisagreement[];
  markers: IdentityMarker[];
  /** Identifiers present but unusable as links (e.g. a PNC failing its mod-23 check, rule ID-1). */
  identifierProblems?: IdentifierProblem[];
  /** One line a data team can read ("PNC and CRN agree; date of birth and family name confirm"). */
  explanation: string;
}
