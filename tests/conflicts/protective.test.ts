import { describe, expect, it } from "vitest";
import type { ProtectiveFactor } from "../../src/core/arms/model.ts";
import { arms, context, fingerprints, noMatch, oasys, raised, registrations } from "./builders.ts";

const present = (factor: ProtectiveFactor, assessedOn = "2026-09-12") =>
  arms({ assessedOn, protectiveFactors: { [factor]: { rating: "PRESENT", evidence: "synthetic" } } });

describe("PF-1 intimate relationship protective vs partner problems (WARN)", () => {
  it("fires for OASys 6.4 = 2 or 6.7 = YES", () => {
    const ctx = context({
      arms: present("INTIMATE_RELATIONSHIP"),
      oasys: oasys({ answers: { "6.4": "2", "6.7": "YES" } }),
    });
    const [c] = raised(ctx, "PF-1");
    expect(c?.fingerprint).toBe("PF-1:INTIMATE_RELATIONSHIP");
    expect(c?.evidence.map((e) => e.field)).toEqual([
      "protectiveFactors.INTIMATE_RELATIONSHIP.rating",
      "6.4",
      "6.7",
    ]);
  });

  it("fires on Delius ADVP or REG30 even without an OASys", () => {
    const ctx = context({
      oasys: null,
      match: noMatch(),
      arms: present("INTIMATE_RELATIONSHIP"),
      registrations: registrations({ flags: ["REG30"] }),
    });
    expect(fingerprints(ctx, "PF-1")).toEqual(["PF-1:INTIMATE_RELATIONSHIP"]);
  });

  it("does not fire for 6.4 = 1, 6.7 = NO, an unrated factor, or without registrations", () => {
    const mild = oasys({ answers: { "6.4": "1", "6.7": "NO" } });
    expect(raised(context({ arms: present("INTIMATE_RELATIONSHIP"), oasys: mild }), "PF-1")).toEqual([]);
    expect(raised(context({ oasys: oasys({ answers: { "6.4": "2" } }) }), "PF-1")).toEqual([]);
    expect(
      raised(
        context({
          arms: present("INTIMATE_RELATIONSHIP"),
          registrations: registrations({ flags: ["ARSO"] }),
        }),
        "PF-1",
      ),
    ).toEqual([]);
  });
});

describe("PF-2 employment present vs unemployed at the same date (WARN)", () => {
  const unemployed = (dateCompleted: string) => oasys({ answers: { "4.2": "YES" }, dateCompleted });

  it("fires when the dates are exactly sameEffectiveDateDays apart", () => {
    const ctx = context({
      arms: present("EMPLOYMENT_AND_POSITIVE_ROUTINE", "2026-09-05"),
      oasys: unemployed("2026-10-03T14:05:00"),
    });
    expect(fingerprints(ctx, "PF-2")).toEqual(["PF-2:EMPLOYMENT_AND_POSITIVE_ROUTINE"]);
  });

  it("does not fire one day beyond the window: a job may have been found or lost", () => {
    const ctx = context({
      arms: present("EMPLOYMENT_AND_POSITIVE_ROUTINE", "2026-09-04"),
      oasys: unemployed("2026-10-03T14:05:00"),
    });
    expect(raised(ctx, "PF-2")).toEqual([]);
  });

  it("does not fire for 4.2 = NO or NA (not available for work)", () => {
    for (const answer of ["NO", "NA"]) {
      const ctx = context({
        arms: present("EMPLOYMENT_AND_POSITIVE_ROUTINE", "2026-10-01"),
        oasys: oasys({ answers: { "4.2": answer } }),
      });
      expect(raised(ctx, "PF-2")).toEqual([]);
    }
  });
});

describe("PF-3 commitment to desist vs no motivation (WARN)", () => {
  it("fires for 12.8 = 2-Not at all or 12.4 = 2", () => {
    const notMotivated = context({
      arms: present("COMMITMENT_TO_DESIST"),
      oasys: oasys({ answers: { "12.8": "2-Not at all" } }),
    });
    expect(fingerprints(notMotivated, "PF-3")).toEqual(["PF-3:COMMITMENT_TO_DESIST"]);
    const poorAttitude = context({
      arms: present("COMMITMENT_TO_DESIST"),
      oasys: oasys({ answers: { "12.4": "2" } }),
    });
    expect(fingerprints(poorAttitude, "PF-3")).toEqual(["PF-3:COMMITMENT_TO_DESIST"]);
  });

  it("does not fire for 12.8 = 1-Quite motivated, and OASys 0 never makes a conflict", () => {
    const ctx = context({
      arms: present("COMMITMENT_TO_DESIST"),
      oasys: oasys({ answers: { "12.8": "1-Quite motivated", "12.4": "0" } }),
    });
    expect(raised(ctx, "PF-3")).toEqual([]);
  });
});

describe("PF-4 social investment vs isolation (INFO)", () => {
  it("fires for 7.1 = 2 or 10.3 = 2", () => {
    const ctx = context({
      arms: present("SOCIAL_INVESTMENT"),
      oasys: oasys({ answers: { "10.3": "2-Significant problems" } }),
    });
    const [c] = raised(ctx, "PF-4");
    expect(c?.severity).toBe("INFO");
  });

  it("does not fire for 7.1 = 1, or when ARMS rates it only partly", () => {
    expect(
      raised(
        context({ arms: present("SOCIAL_INVESTMENT"), oasys: oasys({ answers: { "7.1": "1" } }) }),
        "PF-4",
      ),
    ).toEqual([]);
    const partly = arms({ protectiveFactors: { SOCIAL_INVESTMENT: { rating: "SOME_EVIDENCE" } } });
    expect(raised(context({ arms: partly, oasys: oasys({ answers: { "7.1": "2" } }) }), "PF-4")).toEqual([]);
  });
});
