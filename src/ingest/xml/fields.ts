/**
 * Which element (or attribute) of the OASys XML export fills which `RawAssessment` field, per context.
 * Data, not logic: the extractor looks a name up here and stores the string it found; normalising the
 * value is `buildAssessment`'s job. A name that is in no table is an unknown, carried as an extra.
 */
import type { Raw, RawAssessment, RawPredictor } from "../../core/oasys/build.ts";
import { LATER_FLAG_KEYS } from "../../core/oasys/model.ts";

export type RawSection = RawAssessment["sections"][number];
export type RawRosh = NonNullable<RawAssessment["rosh"]>;
export type RawRmp = NonNullable<RawAssessment["rmp"]>;

type RawOffender = RawAssessment["offender"];

/** Stores one value found under `name` into `target`. */
export type FieldTable<T> = ReadonlyMap<string, (target: T, value: string) => void>;

function table<T, K extends keyof T>(
  names: Record<string, K>,
  extra: [string, (target: T, value: string) => void][] = [],
): FieldTable<T> {
  const map = new Map<string, (target: T, value: string) => void>(extra);
  for (const [name, key] of Object.entries(names)) {
    map.set(name, (target, value) => {
      (target as Record<K, Raw>)[key] = value;
    });
  }
  return map;
}

/** `<assessment>`: header values may come as attributes (the contract's form) or as child elements. */
export const ASSESSMENT_FIELDS: FieldTable<RawAssessment> = table<RawAssessment, keyof RawAssessment>(
  {
    assessmentPk: "assessmentPk",
    type: "type",
    version: "version",
    status: "status",
    partcompStatus: "partcompStatus",
    purposeCode: "purposeCode",
    purposeDescription: "purposeDescription",
    initiationDate: "initiationDate",
    assessorSignedDate: "assessorSignedDate",
    dateCompleted: "dateCompleted",
  },
  LATER_FLAG_KEYS.map((k) => [
    k,
    (raw: RawAssessment, value: string) => {
      raw.later[k] = value;
    },
  ]),
);

/** `<offender>` attributes and children; `forename1..n` are handled by the extractor (a list). */
export const OFFENDER_FIELDS: FieldTable<RawOffender> = table<RawOffender, keyof RawOffender>({
  oasysOffenderPk: "oasysOffenderPk",
  limitedAccessOffender: "limitedAccessOffender",
  custody: "custody",
  custodyInd: "custody",
  crn: "crn",
  pnc: "pnc",
  cro: "cro",
  nomisId: "nomisId",
  familyName: "familyName",
  dateOfBirth: "dateOfBirth",
  gender: "gender",
  mergedPnc: "mergedPnc",
  mergePncNumber: "mergedPnc",
  mergedOffenderPk: "mergedOffenderPk",
});

export const FORENAME = /^forename([1-9]\d?)$/;

export const SECTION_FIELDS: FieldTable<RawSection> = table<RawSection, keyof RawSection>({
  linkedToHarm: "linkedToHarm",
  linkedToReoffending: "linkedToReoffending",
  issuesDetails: "issuesDetails",
});

export const ROSH_FIELDS: FieldTable<RawRosh> = table<RawRosh, keyof RawRosh>({
  whoIsAtRisk: "whoIsAtRisk",
  natureOfRisk: "natureOfRisk",
  riskImminence: "riskImminence",
  riskIncreaseFactors: "riskIncreaseFactors",
  riskMitigationFactors: "riskMitigationFactors",
  analysisOfRiskFactors: "analysisOfRiskFactors",
});

export const RMP_FIELDS: FieldTable<RawRmp> = table<RawRmp, keyof RawRmp>({
  keyInformationCurrentSituation: "keyInformationCurrentSituation",
  furtherConsiderationsCurrentSituation: "furtherConsiderationsCurrentSituation",
  supervision: "supervision",
  monitoringAndControl: "monitoringAndControl",
  interventionsAndTreatment: "interventionsAndTreatment",
  victimSafetyPlanning: "victimSafetyPlanning",
  contingencyPlans: "contingencyPlans",
});

/** `<mappa category level/>` attributes. */
export const MAPPA_FIELDS: FieldTable<RawRmp> = table<RawRmp, keyof RawRmp>({
  category: "mappaCategory",
  level: "mappaLevel",
});

/** `<predictor .../>` attributes. */
export const PREDICTOR_FIELDS: FieldTable<RawPredictor> = table<RawPredictor, keyof RawPredictor>({
  type: "type",
  score: "score",
  points: "points",
  band: "band",
  staticOrDynamic: "staticOrDynamic",
  algorithmVersion: "algorithmVersion",
  calculatedAt: "calculatedAt",
});

export function emptySection(code: string, path: string): RawSection {
  return { code, linkedToHarm: null, linkedToReoffending: null, issuesDetails: null, path };
}
