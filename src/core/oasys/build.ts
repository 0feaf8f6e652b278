/**
 * Builds the canonical model from a source-neutral `RawAssessment` (strings as the source gave them).
 * Both ingest adapters (XML export reader, ORDS REST pull) only *extract* raw values and call this, so the
 * same assessment yields the same canonical model whatever the route. Pure: `today` is a parameter.
 */
import {
  heldIdentifier,
  type ParsedIdentifier,
  parseCrn,
  parseCro,
  parseNomisId,
  parsePnc,
  pncPivotYear,
} from "../identity/identifiers.ts";
import { quoteInput } from "../personal-fields.ts";
import { validateCanonical } from "../schemas.ts";
import {
  CANONICAL_SCHEMA,
  LATER_FLAG_KEYS,
  type LaterAssessmentFlags,
  type OasysAssessment,
  type Predictor,
  type RecordWarning,
  type RoshLevel,
} from "./model.ts";
import {
  clean,
  isNoLevel,
  normaliseAnswer,
  normaliseAssessmentType,
  normaliseBand,
  normaliseDate,
  normaliseFlag,
  normaliseGender,
  normaliseLocalDateTime,
  normalisePartcomp,
  normalisePredictorType,
  normaliseRiskLevel,
  normaliseRoshGroup,
  normaliseRoshSetting,
  normaliseStaticOrDynamic,
  normaliseStatus,
} from "./normalise.ts";

export {
  emptyRawAssessment,
  emptyRawPredictor,
  emptyRawRmp,
  emptyRawRosh,
  type Raw,
  type RawAssessment,
  type RawPredictor,
} from "./raw.ts";

import type { Raw, RawAssessment } from "./raw.ts";

/** Why a record was refused: a registry code, where, and what is wrong (never personal data). */
export interface BuildRejection {
  code: "BRIDGE_E_RECORD_MISSING_FIELD" | "BRIDGE_E_RECORD_BAD_VALUE" | "BRIDGE_E_RECORD_SCHEMA";
  path: string;
  reason: string;
}

export type BuildResult =
  | { ok: true; assessment: OasysAssessment }
  | { ok: false; rejection: BuildRejection };

export interface BuildOptions {
  /** Today's date `YYYY-MM-DD`, for the two-digit PNC year pivot. */
  today: string;
}

class Rejected extends Error {
  constructor(readonly rejection: BuildRejection) {
    super(rejection.reason);
  }
}

const reject = (code: BuildRejection["code"], path: string, reason: string): never => {
  throw new Rejected({ code, path, reason });
};

const GROUP_ORDER = ["CHILDREN", "PUBLIC", "KNOWN_ADULT", "STAFF", "PRISONERS"];
const SETTING_ORDER = ["COMMUNITY", "CUSTODY"];

function integer(raw: Raw): number | null {
  const s = clean(raw);
  return s !== null && /^\d+$/.test(s) ? Number(s) : null;
}

function decimal(raw: Raw): number | null {
  const s = clean(raw);
  return s !== null && /^-?\d+(\.\d+)?$/.test(s) ? Number(s) : null;
}

/** Build and validate one canonical assessment. Never throws. */
export function buildAssessment(raw: RawAssessment, options: BuildOptions): BuildResult {
  try {
    const assessment = build(raw, options);
    const problem = validateCanonical(assessment);
    if (problem) return { ok: false, rejection: { code: "BRIDGE_E_RECORD_SCHEMA", ...problem } };
    return { ok: true, assessment };
  } catch (e) {
    if (e instanceof Rejected) return { ok: false, rejection: e.rejection };
    throw e;
  }
}

// The helpers below are module functions, not closures inside `build`: it runs once per ingested record,
// and each closure made per call costs an allocation (and, under tsx's keepNames, a defineProperty).

const warn = (warnings: RecordWarning[], code: string, path: string, message: string) => {
  warnings.push({ code, path, message });
};

function dateTime(value: Raw, path: string): string | null {
  if (clean(value) === null) return null;
  const d = normaliseLocalDateTime(value);
  if (d === null) reject("BRIDGE_E_RECORD_BAD_VALUE", path, "not an ISO 8601 date-time");
  return d;
}

const IDENTIFIER_WARNING = {
  INVALID: "IDENTIFIER_INVALID",
  AMBIGUOUS: "IDENTIFIER_AMBIGUOUS",
  ABSENT: "IDENTIFIER_PLACEHOLDER",
} as const;

function identifier(
  warnings: RecordWarning[],
  value: Raw,
  path: string,
  parse: (s: string, pivotYear: number | null) => ParsedIdentifier,
  pivotYear: number | null,
) {
  const s = clean(value);
  if (s === null) return null;
  const parsed = parse(s, pivotYear);
  if (parsed.status !== "VALID") {
    // A placeholder (`UNKNOWN PNC`) is not a fault: it says nothing was recorded.
    warn(warnings, IDENTIFIER_WARNING[parsed.status], path, parsed.reason ?? "identifier is invalid");
  }
  return heldIdentifier(parsed);
}

function sectionFlag(warnings: RecordWarning[], v: Raw, sectionPath: string, name: string): boolean | null {
  const f = normaliseFlag(v);
  if (clean(v) !== null && f === null)
    warn(warnings, "FLAG_NOT_BOOLEAN", `${sectionPath}/${name}`, "flag is not Yes/No; treated as unknown");
  return f;
}

const byGroupThenSetting = (a: RoshLevel, b: RoshLevel) =>
  GROUP_ORDER.indexOf(a.group) - GROUP_ORDER.indexOf(b.group) ||
  SETTING_ORDER.indexOf(a.setting) - SETTING_ORDER.indexOf(b.setting);

const byType = (a: Predictor, b: Predictor) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0);

function forenames(given: readonly string[]): string[] {
  const out: string[] = [];
  for (const f of given) {
    const name = f.trim();
    if (name !== "") out.push(name);
  }
  return out;
}

/**
 * `build` runs once per ingested record, so it is split by part of the record: V8 re-optimises a function
 * when a rarely taken path (a rejection, a first warning of a kind) first runs, and re-optimising one
 * small part costs far less than re-optimising one function holding the whole record.
 */
function build(raw: RawAssessment, { today }: BuildOptions): OasysAssessment {
  const warnings: RecordWarning[] = [];
  const { assessmentPk, type, status } = identity(raw);
  const purposeCode = purpose(warnings, raw.purposeCode);
  const later = laterFlags(warnings, raw.later);
  const o = raw.offender;
  const { gender, dateOfBirth, lao } = person(warnings, o);
  const answers = buildAnswers(warnings, raw.answers);
  const sections = buildSections(warnings, raw.sections);
  const rosh = raw.rosh ? buildRosh(warnings, raw.rosh) : null;
  const predictors = buildPredictors(warnings, raw.predictors);
  const rmp = raw.rmp ? buildRmp(raw.rmp) : null;
  const pivotYear = pncPivotYear(today);
  return {
    schema: CANONICAL_SCHEMA,
    assessmentPk,
    type,
    version: clean(raw.version),
    status,
    partcompStatus: normalisePartcomp(raw.partcompStatus),
    purposeCode,
    purposeDescription: clean(raw.purposeDescription),
    initiationDate: dateTime(raw.initiationDate, "initiationDate"),
    assessorSignedDate: dateTime(raw.assessorSignedDate, "assessorSignedDate"),
    dateCompleted: dateTime(raw.dateCompleted, "dateCompleted"),
    later,
    offender: {
      oasysOffenderPk: integer(o.oasysOffenderPk),
      crn: identifier(warnings, o.crn, "offender/crn", parseCrn, pivotYear),
      pnc: identifier(warnings, o.pnc, "offender/pnc", parsePnc, pivotYear),
      cro: identifier(warnings, o.cro, "offender/cro", parseCro, pivotYear),
      nomisId: identifier(warnings, o.nomisId, "offender/nomisId", parseNomisId, pivotYear),
      familyName: clean(o.familyName),
      forenames: forenames(o.forenames),
      dateOfBirth,
      gender: gender ?? "NOT_KNOWN",
      limitedAccessOffender: lao ?? false,
      inCustody: normaliseFlag(o.custody),
      mergedPnc: clean(o.mergedPnc),
      mergedOffenderPk: integer(o.mergedOffenderPk),
    },
    answers,
    sections,
    rosh,
    predictors,
    rmp,
    extras: raw.extras,
    warnings,
  };
}

function identity(raw: RawAssessment) {
  const pkText = clean(raw.assessmentPk);
  if (pkText === null) reject("BRIDGE_E_RECORD_MISSING_FIELD", "@assessmentPk", "assessmentPk is missing");
  const assessmentPk = integer(pkText);
  if (assessmentPk === null || assessmentPk < 1) {
    reject("BRIDGE_E_RECORD_BAD_VALUE", "@assessmentPk", "assessmentPk is not a positive whole number");
  }
  const type = normaliseAssessmentType(raw.type);
  if (clean(raw.type) === null)
    reject("BRIDGE_E_RECORD_MISSING_FIELD", "@type", "assessment type is missing");
  if (type === null) {
    reject(
      "BRIDGE_E_RECORD_BAD_VALUE",
      "@type",
      `assessment type ${quoteInput("@type", clean(raw.type) ?? "")} is not an OASys type`,
    );
  }
  const status = normaliseStatus(raw.status);
  if (clean(raw.status) === null)
    reject("BRIDGE_E_RECORD_MISSING_FIELD", "@status", "assessment status is missing");
  if (status === null) {
    reject(
      "BRIDGE_E_RECORD_BAD_VALUE",
      "@status",
      `status ${quoteInput("@status", clean(raw.status) ?? "")} is not OPEN, COMPLETE or LOCKED_INCOMPLETE`,
    );
  }
  return {
    assessmentPk: assessmentPk as number,
    type: type as OasysAssessment["type"],
    status: status as OasysAssessment["status"],
  };
}

function purpose(warnings: RecordWarning[], raw: Raw): number | null {
  const purposeText = clean(raw);
  const purposeCode = integer(purposeText);
  if (purposeText !== null && purposeCode === null) {
    warn(warnings, "PURPOSE_CODE_NOT_NUMERIC", "@purposeCode", "purpose code is not numeric; ignored");
  }
  return purposeCode;
}

function laterFlags(warnings: RecordWarning[], raw: RawAssessment["later"]): LaterAssessmentFlags {
  const later = {} as LaterAssessmentFlags;
  for (const k of LATER_FLAG_KEYS) {
    const v = raw[k] ?? null;
    if (k.startsWith("later")) {
      const flag = normaliseFlag(v);
      if (clean(v) !== null && flag === null)
        warn(warnings, "FLAG_NOT_BOOLEAN", k, "flag is not true/false; treated as unknown");
      (later as unknown as Record<string, boolean | null>)[k] = flag;
    } else {
      (later as unknown as Record<string, string | null>)[k] = dateTime(v, k);
    }
  }
  return later;
}

function person(warnings: RecordWarning[], o: RawAssessment["offender"]) {
  const gender = normaliseGender(o.gender);
  if (gender === null)
    warn(warnings, "GENDER_NOT_RECOGNISED", "offender/gender", "gender not recognised; treated as NOT_KNOWN");
  const dobText = clean(o.dateOfBirth);
  const dateOfBirth = normaliseDate(dobText);
  if (dobText !== null && dateOfBirth === null)
    warn(warnings, "DATE_INVALID", "offender/dateOfBirth", "date of birth is not a date");
  const lao = normaliseFlag(o.limitedAccessOffender);
  if (clean(o.limitedAccessOffender) !== null && lao === null) {
    reject(
      "BRIDGE_E_RECORD_BAD_VALUE",
      "offender/@limitedAccessOffender",
      "limitedAccessOffender is not true/false",
    );
  }
  return { gender, dateOfBirth, lao };
}

function buildAnswers(warnings: RecordWarning[], raw: RawAssessment["answers"]): OasysAssessment["answers"] {
  const answers: OasysAssessment["answers"] = {};
  for (const a of raw) {
    if (Object.hasOwn(answers, a.code))
      warn(
        warnings,
        "ANSWER_DUPLICATED",
        a.path,
        `question ${a.code} answered twice; the last value is kept`,
      );
    const { answer, problem } = normaliseAnswer(a.code, a.raw);
    if (problem) warn(warnings, "ANSWER_NOT_RECOGNISED", a.path, problem);
    answers[a.code] = answer;
  }
  return answers;
}

function buildSections(
  warnings: RecordWarning[],
  raw: RawAssessment["sections"],
): OasysAssessment["sections"] {
  const sections: OasysAssessment["sections"] = {};
  for (const s of raw) {
    sections[s.code] = {
      linkedToHarm: sectionFlag(warnings, s.linkedToHarm, s.path, "linkedToHarm"),
      linkedToReoffending: sectionFlag(warnings, s.linkedToReoffending, s.path, "linkedToReoffending"),
      issuesDetails: clean(s.issuesDetails),
    };
  }
  return sections;
}

function buildRosh(
  warnings: RecordWarning[],
  raw: NonNullable<RawAssessment["rosh"]>,
): NonNullable<OasysAssessment["rosh"]> {
  const cells = new Map<string, RoshLevel>();
  for (const l of raw.levels) {
    const group = normaliseRoshGroup(l.group);
    const setting = normaliseRoshSetting(l.setting);
    if (group === null || setting === null) {
      reject("BRIDGE_E_RECORD_BAD_VALUE", l.path, "RoSH risk level has an unknown group or setting");
    }
    if (isNoLevel(l.level) && normaliseRiskLevel(l.level) === null) continue;
    const level = normaliseRiskLevel(l.level);
    if (level === null)
      reject(
        "BRIDGE_E_RECORD_BAD_VALUE",
        l.path,
        `RoSH level ${quoteInput(l.path, clean(l.level) ?? "")} is not Low, Medium, High or Very High`,
      );
    if (group === "PRISONERS" && setting === "COMMUNITY") {
      warn(
        warnings,
        "ROSH_CELL_NOT_USED",
        l.path,
        "risk to prisoners applies in custody only; community value ignored",
      );
      continue;
    }
    const k = `${group}/${setting}`;
    if (cells.has(k))
      warn(warnings, "ROSH_CELL_DUPLICATED", l.path, `${k} given twice; the last value is kept`);
    cells.set(k, {
      group: group as RoshLevel["group"],
      setting: setting as RoshLevel["setting"],
      level: level as RoshLevel["level"],
    });
  }
  const levels = [...cells.values()].sort(byGroupThenSetting);
  return {
    levels,
    whoIsAtRisk: clean(raw.whoIsAtRisk),
    natureOfRisk: clean(raw.natureOfRisk),
    riskImminence: clean(raw.riskImminence),
    riskIncreaseFactors: clean(raw.riskIncreaseFactors),
    riskMitigationFactors: clean(raw.riskMitigationFactors),
    analysisOfRiskFactors: clean(raw.analysisOfRiskFactors),
  };
}

function buildPredictors(warnings: RecordWarning[], raw: RawAssessment["predictors"]): Predictor[] {
  const predictors: Predictor[] = [];
  for (const p of raw) {
    const typeText = clean(p.type);
    if (typeText === null)
      reject("BRIDGE_E_RECORD_MISSING_FIELD", `${p.path}/@type`, "predictor type is missing");
    const band = normaliseBand(p.band);
    if (clean(p.band) !== null && band === null) {
      warn(
        warnings,
        "BAND_NOT_RECOGNISED",
        `${p.path}/@band`,
        `band ${quoteInput(`${p.path}/@band`, clean(p.band) ?? "")} not recognised; treated as absent`,
      );
    }
    const score = decimal(p.score);
    if (clean(p.score) !== null && score === null)
      warn(warnings, "SCORE_NOT_NUMERIC", `${p.path}/@score`, "score is not a number; ignored");
    predictors.push({
      type: normalisePredictorType(typeText as string),
      score,
      points: decimal(p.points),
      band,
      staticOrDynamic: normaliseStaticOrDynamic(p.staticOrDynamic),
      algorithmVersion: clean(p.algorithmVersion),
      calculatedAt: dateTime(p.calculatedAt, `${p.path}/@calculatedAt`),
    });
  }
  return predictors.sort(byType);
}

function buildRmp(r: NonNullable<RawAssessment["rmp"]>): NonNullable<OasysAssessment["rmp"]> {
  const category = integer(r.mappaCategory?.replace(/^M/i, "") ?? null);
  const level = integer(r.mappaLevel?.replace(/^M/i, "") ?? null);
  const mappaGiven = clean(r.mappaCategory) !== null || clean(r.mappaLevel) !== null;
  return {
    mappa: mappaGiven
      ? {
          category: category !== null && category >= 1 && category <= 4 ? category : null,
          level: level !== null && level >= 1 && level <= 3 ? level : null,
        }
      : null,
    keyInformationCurrentSituation: clean(r.keyInformationCurrentSituation),
    furtherConsiderationsCurrentSituation: clean(r.furtherConsiderationsCurrentSituation),
    supervision: clean(r.supervision),
    monitoringAndControl: clean(r.monitoringAndControl),
    interventionsAndTreatment: clean(r.interventionsAndTreatment),
    victimSafetyPlanning: clean(r.victimSafetyPlanning),
    contingencyPlans: clean(r.contingencyPlans),
  };
}
