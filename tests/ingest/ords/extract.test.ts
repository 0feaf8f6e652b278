import { describe, expect, it } from "vitest";
import { buildAssessment } from "../../../src/core/oasys/build.ts";
import type { OasysAssessment } from "../../../src/core/oasys/model.ts";
import { type OrdsPayloads, rawAssessmentFromOrds } from "../../../src/ingest/ords/extract.ts";
import type { OrdsRecord } from "../../../src/ingest/ords/payload.ts";
import { extractPredictors } from "../../../src/ingest/ords/predictors.ts";
import { entryOf, fixture, MALE, scenarioBodies } from "./ords-fixtures.ts";

const bodies = scenarioBodies(MALE.name);

/** The male scenario's payloads, with some replaced. */
function payloads(overrides: Partial<OrdsPayloads> = {}): OrdsPayloads {
  return {
    section1: { envelope: bodies.section1, entry: entryOf(bodies.section1) },
    sections: Object.fromEntries(
      (["3", "4", "6", "7", "8", "9", "11", "12"] as const).map((c) => [c, entryOf(bodies[`section${c}`])]),
    ),
    roshSummary: entryOf(bodies.sectionroshsumm),
    riskScores: entryOf(bodies.riskscrass),
    rmp: entryOf(bodies.rmp),
    ...overrides,
  };
}

function built(p: OrdsPayloads): OasysAssessment {
  const result = buildAssessment(rawAssessmentFromOrds(p), { today: "2026-11-20" });
  if (!result.ok) throw new Error(JSON.stringify(result.rejection));
  return result.assessment;
}

const byType = (a: OasysAssessment) => Object.fromEntries(a.predictors.map((p) => [p.type, p]));

describe("RoSH summary", () => {
  it("null levels are no level (cells left out), and the newer text fields are read", () => {
    const rosh = built(
      payloads({ roshSummary: entryOf(fixture("rosh-summary-null-levels-45115261.json")) }),
    ).rosh;
    expect(rosh?.levels).toEqual([
      { group: "PUBLIC", setting: "COMMUNITY", level: "MEDIUM" },
      { group: "PUBLIC", setting: "CUSTODY", level: "LOW" },
      { group: "KNOWN_ADULT", setting: "COMMUNITY", level: "LOW" },
      { group: "KNOWN_ADULT", setting: "CUSTODY", level: "LOW" },
    ]);
    expect(rosh).toMatchObject({
      riskIncreaseFactors: "riskIncreaseFactors",
      riskMitigationFactors: "riskMitigationFactors",
      analysisOfRiskFactors: "analysisOfRiskFactors",
    });
  });

  it("when both the newer and the older text are given, the newer wins and the older is kept raw", () => {
    const entry = {
      ...entryOf(bodies.sectionroshsumm),
      factorsLikelyToIncreaseRisk: "new increase",
      factorsSituationsLikelyToOffend: "old increase",
    };
    const a = built(payloads({ roshSummary: entry }));
    expect(a.rosh?.riskIncreaseFactors).toBe("new increase");
    expect(a.extras).toContainEqual({
      path: "ords:sectionroshsumm.factorsSituationsLikelyToOffend",
      raw: "old increase",
    });
    // A blank newer field falls back too.
    const blank = built(payloads({ roshSummary: { ...entry, factorsLikelyToIncreaseRisk: "  " } }));
    expect(blank.rosh?.riskIncreaseFactors).toBe("old increase");
  });
});

describe("risk scores: legacy (OGRS3) and OGRS4 generations", () => {
  it("legacy body: OGRS3 1/2 year, OGP, OVP, RSR, OSP/C and OSP/I", () => {
    const { predictors, extras } = extractPredictors(entryOf(fixture("risk-scores/legacy-1000001.json")));
    expect(predictors.map((p) => [p.type, p.score, p.band, p.staticOrDynamic, p.algorithmVersion])).toEqual([
      ["OGP", "8", "Low", null, null],
      ["OVP", "7", "Low", null, null],
      ["OGRS3_1YR", "3", null, null, null],
      ["OGRS3_2YR", "5", "Low", null, null],
      ["RSR", "50.1234", "Medium", "DYNAMIC", "5"],
      ["OSP_C", "1.07", "Medium", null, null],
      ["OSP_I", "2.81", "Medium", null, null],
    ]);
    expect(extras.map((e) => e.path)).toEqual([
      "ords:riskscrass.OGP.ogpStWesc",
      "ords:riskscrass.OGP.ogpDyWesc",
      "ords:riskscrass.OGP.ogpTotWesc",
      "ords:riskscrass.OGP.ogp1Year",
      "ords:riskscrass.OVP.ovpStWesc",
      "ords:riskscrass.OVP.ovpDyWesc",
      "ords:riskscrass.OVP.ovpTotWesc",
      "ords:riskscrass.OVP.ovp1Year",
      "ords:riskscrass.OVP.ovpPrevWesc",
      "ords:riskscrass.OVP.ovpNonVioWesc",
      "ords:riskscrass.OVP.ovpAgeWesc",
      "ords:riskscrass.OVP.ovpVioWesc",
      "ords:riskscrass.OVP.ovpSexWesc",
    ]);
  });

  it("OGRS4 body: OSP/DC and OSP/IIC, and ARP/VRP/SVRP chosen by the *Calculated flags", () => {
    const p = byType(built(payloads({ riskScores: entryOf(fixture("risk-scores/ogrs4-1000002.json")) })));
    expect(Object.keys(p)).toEqual([
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
    expect(p.OSP_DC).toMatchObject({ score: 2.81, band: "MEDIUM" });
    expect(p.OSP_IIC).toMatchObject({ score: 1.07, band: "MEDIUM" });
    expect(p.RSR).toMatchObject({
      score: 1.23,
      band: "LOW",
      staticOrDynamic: "STATIC",
      algorithmVersion: "6",
    });
    expect(p.VRP).toMatchObject({ score: 1.23, band: "LOW", staticOrDynamic: "STATIC" });
  });

  it("RSR band under its alias rsrScoreLevel", () => {
    const { predictors } = extractPredictors(
      entryOf(fixture("risk-scores/ogrs4-rsr-score-level-1000004.json")),
    );
    expect(predictors.find((p) => p.type === "RSR")?.band).toBe("Low");
  });

  it("a dynamic score wins when calculated; the unused static one is carried raw", () => {
    const entry = entryOf(fixture("risk-scores/ogrs4-1000002.json"));
    const next = {
      ...(entry.newActuarialPredictors as OrdsRecord),
      ogp2Calculated: "Y",
      snsvDynamicCalculated: "y",
    };
    const a = built(payloads({ riskScores: { ...entry, newActuarialPredictors: next } }));
    expect(byType(a).ARP).toMatchObject({ score: 4.56, band: "MEDIUM", staticOrDynamic: "DYNAMIC" });
    expect(byType(a).SVRP).toMatchObject({ score: 4.56, band: "MEDIUM", staticOrDynamic: "DYNAMIC" });
    expect(a.extras).toContainEqual({
      path: "ords:riskscrass.newActuarialPredictors.ogrs4gYr2",
      raw: "1.23",
    });
    expect(a.extras).not.toContainEqual(
      expect.objectContaining({ path: "ords:riskscrass.newActuarialPredictors.ogp2Yr2" }),
    );
  });

  it("neither score calculated: no predictor, everything kept raw", () => {
    const entry = entryOf(fixture("risk-scores/ogrs4-1000002.json"));
    const next = {
      ...(entry.newActuarialPredictors as OrdsRecord),
      ogrs4vCalculated: "E",
      ovp2Calculated: "N",
    };
    const { predictors, extras } = extractPredictors({ ...entry, newActuarialPredictors: next });
    expect(predictors.some((p) => p.type === "VRP")).toBe(false);
    const paths = extras.map((e) => e.path);
    for (const f of [
      "ogrs4vYr2",
      "ogrs4vBand",
      "ogrs4vCalculated",
      "ovp2Yr2",
      "ovp2Band",
      "ovp2Calculated",
    ]) {
      expect(paths).toContain(`ords:riskscrass.newActuarialPredictors.${f}`);
    }
  });

  it("a predictor OASys did not produce (no score, no band) is left out", () => {
    const { predictors } = extractPredictors({
      OSP: { ospContactPercentageScore: null, ospContactScoreLevel: null },
    });
    expect(predictors).toEqual([]);
  });
});

describe("answers, section flags and extras", () => {
  it("a present null field is a missing answer; an unmapped non-null field is carried raw", () => {
    const s4 = { ...entryOf(bodies.section4), basicSkillsScore: 7, problemAreas: ["READING"] };
    const a = built(payloads({ sections: { ...payloads().sections, "4": s4 } }));
    expect(a.extras).toContainEqual({ path: "ords:section4.basicSkillsScore", raw: "7" });
    expect(a.extras).toContainEqual({ path: "ords:section4.problemAreas", raw: '["READING"]' });
    expect(a.answers["4.9"]).toEqual({ raw: "0 - Any qualifications", value: { kind: "score", score: 0 } });
    expect(a.sections["4"]).toEqual({
      linkedToHarm: false,
      linkedToReoffending: false,
      issuesDetails: "Details about the issues",
    });
  });

  it("nested objects are flattened into one extra per leaf; blanks carry nothing", () => {
    const a = built(payloads());
    expect(a.extras).toContainEqual({ path: "ords:section1.assessor.name", raw: "LevelTwo CentralSupport" });
    expect(a.extras.some((e) => e.path === "ords:section1.committedFurtherOffences")).toBe(false);
    expect(a.extras.some((e) => e.path.startsWith("ords:section6.SARA"))).toBe(false);
  });

  it("repeated assessment metadata in the other payloads is not carried again", () => {
    const a = built(payloads());
    expect(a.extras.filter((e) => e.path.endsWith(".superStatus")).map((e) => e.path)).toEqual([
      "ords:section1.superStatus",
    ]);
    expect(a.extras.some((e) => e.path.startsWith("ords:sectionroshsumm.assessor"))).toBe(false);
  });

  it("an RMP without MAPPA gives rmp.mappa null", () => {
    expect(built(payloads()).rmp?.mappa).toBeNull();
    expect(built(payloads({ rmp: null })).rmp).toBeNull();
  });
});
