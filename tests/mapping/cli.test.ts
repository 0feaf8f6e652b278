/** `bridge prefill` and `bridge mapping test|diff|coverage`, with captured streams. */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.ts";
import type { ArmsDraft } from "../../src/core/arms/draft.ts";
import type { CoverageReport } from "../../src/core/mapping/coverage.ts";
import type { MappingDiff } from "../../src/core/mapping/diff.ts";
import { validateAgainst } from "../../src/core/schemas.ts";
import { captureIo } from "../cli/capture.ts";

const EX = "examples/oasys";
const complete = `${EX}/complete-layer3-sexual-items.xml`;
const GOLDEN_INPUTS = [
  "mappings/tests/strong-factor-ratings/input.xml",
  "mappings/tests/static-risk-without-conversion/input.xml",
  "mappings/tests/female-offender/input.xml",
];

async function run(...argv: string[]) {
  const { io, stdout, stderr } = captureIo();
  const code = await main(argv, io);
  return { code, out: stdout.text, err: stderr.text };
}

/** A copy of the shipped mapping with an edit and a new version (and changelog entry). */
function newVersion(edit: (text: string) => string): string {
  const dir = mkdtempSync(join(tmpdir(), "mapping-cli-"));
  cpSync("mappings/arms-factors.yaml", join(dir, "arms-factors.yaml"));
  const text = edit(readFileSync("mappings/oasys-to-arms.yaml", "utf8"))
    .replace('version: "1.0.0"\nfactorCatalogue', 'version: "1.1.0"\nfactorCatalogue')
    .replace(
      "changelog:\n",
      'changelog:\n  - version: "1.1.0"\n    date: "2026-12-01"\n    summary: Hostile orientation 0 no longer proposes NOT_PRESENT\n',
    );
  writeFileSync(join(dir, "oasys-to-arms.yaml"), text);
  return join(dir, "oasys-to-arms.yaml");
}

describe("bridge prefill", () => {
  it("--json writes one schema-valid draft per accepted assessment and exits 0", async () => {
    const { code, out, err } = await run("prefill", "--json", complete);
    expect(code).toBe(0);
    const drafts = JSON.parse(out) as ArmsDraft[];
    expect(drafts).toHaveLength(1);
    expect(drafts[0]?.armsAssessmentId).toBe("OASYS-9630348-M1.0.0");
    expect(validateAgainst("arms-interchange.schema.json", drafts[0])).toBeNull();
    expect(drafts[0]?.riskFactors.SEXUAL_PREOCCUPATION?.rating).toBe("PRESENT");
    expect(JSON.parse(err.trim())).toEqual({
      type: "summary",
      assessments: 1,
      drafts: 1,
      refused: 0,
      rejected: 0,
      failedFiles: 0,
    });
  });

  it("gives byte-identical output when run again", async () => {
    const first = await run("prefill", "--json", complete, `${EX}/female-offender.xml`);
    const second = await run("prefill", "--json", complete, `${EX}/female-offender.xml`);
    expect(second.out).toBe(first.out);
  });

  it("summarises each draft for people: counts, gates, reasons; exits 2 when a record is refused", async () => {
    const { code, out } = await run(
      "prefill",
      complete,
      `${EX}/female-offender.xml`,
      `${EX}/later-complete-exists.xml`,
    );
    expect(code).toBe(2);
    expect(out).toContain(
      "assessment 9630348 -> draft OASYS-9630348-M1.0.0 (LAYER3 COMPLETE, completed 2026-10-03)",
    );
    expect(out).toMatch(/filled 19 of 34 ARMS fields \(56%\), evidence-only 6, unfilled 9/);
    expect(out).toContain("gate GENDER_NOT_ELIGIBLE: gender FEMALE");
    expect(out).toContain("refused, BRIDGE_E_MAPPING_REFUSED SUPERSEDED_BY_LATER_COMPLETE");
    expect(out).toMatch(
      /evidence +\/riskFactors\/NEGATIVE_SOCIAL_INFLUENCES +no rating proposed; 4 OASys item\(s\): 7\.2=1 RISK/,
    );
    expect(out).toContain("mapping 1.0.0: 4 assessment(s) read, 3 draft(s), 1 refused, 0 rejected by ingest");
    expect(out).not.toContain("EXAMPLEMAN");
  });

  it("reports records rejected by ingest (exit 2) and files that fail whole (exit 1)", async () => {
    const rejected = await run("prefill", "--json", `${EX}/malformed-one-of-three.xml`);
    expect(rejected.code).toBe(2);
    expect(JSON.parse(rejected.out)).toHaveLength(2);
    expect(rejected.err).toContain('"type":"rejected"');
    const failed = await run("prefill", `${EX}/hostile-doctype.xml`);
    expect(failed.code).toBe(1);
    expect(failed.err).toContain("BRIDGE_E_XML_DOCTYPE_REFUSED");
  });

  it("refuses an invalid mapping naming its file and line, and usage errors", async () => {
    const bad = newVersion((t) => t.replace('"2": PRESENT, "1": SOME_EVIDENCE', '"2": PRESENT, "1": MAYBE'));
    const { code, err } = await run("prefill", "--mapping", bad, complete);
    expect(code).toBe(1);
    expect(err).toMatch(
      new RegExp(
        `BRIDGE_E_MAPPING_INVALID: .*${bad.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:\\d+:\\d+: /ratings/0/values/1`,
      ),
    );
    expect((await run("prefill")).code).toBe(1);
  });
});

describe("bridge mapping", () => {
  it("test: runs every golden case and exits 0", async () => {
    const { code, out } = await run("mapping", "test");
    expect(code).toBe(0);
    expect(out).toMatch(/mapping 1\.0\.0: (\d+) of \1 golden case\(s\) passed/);
    expect(out).toContain("ok   female-offender");
  });

  it("test: prints expected and actual for a failed claim and exits 1", async () => {
    const dir = mkdtempSync(join(tmpdir(), "golden-"));
    cpSync("mappings/tests/strong-factor-ratings", join(dir, "strong-factor-ratings"), { recursive: true });
    const file = join(dir, "strong-factor-ratings", "expected.json");
    writeFileSync(file, readFileSync(file, "utf8").replace('"rating": "PRESENT"', '"rating": "NOT_PRESENT"'));
    const { code, out } = await run("mapping", "test", "--dir", dir);
    expect(code).toBe(1);
    expect(out).toContain("FAIL strong-factor-ratings: 1 claim(s) not met");
    expect(out).toContain("at /0/draft/riskFactors/SEXUAL_PREOCCUPATION/rating (differs)");
    expect(out).toContain('- expected "NOT_PRESENT"');
    expect(out).toContain('+ actual   "PRESENT"');
  });

  it("diff: reports field by field what a new version would change, with transitions and examples", async () => {
    const to = newVersion((t) =>
      t.replace(
        'values: { "2": PRESENT, "1": SOME_EVIDENCE, "0": NOT_PRESENT }\n    basis: ASSESSMENT\n    strength: STRONG\n    note: OASys 12.9',
        'values: { "2": PRESENT, "1": SOME_EVIDENCE }\n    basis: ASSESSMENT\n    strength: STRONG\n    note: OASys 12.9',
      ),
    );
    const json = await run(
      "mapping",
      "diff",
      "--json",
      "--from",
      "mappings/oasys-to-arms.yaml",
      "--to",
      to,
      complete,
      ...GOLDEN_INPUTS,
    );
    expect(json.code).toBe(0);
    const diff = JSON.parse(json.out) as MappingDiff;
    expect(diff.from.version).toBe("1.0.0");
    expect(diff.to.version).toBe("1.1.0");
    const hostile = diff.fields.find((f) => f.field === "/riskFactors/HOSTILE_ORIENTATION/rating");
    expect(hostile).toMatchObject({
      kind: "removed",
      count: 1,
      transitions: [{ before: "NOT_PRESENT", after: null, count: 1 }],
    });
    expect(hostile?.examples).toEqual([{ assessmentPk: 9630348, before: "NOT_PRESENT", after: null }]);
    // The woman's 12.9 = 0 was shown as evidence (rating withheld); under 1.1.0 0 is no longer a rated value.
    const evidence = diff.fields.find(
      (f) => f.field === "/riskFactors/HOSTILE_ORIENTATION/oasysEvidence/12.9",
    );
    expect(evidence).toMatchObject({
      kind: "removed",
      count: 1,
      examples: [{ assessmentPk: 3401, before: "CONTEXT (0)", after: null }],
    });
    expect(diff.changedAssessments).toBe(2);
    expect(diff.totals.removed).toBe(2);
    expect(diff.filledPerDraft.after).toBeLessThan(diff.filledPerDraft.before);
    const text = await run(
      "mapping",
      "diff",
      "--from",
      "mappings/oasys-to-arms.yaml",
      "--to",
      to,
      complete,
      ...GOLDEN_INPUTS,
    );
    expect(text.out).toContain("Mapping impact: 1.0.0 (mappings/oasys-to-arms.yaml) -> 1.1.0");
    expect(text.out).toContain("1.1.0 (2026-12-01): Hostile orientation 0 no longer proposes NOT_PRESENT");
    expect(text.out).toMatch(/Drafts that would change: 2 of \d+/);
    expect(text.out).toMatch(
      /\/riskFactors\/HOSTILE_ORIENTATION\/rating +removed +1 +NOT_PRESENT -> \(empty\) x1/,
    );
    expect(text.out).toContain("e.g. assessment 9630348: NOT_PRESENT -> (empty)");
  });

  it("diff: the same mapping on both sides changes nothing", async () => {
    const { code, out } = await run(
      "mapping",
      "diff",
      "--from",
      "mappings/oasys-to-arms.yaml",
      "--to",
      "mappings/oasys-to-arms.yaml",
      complete,
    );
    expect(code).toBe(0);
    expect(out).toContain("No field of any draft would change.");
  });

  it("coverage: how much of a blank ARMS a complete LAYER3 assessment fills", async () => {
    const { code, out } = await run(
      "mapping",
      "coverage",
      "--json",
      complete,
      `${EX}/female-offender.xml`,
      `${EX}/rsr-only-purpose-620.xml`,
    );
    expect(code).toBe(0);
    const report = JSON.parse(out) as CoverageReport;
    expect(report.typical).toMatchObject({
      selection: "complete LAYER3 assessments",
      drafts: 2,
      formFields: 34,
    });
    expect(report.typical.filled.max).toBe(19);
    const text = await run("mapping", "coverage", complete);
    expect(text.out).toContain("pre-filled fields per draft: median 19 of 34 (56%), range 19-19");
    expect(text.out).toContain("a blank ARMS starts with 0 of 34 fields filled");
  });
});
