/** `bridge mapping diff`'s table (cli-table3): every row keeps the same cell boundaries; --json is the diff. */
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.ts";
import { formatDiff, formatTable } from "../../src/cli/mapping-report.ts";
import { mapFiles } from "../../src/cli/prefill.ts";
import { type DiffInput, diffMappings, type MappingDiff } from "../../src/core/mapping/diff.ts";
import { loadMapping } from "../../src/core/mapping/load.ts";
import { captureIo } from "./capture.ts";

const mapping = loadMapping();
const LONG = `/riskFactors/${"VERY_LONG_FACTOR_NAME_".repeat(4)}/oasysEvidence/12.9#2`;

const diff: MappingDiff = {
  from: { version: "1.0.0", file: "a.yaml" },
  to: { version: "1.0.0", file: "b.yaml" },
  assessments: 3,
  changedAssessments: 3,
  outcomes: [{ before: "DRAFT", after: "DRAFT", count: 3 }],
  totals: { added: 1, removed: 0, changed: 123456, provenance: 12 },
  filledPerDraft: { before: 19, after: 19 },
  fields: [
    {
      field: "/a",
      kind: "added",
      count: 1,
      transitions: [{ before: null, after: "X", count: 1 }],
      examples: [
        { assessmentPk: 7, before: null, after: "X" },
        { assessmentPk: 9630348123, before: null, after: "a much longer value than the others" },
      ],
    },
    {
      field: LONG,
      kind: "changed",
      count: 123456,
      transitions: [{ before: "line one\nline two", after: "Ünïcödé 日本", count: 123456 }],
      examples: [],
    },
    { field: "/subject/familyName", kind: "provenance", count: 12, transitions: [], examples: [] },
  ],
};

describe("mapping diff's table", () => {
  it("lines up values of different widths: each row has the same cell boundaries", () => {
    const text = formatDiff(diff, mapping);
    const table = text.split("\n\n")[1]?.split("\n") ?? [];
    const [head, ...rows] = table;
    expect(head).toMatch(/^field +change +count {2}commonest transitions$/);
    const change = head!.indexOf("change");
    const countEnd = head!.indexOf("count") + "count".length;
    const transitions = head!.indexOf("commonest");
    const cells = (line: string) => [
      line.slice(0, change).trimEnd(),
      line.slice(change, countEnd).trimEnd().split(/ +/)[0] ?? "",
      line.slice(change, countEnd).trimEnd().split(/ +/)[1] ?? "",
      line.slice(transitions),
    ];
    expect(rows.map(cells)).toEqual([
      ["/a", "added", "1", "(empty) -> X x1"],
      ["", "", "", "e.g. assessment 7: (empty) -> X"],
      ["", "", "", "e.g. assessment 9630348123: (empty) -> a much longer value than the others"],
      [LONG, "changed", "123456", '"line one\\nline two" -> Ünïcödé 日本 x123456'],
      ["/subject/familyName", "provenance", "12", "same value; provenance note or unfilled reason differs"],
    ]);
    for (const line of rows) {
      // Two spaces before each column; counts end at the same column, right-aligned.
      expect(line.slice(change - 2, change)).toBe("  ");
      expect(line.slice(transitions - 2, transitions)).toBe("  ");
      if (line.trim().startsWith("e.g.")) continue;
      expect(line[countEnd - 1]).not.toBe(" ");
      expect(line[countEnd]).toBe(" ");
      expect(line).toBe(line.trimEnd());
    }
  });

  it("formatTable keeps columns as wide as their widest cell, without borders or trailing spaces", () => {
    expect(
      formatTable(
        ["a", "b"],
        [
          ["xxxxxx", "1"],
          ["y", "22"],
        ],
        ["left", "right"],
      ),
    ).toEqual(["a        b", "xxxxxx   1", "y       22"]);
  });

  it("--json is the diff itself, as before", async () => {
    const files = [
      "examples/oasys/complete-layer3-sexual-items.xml",
      "examples/oasys/malformed-one-of-three.xml",
    ];
    const m = "mappings/oasys-to-arms.yaml";
    const { io, stdout } = captureIo();
    expect(await main(["mapping", "diff", "--json", "--from", m, "--to", m, ...files], io)).toBe(2);
    const [from, to] = [loadMapping(m), loadMapping(m)];
    const inputs: DiffInput[] = [];
    let rejected = 0;
    for await (const r of mapFiles(files, [from, to], { today: "2026-11-20" })) {
      if (r.kind === "mapped") {
        const [before, after] = r.results as [DiffInput["before"], DiffInput["after"]];
        inputs.push({ assessmentPk: r.assessment.assessmentPk, before, after });
      } else if (r.kind === "rejected") rejected += 1;
    }
    const expected = diffMappings(
      { version: from.spec.version, file: from.file },
      { version: to.spec.version, file: to.file },
      inputs,
    );
    expect(stdout.text).toBe(`${JSON.stringify({ ...expected, rejectedInputs: rejected }, null, 2)}\n`);
  });
});
