/**
 * The golden cases beside the mapping (mappings/tests/<scenario>/), run exactly as `bridge mapping test`
 * runs them, plus the proof that together they exercise every mapping row, every gate and every refusal.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { type GoldenResult, runGoldenCases } from "../../src/cli/mapping.ts";
import type { ArmsDraft } from "../../src/core/arms/draft.ts";
import { formatMismatches, rulesIn } from "../../src/core/mapping/golden.ts";
import { loadMapping } from "../../src/core/mapping/load.ts";
import { provenanceProblems } from "../../src/core/mapping/summary.ts";
import { validateAgainst } from "../../src/core/schemas.ts";

const mapping = loadMapping();
let results: GoldenResult[] = [];

beforeAll(async () => {
  results = await runGoldenCases(mapping);
});

const drafts = (): ArmsDraft[] =>
  results.flatMap((r) => r.outcomes.flatMap((o) => (o.ok ? [o.draft as ArmsDraft] : [])));

describe("golden cases", () => {
  it("finds the scenarios", () => {
    expect(results.length).toBeGreaterThanOrEqual(20);
  });

  it("every scenario meets every claim of its expected.json", () => {
    const failures = results
      .filter((r) => r.mismatches.length > 0)
      .map((r) => formatMismatches(r.scenario, r.mismatches));
    expect(failures.join("\n\n")).toBe("");
  });

  it("every golden draft is schema-valid and fully accounted for (provenance or reason on every field)", () => {
    for (const d of drafts()) {
      expect(validateAgainst("arms-interchange.schema.json", d)).toBeNull();
      expect(provenanceProblems(mapping, d)).toEqual([]);
    }
  });

  it("together they exercise every mapping rule", () => {
    const fired = rulesIn(drafts());
    const spec = mapping.spec;
    const rules = [
      ...spec.fields.map((r) => r.id),
      ...spec.ratings.map((r) => r.id),
      ...spec.evidence.map((r) => r.id),
      spec.staticRisk.id,
      spec.mappa.id,
      ...spec.narratives.map((r) => r.id),
    ];
    expect(rules.filter((id) => !fired.has(id))).toEqual([]);
  });

  it("together they exercise every evidence item (factor and question) of the mapping", () => {
    const seen = new Set<string>();
    for (const d of drafts()) {
      for (const [factor, f] of [...Object.entries(d.riskFactors), ...Object.entries(d.protectiveFactors)]) {
        for (const e of f?.oasysEvidence ?? []) seen.add(`${e.prefill.rule}|${factor}|${e.question}`);
      }
    }
    const items = mapping.spec.evidence.flatMap((r) =>
      r.items.map((i) => `${r.id}|${i.factor}|${i.question}`),
    );
    expect(items.filter((k) => !seen.has(k))).toEqual([]);
  });

  it("together they exercise every rating value, every gate and every refusal reason", () => {
    const ratings = new Set(drafts().flatMap((d) => Object.values(d.riskFactors).map((f) => f?.rating)));
    expect([...ratings].filter(Boolean).sort()).toEqual(["NOT_PRESENT", "PRESENT", "SOME_EVIDENCE"]);
    const gates = new Set(
      results.flatMap((r) =>
        r.outcomes.flatMap((o) =>
          o.ok ? (o.summary as { gates: { gate: string }[] }).gates.map((g) => g.gate) : [],
        ),
      ),
    );
    expect([...gates].sort()).toEqual([
      "AGE_NOT_KNOWN",
      "GENDER_NOT_ELIGIBLE",
      "LIMITED_ACCESS_OFFENDER",
      "SECTIONLESS_PURPOSE",
      "STATUS_NOT_RATEABLE",
      "UNDER_MINIMUM_AGE",
    ]);
    const refusals = new Set(
      results.flatMap((r) =>
        r.outcomes.flatMap((o) => ("refusal" in o ? [(o.refusal as { reason: string }).reason] : [])),
      ),
    );
    expect([...refusals].sort()).toEqual([
      "NO_VALID_IDENTIFIER",
      "SUPERSEDED_BY_LATER_COMPLETE",
      "UNSUPPORTED_ASSESSMENT_TYPE",
    ]);
  });
});
