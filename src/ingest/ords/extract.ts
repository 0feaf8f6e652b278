/**
 * ORDS payloads -> `RawAssessment`. Extraction only: every value goes to `buildAssessment` as the string
 * OASys sent, so a pull and an XML export of the same assessment give the same canonical model. Fields
 * the model has no place for are carried as extras (`ords:<endpoint>.<field>`), never dropped. Pure.
 *
 * Conventions:
 * - A question field present in a section payload was asked; `null` there is a MISSING answer, never
 *   "no problem". A field absent from the payload was not asked.
 * - Every section payload received gives a `sections` entry (its flags null when it has none, as for
 *   section 1), the way each XML `<section>` element does. A 404 for a section gives none.
 * - The person header and the assessment metadata come from section 1; the other payloads repeat them
 *   (envelope, dates, `later*` flags) and those copies are not carried again.
 */
import { emptyRawAssessment, type RawAssessment } from "../../core/oasys/build.ts";
import { type Extra, LATER_FLAG_KEYS, type RecordWarning } from "../../core/oasys/model.ts";
import { ORDS_SECTION_PREFIX, QUESTION_BY_ORDS_FIELD } from "../../core/oasys/questions.ts";
import { carryExtra, type OrdsRecord, rawScalar } from "./payload.ts";
import { extractPredictors } from "./predictors.ts";

/** Sections the pull fetches besides section 1 (the scored needs and the sexual-offending items). */
export const PULLED_SECTIONS = ["3", "4", "6", "7", "8", "9", "11", "12"] as const;

export interface OrdsPayloads {
  /** Section 1 body (envelope with the person header) and its entry for the assessment. */
  section1: { envelope: OrdsRecord; entry: OrdsRecord };
  /** Entries of the section payloads; null when OASys has no such section for the assessment (404). */
  sections: Record<string, OrdsRecord | null>;
  roshSummary: OrdsRecord | null;
  riskScores: OrdsRecord | null;
  /** The RMP entry for the assessment; null when the person's RMP list has none for it. */
  rmp: OrdsRecord | null;
}

/** Envelope fields: read from section 1, ignored as repeats elsewhere. `source`/`inputs` echo the request. */
const ENVELOPE = new Set([
  "source",
  "inputs",
  "assessments",
  "probNumber",
  "prisNumber",
  "pnc",
  "forename",
  "familyName",
  "gender",
  "custodyInd",
  "limitedAccessOffender",
  "crn",
]);

/** Assessment metadata read from the section 1 entry. */
const METADATA = new Set<string>([
  "assessmentPk",
  "assessmentType",
  "assessmentVersion",
  "assessmentStatus",
  "partcompStatus",
  "initiationDate",
  "assessorSignedDate",
  "dateCompleted",
  ...LATER_FLAG_KEYS,
]);

/** Metadata every entry repeats. Carried as extras from section 1 only. */
const REPEATED = new Set<string>([...METADATA, "superStatus", "assessor", "countersigner"]);

const s = (record: OrdsRecord, field: string): string | null => rawScalar(record[field]) ?? null;

/** R10.6 grid fields `risk<Group><Setting>` (domain brief §2.6). */
const ROSH_GROUPS = [
  ["Children", "CHILDREN"],
  ["Public", "PUBLIC"],
  ["KnownAdult", "KNOWN_ADULT"],
  ["Staff", "STAFF"],
  ["Prisoners", "PRISONERS"],
] as const;
const ROSH_SETTINGS = [
  ["Community", "COMMUNITY"],
  ["Custody", "CUSTODY"],
] as const;

/** R10.1-R10.5 and the RSR "other factors" text; `fallback` is the older field name for the same answer. */
const ROSH_TEXTS = [
  { to: "whoIsAtRisk", field: "whoAtRisk" },
  { to: "natureOfRisk", field: "natureOfRisk" },
  { to: "riskImminence", field: "riskGreatest" },
  {
    to: "riskIncreaseFactors",
    field: "factorsLikelyToIncreaseRisk",
    fallback: "factorsSituationsLikelyToOffend",
  },
  {
    to: "riskMitigationFactors",
    field: "factorsLikelyToReduceRisk",
    fallback: "factorsStrengthsAndProtective",
  },
  { to: "analysisOfRiskFactors", field: "factorsAnalysisOfRisk" },
] as const;

const RMP_TEXTS = [
  "keyInformationCurrentSituation",
  "furtherConsiderationsCurrentSituation",
  "supervision",
  "monitoringAndControl",
  "interventionsAndTreatment",
  "victimSafetyPlanning",
  "contingencyPlans",
] as const;

const blank = (v: string | null) => v === null || v.trim() === "";

function header(raw: RawAssessment, envelope: OrdsRecord, entry: OrdsRecord, extras: Extra[]) {
  raw.assessmentPk = s(entry, "assessmentPk");
  raw.type = s(entry, "assessmentType");
  raw.version = s(entry, "assessmentVersion");
  raw.status = s(entry, "assessmentStatus");
  raw.partcompStatus = s(entry, "partcompStatus");
  raw.initiationDate = s(entry, "initiationDate");
  raw.assessorSignedDate = s(entry, "assessorSignedDate");
  raw.dateCompleted = s(entry, "dateCompleted");
  for (const k of LATER_FLAG_KEYS) if (k in entry) raw.later[k] = s(entry, k);
  const forename = s(envelope, "forename");
  raw.offender = {
    ...raw.offender,
    crn: s(envelope, "probNumber"),
    nomisId: s(envelope, "prisNumber"),
    pnc: s(envelope, "pnc"),
    familyName: s(envelope, "familyName"),
    forenames: forename === null ? [] : [forename],
    gender: s(envelope, "gender"),
    custody: s(envelope, "custodyInd"),
    limitedAccessOffender: s(envelope, "limitedAccessOffender"),
  };
  for (const [k, v] of Object.entries(envelope))
    if (!ENVELOPE.has(k)) carryExtra(extras, `ords:section1.${k}`, v);
}

/** Answers and section flags from one section entry; everything else in it goes to extras. */
function section(raw: RawAssessment, code: string, entry: OrdsRecord, extras: Extra[], isFirst: boolean) {
  const base = `ords:section${code}`;
  const prefix = ORDS_SECTION_PREFIX[code];
  const flagFields = prefix
    ? {
        harm: `${prefix}LinkedToHarm`,
        reoffending: `${prefix}LinkedToReoffending`,
        details: `${prefix}IssuesDetails`,
      }
    : null;
  for (const [field, value] of Object.entries(entry)) {
    if (isFirst ? METADATA.has(field) : REPEATED.has(field)) continue;
    if (flagFields && Object.values(flagFields).includes(field)) continue;
    const question = QUESTION_BY_ORDS_FIELD.get(field);
    const scalar = rawScalar(value);
    if (question && scalar !== undefined) {
      raw.answers.push({ code: question.code, raw: scalar, path: `${base}.${field}` });
    } else {
      carryExtra(extras, `${base}.${field}`, value);
    }
  }
  // A section OASys returned is recorded, flags or not (as an XML `<section>` element is).
  raw.sections.push({
    code,
    linkedToHarm: flagFields ? s(entry, flagFields.harm) : null,
    linkedToReoffending: flagFields ? s(entry, flagFields.reoffending) : null,
    issuesDetails: flagFields ? s(entry, flagFields.details) : null,
    path: base,
  });
}

function roshSummary(raw: RawAssessment, entry: OrdsRecord, extras: Extra[]) {
  const base = "ords:sectionroshsumm";
  const used = new Set<string>(REPEATED);
  const levels: NonNullable<RawAssessment["rosh"]>["levels"] = [];
  for (const [g, group] of ROSH_GROUPS) {
    for (const [st, setting] of ROSH_SETTINGS) {
      const field = `risk${g}${st}`;
      used.add(field);
      if (field in entry) levels.push({ group, setting, level: s(entry, field), path: `${base}.${field}` });
    }
  }
  const texts = {} as Record<(typeof ROSH_TEXTS)[number]["to"], string | null>;
  for (const t of ROSH_TEXTS) {
    used.add(t.field);
    const primary = s(entry, t.field);
    if ("fallback" in t) {
      used.add(t.fallback);
      const older = s(entry, t.fallback);
      texts[t.to] = blank(primary) ? older : primary;
      // Both given: the newer field is the answer; the older one is kept raw.
      if (!blank(primary)) carryExtra(extras, `${base}.${t.fallback}`, entry[t.fallback]);
    } else {
      texts[t.to] = primary;
    }
  }
  raw.rosh = { levels, ...texts };
  for (const [k, v] of Object.entries(entry)) if (!used.has(k)) carryExtra(extras, `${base}.${k}`, v);
}

function riskManagementPlan(raw: RawAssessment, entry: OrdsRecord, extras: Extra[]) {
  const used = new Set<string>([...REPEATED, ...RMP_TEXTS]);
  raw.rmp = {
    // ORDS `rmp` carries no MAPPA category or level; MAPPA comes from other sources.
    mappaCategory: null,
    mappaLevel: null,
    keyInformationCurrentSituation: s(entry, "keyInformationCurrentSituation"),
    furtherConsiderationsCurrentSituation: s(entry, "furtherConsiderationsCurrentSituation"),
    supervision: s(entry, "supervision"),
    monitoringAndControl: s(entry, "monitoringAndControl"),
    interventionsAndTreatment: s(entry, "interventionsAndTreatment"),
    victimSafetyPlanning: s(entry, "victimSafetyPlanning"),
    contingencyPlans: s(entry, "contingencyPlans"),
  };
  for (const [k, v] of Object.entries(entry)) if (!used.has(k)) carryExtra(extras, `ords:rmp.${k}`, v);
}

/** Assemble the source-neutral raw assessment from the payloads of one pull. */
export function rawAssessmentFromOrds(payloads: OrdsPayloads): RawAssessment {
  const raw = emptyRawAssessment();
  const extras: Extra[] = [];
  header(raw, payloads.section1.envelope, payloads.section1.entry, extras);
  section(raw, "1", payloads.section1.entry, extras, true);
  for (const code of PULLED_SECTIONS) {
    const entry = payloads.sections[code];
    if (entry) section(raw, code, entry, extras, false);
  }
  if (payloads.roshSummary) roshSummary(raw, payloads.roshSummary, extras);
  if (payloads.riskScores) {
    const scores = extractPredictors(payloads.riskScores);
    raw.predictors = scores.predictors;
    extras.push(...scores.extras);
    for (const k of scores.otherFields) {
      if (!REPEATED.has(k)) carryExtra(extras, `ords:riskscrass.${k}`, payloads.riskScores[k]);
    }
  }
  if (payloads.rmp) riskManagementPlan(raw, payloads.rmp, extras);
  raw.extras = extras;
  return raw;
}

/** Warnings the pull itself records (what was not there), added to the built model's warnings. */
export function pullWarnings(payloads: OrdsPayloads): RecordWarning[] {
  const warnings: RecordWarning[] = [];
  for (const code of PULLED_SECTIONS) {
    if (payloads.sections[code] === null) {
      warnings.push({
        code: "ORDS_SECTION_NOT_FOUND",
        path: `ords:section${code}`,
        message: `OASys has no section ${code} for this assessment; its items are treated as not asked`,
      });
    }
  }
  if (payloads.roshSummary === null) {
    warnings.push({
      code: "ORDS_ROSH_SUMMARY_NOT_FOUND",
      path: "ords:sectionroshsumm",
      message: "OASys has no RoSH summary for this assessment",
    });
  }
  if (payloads.riskScores === null) {
    warnings.push({
      code: "ORDS_RISK_SCORES_NOT_FOUND",
      path: "ords:riskscrass",
      message: "OASys has no risk scores for this assessment",
    });
  }
  if (payloads.rmp === null) {
    warnings.push({
      code: "ORDS_RMP_NOT_FOUND",
      path: "ords:rmp",
      message: "the person's risk management plans include none for this assessment",
    });
  }
  return warnings;
}
