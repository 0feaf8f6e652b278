/**
 * Canonical OASys assessment -> the ORDS REST bodies OASys would serve for it (contract §2), in the shapes
 * of the real bodies (HMPPS WireMock stubs, `tests/fixtures/ords/`): an envelope with the person header and
 * an `assessments[]` entry per payload. Answers go out as the raw strings the source gave, under the ORDS
 * field names of the question catalogue, so pulling a rendered assessment gives back the same answers.
 *
 * What ORDS does not carry is not rendered (as with the real service): date of birth, CRO, purpose code,
 * MAPPA, items with no ORDS field (section 10, RM8...), RM2000 and predictor types outside `riskscrass`.
 * Pure.
 */
import type { OasysAssessment, Predictor, RiskLevel, SectionFlags } from "../../src/core/oasys/model.ts";
import { ORDS_SECTION_PREFIX, QUESTION_BY_CODE } from "../../src/core/oasys/questions.ts";

export type Json = Record<string, unknown>;

/** The payloads of one assessment; null = OASys has none (the endpoint answers 404). */
export interface OrdsAssessmentPayloads {
  assessmentPk: number;
  crn: string | null;
  section1: Json;
  /** Sections 3..12 keyed by code; absent = 404. */
  sections: Record<string, Json>;
  roshSummary: Json | null;
  riskScores: Json | null;
  /** This assessment's entry in the person's `rmp` list. */
  rmpEntry: Json | null;
  /** This assessment's row in the person's `allasslist` timeline. */
  timelineEntry: Json;
  limitedAccessOffender: boolean;
}

const LEVEL_TEXT: Record<RiskLevel | "NOT_APPLICABLE", string> = {
  LOW: "Low",
  MEDIUM: "Medium",
  HIGH: "High",
  VERY_HIGH: "Very High",
  NOT_APPLICABLE: "Not Applicable",
};
const GROUP_FIELD: Record<string, string> = {
  CHILDREN: "Children",
  PUBLIC: "Public",
  KNOWN_ADULT: "KnownAdult",
  STAFF: "Staff",
  PRISONERS: "Prisoners",
};
const SETTING_FIELD = { COMMUNITY: "Community", CUSTODY: "Custody" } as const;

const flagText = (v: boolean | null) => (v === null ? null : v ? "Yes" : "No");
const genderCode = (g: OasysAssessment["offender"]["gender"]) =>
  g === "MALE" ? "1" : g === "FEMALE" ? "2" : null;
const custodyInd = (v: boolean | null) => (v === null ? null : v ? "Y" : "N");

/** The metadata every assessment entry repeats. */
function metadata(a: OasysAssessment): Json {
  return {
    assessmentPk: a.assessmentPk,
    assessmentType: a.type,
    assessmentVersion: a.version,
    dateCompleted: a.dateCompleted,
    assessorSignedDate: a.assessorSignedDate,
    initiationDate: a.initiationDate,
    assessmentStatus: a.status,
    ...(a.partcompStatus ? { partcompStatus: a.partcompStatus === "SIGNED" ? "Signed" : "Unsigned" } : {}),
    superStatus: a.status,
    ...a.later,
  };
}

/** The person header of the section 1 and risk-scores envelopes. */
function personHeader(a: OasysAssessment): Json {
  const o = a.offender;
  return {
    probNumber: o.crn?.raw ?? null,
    prisNumber: o.nomisId?.raw ?? null,
    limitedAccessOffender: o.limitedAccessOffender,
    pnc: o.pnc?.raw ?? null,
    forename: o.forenames[0] ?? null,
    familyName: o.familyName,
    gender: genderCode(o.gender),
    custodyInd: custodyInd(o.inCustody),
  };
}

const envelope = (a: OasysAssessment, lao: string, extra: Json, entry: Json): Json => ({
  source: "OASys",
  inputs: { laoPrivilege: lao, assessmentPk: a.assessmentPk },
  ...extra,
  assessments: [entry],
});

/** Answers of one section under their ORDS field names, as the raw source strings. */
function answersOf(a: OasysAssessment, section: string): Json {
  const out: Json = {};
  for (const [code, answer] of Object.entries(a.answers)) {
    const q = QUESTION_BY_CODE.get(code);
    if (q?.section === section && q.ords) out[q.ords] = answer.raw;
  }
  return out;
}

function sectionFlags(code: string, flags: SectionFlags | undefined): Json {
  const prefix = ORDS_SECTION_PREFIX[code];
  if (!prefix || !flags) return {};
  return {
    [`${prefix}LinkedToHarm`]: flagText(flags.linkedToHarm),
    [`${prefix}LinkedToReoffending`]: flagText(flags.linkedToReoffending),
    [`${prefix}IssuesDetails`]: flags.issuesDetails,
  };
}

/** Sections 3..12 OASys holds for the assessment: the ones the source recorded, or answered items of. */
function sectionsOf(a: OasysAssessment): Record<string, Json> {
  const codes = new Set(Object.keys(a.sections));
  for (const code of Object.keys(a.answers)) {
    const q = QUESTION_BY_CODE.get(code);
    if (q?.ords) codes.add(q.section);
  }
  const out: Record<string, Json> = {};
  for (const code of codes) {
    if (!/^\d+$/.test(code) || Number(code) < 2) continue;
    // Like the real bodies for sections 3-12: the entry alone, no envelope or pk.
    out[code] = { assessments: [{ ...answersOf(a, code), ...sectionFlags(code, a.sections[code]) }] };
  }
  return out;
}

function roshEntry(a: OasysAssessment): Json | null {
  if (!a.rosh) return null;
  const r = a.rosh;
  const grid: Json = {};
  for (const l of r.levels)
    grid[`risk${GROUP_FIELD[l.group]}${SETTING_FIELD[l.setting]}`] = LEVEL_TEXT[l.level];
  return {
    ...metadata(a),
    whoAtRisk: r.whoIsAtRisk,
    natureOfRisk: r.natureOfRisk,
    riskGreatest: r.riskImminence,
    factorsLikelyToIncreaseRisk: r.riskIncreaseFactors,
    factorsLikelyToReduceRisk: r.riskMitigationFactors,
    factorsAnalysisOfRisk: r.analysisOfRiskFactors,
    ...grid,
  };
}

const band = (p: Predictor) => (p.band === null ? null : LEVEL_TEXT[p.band]);

/** Legacy `riskscrass` groups (domain brief §2.8); types ORDS does not carry are left out. */
function riskScoresEntry(a: OasysAssessment): Json | null {
  const groups: Record<string, Json> = {};
  const put = (group: string, fields: Json) => {
    groups[group] = { ...groups[group], ...fields };
  };
  for (const p of a.predictors) {
    switch (p.type) {
      case "OGRS3_1YR":
        put("OGRS", { ogrs31Year: p.score });
        break;
      case "OGRS3_2YR":
        put("OGRS", { ogrs32Year: p.score, ogrs3RiskRecon: band(p) });
        break;
      case "OGP":
        put("OGP", { ogp2Year: p.score, ogpRisk: band(p) });
        break;
      case "OVP":
        put("OVP", { ovp2Year: p.score, ovpRisk: band(p) });
        break;
      case "RSR":
        put("RSR", {
          rsrPercentageScore: p.score,
          scoreLevel: band(p),
          rsrStaticOrDynamic: p.staticOrDynamic,
          rsrAlgorithmVersion: p.algorithmVersion,
        });
        break;
      case "OSP_C":
        put("OSP", { ospContactPercentageScore: p.score, ospContactScoreLevel: band(p) });
        break;
      case "OSP_I":
        put("OSP", { ospImagePercentageScore: p.score, ospImageScoreLevel: band(p) });
        break;
      case "OSP_DC":
        put("OSP", { ospDirectContactPercentageScore: p.score, ospDirectContactScoreLevel: band(p) });
        break;
      case "OSP_IIC":
        put("OSP", {
          ospIndirectImagesChildrenPercentageScore: p.score,
          ospIndirectImagesChildrenScoreLevel: band(p),
        });
        break;
    }
  }
  return Object.keys(groups).length === 0 ? null : { ...metadata(a), ...groups };
}

function rmpEntry(a: OasysAssessment): Json | null {
  if (!a.rmp) return null;
  const { mappa: _mappa, ...texts } = a.rmp;
  return { ...metadata(a), ...texts };
}

/** Renders every ORDS payload of one assessment for LAO privilege `lao` (`ALLOW` or `LIMIT`). */
export function renderOrdsPayloads(a: OasysAssessment, lao = "ALLOW"): OrdsAssessmentPayloads {
  const header = personHeader(a);
  const section1 = envelope(a, lao, header, { ...metadata(a), ...answersOf(a, "1") });
  const rosh = roshEntry(a);
  const scores = riskScoresEntry(a);
  return {
    assessmentPk: a.assessmentPk,
    crn: a.offender.crn?.canonical ?? a.offender.crn?.raw ?? null,
    section1,
    sections: sectionsOf(a),
    roshSummary: rosh
      ? envelope(
          a,
          lao,
          { probNumber: header.probNumber, limitedAccessOffender: a.offender.limitedAccessOffender },
          rosh,
        )
      : null,
    riskScores: scores ? envelope(a, lao, header, scores) : null,
    rmpEntry: rmpEntry(a),
    timelineEntry: {
      assessmentPk: a.assessmentPk,
      assessmentType: a.type,
      initiationDate: a.initiationDate,
      status: a.status,
      ...(a.partcompStatus ? { partcompStatus: a.partcompStatus === "SIGNED" ? "Signed" : "Unsigned" } : {}),
      completedDate: a.dateCompleted,
    },
    limitedAccessOffender: a.offender.limitedAccessOffender,
  };
}
