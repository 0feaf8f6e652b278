import { describe, expect, it } from "vitest";
import { matchPerson } from "../../src/core/identity/match.ts";
import { armsPerson, CRN, OTHER_PNC, oasysPerson, PNC } from "./people.ts";

describe("matchPerson: MATCHED", () => {
  it("links on PNC and CRN, confirmed by date of birth and family name", () => {
    const r = matchPerson(oasysPerson(), armsPerson());
    expect(r.status).toBe("MATCHED");
    expect(r.matchedOn).toEqual(["PNC", "CRN"]);
    expect(r.confirmedBy).toEqual(expect.arrayContaining(["dateOfBirth", "familyName", "cro"]));
    expect(r.disagreements).toEqual([]);
    expect(r.explanation).toBe("Linked on PNC and CRN; date of birth and family name confirm.");
  });

  it("canonicalises both PNCs: short form and missing slash link to the long form", () => {
    const r = matchPerson(oasysPerson({ pnc: "99/123456X" }), armsPerson({ pnc: "19990123456x" }));
    expect(r.status).toBe("MATCHED");
    expect(r.matchedOn).toContain("PNC");
  });

  it("links on PNC alone when neither side has a CRN, if DOB and name confirm", () => {
    const r = matchPerson(oasysPerson({ crn: null }), armsPerson({ crn: null }));
    expect(r.status).toBe("MATCHED");
    expect(r.matchedOn).toEqual(["PNC"]);
    expect(r.explanation).toContain("CRN missing");
  });

  it("links on CRN alone (no PNC on the police side) when DOB and name confirm", () => {
    const r = matchPerson(oasysPerson(), armsPerson({ pnc: null }));
    expect(r.status).toBe("MATCHED");
    expect(r.matchedOn).toEqual(["CRN"]);
  });

  it.each([
    ["case", "ashworth-kerr"],
    ["hyphen as space", "Ashworth Kerr"],
    ["no separator", "ASHWORTHKERR"],
    ["diacritics", "Ashwörth-Kérr"],
  ])("confirms the family name across %s", (_case, armsName) => {
    const r = matchPerson(oasysPerson(), armsPerson({ familyName: armsName }));
    expect(r.status).toBe("MATCHED");
    expect(r.confirmedBy).toContain("familyName");
  });
});

describe("matchPerson: MISMATCH", () => {
  it("a linked key with a different date of birth is a MISMATCH listing both values (ID-3)", () => {
    const r = matchPerson(oasysPerson(), armsPerson({ dateOfBirth: "1979-06-15" }));
    expect(r.status).toBe("MISMATCH");
    expect(r.matchedOn).toEqual(["PNC", "CRN"]);
    expect(r.disagreements).toEqual([{ field: "dateOfBirth", oasys: "1979-06-14", arms: "1979-06-15" }]);
    expect(r.explanation).toBe("Linked on PNC and CRN but disagree on date of birth: not safe to reconcile.");
  });

  it("a different family name is a MISMATCH with both spellings as given", () => {
    const r = matchPerson(oasysPerson(), armsPerson({ familyName: "MacAshworth" }));
    expect(r.status).toBe("MISMATCH");
    expect(r.disagreements).toEqual([{ field: "familyName", oasys: "ASHWORTH-KERR", arms: "MacAshworth" }]);
  });

  it("Mc/Mac prefixes are not folded, so they disagree", () => {
    const r = matchPerson(oasysPerson({ familyName: "MCDONALD" }), armsPerson({ familyName: "MacDonald" }));
    expect(r.status).toBe("MISMATCH");
  });

  it("PNC links but the CRN differs: the other key disagrees", () => {
    const r = matchPerson(oasysPerson(), armsPerson({ crn: "D482914" }));
    expect(r.status).toBe("MISMATCH");
    expect(r.matchedOn).toEqual(["PNC"]);
    expect(r.disagreements).toEqual([{ field: "crn", oasys: CRN, arms: "D482914" }]);
  });

  it("CRN links but the (valid) PNCs differ (ID-1)", () => {
    const r = matchPerson(oasysPerson(), armsPerson({ pnc: OTHER_PNC }));
    expect(r.status).toBe("MISMATCH");
    expect(r.matchedOn).toEqual(["CRN"]);
    expect(r.disagreements).toEqual([{ field: "pnc", oasys: PNC, arms: OTHER_PNC }]);
  });

  it("CRN alone without a date of birth to confirm is never MATCHED", () => {
    const r = matchPerson(oasysPerson(), armsPerson({ pnc: null, dateOfBirth: null }));
    expect(r.status).toBe("MISMATCH");
    expect(r.matchedOn).toEqual(["CRN"]);
    expect(r.disagreements).toEqual([{ field: "dateOfBirth", oasys: "1979-06-14", arms: null }]);
    expect(r.explanation).toContain("date of birth cannot be confirmed");
  });

  it("PNC and CRN both linking stand in for a date of birth one side does not hold (OASys REST pulls)", () => {
    const r = matchPerson(oasysPerson({ dateOfBirth: null }), armsPerson());
    expect(r.status).toBe("MATCHED");
    expect(r.matchedOn).toEqual(["PNC", "CRN"]);
    expect(r.confirmedBy).not.toContain("dateOfBirth");
    expect(r.disagreements).toEqual([]);
    expect(r.explanation).toContain("family name confirms");
    expect(r.explanation).toContain("Date of birth is not held on one side; PNC and CRN both link instead.");
  });

  it("a date of birth held on neither side with only PNC linking is still a MISMATCH", () => {
    const r = matchPerson(oasysPerson({ dateOfBirth: null }), armsPerson({ crn: null }));
    expect(r.status).toBe("MISMATCH");
    expect(r.disagreements.map((d) => d.field)).toEqual(["dateOfBirth"]);
  });

  it("PNC and CRN both linking never excuse a date of birth that differs, or a missing family name", () => {
    expect(matchPerson(oasysPerson(), armsPerson({ dateOfBirth: "1979-06-15" })).status).toBe("MISMATCH");
    expect(matchPerson(oasysPerson({ dateOfBirth: null, familyName: null }), armsPerson()).status).toBe(
      "MISMATCH",
    );
  });

  it("CRN alone without a family name to confirm is never MATCHED", () => {
    const r = matchPerson(oasysPerson({ familyName: null }), armsPerson({ pnc: null }));
    expect(r.status).toBe("MISMATCH");
    expect(r.confirmedBy).toContain("dateOfBirth");
    expect(r.disagreements.map((d) => d.field)).toEqual(["familyName"]);
  });
});

describe("matchPerson: invalid PNC never links (ID-1)", () => {
  const badCheck = "1999/0123456A"; // check letter should be X

  it("a PNC failing its check letter on the OASys side does not link; with no CRN it is NO_MATCH", () => {
    const r = matchPerson(oasysPerson({ pnc: badCheck, crn: null }), armsPerson({ crn: null }));
    expect(r.status).toBe("NO_MATCH");
    expect(r.identifierProblems).toEqual([{ side: "OASYS", field: "pnc", problem: "CHECK_LETTER_FAILS" }]);
    expect(r.explanation).toContain("OASys PNC fails its check letter");
  });

  it("the same invalid PNC on both sides still does not link", () => {
    const r = matchPerson(
      oasysPerson({ pnc: badCheck, crn: null }),
      armsPerson({ pnc: badCheck, crn: null }),
    );
    expect(r.status).toBe("NO_MATCH");
    expect(r.explanation).toContain("PNC agrees but is not valid");
  });

  it("with a linking CRN the invalid PNC shows as a disagreement: MISMATCH, not MATCHED", () => {
    const r = matchPerson(oasysPerson({ pnc: badCheck }), armsPerson());
    expect(r.status).toBe("MISMATCH");
    expect(r.matchedOn).toEqual(["CRN"]);
    expect(r.disagreements).toEqual([{ field: "pnc", oasys: badCheck, arms: PNC }]);
  });

  it("a value that is not a PNC at all is reported as not recognised", () => {
    const r = matchPerson(oasysPerson(), armsPerson({ pnc: "PENDING" }));
    expect(r.identifierProblems).toContainEqual({ side: "ARMS", field: "pnc", problem: "NOT_RECOGNISED" });
    expect(r.status).toBe("MISMATCH");
  });

  it("a placeholder (UNKNOWN) is a missing PNC, not a problem: the CRN decides", () => {
    const r = matchPerson(oasysPerson(), armsPerson({ pnc: "UNKNOWN" }));
    expect(r.identifierProblems).toEqual([]);
    expect(r.status).toBe("MATCHED");
    expect(r.explanation).toContain("PNC missing on the ARMS side");
  });
});

describe("matchPerson: NO_MATCH", () => {
  it("no key links even though date of birth and name agree", () => {
    const r = matchPerson(oasysPerson(), armsPerson({ pnc: OTHER_PNC, crn: "E100200" }));
    expect(r.status).toBe("NO_MATCH");
    expect(r.matchedOn).toEqual([]);
    expect(r.disagreements).toEqual([]);
    expect(r.explanation).toBe("No key links: PNC differs and CRN differs.");
  });

  it("no keys on the police side at all", () => {
    const r = matchPerson(oasysPerson(), armsPerson({ pnc: null, crn: null }));
    expect(r.status).toBe("NO_MATCH");
    expect(r.explanation).toContain("PNC missing on the ARMS side and CRN missing on the ARMS side");
  });
});

describe("matchPerson: secondary identifiers and markers", () => {
  it("a CRO that differs is recorded (ID-2) but does not decide the match", () => {
    const r = matchPerson(oasysPerson(), armsPerson({ cro: "234567/04P" }));
    expect(r.status).toBe("MATCHED");
    expect(r.disagreements).toEqual([{ field: "cro", oasys: "123456/99L", arms: "234567/04P" }]);
    expect(r.explanation).toContain("CRO differs (secondary");
  });

  it("reports OASys merge markers (ID-4)", () => {
    const r = matchPerson(
      oasysPerson({ mergedPnc: "2004/0345678X", mergedOffenderPk: "880055" }),
      armsPerson(),
    );
    expect(r.status).toBe("MATCHED");
    expect(r.markers).toEqual(["OASYS_MERGED_PNC", "OASYS_MERGED_OFFENDER"]);
    expect(r.explanation).toContain("OASys record carries a merged PNC");
  });

  it("notices when the police record quotes the OASys merged-away PNC", () => {
    const r = matchPerson(oasysPerson({ mergedPnc: "04/345678X" }), armsPerson({ pnc: OTHER_PNC }));
    expect(r.status).toBe("MISMATCH");
    expect(r.markers).toContain("ARMS_PNC_IS_OASYS_MERGED_PNC");
  });

  it("no marker when nothing was merged", () => {
    expect(matchPerson(oasysPerson(), armsPerson()).markers).toEqual([]);
  });
});

describe("matchPerson: the explanation carries no personal data", () => {
  it.each([
    ["matched", {}, {}],
    ["dob mismatch", {}, { dateOfBirth: "1980-01-01" }],
    ["name mismatch", {}, { familyName: "Pemberton" }],
    ["pnc differs", {}, { pnc: OTHER_PNC }],
    ["no match", {}, { pnc: null, crn: "E100200" }],
  ] as const)("%s", (_case, oasysOverrides, armsOverrides) => {
    const o = oasysPerson(oasysOverrides);
    const a = armsPerson(armsOverrides);
    const { explanation } = matchPerson(o, a);
    for (const value of [
      PNC,
      OTHER_PNC,
      CRN,
      "E100200",
      "1979",
      "1980",
      "ASHWORTH",
      "Ashworth",
      "Pemberton",
      "DANIEL",
    ]) {
      expect(explanation).not.toContain(value);
    }
  });
});

describe("matchPerson: short-form PNC pivot", () => {
  it("uses today when given: 79/163001B is 1979 in 2026", () => {
    const o = oasysPerson({ pnc: "1979/0163001B", crn: null });
    const a = armsPerson({ pnc: "79/163001B", crn: null });
    expect(matchPerson(o, a, { today: "2026-11-20" }).status).toBe("MATCHED");
  });

  it("defaults the pivot to the ARMS assessment date", () => {
    const o = oasysPerson({ pnc: "2008/0056560Z", crn: null });
    const a = armsPerson({ pnc: "08/56560Z", crn: null });
    expect(matchPerson(o, a).status).toBe("MATCHED");
    // A pivot before 2008 reads 08 as 1908: a different PNC, so it cannot link.
    expect(matchPerson(o, a, { today: "2005-01-01" }).status).toBe("NO_MATCH");
  });
});
