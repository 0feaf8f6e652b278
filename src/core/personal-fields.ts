/**
 * The one catalogue of personal fields: the names under which a person's details travel through the
 * bridge (the canonical OASys model, the XML export and ORDS payloads, ARMS interchange documents, drafts,
 * conflicts and match reports). Two things are derived from it:
 *
 * - logging: every field named here is redacted wherever it appears in a log line, at any depth we log
 *   (src/log.ts builds pino's `redact` paths from this list);
 * - error messages: a value read from one of these fields is never quoted, and any other input value is
 *   quoted only when it is short (`quoteInput`), so a refusal names the record, the field and the problem
 *   without carrying the person.
 *
 * Adding a field that carries personal data anywhere in the bridge means adding its name here.
 */

export const PERSONAL_FIELDS = {
  /** A person's names, in every spelling the sources use. */
  names: [
    "familyName",
    "forename",
    "forenames",
    "givenName",
    "givenNames",
    "firstName",
    "lastName",
    "surname",
    "middleName",
    "middleNames",
    "fullName",
    "alias",
    "aliases",
  ],
  dates: ["dateOfBirth", "dob", "birthDate"],
  /** Identifiers that single a person out (the bridge's own ids, pks and job keys are not among them). */
  identifiers: [
    "pnc",
    "cro",
    "crn",
    "nomisId",
    "nomsNumber",
    "prisonNumber",
    "mergedPnc",
    "mergePncNumber",
    "visorRef",
  ],
  addresses: ["address", "addresses", "addressLine1", "addressLine2", "town", "postcode"],
  /** Free text written about the person: narratives, evidence, plans, decisions' reasons. */
  narratives: [
    "issuesDetails",
    "whoIsAtRisk",
    "natureOfRisk",
    "riskImminence",
    "riskIncreaseFactors",
    "riskMitigationFactors",
    "analysisOfRiskFactors",
    "keyInformationCurrentSituation",
    "furtherConsiderationsCurrentSituation",
    "supervision",
    "monitoringAndControl",
    "interventionsAndTreatment",
    "victimSafetyPlanning",
    "contingencyPlans",
    "controls",
    "monitoring",
    "rehabilitation",
    "multiAgencyActions",
    "evidence",
    "sourceValue",
    "narrative",
    "notes",
    "rationale",
  ],
  /** Whole objects that hold the fields above: the person, their answers, both agencies' disagreements. */
  containers: ["subject", "offender", "person", "answers", "extras", "disagreements", "draft"],
} as const;

export type PersonalFieldGroup = keyof typeof PERSONAL_FIELDS;

/** Every catalogued name, once. */
export const PERSONAL_FIELD_NAMES: readonly string[] = [...new Set(Object.values(PERSONAL_FIELDS).flat())];

const LOWER = new Set(PERSONAL_FIELD_NAMES.map((n) => n.toLowerCase()));

/**
 * Whether a field (a name, or a path such as `/subject/familyName`, `offender/forename2` or
 * `subject.dateOfBirth`) holds personal data: any segment of it is catalogued (the XML's numbered
 * `forename1..n` count as `forename`).
 */
export function isPersonalField(field: string): boolean {
  return field
    .split(/[/.@[\]]+/)
    .filter((s) => s !== "")
    .some((segment) => LOWER.has(segment.toLowerCase().replace(/\d+$/, "")));
}

/** The longest input value an error message quotes. */
export const MAX_QUOTED = 24;
/** A run of digits long enough to be a date, a PNC or a CRN: such a value is not quoted, however short. */
const DIGIT_RUN = /\d{4}/;
const CONTROL = /[\p{Cc}\p{Cf}]/u;

/**
 * How an error message shows an input value read from `field`: the value in quotes when it is short, not
 * from a personal field, and holds nothing that looks like a date or an identifier; else only what it is
 * (`a 1,060-character value, not quoted` or `a value of a personal field, not quoted`).
 */
export function quoteInput(field: string, value: string): string {
  if (isPersonalField(field)) return "(a value of a personal field, not quoted)";
  if (value.length <= MAX_QUOTED && !DIGIT_RUN.test(value) && !CONTROL.test(value)) return `"${value}"`;
  return `(a ${value.length.toLocaleString("en-GB")}-character value, not quoted)`;
}
