import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compareConflicts, evaluateConflicts } from "../../src/core/conflicts/engine.ts";
import { RULE_CATALOGUE, RULES_BY_ID } from "../../src/core/conflicts/registry.ts";
import type { Conflict } from "../../src/core/conflicts/types.ts";
import { arms, context, mismatch, oasys, THRESHOLDS } from "./builders.ts";

const range = (family: string, n: number) => Array.from({ length: n }, (_, i) => `${family}-${i + 1}`);
const EXPECTED_IDS = [
  ...range("ID", 7),
  ...range("ST", 6),
  ...range("LV", 6),
  ...range("SP", 6),
  ...range("FC", 5),
  ...range("PF", 4),
  ...range("MP", 3),
  ...range("PU", 3),
];
const GATES = ["LV-6", "SP-4", "SP-6", "FC-5", "PU-1"];

const DOC = readFileSync(new URL("../../docs/conflict-rules.md", import.meta.url), "utf8");
/** Table rows of the docs keyed by id: [meaning, severity, kind, threshold, source]. */
const DOC_ROWS = new Map(
  DOC.split("\n")
    .filter((l) => /^\| [A-Z]{2}-\d+ \|/.test(l))
    .map((l) => {
      const cells = l.split(" | ").map((c) => c.replace(/^\| |\s*\|$/g, "").trim());
      return [cells[0] as string, cells.slice(1)] as const;
    }),
);

describe("the rule catalogue", () => {
  it("holds every id of brief §7, in order, and nothing else", () => {
    expect(RULE_CATALOGUE.map((r) => r.id)).toEqual(EXPECTED_IDS);
  });

  it("has at least 30 rules that raise conflicts, and the brief's 'rule' rows as gates", () => {
    expect(RULE_CATALOGUE.filter((r) => r.kind === "RULE").length).toBeGreaterThanOrEqual(30);
    expect(RULE_CATALOGUE.filter((r) => r.kind === "GATE").map((r) => r.id)).toEqual(GATES);
    for (const r of RULE_CATALOGUE.filter((x) => x.kind === "RULE")) {
      expect(RULES_BY_ID.get(r.id)?.evaluate, r.id).toBeTypeOf("function");
      expect(r.severity, r.id).not.toBeNull();
    }
  });

  it("names only threshold keys that exist, and every threshold is read by some rule", () => {
    const keys = Object.keys(THRESHOLDS).filter((k) => k !== "version");
    const used = new Set(RULE_CATALOGUE.flatMap((r) => r.thresholdKeys));
    for (const k of used) expect(keys, `unknown threshold ${k}`).toContain(k);
    for (const k of keys) expect(used.has(k as never), `threshold ${k} is read by no rule`).toBe(true);
  });

  it("is documented in docs/conflict-rules.md, row for row (id, severity, kind, thresholds, source)", () => {
    expect([...DOC_ROWS.keys()]).toEqual(EXPECTED_IDS);
    for (const r of RULE_CATALOGUE) {
      const [meaning, severity, kind, threshold, source] = DOC_ROWS.get(r.id) ?? [];
      expect(meaning, r.id).toContain(r.meaning);
      expect(severity, r.id).toBe(r.severity ?? "–");
      expect(kind, r.id).toBe(r.kind);
      for (const key of r.thresholdKeys)
        expect(threshold, `${r.id} threshold ${key}`).toContain(`\`${key}\``);
      expect(source, r.id).toBe(r.source);
    }
  });
});

describe("the engine", () => {
  /** A pair that trips rules of several severities at once. */
  const busy = () =>
    context({
      oasys: oasys({
        pnc: "2001/0123456A",
        limitedAccessOffender: true,
        rosh: [["CHILDREN", "COMMUNITY", "Very High"]],
        answers: { "11.11": "2", "12.9": "2" },
        predictors: [{ type: "OSP_DC", score: "4", band: "High" }],
      }),
      arms: arms({
        riskLevel: "LOW",
        riskFactors: {
          SEXUAL_PREOCCUPATION: { rating: "NOT_PRESENT" },
          HOSTILE_ORIENTATION: { rating: "NOT_PRESENT" },
        },
      }),
    });

  it("orders conflicts by severity, then rule id, then fingerprint", () => {
    const found = evaluateConflicts(busy(), THRESHOLDS);
    expect(found.map((c) => `${c.severity} ${c.fingerprint}`)).toEqual([
      "BLOCK ID-1:OASYS_PNC_INVALID",
      "BLOCK ID-6:LIMITED_ACCESS_OFFENDER",
      "WARN FC-1:HOSTILE_ORIENTATION",
      "WARN FC-1:SEXUAL_PREOCCUPATION",
      "WARN LV-1:ROSH_ABOVE_ARMS",
      "WARN SP-1:OSP_DC",
    ]);
    expect([...found].sort(compareConflicts)).toEqual(found);
    expect(found[0]?.severity).toBe("BLOCK");
  });

  it("is deterministic and does not change its input", () => {
    const ctx = busy();
    const before = JSON.stringify(ctx);
    expect(evaluateConflicts(ctx, THRESHOLDS)).toEqual(evaluateConflicts(ctx, THRESHOLDS));
    expect(JSON.stringify(ctx)).toBe(before);
  });

  it("sorts rule numbers numerically (FC-9 before FC-10)", () => {
    const c = (ruleId: string): Conflict => ({
      ruleId,
      severity: "INFO",
      explanation: "",
      evidence: [],
      fingerprint: ruleId,
    });
    expect([c("FC-10"), c("FC-9"), c("FC-1")].sort(compareConflicts).map((x) => x.ruleId)).toEqual([
      "FC-1",
      "FC-9",
      "FC-10",
    ]);
  });

  it("raises only identity conflicts for a contradicted match, never a comparison", () => {
    const ctx = {
      ...busy(),
      match: mismatch([{ field: "dateOfBirth", oasys: "1980-02-01", arms: "1981-02-01" }]),
    };
    expect(evaluateConflicts(ctx, THRESHOLDS).map((c) => c.fingerprint)).toEqual([
      "ID-1:OASYS_PNC_INVALID",
      "ID-3:DATE_OF_BIRTH",
      "ID-6:LIMITED_ACCESS_OFFENDER",
    ]);
  });
});
