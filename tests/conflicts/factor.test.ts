import { describe, expect, it } from "vitest";
import type { FactorRating, RiskFactor } from "../../src/core/arms/model.ts";
import { arms, context, fingerprints, oasys, raised, registrations, THRESHOLDS } from "./builders.ts";

const BASE_FACTORS = arms().riskFactors;

/** One OASys item and the ARMS rating of its factor, everything else agreeing. */
const item = (code: string, answer: string | null, factor: RiskFactor, rating: FactorRating, extra = {}) =>
  context({
    oasys: oasys({ answers: { [code]: answer } }),
    arms: arms({ riskFactors: { ...BASE_FACTORS, [factor]: { rating } } }),
    ...extra,
  });

describe("FC-1 OASys 2 vs ARMS absent (WARN)", () => {
  it("fires for 11.11 = 2 and SEXUAL_PREOCCUPATION not present, with both sides as evidence", () => {
    const [c] = raised(
      item("11.11", "2-Significant problems", "SEXUAL_PREOCCUPATION", "NOT_PRESENT"),
      "FC-1",
    );
    expect(c?.fingerprint).toBe("FC-1:SEXUAL_PREOCCUPATION");
    expect(c?.evidence.map((e) => [e.side, e.field, e.value, e.record])).toEqual([
      ["OASYS", "11.11", "2-Significant problems", "9630348"],
      ["ARMS", "riskFactors.SEXUAL_PREOCCUPATION.rating", "NOT_PRESENT", "ARMS-TST-000001@1"],
    ]);
  });

  it("covers each of the four shared pairs", () => {
    expect(
      fingerprints(item("11.12", "2", "OFFENCE_RELATED_SEXUAL_INTEREST", "NOT_PRESENT"), "FC-1"),
    ).toEqual(["FC-1:OFFENCE_RELATED_SEXUAL_INTEREST"]);
    expect(
      fingerprints(item("6.12", "2", "EMOTIONAL_CONGRUENCE_WITH_CHILDREN", "NOT_PRESENT"), "FC-1"),
    ).toEqual(["FC-1:EMOTIONAL_CONGRUENCE_WITH_CHILDREN"]);
    expect(fingerprints(item("12.9", "2", "HOSTILE_ORIENTATION", "NOT_PRESENT"), "FC-1")).toEqual([
      "FC-1:HOSTILE_ORIENTATION",
    ]);
  });

  it("does not fire when ARMS has some evidence, or has insufficient information", () => {
    expect(raised(item("11.11", "2", "SEXUAL_PREOCCUPATION", "SOME_EVIDENCE"), "FC-1")).toEqual([]);
    expect(raised(item("11.11", "2", "SEXUAL_PREOCCUPATION", "INSUFFICIENT_INFORMATION"), "FC-1")).toEqual(
      [],
    );
  });
});

describe("FC-2 OASys 0 vs ARMS present (WARN)", () => {
  it("fires for 0 vs PRESENT, not for 0 vs SOME_EVIDENCE", () => {
    expect(fingerprints(item("12.9", "0", "HOSTILE_ORIENTATION", "PRESENT"), "FC-2")).toEqual([
      "FC-2:HOSTILE_ORIENTATION",
    ]);
    expect(raised(item("12.9", "0", "HOSTILE_ORIENTATION", "SOME_EVIDENCE"), "FC-2")).toEqual([]);
  });

  it("counts SOME_EVIDENCE as present when the thresholds say so", () => {
    const t = { ...THRESHOLDS, factorPresentRatings: ["PRESENT", "SOME_EVIDENCE"] };
    expect(raised(item("12.9", "0", "HOSTILE_ORIENTATION", "SOME_EVIDENCE"), "FC-2", t)).toHaveLength(1);
  });
});

describe("FC-3 OASys 1 vs ARMS absent (INFO)", () => {
  it("fires for 1 vs NOT_PRESENT, not for 1 vs SOME_EVIDENCE", () => {
    const [c] = raised(item("11.11", "1", "SEXUAL_PREOCCUPATION", "NOT_PRESENT"), "FC-3");
    expect(c?.severity).toBe("INFO");
    expect(raised(item("11.11", "1", "SEXUAL_PREOCCUPATION", "SOME_EVIDENCE"), "FC-3")).toEqual([]);
  });
});

describe("FC-4 sexual items not completed for an RSO (INFO)", () => {
  it("fires once for 6.11 = NO and computes no factor conflict", () => {
    const ctx = item("11.11", "2", "SEXUAL_PREOCCUPATION", "NOT_PRESENT", {
      oasys: oasys({ answers: { "6.11": "NO", "11.11": "2" } }),
    });
    expect(fingerprints(ctx, "FC-4")).toEqual(["FC-4:6.11"]);
    expect(raised(ctx, "FC-1")).toEqual([]);
  });

  it("fires per unanswered item when 6.11 = YES, and a missing item is not read as 0", () => {
    const ctx = item("11.12", "M", "OFFENCE_RELATED_SEXUAL_INTEREST", "PRESENT", {
      oasys: oasys({ answers: { "11.12": "M" }, notAsked: ["6.12"] }),
    });
    expect(fingerprints(ctx, "FC-4")).toEqual(["FC-4:11.12", "FC-4:6.12"]);
    expect(raised(ctx, "FC-2")).toEqual([]);
  });

  it("does not fire when nothing shows the person is an RSO", () => {
    const ctx = context({ arms: null, oasys: oasys({ answers: { "6.11": "NO", RM8: "NO" } }) });
    expect(raised(ctx, "FC-4")).toEqual([]);
  });

  it("treats a Delius ARSO flag as RSO evidence", () => {
    const ctx = context({
      arms: null,
      oasys: oasys({ answers: { "6.11": "NO", RM8: "NO" } }),
      registrations: registrations({ flags: ["ARSO"] }),
    });
    expect(fingerprints(ctx, "FC-4")).toEqual(["FC-4:6.11"]);
  });
});

describe("FC-5 gate: temporal disagreements", () => {
  const disagreeing = (extra = {}) => item("11.11", "2", "SEXUAL_PREOCCUPATION", "NOT_PRESENT", extra);

  it("replaces FC-1 by FC-5 when the assessments are more than temporalGapMonths apart (ST-6)", () => {
    const ctx = disagreeing({
      arms: arms({
        assessedOn: "2026-04-02",
        riskFactors: { ...BASE_FACTORS, SEXUAL_PREOCCUPATION: { rating: "NOT_PRESENT" } },
      }),
    });
    expect(raised(ctx, "FC-1")).toEqual([]);
    const [c] = raised(ctx, "FC-5");
    expect(c?.fingerprint).toBe("FC-5:SEXUAL_PREOCCUPATION");
    expect(c?.severity).toBe("INFO");
    expect(c?.explanation).toContain("would be FC-1");
  });

  it("keeps FC-1 at exactly temporalGapMonths apart", () => {
    const ctx = disagreeing({
      arms: arms({
        assessedOn: "2026-04-03",
        riskFactors: { ...BASE_FACTORS, SEXUAL_PREOCCUPATION: { rating: "NOT_PRESENT" } },
      }),
    });
    expect(fingerprints(ctx, "FC-1")).toEqual(["FC-1:SEXUAL_PREOCCUPATION"]);
    expect(raised(ctx, "FC-5")).toEqual([]);
  });

  it("replaces FC-1 by FC-5 when a trigger event followed both assessments (ST-5)", () => {
    const ctx = disagreeing({
      events: [{ kind: "CHANGE_OF_RELATIONSHIP", date: "2026-11-01", side: "ARMS", record: "intel-9" }],
    });
    expect(raised(ctx, "FC-1")).toEqual([]);
    expect(raised(ctx, "FC-5")[0]?.evidence.map((e) => e.field)).toContain("event:CHANGE_OF_RELATIONSHIP");
  });

  it("raises nothing when there is no disagreement to reclassify", () => {
    const ctx = context({
      events: [{ kind: "CHANGE_OF_ADDRESS", date: "2026-11-01", side: "DELIUS", record: "c-1" }],
    });
    expect(raised(ctx, "FC-5")).toEqual([]);
  });
});
