import { beforeAll, describe, expect, it } from "vitest";
import type { IngestResult, OasysAssessment } from "../../../src/core/oasys/model.ts";
import { readOasysExportFile } from "../../../src/ingest/xml/reader.ts";
import { accepted, assessment, collect, exportOf, fixture, readString, TODAY } from "./support/read.ts";

describe("contract §1 variance, absorbed not rejected (spelling-variances.xml)", () => {
  let results: IngestResult[];
  const at = (i: number): OasysAssessment => accepted(results[i]);
  beforeAll(async () => {
    results = await collect(readOasysExportFile(fixture("spelling-variances.xml"), { today: TODAY }));
  });

  it("accepts every assessment, in file order, with 1-based indexes", () => {
    expect(results.map((r) => r.ok && [r.assessment.assessmentPk, r.source.index])).toEqual([
      [1001, 1],
      [1002, 2],
      [1003, 3],
      [1004, 4],
      [1005, 5],
      [1006, 6],
    ]);
  });

  it("reads LAYER_3 as LAYER3 and LAYER_1 as LAYER1", () => {
    expect(results.map((r) => r.ok && r.assessment.type)).toEqual([
      "LAYER3",
      "LAYER1",
      "LAYER1",
      "LAYER3",
      "LAYER3",
      "LAYER3",
    ]);
  });

  it("reads 0/1/2 codes and display strings alike", () => {
    expect(at(0).answers["6.4"]).toEqual({ raw: "1-Some problems", value: { kind: "score", score: 1 } });
    expect(at(0).answers["6.12"]?.value).toEqual({ kind: "score", score: 0 });
    expect(at(0).answers["11.11"]?.value).toEqual({ kind: "score", score: 2 });
  });

  it("reads Yes/YES/No/NO for yes-no items and section flags", () => {
    expect(at(0).answers["6.11"]?.value).toEqual({ kind: "yesno", value: "YES" });
    expect(at(1).answers["6.11"]).toEqual({ raw: "NO", value: { kind: "yesno", value: "NO" } });
    expect(at(1).answers["1.30"]).toEqual({ raw: "yes", value: { kind: "yesno", value: "YES" } });
    expect(at(0).sections["6"]).toMatchObject({ linkedToHarm: true, linkedToReoffending: false });
  });

  it("marks M, an empty element and a self-closed element as missing, never as no problem", () => {
    expect(at(0).answers["12.9"]).toEqual({ raw: "M", value: { kind: "missing" } });
    expect(at(0).answers["11.12"]).toEqual({ raw: null, value: { kind: "missing" } });
    expect(at(0).answers["11.4"]).toEqual({ raw: null, value: { kind: "missing" } });
  });

  it("leaves an absent item out of answers (not asked)", () => {
    expect("6.9" in at(0).answers).toBe(false);
    expect(Object.keys(at(2).answers)).toEqual([]);
  });

  it("reads gender 2/F/FEMALE as FEMALE and M/1/MALE as MALE", () => {
    expect([0, 1, 2, 3, 4].map((i) => at(i).offender.gender)).toEqual([
      "FEMALE",
      "MALE",
      "FEMALE",
      "FEMALE",
      "MALE",
    ]);
  });

  it("reads offender flags from attributes", () => {
    expect(at(0).offender).toMatchObject({
      oasysOffenderPk: 2001,
      limitedAccessOffender: true,
      inCustody: true,
    });
  });

  it("reads RoSH levels in any case and as L/M/H/V letters", () => {
    expect(at(0).rosh?.levels).toEqual([
      { group: "CHILDREN", setting: "COMMUNITY", level: "VERY_HIGH" },
      { group: "PUBLIC", setting: "COMMUNITY", level: "LOW" },
      { group: "KNOWN_ADULT", setting: "CUSTODY", level: "MEDIUM" },
    ]);
    expect(at(1).rosh?.levels.map((l) => l.level)).toEqual(["LOW", "MEDIUM", "HIGH", "VERY_HIGH"]);
  });

  it("reads predictor bands in any case, with spaces, and NOT_APPLICABLE; carries unknown types through", () => {
    expect(at(0).predictors.map((p) => [p.type, p.band])).toEqual([
      ["OGRS3_2YR", "NOT_APPLICABLE"],
      ["OGRS4_ARP", "MEDIUM"],
      ["OSP_DC", "VERY_HIGH"],
      ["OSP_IIC", "LOW"],
      ["RM2000_S", "HIGH"],
      ["RSR", "NOT_APPLICABLE"],
    ]);
    expect(at(0).predictors.find((p) => p.type === "OGRS4_ARP")).toMatchObject({
      score: 12.5,
      staticOrDynamic: "STATIC",
    });
    expect(at(0).warnings).toEqual([]);
  });

  it("keeps zone-less date-times as London local time and converts zoned ones (GMT and BST)", () => {
    const a = at(5);
    expect(a.initiationDate).toBe("2026-07-01T09:00:00");
    expect(a.assessorSignedDate).toBe("2026-01-15T23:30:00");
    expect(a.dateCompleted).toBe("2026-07-02T00:30:00");
    expect(a.later.latestCompleteDate).toBe("2026-07-02T09:00:00");
  });
});

describe("purpose 620 (RSR only)", () => {
  it("is accepted with predictors and no sections, answers or RoSH summary", async () => {
    const [result] = await collect(
      readOasysExportFile(fixture("rsr-only-purpose-620.xml"), { today: TODAY }),
    );
    const a = accepted(result);
    expect(a.purposeCode).toBe(620);
    expect(a.purposeDescription).toBe("RSR only");
    expect(a.sections).toEqual({});
    expect(a.answers).toEqual({});
    expect(a.rosh).toBeNull();
    expect(a.rmp).toBeNull();
    expect(a.predictors).toEqual([
      {
        type: "RSR",
        score: 1.2,
        points: null,
        band: "LOW",
        staticOrDynamic: null,
        algorithmVersion: "5",
        calculatedAt: "2026-10-03T14:05:00",
      },
    ]);
  });
});

describe("header fields as elements, merges and forenames", () => {
  it("accepts partcompStatus and purposeDescription as attributes or elements", async () => {
    const [a, b] = await readString(
      exportOf(
        assessment(
          "",
          'assessmentPk="1" type="LAYER3" status="OPEN" partcompStatus="SIGNED" purposeDescription="Review"',
        ),
        assessment(
          "<type>LAYER3</type><status>COMPLETE</status><partcompStatus>unsigned</partcompStatus><purposeCode>280</purposeCode>",
          'assessmentPk="2"',
        ),
      ),
    );
    expect(accepted(a)).toMatchObject({ partcompStatus: "SIGNED", purposeDescription: "Review" });
    expect(accepted(b)).toMatchObject({
      type: "LAYER3",
      status: "COMPLETE",
      partcompStatus: "UNSIGNED",
      purposeCode: 280,
    });
  });

  it("reads forename1..n in numeric order and both spellings of the merged PNC", async () => {
    const [a, b] = await readString(
      exportOf(
        assessment(
          "<offender><forename2>B</forename2><forename10>J</forename10><forename1>A</forename1>" +
            "<mergedPnc>2008/0056560Z</mergedPnc><mergedOffenderPk>77</mergedOffenderPk></offender>",
        ),
        assessment("<offender><mergePncNumber>2008/0056560Z</mergePncNumber></offender>"),
      ),
    );
    expect(accepted(a).offender).toMatchObject({
      forenames: ["A", "B", "J"],
      mergedPnc: "2008/0056560Z",
      mergedOffenderPk: 77,
    });
    expect(accepted(b).offender.mergedPnc).toBe("2008/0056560Z");
  });

  it("reads every later/latest flag element", async () => {
    const later =
      "<laterWIPAssessmentExists>true</laterWIPAssessmentExists><latestWIPDate>2026-11-01T10:00:00</latestWIPDate>" +
      "<laterSignLockAssessmentExists>false</laterSignLockAssessmentExists><latestSignLockDate/>" +
      "<laterPartCompUnsignedAssessmentExists>Y</laterPartCompUnsignedAssessmentExists>" +
      "<latestPartCompUnsignedDate>2026-11-02T10:00:00</latestPartCompUnsignedDate>" +
      "<laterPartCompSignedAssessmentExists>N</laterPartCompSignedAssessmentExists>" +
      "<latestPartCompSignedDate>2026-11-03</latestPartCompSignedDate>" +
      "<laterCompleteAssessmentExists>true</laterCompleteAssessmentExists>" +
      "<latestCompleteDate>2026-11-04T10:00:00</latestCompleteDate>";
    const [result] = await readString(exportOf(assessment(later)));
    expect(accepted(result).later).toEqual({
      laterWIPAssessmentExists: true,
      latestWIPDate: "2026-11-01T10:00:00",
      laterSignLockAssessmentExists: false,
      latestSignLockDate: null,
      laterPartCompUnsignedAssessmentExists: true,
      latestPartCompUnsignedDate: "2026-11-02T10:00:00",
      laterPartCompSignedAssessmentExists: false,
      latestPartCompSignedDate: "2026-11-03T00:00:00",
      laterCompleteAssessmentExists: true,
      latestCompleteDate: "2026-11-04T10:00:00",
    });
  });

  it("reads CDATA as text and ignores comments and processing instructions", async () => {
    const [result] = await readString(
      exportOf(
        assessment(
          '<?vendor-hint keep?><section code="6"><!-- note --><issuesDetails><![CDATA[a < b & c]]> and <!-- x -->more</issuesDetails></section>',
        ),
      ),
    );
    const a = accepted(result);
    expect(a.sections["6"]?.issuesDetails).toBe("a < b & c and more");
    expect(a.extras).toEqual([]);
  });

  it("decodes the predefined entities and character references", async () => {
    const [result] = await readString(
      exportOf(
        assessment(
          "<roshSummary><whoIsAtRisk>&lt;&gt;&amp;&quot;&apos; &#233;&#x1F600;</whoIsAtRisk></roshSummary>",
        ),
      ),
    );
    expect(accepted(result).rosh?.whoIsAtRisk).toBe("<>&\"' é😀");
  });

  it("accepts an export with no namespace at all", async () => {
    const xml =
      '<oasysExport exportId="EXP-NO-NS"><assessment assessmentPk="5" type="LAYER3" status="OPEN">' +
      '<section code="6"><answer q="6.4">2</answer></section></assessment></oasysExport>';
    const [result] = await readString(xml);
    expect(accepted(result).answers["6.4"]?.value).toEqual({ kind: "score", score: 2 });
    expect(result?.ok && result.source.exportId).toBe("EXP-NO-NS");
  });

  it("accepts a prefixed contract namespace", async () => {
    const xml =
      '<o:oasysExport xmlns:o="urn:hmpps:oasys:export:1" exportId="EXP-PREFIXED">' +
      '<o:assessment assessmentPk="6" type="LAYER3" status="OPEN"><o:section code="6"><o:answer q="6.4">1</o:answer>' +
      "</o:section></o:assessment></o:oasysExport>";
    const [result] = await readString(xml);
    expect(accepted(result).answers["6.4"]?.value).toEqual({ kind: "score", score: 1 });
  });
});
