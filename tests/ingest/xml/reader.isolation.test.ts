import { describe, expect, it } from "vitest";
import { BridgeError } from "../../../src/errors.ts";
import { readOasysExportFile } from "../../../src/ingest/xml/reader.ts";
import {
  accepted,
  assessment,
  collect,
  exportOf,
  fixture,
  readString,
  rejected,
  TODAY,
  thrown,
} from "./support/read.ts";

describe("a malformed assessment is rejected alone", () => {
  it("yields the others and names export id, pk, index, path and reason for the bad one", async () => {
    const results = await collect(
      readOasysExportFile(fixture("bad-record-in-the-middle.xml"), { today: TODAY }),
    );
    expect(results).toHaveLength(3);
    expect(accepted(results[0]).assessmentPk).toBe(3001);
    expect(accepted(results[2]).assessmentPk).toBe(3003);
    expect(results[2]?.ok && results[2].source.index).toBe(3);
    expect(rejected(results[1])).toEqual({
      code: "BRIDGE_E_RECORD_BAD_VALUE",
      exportId: "EXP-ISOLATION-0001",
      assessmentPk: "3002",
      index: 2,
      path: "@status",
      reason: 'status "HALF_DONE" is not OPEN, COMPLETE or LOCKED_INCOMPLETE',
      line: 7,
      column: 98,
    });
  });

  const cases: [string, string, Partial<ReturnType<typeof rejected>>][] = [
    [
      "missing pk",
      assessment("", 'type="LAYER3" status="OPEN"'),
      { code: "BRIDGE_E_RECORD_MISSING_FIELD", path: "@assessmentPk", assessmentPk: null },
    ],
    [
      "pk not a number",
      assessment("", 'assessmentPk="12x" type="LAYER3" status="OPEN"'),
      { code: "BRIDGE_E_RECORD_BAD_VALUE", path: "@assessmentPk", assessmentPk: "12x" },
    ],
    [
      "unknown type",
      assessment("", 'assessmentPk="9" type="LAYER9" status="OPEN"'),
      { code: "BRIDGE_E_RECORD_BAD_VALUE", path: "@type" },
    ],
    [
      "bad RoSH level",
      assessment(
        '<roshSummary><riskLevel group="PUBLIC" setting="COMMUNITY">Severe</riskLevel></roshSummary>',
      ),
      { code: "BRIDGE_E_RECORD_BAD_VALUE", path: "roshSummary/riskLevel[group=PUBLIC][setting=COMMUNITY]" },
    ],
    [
      "RoSH level without a group",
      assessment('<roshSummary><riskLevel setting="COMMUNITY">High</riskLevel></roshSummary>'),
      { code: "BRIDGE_E_RECORD_BAD_VALUE", path: "roshSummary/riskLevel[1]" },
    ],
    [
      "answer without q",
      assessment('<section code="6"><answer q="6.4">1</answer><answer>2</answer></section>'),
      { code: "BRIDGE_E_RECORD_MISSING_FIELD", path: "section[code=6]/answer[2]/@q" },
    ],
    [
      "section without code",
      assessment('<section><answer q="6.4">1</answer></section>'),
      { code: "BRIDGE_E_RECORD_MISSING_FIELD", path: "section[1]/@code" },
    ],
    [
      "predictor without type",
      assessment('<predictors><predictor score="1"/></predictors>'),
      { code: "BRIDGE_E_RECORD_MISSING_FIELD", path: "predictors/predictor[1]/@type" },
    ],
    [
      "two offenders",
      assessment("<offender><crn>X000001</crn></offender><offender><crn>X000002</crn></offender>"),
      { code: "BRIDGE_E_RECORD_INVALID", path: "offender", reason: "offender is given more than once" },
    ],
    [
      "a PNC given twice",
      assessment("<offender><pnc>2008/0056560Z</pnc><pnc>2008/0056560Z</pnc></offender>"),
      { code: "BRIDGE_E_RECORD_INVALID", path: "offender/pnc" },
    ],
    [
      "status as attribute and element",
      assessment("<status>OPEN</status>"),
      { code: "BRIDGE_E_RECORD_INVALID", path: "status" },
    ],
    [
      "bad date",
      assessment("<dateCompleted>2026-02-30T10:00:00</dateCompleted>"),
      { code: "BRIDGE_E_RECORD_BAD_VALUE", path: "dateCompleted" },
    ],
  ];

  it.each(cases)("rejects a record with %s, and goes on to the next", async (_, bad, expected) => {
    const results = await readString(
      exportOf(bad, assessment("", 'assessmentPk="2" type="LAYER3" status="OPEN"')),
    );
    expect(results).toHaveLength(2);
    expect(rejected(results[0])).toMatchObject({ exportId: "EXP-TEST-0001", index: 1, ...expected });
    expect(accepted(results[1]).assessmentPk).toBe(2);
  });

  it("never echoes a pk that is not an id (it could hold personal data)", async () => {
    const [result] = await readString(exportOf(assessment("", 'assessmentPk="JOHN SMITH" type="LAYER3"')));
    expect(rejected(result).assessmentPk).toBe("(not shown: not an id)");
  });

  it("accepts an invalid PNC with a warning, not a rejection", async () => {
    const [result] = await readString(exportOf(assessment("<offender><pnc>2008/0056560A</pnc></offender>")));
    const a = accepted(result);
    expect(a.offender.pnc).toMatchObject({ raw: "2008/0056560A", valid: false });
    expect(a.warnings.map((w) => [w.code, w.path])).toEqual([["IDENTIFIER_INVALID", "offender/pnc"]]);
  });
});

describe("a file that is not well-formed fails whole", () => {
  it("throws BRIDGE_E_XML_NOT_WELL_FORMED with line and column, after the records before the fault", async () => {
    const seen: number[] = [];
    const error = await thrown(async () => {
      for await (const r of readOasysExportFile(fixture("not-well-formed-mismatched-tag.xml"), {
        today: TODAY,
      })) {
        if (r.ok) seen.push(r.assessment.assessmentPk);
      }
    });
    expect(error).toBeInstanceOf(BridgeError);
    const e = error as BridgeError;
    expect(e.code).toBe("BRIDGE_E_XML_NOT_WELL_FORMED");
    expect(e.context).toEqual({ line: 8, column: 15 });
    expect(e.message).toMatch(/line 8, column 15: unexpected close tag/);
    expect(seen).toEqual([4001]);
  });

  it.each([
    ["an empty input", ""],
    ["text only", "not xml at all"],
    ["an unclosed root", '<oasysExport xmlns="urn:hmpps:oasys:export:1">'],
    ["two roots", '<oasysExport xmlns="urn:hmpps:oasys:export:1"/><oasysExport/>'],
    ["an unquoted attribute", "<oasysExport exportId=x/>"],
    ["a bare ampersand", "<oasysExport>a & b</oasysExport>"],
  ])("throws BRIDGE_E_XML_NOT_WELL_FORMED for %s", async (_, xml) => {
    const e = (await thrown(() => readString(xml))) as BridgeError;
    expect(e.code).toBe("BRIDGE_E_XML_NOT_WELL_FORMED");
    expect(e.context).toHaveProperty("line");
    expect(e.context).toHaveProperty("column");
  });

  it.each([
    [
      "another root element",
      '<assessments xmlns="urn:hmpps:oasys:export:1"/>',
      /root element is \{urn:hmpps:oasys:export:1\}assessments/,
    ],
    ["the right name in another namespace", '<oasysExport xmlns="urn:other"/>', /\{urn:other\}oasysExport/],
    ["a later version of the namespace", '<oasysExport xmlns="urn:hmpps:oasys:export:2"/>', /export:2/],
  ])("throws BRIDGE_E_XML_WRONG_ROOT for %s", async (_, xml, message) => {
    const e = (await thrown(() => readString(xml))) as BridgeError;
    expect(e.code).toBe("BRIDGE_E_XML_WRONG_ROOT");
    expect(e.message).toMatch(message);
  });
});
