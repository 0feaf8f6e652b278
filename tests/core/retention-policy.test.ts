/**
 * The retention periods file (mappings/retention.yaml, schemas/retention.schema.json): the shipped file
 * loads; an invalid one is refused naming file, line and column, as the thresholds are; a period's cut-off
 * is calendar arithmetic in UTC. And RETENTION_INTERVAL_MS is validated with the rest of the configuration.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { DEFAULT_RETENTION_PATH, loadRetention } from "../../src/core/retention/load.ts";
import { cutoffOf, parsePeriod, parseRetention } from "../../src/core/retention/policy.ts";
import { isBridgeError } from "../../src/errors.ts";

const SHIPPED = readFileSync(DEFAULT_RETENTION_PATH, "utf8");
const lineOf = (text: string, needle: string) => text.split("\n").findIndex((l) => l.includes(needle)) + 1;

function errorFor(text: string) {
  try {
    parseRetention(text, "retention.yaml");
  } catch (e) {
    if (isBridgeError(e)) return e;
    throw e;
  }
  throw new Error("expected the periods to be refused");
}

describe("the retention periods file", () => {
  it("ships a period (or never) for every class", () => {
    const policy = loadRetention();
    expect(policy.version).toBe("1.0.0");
    expect(Object.keys(policy.periods).sort()).toEqual([
      "armsRevisions",
      "audit",
      "deadLetters",
      "deliveredBodies",
      "drafts",
      "oasysRecords",
      "rawExports",
    ]);
    expect(policy.periods.rawExports).toEqual({ count: 90, unit: "D", text: "P90D" });
    expect(parseRetention(SHIPPED.replace("audit: P6Y", "audit: never"), "r.yaml").periods.audit).toBeNull();
  });

  it("refuses a bad period, an unknown class and a missing class at their line", () => {
    const bad = errorFor(SHIPPED.replace("drafts: P1Y", "drafts: 1 year"));
    expect(bad.code).toBe("BRIDGE_E_RETENTION_INVALID");
    expect(bad.message).toContain(`retention.yaml:${lineOf(SHIPPED, "drafts: P1Y")}:`);
    expect(bad.message).toContain("/periods/drafts must be a period");

    const unknown = errorFor(SHIPPED.replace("  drafts: P1Y", "  drafts: P1Y\n  persons: P1Y"));
    expect(unknown.message).toContain(`retention.yaml:${lineOf(SHIPPED, "drafts: P1Y") + 1}:`);
    expect(unknown.message).toContain('unknown setting "persons"');

    expect(errorFor(SHIPPED.replace("  drafts: P1Y\n", "")).message).toContain("drafts");
    expect(
      errorFor(SHIPPED.replace('version: "1.0.0"\nchangelog', 'version: "1.0.1"\nchangelog')).message,
    ).toContain("no changelog entry for version 1.0.1");
    expect(errorFor("periods: [").message).toMatch(/retention\.yaml:\d+:\d+ \//);
  });

  it("cuts off in calendar units, in UTC, the day clamped to the month's end", () => {
    const at = "2030-03-31T12:30:00.000Z";
    expect(cutoffOf(parsePeriod("P90D")!, at)).toBe("2029-12-31T12:30:00.000Z");
    expect(cutoffOf(parsePeriod("P2W")!, at)).toBe("2030-03-17T12:30:00.000Z");
    expect(cutoffOf(parsePeriod("P1M")!, at)).toBe("2030-02-28T12:30:00.000Z");
    expect(cutoffOf(parsePeriod("P13M")!, at)).toBe("2029-02-28T12:30:00.000Z");
    expect(cutoffOf(parsePeriod("P6Y")!, "2028-02-29T00:00:00.000Z")).toBe("2022-02-28T00:00:00.000Z");
    expect(parsePeriod("never")).toBeNull();
  });
});

describe("RETENTION_INTERVAL_MS and RETENTION_PATH", () => {
  it("are off and the bundled file by default, and checked with the other settings", () => {
    expect(loadConfig({}).retention).toEqual({ path: null, intervalMs: null });
    expect(
      loadConfig({ RETENTION_INTERVAL_MS: "86400000", RETENTION_PATH: "/etc/r.yaml" }).retention,
    ).toEqual({
      path: "/etc/r.yaml",
      intervalMs: 86_400_000,
    });
    expect(() => loadConfig({ RETENTION_INTERVAL_MS: "1000" })).toThrow(
      /RETENTION_INTERVAL_MS must be a whole number/,
    );
  });
});
