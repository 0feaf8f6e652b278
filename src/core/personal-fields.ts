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
/**
 * What looks like a date or a person's identifier: five digits in a row (PNC and CRO serials, CRNs), an
 * ISO or day/month/year date, a short-form PNC. Such a value is not quoted, however short; codes such as
 * `RM2000_S` or `R1.2.3` are.
 */
const IDENTIFIER_LIKE = /\d{5}|\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{2,4}\/\d+[A-Z]/i;
const CONTROL = /[\p{Cc}\p{Cf}]/u;

/**
 * How an error message shows an input value read from `field`: the value in quotes when it is short, not
 * from a personal field, and holds nothing that looks like a date or an identifier; else only what it is
 * (`a 1,060-character value, not quoted` or `a value of a personal field, not quoted`).
 */
export function quoteInput(field: string, value: string): string {
  if (isPersonalField(field)) return "(a value of a personal field, not quoted)";
  if (isQuotable(field, value)) return `"${value}"`;
  return `(a ${value.length.toLocaleString("en-GB")}-character value, not quoted)`;
}

/** Whether `quoteInput` would quote the value (for paths that name an element by its attribute). */
export function isQuotable(field: string, value: string): boolean {
  return (
    !isPersonalField(field) &&
    value.length <= MAX_QUOTED &&
    !IDENTIFIER_LIKE.test(value) &&
    !CONTROL.test(value)
  );
}

/**
 * A property or element name taken from the input (an unexpected property, a root element), as a message
 * shows it: as it is when `isQuotable`, else only its length. Under a personal field (`/subject`), a
 * name can itself be a person's detail.
 */
export function quoteName(where: string, name: string): string {
  return isQuotable(where, name)
    ? name
    : `a ${name.length.toLocaleString("en-GB")}-character name, not quoted`;
}
