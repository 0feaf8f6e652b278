/**
 * fast-check arbitraries for ANY canonical OASys assessment the schema allows: answers of every kind under
 * the mapping's own question codes (including kinds a question would never have, e.g. a score for a YES/NO
 * item), absent or null blocks, NOT_APPLICABLE and missing bands, very long texts.
 */
import fc from "fast-check";
import type { Answer, NormalisedAnswer, OasysAssessment, Predictor } from "../../src/core/oasys/model.ts";

const MAPPING_CODES = [
  "6.11",
  "6.12",
  "11.11",
  "11.12",
  "12.9",
  "6.4",
  "6.7",
  "6.8",
  "6.9",
  "4.2",
  "4.3",
  "4.5",
  "7.1",
  "7.2",
  "7.3",
  "7.4",
  "7.5",
  "11.2",
  "11.3",
  "11.4",
  "11.6",
  "11.7",
  "10.1",
  "10.3",
  "8.4",
  "8.5",
  "8.9",
  "9.1",
  "9.2",
  "2.6",
  "2.10",
  "2.11.t",
  "12.4",
  "12.6",
  "12.8",
  "13.3.14",
  "R1.2.3",
  "1.35",
  "1.36",
  "R2.1",
  "R2.2",
  "FA15",
  "FA16",
  "FA26",
  "RM8",
  "RM9",
  "RM10",
  "RM12",
  "RM28.0.25",
  "RM28.0.26",
  "RM28.0.27",
  "RM28.0.28",
  "3.6",
  "6.1",
];

const day = fc.integer({ min: Date.UTC(1930, 0, 1), max: Date.UTC(2035, 11, 31) }).map((ms) => new Date(ms));
export const isoDate = day.map((d) => d.toISOString().slice(0, 10));
export const localDateTime = day.map((d) => d.toISOString().slice(0, 19));
const text = fc.oneof(
  { weight: 8, arbitrary: fc.string({ maxLength: 60 }) },
  { weight: 1, arbitrary: fc.constant("") },
  { weight: 1, arbitrary: fc.integer({ min: 90_000, max: 100_000 }).map((n) => "x".repeat(n)) },
);
const textOrNull = fc.option(text, { nil: null });

const normalised: fc.Arbitrary<NormalisedAnswer> = fc.oneof(
  fc.constantFrom(0, 1, 2).map((score) => ({ kind: "score" as const, score: score as 0 | 1 | 2 })),
  fc.constantFrom("YES", "NO").map((value) => ({ kind: "yesno" as const, value: value as "YES" | "NO" })),
  fc
    .oneof(fc.constantFrom("YES", "NO", "NA", "1", "2", "3", "DONT_KNOW"), fc.string({ maxLength: 200 }))
    .map((code) => ({
      kind: "code" as const,
      code,
    })),
  fc
    .double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 })
    .map((value) => ({ kind: "number" as const, value })),
  isoDate.map((value) => ({ kind: "date" as const, value })),
  text.map((t) => ({ kind: "text" as const, text: t })),
  fc.constant({ kind: "missing" as const }),
);
const answer: fc.Arbitrary<Answer> = fc.record({ raw: textOrNull, value: normalised });
const code = fc.oneof(
  { weight: 9, arbitrary: fc.constantFrom(...MAPPING_CODES) },
  { weight: 1, arbitrary: fc.stringMatching(/^[A-Z0-9][A-Z0-9._]{0,10}$/) },
);

const identifier = fc.option(
  fc.record({
    raw: fc.string({ minLength: 1, maxLength: 40 }),
    canonical: fc.option(fc.string({ maxLength: 40 }), { nil: null }),
    valid: fc.boolean(),
  }),
  { nil: null },
);
const band = fc.constantFrom("LOW", "MEDIUM", "HIGH", "VERY_HIGH", "NOT_APPLICABLE", null) as fc.Arbitrary<
  Predictor["band"]
>;
const number = fc.option(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }), {
  nil: null,
});
const predictor: fc.Arbitrary<Predictor> = fc.record({
  type: fc.oneof(
    fc.constantFrom("OSP_DC", "OSP_C", "RM2000_S", "OSP_I", "OSP_IIC", "RSR", "OGRS3_2YR"),
    fc.stringMatching(/^[A-Z][A-Z0-9_]{0,20}$/),
  ),
  score: number,
  points: number,
  band,
  staticOrDynamic: fc.constantFrom("STATIC", "DYNAMIC", null) as fc.Arbitrary<Predictor["staticOrDynamic"]>,
  algorithmVersion: fc.option(fc.string({ maxLength: 40 }), { nil: null }),
  calculatedAt: fc.option(localDateTime, { nil: null }),
});
const flag = fc.constantFrom(true, false, null);
const dtOrNull = fc.option(localDateTime, { nil: null });

export const canonicalAssessment: fc.Arbitrary<OasysAssessment> = fc.record({
  schema: fc.constant("oasys-canonical/1" as const),
  assessmentPk: fc.integer({ min: 1, max: 2_000_000_000 }),
  type: fc.constantFrom("LAYER1", "LAYER2", "LAYER3", "LAYER3", "LAYER3", "BCS", "TR_BCS", "SARA", "RM2000"),
  version: fc.option(fc.constantFrom("1", "2"), { nil: null }),
  status: fc.constantFrom("OPEN", "COMPLETE", "COMPLETE", "LOCKED_INCOMPLETE"),
  partcompStatus: fc.constantFrom("SIGNED", "UNSIGNED", null),
  purposeCode: fc.option(fc.constantFrom(270, 620, 630, 490, 0, 999), { nil: null }),
  purposeDescription: textOrNull,
  initiationDate: dtOrNull,
  assessorSignedDate: dtOrNull,
  dateCompleted: dtOrNull,
  later: fc.record({
    laterWIPAssessmentExists: flag,
    latestWIPDate: dtOrNull,
    laterSignLockAssessmentExists: flag,
    latestSignLockDate: dtOrNull,
    laterPartCompUnsignedAssessmentExists: flag,
    latestPartCompUnsignedDate: dtOrNull,
    laterPartCompSignedAssessmentExists: flag,
    latestPartCompSignedDate: dtOrNull,
    laterCompleteAssessmentExists: fc.constantFrom(false, false, false, true, null),
    latestCompleteDate: dtOrNull,
  }),
  offender: fc.record({
    oasysOffenderPk: fc.option(fc.integer({ min: 1, max: 1e9 }), { nil: null }),
    crn: identifier,
    pnc: identifier,
    cro: identifier,
    nomisId: identifier,
    familyName: textOrNull,
    forenames: fc.array(fc.string({ maxLength: 200 }), { maxLength: 10 }),
    dateOfBirth: fc.option(isoDate, { nil: null }),
    gender: fc.constantFrom("MALE", "MALE", "FEMALE", "NOT_KNOWN"),
    limitedAccessOffender: fc.boolean(),
    inCustody: flag,
    mergedPnc: textOrNull,
    mergedOffenderPk: fc.option(fc.integer({ min: 1, max: 1e9 }), { nil: null }),
  }),
  answers: fc.dictionary(code, answer, { maxKeys: 40 }),
  sections: fc.dictionary(
    fc.constantFrom("3", "4", "6", "7", "11", "12"),
    fc.record({ linkedToHarm: flag, linkedToReoffending: flag, issuesDetails: textOrNull }),
  ),
  rosh: fc.option(
    fc.record({
      levels: fc.array(
        fc.record({
          group: fc.constantFrom("CHILDREN", "PUBLIC", "KNOWN_ADULT", "STAFF", "PRISONERS"),
          setting: fc.constantFrom("COMMUNITY", "CUSTODY"),
          level: fc.constantFrom("LOW", "MEDIUM", "HIGH", "VERY_HIGH"),
        }),
        { maxLength: 10 },
      ),
      whoIsAtRisk: textOrNull,
      natureOfRisk: textOrNull,
      riskImminence: textOrNull,
      riskIncreaseFactors: textOrNull,
      riskMitigationFactors: textOrNull,
      analysisOfRiskFactors: textOrNull,
    }),
    { nil: null },
  ),
  predictors: fc.array(predictor, { maxLength: 8 }),
  rmp: fc.option(
    fc.record({
      mappa: fc.option(
        fc.record({
          category: fc.option(fc.integer({ min: 1, max: 4 }), { nil: null }),
          level: fc.option(fc.integer({ min: 1, max: 3 }), { nil: null }),
        }),
        { nil: null },
      ),
      keyInformationCurrentSituation: textOrNull,
      furtherConsiderationsCurrentSituation: textOrNull,
      supervision: textOrNull,
      monitoringAndControl: textOrNull,
      interventionsAndTreatment: textOrNull,
      victimSafetyPlanning: textOrNull,
      contingencyPlans: textOrNull,
    }),
    { nil: null },
  ),
  extras: fc.constant([]),
  warnings: fc.constant([]),
}) as fc.Arbitrary<OasysAssessment>;
