import { describe, expect, it } from "vitest";
import { readOasysExportFile } from "../../../src/ingest/xml/reader.ts";
import { accepted, assessment, collect, exportOf, fixture, readString, TODAY } from "./support/read.ts";

describe("unknown elements and attributes are carried as extras (unknown-elements-and-attributes.xml)", () => {
  it("accepts the record, keeps every unknown as {path, raw}, and still reads what it knows", async () => {
    const [result] = await collect(
      readOasysExportFile(fixture("unknown-elements-and-attributes.xml"), { today: TODAY }),
    );
    const a = accepted(result);
    expect(a.extras).toEqual([
      { path: "assessment/@region", raw: "NE" },
      { path: "assessment/@x:batch", raw: "7" },
      { path: "assessment/offender/@ethnicity", raw: "W1" },
      { path: "assessment/offender/preferredName", raw: "<preferredName>ALEX</preferredName>" },
      { path: "assessment/section[code=6]/@reviewed", raw: "true" },
      { path: "assessment/section[code=6]/answer[q=6.4]/@source", raw: "assessor" },
      { path: "assessment/section[code=6]/foo", raw: '<foo level="2">bar &amp; baz</foo>' },
      { path: "assessment/rosh/screeningNote", raw: "<screeningNote>see file</screeningNote>" },
      { path: "assessment/x:vendorBlock/x:ref", raw: "<x:ref>A-1</x:ref>" },
      { path: "assessment/predictors/predictor[type=RSR]/@percentile", raw: "71" },
      { path: "assessment/riskManagementPlan/mappa/@reviewDate", raw: "2026-12-01" },
      { path: "assessment/riskManagementPlan/approvedBy", raw: "<approvedBy>team lead</approvedBy>" },
    ]);
    expect(a.answers["6.4"]?.value).toEqual({ kind: "score", score: 1 });
    expect(a.offender.crn?.canonical).toBe("X000009");
    expect(a.rmp).toMatchObject({ mappa: { category: 2, level: 1 }, supervision: "weekly" });
    expect(a.predictors[0]).toMatchObject({ type: "RSR", band: "MEDIUM" });
  });

  it("puts answers found under an unknown block (a RoSH screening) into answers by q", async () => {
    const [result] = await collect(
      readOasysExportFile(fixture("unknown-elements-and-attributes.xml"), { today: TODAY }),
    );
    const a = accepted(result);
    expect(a.answers["R1.2.3"]).toEqual({ raw: "Yes", value: { kind: "yesno", value: "YES" } });
    expect(a.answers["R2.1"]?.value).toEqual({ kind: "yesno", value: "NO" });
    expect(a.answers.RM8?.value).toEqual({ kind: "yesno", value: "NO" });
  });

  it("carries children of known leaves, mixed text in containers, and attributes of unknown blocks", async () => {
    const [result] = await readString(
      exportOf(
        assessment(
          '<section code="6">stray<issuesDetails>kept<b>bold</b></issuesDetails></section>' +
            '<block kind="new"><inner a="1"/></block>',
        ),
      ),
    );
    const a = accepted(result);
    expect(a.sections["6"]?.issuesDetails).toBe("kept");
    expect(a.extras).toEqual([
      { path: "assessment/section[code=6]/issuesDetails/b", raw: "<b>bold</b>" },
      { path: "assessment/section[code=6]/text()", raw: "stray" },
      { path: "assessment/block/@kind", raw: "new" },
      { path: "assessment/block/inner", raw: '<inner a="1"/>' },
    ]);
  });

  it("treats elements of the contract's names in a foreign namespace as unknown", async () => {
    const [result] = await readString(
      exportOf(
        assessment('<v:section xmlns:v="urn:vendor" code="6"><v:answer q="6.4">2</v:answer></v:section>'),
      ),
    );
    const a = accepted(result);
    expect(a.answers).toEqual({});
    expect(a.sections).toEqual({});
    expect(a.extras).toEqual([
      { path: "assessment/v:section/@code", raw: "6" },
      { path: "assessment/v:section/v:answer", raw: '<v:answer q="6.4">2</v:answer>' },
    ]);
  });

  it("ignores content of the root that is not an assessment", async () => {
    const results = await readString(
      exportOf('<exportSummary count="1"><note>n</note></exportSummary>', assessment()),
    );
    expect(results).toHaveLength(1);
    expect(accepted(results[0]).extras).toEqual([]);
  });
});
