import { describe, expect, it } from "vitest";
import { arms, context, fingerprints, oasys, raised, THRESHOLDS } from "./builders.ts";

describe("ST-1 OASys not complete (WARN)", () => {
  it("fires for OPEN and for LOCKED_INCOMPLETE unsigned", () => {
    expect(fingerprints(context({ oasys: oasys({ status: "OPEN", dateCompleted: null }) }), "ST-1")).toEqual([
      "ST-1:OPEN",
    ]);
    const unsigned = oasys({ status: "LOCKED_INCOMPLETE", partcompStatus: "Unsigned" });
    expect(fingerprints(context({ oasys: unsigned }), "ST-1")).toEqual(["ST-1:LOCKED_INCOMPLETE_UNSIGNED"]);
  });

  it("does not fire for COMPLETE or LOCKED_INCOMPLETE signed", () => {
    expect(raised(context(), "ST-1")).toEqual([]);
    const signed = oasys({ status: "LOCKED_INCOMPLETE", partcompStatus: "Signed" });
    expect(raised(context({ oasys: signed }), "ST-1")).toEqual([]);
  });
});

describe("ST-2 later complete assessment exists (BLOCK)", () => {
  it("fires with the later date as evidence", () => {
    const ctx = context({
      oasys: oasys({ laterCompleteAssessmentExists: true, latestCompleteDate: "2026-11-01T10:00:00" }),
    });
    const [c] = raised(ctx, "ST-2");
    expect(c?.severity).toBe("BLOCK");
    expect(c?.evidence.map((e) => e.value)).toEqual([true, "2026-11-01T10:00:00"]);
  });

  it("does not fire when no later assessment is flagged", () => {
    expect(raised(context(), "ST-2")).toEqual([]);
  });
});

describe("ST-3 OASys stale after oasysStaleWeeks (WARN)", () => {
  // 2025-10-16 + 55 weeks = 2026-11-05.
  const completed = oasys({ dateCompleted: "2025-10-16T23:30:00" });

  it("does not fire at exactly 55 weeks", () => {
    expect(raised(context({ oasys: completed, arms: null, today: "2026-11-05" }), "ST-3")).toEqual([]);
  });

  it("fires at 55 weeks and one day, comparing calendar dates (the late local time does not matter)", () => {
    const [c] = raised(context({ oasys: completed, arms: null, today: "2026-11-06" }), "ST-3");
    expect(c?.fingerprint).toBe("ST-3:OASYS_STALE");
    expect(c?.evidence.at(-1)).toMatchObject({ field: "ageInDays", value: 386 });
  });

  it("follows the configured threshold", () => {
    const ctx = context({ oasys: completed, arms: null, today: "2026-11-06" });
    expect(raised(ctx, "ST-3", { ...THRESHOLDS, oasysStaleWeeks: 56 })).toEqual([]);
  });
});

describe("ST-4 ARMS review overdue or stale (WARN)", () => {
  it("fires when the review date has passed, not on the review date itself", () => {
    expect(fingerprints(context({ arms: arms({ nextReviewDue: "2026-11-19" }) }), "ST-4")).toEqual([
      "ST-4:REVIEW_OVERDUE",
    ]);
    expect(raised(context({ arms: arms({ nextReviewDue: "2026-11-20" }) }), "ST-4")).toEqual([]);
  });

  it("fires when the ARMS is more than 12 months old, not at exactly 12 months", () => {
    const old = arms({ assessedOn: "2025-11-20", nextReviewDue: null });
    expect(raised(context({ oasys: null, arms: old }), "ST-4")).toEqual([]);
    const older = arms({ assessedOn: "2025-11-19", nextReviewDue: null });
    expect(fingerprints(context({ oasys: null, arms: older }), "ST-4")).toEqual(["ST-4:ARMS_STALE"]);
  });
});

describe("ST-5 trigger event newer than the assessments (WARN)", () => {
  it("fires for a feed event after the later assessment, not for one before it or in the future", () => {
    const at = (date: string) =>
      context({ events: [{ kind: "CHANGE_OF_ADDRESS", date, side: "DELIUS", record: "contact-1" }] });
    expect(fingerprints(at("2026-10-04"), "ST-5")).toEqual(["ST-5:CHANGE_OF_ADDRESS:2026-10-04"]);
    expect(raised(at("2026-10-03"), "ST-5")).toEqual([]);
    expect(raised(at("2026-11-21"), "ST-5")).toEqual([]);
  });

  it("fires when the OASys release date (1.38) has passed since both assessments", () => {
    const released = oasys({ answers: { "1.38": "2026-11-01" } });
    expect(fingerprints(context({ oasys: released }), "ST-5")).toEqual(["ST-5:RELEASE:2026-11-01"]);
    const notYet = oasys({ answers: { "1.38": "2027-01-10" } });
    expect(raised(context({ oasys: notYet }), "ST-5")).toEqual([]);
  });

  it("fires when a recall OASys (purpose 490) started after the ARMS, not when it predates it", () => {
    const recall = oasys({ purposeCode: "490" });
    expect(fingerprints(context({ oasys: recall }), "ST-5")).toEqual(["ST-5:RECALL:2026-10-01"]);
    const laterArms = arms({ assessedOn: "2026-10-20" });
    expect(raised(context({ oasys: recall, arms: laterArms }), "ST-5")).toEqual([]);
    expect(fingerprints(context({ oasys: oasys({ purposeCode: "360" }) }), "ST-5")).toEqual([
      "ST-5:SERIOUS_INCIDENT_REVIEW:2026-10-01",
    ]);
  });
});

describe("ST-6 assessments far apart (INFO)", () => {
  // OASys 2026-10-03: six months earlier is 2026-04-03.
  it("does not fire at exactly temporalGapMonths apart", () => {
    expect(raised(context({ arms: arms({ assessedOn: "2026-04-03" }) }), "ST-6")).toEqual([]);
  });

  it("fires one day beyond, with the gap in days", () => {
    const [c] = raised(context({ arms: arms({ assessedOn: "2026-04-02" }) }), "ST-6");
    expect(c?.severity).toBe("INFO");
    expect(c?.evidence.at(-1)).toMatchObject({ field: "daysApart", value: 184 });
  });

  it("does not compare records of different people", () => {
    const ctx = context({
      arms: arms({ assessedOn: "2025-01-01" }),
      match: { ...context().match, status: "NO_MATCH" },
    });
    expect(raised(ctx, "ST-6")).toEqual([]);
  });
});
