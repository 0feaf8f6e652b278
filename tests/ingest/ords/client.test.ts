import nock from "nock";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { OasysAssessment } from "../../../src/core/oasys/model.ts";
import { createOrdsClient, type OrdsClientConfig } from "../../../src/ingest/ords/client.ts";
import { FEMALE, fixture, MALE, ORDS_BASE, scenarioBodies, serveScenario } from "./ords-fixtures.ts";

const TODAY = "2026-11-20";
const config: OrdsClientConfig = { baseUrl: ORDS_BASE, timeoutMs: 2_000, retry: { baseDelayMs: 1 } };

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

async function pulled(c: OrdsClientConfig, s: { crn: string; pk: number }): Promise<OasysAssessment> {
  const result = await createOrdsClient(c).pullAssessment(s.crn, s.pk, { today: TODAY });
  if (!result.ok) throw new Error(`rejected: ${JSON.stringify(result.error)}`);
  expect(result.source).toEqual({ kind: "ORDS_PULL", exportId: null, generatedAt: null, index: null });
  return result.assessment;
}

describe("pullAssessment: happy path (male, sexual-offending items open, OGRS4-generation scores)", () => {
  it("assembles the whole canonical assessment from the twelve payloads", async () => {
    const scope = serveScenario(MALE);
    const a = await pulled(config, MALE);
    scope.done();

    expect(a).toMatchObject({
      schema: "oasys-canonical/1",
      assessmentPk: 9630348,
      type: "LAYER3",
      version: "1",
      status: "COMPLETE",
      partcompStatus: null,
      purposeCode: null,
      initiationDate: "2023-12-19T13:41:04",
      assessorSignedDate: "2023-12-19T16:55:32",
      dateCompleted: "2024-12-19T16:57:25",
      later: {
        laterCompleteAssessmentExists: false,
        latestCompleteDate: "2023-12-19T16:57:25",
        latestWIPDate: null,
      },
    });
    expect(a.offender).toEqual({
      oasysOffenderPk: null,
      crn: { raw: "X123456", canonical: "X123456", valid: true },
      pnc: { raw: "2008/0056560Z", canonical: "2008/0056560Z", valid: true },
      cro: null,
      nomisId: { raw: "Z1122ZZ", canonical: "Z1122ZZ", valid: true },
      familyName: "Surname",
      forenames: ["Forename"],
      dateOfBirth: null,
      gender: "MALE",
      limitedAccessOffender: false,
      inCustody: false,
      mergedPnc: null,
      mergedOffenderPk: null,
    });

    // The four sexual-offending items and their gate.
    expect(a.answers["6.11"]).toEqual({ raw: "Yes", value: { kind: "yesno", value: "YES" } });
    expect(a.answers["6.12"]).toEqual({ raw: "0-No problems", value: { kind: "score", score: 0 } });
    expect(a.answers["11.11"]).toEqual({ raw: "1-Some problems", value: { kind: "score", score: 1 } });
    expect(a.answers["11.12"]).toEqual({ raw: "1-Some problems", value: { kind: "score", score: 1 } });
    expect(a.answers["12.9"]).toEqual({ raw: "0-No problems", value: { kind: "score", score: 0 } });
    // Other scales, from display strings.
    expect(a.answers["4.2"]?.value).toEqual({ kind: "code", code: "NO" });
    expect(a.answers["6.8"]?.value).toEqual({ kind: "code", code: "3" });
    expect(a.answers["12.8"]?.value).toEqual({ kind: "score", score: 0 });
    expect(a.answers["1.32"]?.value).toEqual({ kind: "number", value: 15 });
    expect(a.answers["1.8.2"]?.value).toEqual({ kind: "date", value: "2005-11-01" });
    expect(a.answers["1.30"]?.value).toEqual({ kind: "yesno", value: "YES" });
    // A field present but null was asked and not answered: missing, never "no problem".
    expect(a.answers["8.4"]).toEqual({ raw: null, value: { kind: "missing" } });
    expect(a.answers["1.34"]).toEqual({ raw: null, value: { kind: "missing" } });
    // Items ORDS did not send were not asked.
    expect(a.answers["10.1"]).toBeUndefined();

    expect(a.sections["11"]).toEqual({
      linkedToHarm: true,
      linkedToReoffending: true,
      issuesDetails: "Details",
    });
    expect(a.sections["9"]).toEqual({
      linkedToHarm: false,
      linkedToReoffending: true,
      issuesDetails: "Details about the problems",
    });
    expect(a.sections["8"]).toEqual({ linkedToHarm: null, linkedToReoffending: null, issuesDetails: null });
    expect(a.sections["1"]).toEqual({ linkedToHarm: null, linkedToReoffending: null, issuesDetails: null });
    expect(Object.keys(a.sections).sort()).toEqual(["1", "11", "12", "3", "4", "6", "7", "8", "9"]);

    expect(a.rosh).toEqual({
      levels: [
        { group: "CHILDREN", setting: "COMMUNITY", level: "LOW" },
        { group: "CHILDREN", setting: "CUSTODY", level: "LOW" },
        { group: "PUBLIC", setting: "COMMUNITY", level: "MEDIUM" },
        { group: "PUBLIC", setting: "CUSTODY", level: "LOW" },
        { group: "KNOWN_ADULT", setting: "COMMUNITY", level: "LOW" },
        { group: "KNOWN_ADULT", setting: "CUSTODY", level: "LOW" },
        { group: "STAFF", setting: "COMMUNITY", level: "HIGH" },
        { group: "STAFF", setting: "CUSTODY", level: "VERY_HIGH" },
        { group: "PRISONERS", setting: "CUSTODY", level: "HIGH" },
      ],
      whoIsAtRisk: "whoisAtRisk",
      natureOfRisk: "natureOfRisk",
      riskImminence: "riskImminence",
      // factorsLikelyToIncreaseRisk / ...ToReduceRisk are null: the older fields are the answer.
      riskIncreaseFactors: "riskIncreaseFactors",
      riskMitigationFactors: "riskMitigationFactors",
      analysisOfRiskFactors: "analysisOfRiskFactors",
    });

    const p = (type: string) => a.predictors.find((x) => x.type === type);
    expect(a.predictors.map((x) => x.type)).toEqual([
      "ARP",
      "OGP",
      "OGRS3_1YR",
      "OGRS3_2YR",
      "OSP_DC",
      "OSP_IIC",
      "OVP",
      "RSR",
      "SVRP",
      "VRP",
    ]);
    expect(p("RSR")).toEqual({
      type: "RSR",
      score: 1.23,
      points: null,
      band: "LOW",
      staticOrDynamic: "STATIC",
      algorithmVersion: "6",
      calculatedAt: null,
    });
    expect(p("OSP_DC")).toMatchObject({ score: 2.81, band: "MEDIUM" });
    expect(p("OSP_IIC")).toMatchObject({ score: 1.07, band: "MEDIUM" });
    expect(p("OGRS3_2YR")).toMatchObject({ score: 5, band: "LOW" });
    expect(p("OGRS3_1YR")).toMatchObject({ score: 3, band: null });
    // ogp2Calculated "N", ogrs4gCalculated "Y": the all-reoffending predictor is the static OGRS4/G.
    expect(p("ARP")).toMatchObject({ score: 1.23, band: "LOW", staticOrDynamic: "STATIC" });
    expect(p("SVRP")).toMatchObject({ score: 1.23, band: "LOW", staticOrDynamic: "STATIC" });

    expect(a.rmp).toMatchObject({
      mappa: null,
      keyInformationCurrentSituation: "Key considerations",
      supervision: null,
      victimSafetyPlanning: "7. Contingency",
    });

    const extra = (path: string) => a.extras.find((e) => e.path === path)?.raw;
    expect(extra("ords:section9.alcoholProblemDecription")).toBe("More details");
    expect(extra("ords:section1.ageAtFirstSanction")).toBe("18");
    expect(extra("ords:section1.superStatus")).toBe("COMPLETE");
    expect(extra("ords:riskscrass.OGP.ogpStWesc")).toBe("3");
    expect(extra("ords:riskscrass.newActuarialPredictors.ogp2Yr2")).toBe("4.56");
    expect(extra("ords:section4.basicSkillsScore")).toBeUndefined(); // null: nothing to carry
    expect(a.warnings).toEqual([]);
  });

  it("sends one correlation id on every request of the pull", async () => {
    const scope = serveScenario(MALE, { reqheaders: { "x-correlation-id": "pull-1" } });
    const result = await createOrdsClient(config).pullAssessment(MALE.crn, MALE.pk, {
      today: TODAY,
      correlationId: "pull-1",
    });
    expect(result.ok).toBe(true);
    scope.done();
  });
});

describe("pullAssessment: other real-world shapes", () => {
  it("a woman with a sexual offence: OSP is NOT_APPLICABLE (never LOW), legacy scores carried", async () => {
    serveScenario(FEMALE);
    const a = await pulled(config, FEMALE);
    expect(a.offender.gender).toBe("FEMALE");
    expect(a.answers["1.30"]?.value).toEqual({ kind: "yesno", value: "YES" });
    expect(a.predictors.filter((x) => x.type.startsWith("OSP"))).toEqual([
      expect.objectContaining({ type: "OSP_C", score: null, band: "NOT_APPLICABLE" }),
      expect.objectContaining({ type: "OSP_I", score: null, band: "NOT_APPLICABLE" }),
    ]);
    expect(a.predictors.map((x) => x.type)).toEqual([
      "OGP",
      "OGRS3_1YR",
      "OGRS3_2YR",
      "OSP_C",
      "OSP_I",
      "OVP",
      "RSR",
    ]);
    expect(a.predictors.find((x) => x.type === "RSR")).toMatchObject({
      score: 1.69,
      band: "LOW",
      staticOrDynamic: "DYNAMIC",
      algorithmVersion: "5",
    });
    // 6.11 is null upstream: the gate was not answered, so the sexual items cannot be read as "no problem".
    expect(a.answers["6.11"]?.value).toEqual({ kind: "missing" });
    // "UNKNOWN PNC" is a placeholder: nothing recorded, not a faulty PNC (issue 10, defect 1).
    expect(a.offender.pnc).toEqual({ raw: "UNKNOWN PNC", canonical: null, valid: false, status: "ABSENT" });
    expect(a.warnings.map((w) => w.code)).toEqual(["IDENTIFIER_PLACEHOLDER", "ORDS_RMP_NOT_FOUND"]);
  });

  it("an RMP list holding only another assessment: rmp is null and a warning says so", async () => {
    serveScenario(FEMALE);
    const a = await pulled(config, FEMALE);
    expect(a.rmp).toBeNull();
    expect(a.warnings).toContainEqual({
      code: "ORDS_RMP_NOT_FOUND",
      path: "ords:rmp",
      message: "the person's risk management plans include none for this assessment",
    });
  });

  it("a limited access offender, pulled with the LIMIT privilege", async () => {
    const bodies = scenarioBodies(MALE.name);
    bodies.section1 = { ...bodies.section1, limitedAccessOffender: true };
    const scope = serveScenario(MALE, { lao: "LIMIT", bodies });
    const a = await pulled({ ...config, laoPrivilege: "LIMIT" }, MALE);
    scope.done(); // every payload was asked for under /LIMIT/
    expect(a.offender.limitedAccessOffender).toBe(true);
  });

  it("payloads OASys does not have (404) are recorded as warnings, their items not asked", async () => {
    serveScenario(MALE, { replies: { riskscrass: { status: 404 }, section8: { status: 404 } } });
    const a = await pulled(config, MALE);
    expect(a.predictors).toEqual([]);
    expect(a.answers["8.1"]).toBeUndefined();
    expect(a.sections["8"]).toBeUndefined();
    expect(a.warnings.map((w) => w.code)).toEqual(["ORDS_SECTION_NOT_FOUND", "ORDS_RISK_SCORES_NOT_FOUND"]);
  });

  it("a payload about another assessment is a record-level rejection naming the pk and the endpoint", async () => {
    serveScenario(MALE, { replies: { sectionroshsumm: fixture("rosh-summary-null-levels-45115261.json") } });
    const result = await createOrdsClient(config).pullAssessment(MALE.crn, MALE.pk, { today: TODAY });
    expect(result).toEqual({
      ok: false,
      error: {
        code: "BRIDGE_E_ORDS_PK_MISMATCH",
        exportId: null,
        assessmentPk: "9630348",
        index: null,
        path: "ords:sectionroshsumm",
        reason: "sectionroshsumm answered for assessment pk 45115261, not the pk 9630348 asked for",
      },
    });
  });

  it("risk scores for another assessment (the upstream stub's pk 1000002) are refused too", async () => {
    serveScenario(MALE, { replies: { riskscrass: fixture("risk-scores/ogrs4-1000002.json") } });
    const result = await createOrdsClient(config).pullAssessment(MALE.crn, MALE.pk, { today: TODAY });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toMatchObject({
      path: "ords:riskscrass",
      code: "BRIDGE_E_ORDS_PK_MISMATCH",
    });
  });
});
