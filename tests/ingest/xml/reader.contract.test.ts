import { describe, expect, it } from "vitest";
import { readOasysExportFile } from "../../../src/ingest/xml/reader.ts";
import { accepted, collect, fixture, TODAY } from "./support/read.ts";

describe("readOasysExportFile: the contract §1 example", () => {
  it("yields one canonical assessment with its export header as source", async () => {
    const results = await collect(readOasysExportFile(fixture("contract-example.xml"), { today: TODAY }));
    expect(results).toHaveLength(1);
    const first = results[0];
    expect(first?.ok && first.source).toEqual({
      kind: "XML_EXPORT",
      exportId: "EXP-20261120-0001",
      generatedAt: "2026-11-20T10:15:00Z",
      index: 1,
    });
    const a = accepted(first);
    expect(a).toMatchObject({
      schema: "oasys-canonical/1",
      assessmentPk: 9630348,
      type: "LAYER3",
      version: "1",
      status: "COMPLETE",
      purposeCode: 270,
      initiationDate: "2026-10-01T09:00:00",
      assessorSignedDate: "2026-10-03T14:00:00",
      dateCompleted: "2026-10-03T14:05:00",
    });
    expect(a.later.laterCompleteAssessmentExists).toBe(false);
    expect(a.later.laterWIPAssessmentExists).toBeNull();
    expect(a.offender).toEqual({
      oasysOffenderPk: 445566,
      crn: { raw: "X123456", canonical: "X123456", valid: true },
      pnc: { raw: "2008/0056560Z", canonical: "2008/0056560Z", valid: true },
      cro: { raw: "265416/21G", canonical: "265416/21G", valid: true },
      nomisId: { raw: "A1234BC", canonical: "A1234BC", valid: true },
      familyName: "SMITH",
      forenames: ["JOHN"],
      dateOfBirth: "1980-02-01",
      gender: "MALE",
      limitedAccessOffender: false,
      inCustody: false,
      mergedPnc: null,
      mergedOffenderPk: null,
    });
    expect(a.answers).toEqual({
      "6.4": { raw: "1", value: { kind: "score", score: 1 } },
      "6.11": { raw: "YES", value: { kind: "yesno", value: "YES" } },
      "6.12": { raw: "2-Significant problems", value: { kind: "score", score: 2 } },
      "11.11": { raw: "1", value: { kind: "score", score: 1 } },
      "11.12": { raw: "0", value: { kind: "score", score: 0 } },
      "12.9": { raw: "M", value: { kind: "missing" } },
      RM8: { raw: "YES", value: { kind: "yesno", value: "YES" } },
      RM9: { raw: "YES", value: { kind: "yesno", value: "YES" } },
    });
    expect(a.sections["6"]).toEqual({
      linkedToHarm: true,
      linkedToReoffending: false,
      issuesDetails: "free text",
    });
    expect(Object.keys(a.sections)).toEqual(["6", "11", "12"]);
    expect(a.rosh).toEqual({
      levels: [
        { group: "CHILDREN", setting: "COMMUNITY", level: "HIGH" },
        { group: "PUBLIC", setting: "COMMUNITY", level: "MEDIUM" },
      ],
      whoIsAtRisk: "who text",
      natureOfRisk: "nature text",
      riskImminence: "imminence text",
      riskIncreaseFactors: "increase text",
      riskMitigationFactors: "mitigation text",
      analysisOfRiskFactors: null,
    });
    expect(a.predictors.map((p) => [p.type, p.score, p.points, p.band])).toEqual([
      ["OGRS3_2YR", 34.5, null, "LOW"],
      ["OSP_DC", 1.54, null, "MEDIUM"],
      ["OSP_IIC", 0.81, null, "LOW"],
      ["RM2000_S", null, 4, "HIGH"],
      ["RSR", 3.91, null, "MEDIUM"],
    ]);
    expect(a.predictors.find((p) => p.type === "OSP_DC")).toMatchObject({
      algorithmVersion: "1.0",
      calculatedAt: "2026-10-03T14:05:00",
    });
    expect(a.rmp).toEqual({
      mappa: { category: 1, level: 2 },
      keyInformationCurrentSituation: null,
      furtherConsiderationsCurrentSituation: null,
      supervision: "supervision text",
      monitoringAndControl: "monitoring text",
      interventionsAndTreatment: "interventions text",
      victimSafetyPlanning: "victim safety text",
      contingencyPlans: "contingency text",
    });
    expect(a.extras).toEqual([]);
    expect(a.warnings).toEqual([]);
  });
});
