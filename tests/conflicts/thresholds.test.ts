import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_THRESHOLDS_PATH, loadThresholds } from "../../src/core/conflicts/load-thresholds.ts";
import { parseThresholds } from "../../src/core/conflicts/thresholds.ts";
import { isBridgeError } from "../../src/errors.ts";

const SHIPPED = readFileSync(DEFAULT_THRESHOLDS_PATH, "utf8");

/** The thresholds error for `text`, or fail. */
function errorFor(text: string, file = "thresholds.yaml") {
  try {
    parseThresholds(text, file);
  } catch (e) {
    if (isBridgeError(e)) return e;
    throw e;
  }
  throw new Error("expected the thresholds to be refused");
}

/** 1-based line of the first line containing `needle`. */
const lineOf = (text: string, needle: string) => text.split("\n").findIndex((l) => l.includes(needle)) + 1;

describe("the shipped thresholds file", () => {
  it("loads with the values the brief gives", () => {
    const t = loadThresholds();
    expect(t).toMatchObject({
      version: "1.1.0",
      oasysStaleWeeks: 55,
      armsStaleMonths: 12,
      temporalGapMonths: 6,
      levelGapWarn: 2,
    });
  });
});

describe("thresholds validation errors name file, line and column", () => {
  it("reports a value of the wrong type at its line", () => {
    const text = SHIPPED.replace("oasysStaleWeeks: 55", "oasysStaleWeeks: fifty-five");
    const e = errorFor(text);
    expect(e.code).toBe("BRIDGE_E_THRESHOLDS_INVALID");
    expect(e.context).toMatchObject({
      file: "thresholds.yaml",
      line: lineOf(text, "oasysStaleWeeks:"),
      column: 20,
    });
    expect(e.detail).toMatch(/^thresholds\.yaml:\d+:20 \/thresholds\/oasysStaleWeeks must be integer$/);
  });

  it("reports an unknown setting at its key", () => {
    const text = SHIPPED.replace("  levelGapWarn: 2", "  levelGapWarn: 2\n  levelGapWran: 3");
    const e = errorFor(text);
    expect(e.context).toMatchObject({ line: lineOf(text, "levelGapWran"), column: 3 });
    expect(e.detail).toContain('unknown setting "levelGapWran"');
  });

  it("reports a value outside an enumeration inside a list", () => {
    const text = SHIPPED.replace(
      "childrenRoshLevels: [HIGH, VERY_HIGH]",
      "childrenRoshLevels: [HIGH, SEVERE]",
    );
    const e = errorFor(text);
    expect(e.context).toMatchObject({
      line: lineOf(text, "childrenRoshLevels"),
      path: "/thresholds/childrenRoshLevels/1",
    });
  });

  it("reports a missing setting at its parent", () => {
    const text = SHIPPED.replace(/ {2}# ST-6[^\n]*\n {2}temporalGapMonths: 6\n/, "");
    const e = errorFor(text);
    expect(e.detail).toContain("must have required property 'temporalGapMonths'");
    expect(e.context).toMatchObject({ path: "/thresholds", line: lineOf(text, "thresholds:") + 0 });
  });

  it("reports YAML syntax errors with their position", () => {
    const e = errorFor('version: "1.0.0"\nthresholds: [unclosed\n');
    expect(e.context).toMatchObject({ file: "thresholds.yaml" });
    expect(e.context.line).toBeGreaterThan(0);
  });

  it("refuses contradictory settings the schema cannot see", () => {
    const gap = SHIPPED.replace("levelGapInfo: 1", "levelGapInfo: 2");
    expect(errorFor(gap).detail).toContain("levelGapInfo must be smaller than levelGapWarn");
    const overlap = SHIPPED.replace(
      "factorAbsentRatings: [NOT_PRESENT]",
      "factorAbsentRatings: [NOT_PRESENT, PRESENT]",
    );
    expect(errorFor(overlap).context).toMatchObject({
      line: lineOf(overlap, "factorAbsentRatings:"),
      path: "/thresholds/factorAbsentRatings",
    });
    const noEntry = SHIPPED.replace('version: "1.1.0"\nchangelog', 'version: "1.2.0"\nchangelog');
    expect(errorFor(noEntry).detail).toContain("has no changelog entry for version 1.2.0");
  });

  it("keeps the push policy's floor: BLOCK always holds with two reviewers, INFO never holds", () => {
    const cases: [string, string, string][] = [
      [
        "BLOCK: { holdsPush: true, reviewers: 2 }",
        "BLOCK: { holdsPush: false, reviewers: 2 }",
        "/pushPolicy/BLOCK/holdsPush",
      ],
      [
        "BLOCK: { holdsPush: true, reviewers: 2 }",
        "BLOCK: { holdsPush: true, reviewers: 1 }",
        "/pushPolicy/BLOCK/reviewers",
      ],
      [
        "INFO: { holdsPush: false, reviewers: 1 }",
        "INFO: { holdsPush: true, reviewers: 1 }",
        "/pushPolicy/INFO/holdsPush",
      ],
    ];
    for (const [from, to, path] of cases) {
      const text = SHIPPED.replace(from, to);
      expect(errorFor(text).context, to).toMatchObject({ line: lineOf(text, to), path });
    }
    // WARN is the data team's to tune.
    const relaxed = SHIPPED.replace(
      "WARN: { holdsPush: true, reviewers: 1 }",
      "WARN: { holdsPush: false, reviewers: 1 }",
    );
    expect(parseThresholds(relaxed, "tuned.yaml").pushPolicy.WARN).toEqual({
      holdsPush: false,
      reviewers: 1,
    });
  });

  it("loads a tuned copy from another path, and names an unreadable path", () => {
    const dir = mkdtempSync(join(tmpdir(), "thresholds-"));
    const path = join(dir, "tuned.yaml");
    writeFileSync(path, SHIPPED.replace("oasysStaleWeeks: 55", "oasysStaleWeeks: 52"));
    expect(loadThresholds(path).oasysStaleWeeks).toBe(52);
    expect(() => loadThresholds(join(dir, "absent.yaml"))).toThrow(/absent\.yaml could not be read/);
  });
});
