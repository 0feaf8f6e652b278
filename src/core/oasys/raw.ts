/**
 * The source-neutral input of `buildAssessment`: strings exactly as an adapter found them (XML export
 * reader, ORDS REST client), each answer and block with the path that locates it for error messages.
 */
import type { Extra, LaterAssessmentFlags } from "./model.ts";

export type Raw = string | null;

export interface RawAssessment {
  assessmentPk: Raw;
  type: Raw;
  version: Raw;
  status: Raw;
  partcompStatus: Raw;
  purposeCode: Raw;
  purposeDescription: Raw;
  initiationDate: Raw;
  assessorSignedDate: Raw;
  dateCompleted: Raw;
  later: Partial<Record<keyof LaterAssessmentFlags, Raw>>;
  offender: {
    oasysOffenderPk: Raw;
    crn: Raw;
    pnc: Raw;
    cro: Raw;
    nomisId: Raw;
    familyName: Raw;
    forenames: string[];
    dateOfBirth: Raw;
    gender: Raw;
    limitedAccessOffender: Raw;
    custody: Raw;
    mergedPnc: Raw;
    mergedOffenderPk: Raw;
  };
  /** In source order; `path` locates the value for error messages (`section[code=6]/answer[q=6.12]`). */
  answers: { code: string; raw: Raw; path: string }[];
  sections: { code: string; linkedToHarm: Raw; linkedToReoffending: Raw; issuesDetails: Raw; path: string }[];
  rosh: null | {
    levels: { group: Raw; setting: Raw; level: Raw; path: string }[];
    whoIsAtRisk: Raw;
    natureOfRisk: Raw;
    riskImminence: Raw;
    riskIncreaseFactors: Raw;
    riskMitigationFactors: Raw;
    analysisOfRiskFactors: Raw;
  };
  predictors: {
    type: Raw;
    score: Raw;
    points: Raw;
    band: Raw;
    staticOrDynamic: Raw;
    algorithmVersion: Raw;
    calculatedAt: Raw;
    path: string;
  }[];
  rmp: null | {
    mappaCategory: Raw;
    mappaLevel: Raw;
    keyInformationCurrentSituation: Raw;
    furtherConsiderationsCurrentSituation: Raw;
    supervision: Raw;
    monitoringAndControl: Raw;
    interventionsAndTreatment: Raw;
    victimSafetyPlanning: Raw;
    contingencyPlans: Raw;
  };
  extras: Extra[];
}

export type RawPredictor = RawAssessment["predictors"][number];

/** A predictor with nothing read yet, located at `path` in its source. */
export function emptyRawPredictor(path: string): RawPredictor {
  return {
    type: null,
    score: null,
    points: null,
    band: null,
    staticOrDynamic: null,
    algorithmVersion: null,
    calculatedAt: null,
    path,
  };
}

/** A RoSH summary with nothing read yet. */
export function emptyRawRosh(): NonNullable<RawAssessment["rosh"]> {
  return {
    levels: [],
    whoIsAtRisk: null,
    natureOfRisk: null,
    riskImminence: null,
    riskIncreaseFactors: null,
    riskMitigationFactors: null,
    analysisOfRiskFactors: null,
  };
}

/** A risk management plan with nothing read yet. */
export function emptyRawRmp(): NonNullable<RawAssessment["rmp"]> {
  return {
    mappaCategory: null,
    mappaLevel: null,
    keyInformationCurrentSituation: null,
    furtherConsiderationsCurrentSituation: null,
    supervision: null,
    monitoringAndControl: null,
    interventionsAndTreatment: null,
    victimSafetyPlanning: null,
    contingencyPlans: null,
  };
}

export function emptyRawAssessment(): RawAssessment {
  return {
    assessmentPk: null,
    type: null,
    version: null,
    status: null,
    partcompStatus: null,
    purposeCode: null,
    purposeDescription: null,
    initiationDate: null,
    assessorSignedDate: null,
    dateCompleted: null,
    later: {},
    offender: {
      oasysOffenderPk: null,
      crn: null,
      pnc: null,
      cro: null,
      nomisId: null,
      familyName: null,
      forenames: [],
      dateOfBirth: null,
      gender: null,
      limitedAccessOffender: null,
      custody: null,
      mergedPnc: null,
      mergedOffenderPk: null,
    },
    answers: [],
    sections: [],
    rosh: null,
    predictors: [],
    rmp: null,
    extras: [],
  };
}
