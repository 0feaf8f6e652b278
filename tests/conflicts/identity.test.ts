import { describe, expect, it } from "vitest";
import type { RuleContext } from "../../src/core/conflicts/types.ts";
import { matchPerson } from "../../src/core/identity/match.ts";
import {
  arms,
  context,
  fingerprints,
  mismatch,
  noMatch,
  oasys,
  raised,
  registrations,
  TODAY,
} from "./builders.ts";

/** A pair with the identity match worked out by the matcher, as reconciliation does. */
const pairOf = (parts: { oasys?: RuleContext["oasys"]; arms?: RuleContext["arms"] }) => {
  const ctx = context(parts);
  return { ...ctx, match: matchPerson(ctx.oasys!, ctx.arms!, { today: TODAY }) };
};

describe("ID-1 PNC check letter and agreement (BLOCK)", () => {
  it("fires when the OASys PNC fails the mod-23 check", () => {
    const ctx = context({ oasys: oasys({ pnc: "2001/0123456A" }) });
    expect(fingerprints(ctx, "ID-1")).toContain("ID-1:OASYS_PNC_INVALID");
    expect(raised(ctx, "ID-1")[0]?.severity).toBe("BLOCK");
  });

  it("fires when the ARMS PNC fails the check", () => {
    const ctx = context({ arms: arms({ subject: { pnc: "74/2487362D" } }) });
    expect(fingerprints(ctx, "ID-1")).toEqual(["ID-1:ARMS_PNC_INVALID"]);
  });

  it("fires when valid canonical PNCs differ, with both values as evidence", () => {
    const ctx = context({ arms: arms({ subject: { pnc: "2003/0011985X" } }) });
    const [c] = raised(ctx, "ID-1");
    expect(c?.fingerprint).toBe("ID-1:PNC_DIFFERS");
    expect(c?.evidence.map((e) => [e.side, e.value])).toEqual([
      ["OASYS", "2008/0056560Z"],
      ["ARMS", "2003/0011985X"],
    ]);
  });

  it("does not fire when short and long forms denote the same PNC", () => {
    const ctx = context({
      arms: arms({ subject: { pnc: "79/163001B" } }),
      oasys: oasys({ pnc: "1979/0163001B" }),
    });
    expect(raised(ctx, "ID-1")).toEqual([]);
  });

  it("does not compare PNCs of records that were not linked", () => {
    const ctx = context({ match: noMatch(), arms: arms({ subject: { pnc: "2003/0011985X" } }) });
    expect(raised(ctx, "ID-1")).toEqual([]);
  });
});

describe("ID-1 and ID-2: PNC written forms and placeholders (issue 10, defect 1)", () => {
  it("does not fire when OASys writes YYYY/unpadded and police the canonical form of the same PNC", () => {
    // 1971/73319Z used to be read as 2019/7173319Z: a check-valid other PNC, so PNC_DIFFERS (BLOCK).
    const ctx = pairOf({
      oasys: oasys({ pnc: "1971/73319Z" }),
      arms: arms({ subject: { pnc: "1971/0073319Z" } }),
    });
    expect(ctx.match.status).toBe("MATCHED");
    expect(raised(ctx, "ID-1")).toEqual([]);
  });

  it("does not fire for the unpadded long form 2003/234567J against 2003/0234567J", () => {
    const ctx = pairOf({
      oasys: oasys({ pnc: "2003/234567J" }),
      arms: arms({ subject: { pnc: "2003/0234567J" } }),
    });
    expect(ctx.match.status).toBe("MATCHED");
    expect(raised(ctx, "ID-1")).toEqual([]);
  });

  it("raises UNKNOWN PNC on either side as INFO, never BLOCK, and does not compare it", () => {
    const o = pairOf({ oasys: oasys({ pnc: "UNKNOWN PNC" }) });
    expect(o.match.status).toBe("MATCHED");
    expect(raised(o, "ID-1").map((c) => [c.fingerprint, c.severity])).toEqual([
      ["ID-1:OASYS_PNC_ABSENT", "INFO"],
    ]);
    const a = pairOf({ arms: arms({ subject: { pnc: "N/A" } }) });
    expect(raised(a, "ID-1").map((c) => [c.fingerprint, c.severity])).toEqual([
      ["ID-1:ARMS_PNC_ABSENT", "INFO"],
    ]);
    const zeros = pairOf({
      oasys: oasys({ pnc: "0000/0000000Z" }),
      arms: arms({ subject: { pnc: "00/0Z" } }),
    });
    expect(raised(zeros, "ID-1").every((c) => c.severity === "INFO")).toBe(true);
  });

  it("raises a placeholder CRO as INFO, not WARN", () => {
    const ctx = pairOf({ oasys: oasys({ cro: "NONE" }) });
    expect(raised(ctx, "ID-2").map((c) => [c.fingerprint, c.severity])).toEqual([
      ["ID-2:OASYS_CRO_ABSENT", "INFO"],
    ]);
  });

  it("blocks a PNC that reads as two PNCs (no slash), and never links on it", () => {
    const ctx = pairOf({
      oasys: oasys({ pnc: "197173319Z" }),
      arms: arms({ subject: { pnc: "1971/0073319Z" } }),
    });
    expect(ctx.match.matchedOn).not.toContain("PNC");
    expect(ctx.match.identifierProblems).toContainEqual({
      side: "OASYS",
      field: "pnc",
      problem: "AMBIGUOUS",
    });
    const found = raised(ctx, "ID-1").map((c) => [c.fingerprint, c.severity]);
    expect(found).toContainEqual(["ID-1:OASYS_PNC_AMBIGUOUS", "BLOCK"]);
  });

  it("reads a placeholder merged PNC as no merge (no ID-4)", () => {
    expect(raised(context({ oasys: oasys({ mergedPnc: "UNKNOWN PNC" }) }), "ID-4")).toEqual([]);
  });
});

describe("ID-2 CRO (WARN)", () => {
  it("fires on an invalid CRO check letter", () => {
    const ctx = context({ oasys: oasys({ cro: "265416/21A" }) });
    expect(fingerprints(ctx, "ID-2")).toEqual(["ID-2:OASYS_CRO_INVALID"]);
    expect(raised(ctx, "ID-2")[0]?.severity).toBe("WARN");
  });

  it("fires when the CROs differ", () => {
    const ctx = context({ arms: arms({ subject: { cro: "SF05/482703J" } }) });
    expect(fingerprints(ctx, "ID-2")).toEqual(["ID-2:CRO_DIFFERS"]);
  });

  it("does not fire when the CRO is absent on one side or equal after canonicalisation", () => {
    expect(raised(context(), "ID-2")).toEqual([]);
    expect(raised(context({ arms: arms({ subject: { cro: "265416/21G" } }) }), "ID-2")).toEqual([]);
  });
});

describe("ID-3 date of birth or family name (BLOCK)", () => {
  it("fires for each field the identity match found in disagreement", () => {
    const ctx = context({
      match: mismatch([
        { field: "dateOfBirth", oasys: "1980-02-01", arms: "1981-02-01" },
        { field: "familyName", oasys: "TESTCASE", arms: "OTHERCASE" },
      ]),
    });
    expect(fingerprints(ctx, "ID-3")).toEqual(["ID-3:DATE_OF_BIRTH", "ID-3:FAMILY_NAME"]);
  });

  it("does not fire for a confirmed match or for a disagreement on another field", () => {
    expect(raised(context(), "ID-3")).toEqual([]);
    const ctx = context({ match: mismatch([{ field: "crn", oasys: "X123456", arms: "X654321" }]) });
    expect(raised(ctx, "ID-3")).toEqual([]);
  });
});

describe("ID-4 merged or duplicate identity (WARN)", () => {
  it("fires on OASys merge markers, Delius DOFF/KDUP and duplicate candidates", () => {
    const ctx = context({
      oasys: oasys({ mergedPnc: "2003/0011985X", mergedOffenderPk: "998877" }),
      registrations: registrations({ flags: ["DOFF", "KDUP"] }),
      match: { ...context().match, markers: ["DUPLICATE_CANDIDATES", "OASYS_MERGED_PNC"] },
    });
    expect(fingerprints(ctx, "ID-4").sort()).toEqual([
      "ID-4:DELIUS_DOFF",
      "ID-4:DELIUS_KDUP",
      "ID-4:DUPLICATE_CANDIDATES",
      "ID-4:OASYS_MERGED_OFFENDER",
      "ID-4:OASYS_MERGED_PNC",
    ]);
  });

  it("does not fire without markers, and the Delius part is dormant without registrations", () => {
    expect(raised(context(), "ID-4")).toEqual([]);
    expect(raised(context({ registrations: registrations({ flags: ["ARSO"] }) }), "ID-4")).toEqual([]);
  });
});

describe("ID-5 women and under-18s (BLOCK)", () => {
  it("fires for a woman on either record", () => {
    expect(fingerprints(context({ oasys: oasys({ gender: "2" }) }), "ID-5")).toEqual(["ID-5:FEMALE"]);
    expect(fingerprints(context({ arms: arms({ subject: { gender: "FEMALE" } }) }), "ID-5")).toEqual([
      "ID-5:FEMALE",
    ]);
  });

  it("fires the day before the 18th birthday at the ARMS date, not on the birthday", () => {
    const dob = "2008-09-13";
    const under = context({
      oasys: oasys({ dateOfBirth: dob }),
      arms: arms({ subject: { dateOfBirth: dob }, assessedOn: "2026-09-12" }),
    });
    expect(fingerprints(under, "ID-5")).toEqual(["ID-5:UNDER_MINIMUM_AGE"]);
    const adult = context({
      oasys: oasys({ dateOfBirth: "2008-09-12" }),
      arms: arms({ subject: { dateOfBirth: "2008-09-12" }, assessedOn: "2026-09-12" }),
    });
    expect(raised(adult, "ID-5")).toEqual([]);
  });

  it("uses today as the ARMS date when there is no ARMS yet (pre-fill)", () => {
    const ctx = context({ arms: null, oasys: oasys({ dateOfBirth: "2008-11-21" }) });
    expect(fingerprints(ctx, "ID-5")).toEqual(["ID-5:UNDER_MINIMUM_AGE"]);
  });
});

describe("ID-6 limited access (BLOCK)", () => {
  it("fires for a limited access offender and for an excluded or restricted user", () => {
    expect(fingerprints(context({ oasys: oasys({ limitedAccessOffender: true }) }), "ID-6")).toEqual([
      "ID-6:LIMITED_ACCESS_OFFENDER",
    ]);
    const ctx = context({ access: { userExcluded: true, userRestricted: true } });
    expect(fingerprints(ctx, "ID-6")).toEqual(["ID-6:USER_EXCLUDED", "ID-6:USER_RESTRICTED"]);
  });

  it("does not fire for an ordinary case with full access", () => {
    expect(raised(context({ access: { userExcluded: false, userRestricted: false } }), "ID-6")).toEqual([]);
  });
});

describe("ID-7 ARMS without RSO status (WARN)", () => {
  it("fires when OASys RM8 = NO and nothing else shows registration", () => {
    const ctx = context({ oasys: oasys({ answers: { RM8: "NO" } }) });
    expect(fingerprints(ctx, "ID-7")).toEqual(["ID-7:ARMS_WITHOUT_RSO_STATUS"]);
  });

  it("fires when Delius registrations are known and hold neither ARSO nor MAPPA category 1", () => {
    const ctx = context({
      oasys: oasys({ notAsked: ["RM8"] }),
      registrations: registrations({ mappa: { level: "M1", category: "M2" } }),
    });
    expect(fingerprints(ctx, "ID-7")).toEqual(["ID-7:ARMS_WITHOUT_RSO_STATUS"]);
  });

  it("does not fire when RM8 = YES, Delius has ARSO or MAPPA category 1, or nothing is known", () => {
    expect(raised(context(), "ID-7")).toEqual([]);
    const noRm8 = oasys({ answers: { RM8: "NO" } });
    expect(
      raised(context({ oasys: noRm8, registrations: registrations({ flags: ["ARSO"] }) }), "ID-7"),
    ).toEqual([]);
    const cat1 = registrations({ mappa: { level: "M1", category: "M1" } });
    expect(raised(context({ oasys: noRm8, registrations: cat1 }), "ID-7")).toEqual([]);
    expect(raised(context({ oasys: oasys({ notAsked: ["RM8"] }) }), "ID-7")).toEqual([]);
  });
});
