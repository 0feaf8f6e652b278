import { describe, expect, it } from "vitest";
import type { RiskLevel } from "../../src/core/oasys/model.ts";
import { arms, context, fingerprints, oasys, raised, registrations, THRESHOLDS } from "./builders.ts";

/** A pair with the given max community RoSH (children cell) and ARMS level. */
const pair = (rosh: string, armsLevel: RiskLevel, custody: "Y" | "N" = "N") =>
  context({
    oasys: oasys({
      rosh: [
        ["CHILDREN", "COMMUNITY", rosh],
        ["PUBLIC", "COMMUNITY", "Low"],
      ],
      custody,
    }),
    arms: arms({ riskLevel: armsLevel }),
  });

describe("LV-1 RoSH well above ARMS (WARN)", () => {
  it("fires at a gap of exactly levelGapWarn (High vs Low), citing the max cell", () => {
    const [c] = raised(pair("High", "LOW"), "LV-1");
    expect(c?.fingerprint).toBe("LV-1:ROSH_ABOVE_ARMS");
    expect(c?.evidence.map((e) => `${e.side}:${e.field}=${e.value}`)).toEqual([
      "OASYS:rosh.CHILDREN.COMMUNITY=HIGH",
      "ARMS:riskLevel=LOW",
    ]);
  });

  it("does not fire at a gap of 1, and LV-3 reports it instead", () => {
    expect(raised(pair("Medium", "LOW"), "LV-1")).toEqual([]);
    expect(fingerprints(pair("Medium", "LOW"), "LV-3")).toEqual(["LV-3:ROSH_ABOVE_ARMS"]);
  });

  it("uses only community cells: a Very High custody cell does not count", () => {
    const ctx = context({
      oasys: oasys({
        rosh: [
          ["PUBLIC", "COMMUNITY", "Low"],
          ["PRISONERS", "CUSTODY", "Very High"],
        ],
      }),
      arms: arms({ riskLevel: "LOW" }),
    });
    expect(raised(ctx, "LV-1")).toEqual([]);
  });

  it("follows levelGapWarn from the thresholds", () => {
    expect(raised(pair("High", "LOW"), "LV-1", { ...THRESHOLDS, levelGapWarn: 3 })).toEqual([]);
  });
});

describe("LV-2 ARMS well above RoSH (WARN)", () => {
  it("fires for ARMS Very High vs RoSH Low, not for ARMS High vs RoSH Medium", () => {
    expect(fingerprints(pair("Low", "VERY_HIGH"), "LV-2")).toEqual(["LV-2:ARMS_ABOVE_ROSH"]);
    expect(raised(pair("Medium", "HIGH"), "LV-2")).toEqual([]);
  });
});

describe("LV-3 one level apart (INFO)", () => {
  it("fires for a gap of exactly 1 either way, not for equal levels or a gap of 2", () => {
    expect(fingerprints(pair("Low", "MEDIUM"), "LV-3")).toEqual(["LV-3:ARMS_ABOVE_ROSH"]);
    expect(raised(pair("Medium", "MEDIUM"), "LV-3")).toEqual([]);
    expect(raised(pair("High", "LOW"), "LV-3")).toEqual([]);
  });
});

describe("LV-6 gate: community ratings only", () => {
  it("skips LV-1, LV-2 and LV-3 while the OASys offender is in custody", () => {
    expect(raised(pair("Very High", "LOW", "Y"), "LV-1")).toEqual([]);
    expect(raised(pair("Low", "VERY_HIGH", "Y"), "LV-2")).toEqual([]);
    expect(raised(pair("Medium", "LOW", "Y"), "LV-3")).toEqual([]);
  });

  it("compares when custody is unknown (not Y)", () => {
    const ctx = context({
      oasys: oasys({ rosh: [["CHILDREN", "COMMUNITY", "High"]], custody: null }),
      arms: arms({ riskLevel: "LOW" }),
    });
    expect(fingerprints(ctx, "LV-1")).toEqual(["LV-1:ROSH_ABOVE_ARMS"]);
  });

  it("never compares with an OPEN or superseded OASys, or an unconfirmed match", () => {
    const open = context({
      oasys: oasys({ status: "OPEN", rosh: [["CHILDREN", "COMMUNITY", "High"]] }),
      arms: arms({ riskLevel: "LOW" }),
    });
    expect(raised(open, "LV-1")).toEqual([]);
    const superseded = context({
      oasys: oasys({ laterCompleteAssessmentExists: true, rosh: [["CHILDREN", "COMMUNITY", "High"]] }),
      arms: arms({ riskLevel: "LOW" }),
    });
    expect(raised(superseded, "LV-1")).toEqual([]);
    const ambiguous = { ...pair("High", "LOW"), match: { ...context().match, status: "AMBIGUOUS" as const } };
    expect(raised(ambiguous, "LV-1")).toEqual([]);
  });
});

describe("LV-4 children at risk but no access or congruence in ARMS (WARN)", () => {
  const withFactors = (rosh: string, opportunity: "NOT_PRESENT" | "PRESENT" | "INSUFFICIENT_INFORMATION") =>
    context({
      oasys: oasys({ rosh: [["CHILDREN", "COMMUNITY", rosh]] }),
      arms: arms({
        riskLevel: "HIGH",
        riskFactors: {
          OPPORTUNITY_TO_OFFEND: { rating: opportunity },
          EMOTIONAL_CONGRUENCE_WITH_CHILDREN: { rating: "NOT_PRESENT" },
          SEXUAL_PREOCCUPATION: { rating: "SOME_EVIDENCE" },
          HOSTILE_ORIENTATION: { rating: "SOME_EVIDENCE" },
          OFFENCE_RELATED_SEXUAL_INTEREST: { rating: "NOT_PRESENT" },
        },
      }),
    });

  it("fires for children High with R3 and R4 both absent", () => {
    expect(fingerprints(withFactors("High", "NOT_PRESENT"), "LV-4")).toEqual([
      "LV-4:CHILDREN_RISK_WITHOUT_ACCESS",
    ]);
  });

  it("does not fire for children Medium, R3 present, or R3 not known", () => {
    expect(raised(withFactors("Medium", "NOT_PRESENT"), "LV-4")).toEqual([]);
    expect(raised(withFactors("High", "PRESENT"), "LV-4")).toEqual([]);
    expect(raised(withFactors("High", "INSUFFICIENT_INFORMATION"), "LV-4")).toEqual([]);
  });

  it("is skipped in custody (LV-6)", () => {
    const ctx = withFactors("Very High", "NOT_PRESENT");
    const inCustody = {
      ...ctx,
      oasys: oasys({ rosh: [["CHILDREN", "COMMUNITY", "Very High"]], custody: "Y" }),
    };
    expect(raised(inCustody, "LV-4")).toEqual([]);
  });
});

describe("LV-5 Delius RoSH registration (WARN)", () => {
  const highInCustody = oasys({
    rosh: [
      ["PUBLIC", "COMMUNITY", "Medium"],
      ["STAFF", "CUSTODY", "High"],
    ],
  });

  it("fires when the registration differs from the max of all nine cells (custody included)", () => {
    const ctx = context({ oasys: highInCustody, registrations: registrations({ roshRegistration: "RMRH" }) });
    const [c] = raised(ctx, "LV-5");
    expect(c?.fingerprint).toBe("LV-5:DELIUS_ROSH_REGISTRATION");
    expect(c?.evidence.find((e) => e.side === "BRIDGE")?.value).toBe("RHRH");
  });

  it("fires when Delius holds no RoSH registration at all", () => {
    const ctx = context({ oasys: highInCustody, registrations: registrations() });
    expect(fingerprints(ctx, "LV-5")).toEqual(["LV-5:DELIUS_ROSH_REGISTRATION"]);
  });

  it("does not fire when they agree, without registrations (dormant), or for an OPEN OASys", () => {
    expect(
      raised(
        context({ oasys: highInCustody, registrations: registrations({ roshRegistration: "RHRH" }) }),
        "LV-5",
      ),
    ).toEqual([]);
    expect(raised(context({ oasys: highInCustody }), "LV-5")).toEqual([]);
    const open = oasys({ status: "OPEN", rosh: [["PUBLIC", "COMMUNITY", "High"]] });
    expect(
      raised(context({ oasys: open, registrations: registrations({ roshRegistration: "RLRH" }) }), "LV-5"),
    ).toEqual([]);
  });
});
