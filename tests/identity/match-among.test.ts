import { describe, expect, it } from "vitest";
import { matchAmong } from "../../src/core/identity/match-among.ts";
import { armsPerson, OTHER_PNC, oasysPerson } from "./people.ts";

const oasys = oasysPerson();

describe("matchAmong", () => {
  it("no candidates: NO_MATCH without a candidate", () => {
    const r = matchAmong(oasys, []);
    expect(r.result.status).toBe("NO_MATCH");
    expect(r.candidate).toBeUndefined();
    expect(r.result.explanation).toBe("No ARMS assessment to match against.");
  });

  it("none of several links: NO_MATCH", () => {
    const r = matchAmong(oasys, [
      armsPerson({ pnc: OTHER_PNC, crn: "E100200" }, { armsAssessmentId: "ARMS-A" }),
      armsPerson({ pnc: null, crn: "E100201" }, { armsAssessmentId: "ARMS-B" }),
    ]);
    expect(r.result.status).toBe("NO_MATCH");
    expect(r.result.explanation).toBe("None of 2 ARMS assessments links by PNC or CRN.");
    expect(r.linkedIds).toEqual([]);
  });

  it("exactly one links: its result and the candidate", () => {
    const wanted = armsPerson({}, { armsAssessmentId: "ARMS-WANTED" });
    const r = matchAmong(oasys, [
      armsPerson({ pnc: OTHER_PNC, crn: "E100200" }, { armsAssessmentId: "ARMS-OTHER" }),
      wanted,
    ]);
    expect(r.result.status).toBe("MATCHED");
    expect(r.candidate).toBe(wanted);
    expect(r.linkedIds).toEqual(["ARMS-WANTED"]);
  });

  it("two linking candidates whose subjects contradict each other: AMBIGUOUS", () => {
    const r = matchAmong(oasys, [
      armsPerson({}, { armsAssessmentId: "ARMS-A" }),
      armsPerson({ pnc: null, dateOfBirth: "1981-02-03" }, { armsAssessmentId: "ARMS-B" }),
    ]);
    expect(r.result.status).toBe("AMBIGUOUS");
    expect(r.candidate).toBeUndefined();
    expect(r.result.markers).toContain("DUPLICATE_CANDIDATES");
    expect(r.result.matchedOn).toEqual(["PNC", "CRN"]);
    expect(r.linkedIds).toEqual(["ARMS-A", "ARMS-B"]);
    expect(r.result.explanation).toBe(
      "2 ARMS assessments link to this person and disagree with each other on date of birth: a person must choose.",
    );
  });

  it("two candidates linking with equal strength on the same day: AMBIGUOUS", () => {
    const r = matchAmong(oasys, [
      armsPerson({}, { armsAssessmentId: "ARMS-A" }),
      armsPerson({}, { armsAssessmentId: "ARMS-B", riskLevel: "HIGH" }),
    ]);
    expect(r.result.status).toBe("AMBIGUOUS");
    expect(r.result.explanation).toContain("assessed on the same day");
  });

  it("successive ARMS assessments of one consistent police subject: the most recent is chosen", () => {
    const older = armsPerson({}, { armsAssessmentId: "ARMS-2025", assessedOn: "2025-09-01" });
    const newer = armsPerson({ pnc: null }, { armsAssessmentId: "ARMS-2026", assessedOn: "2026-09-01" });
    const r = matchAmong(oasys, [newer, older]);
    expect(r.result.status).toBe("MATCHED");
    expect(r.candidate).toBe(newer);
    expect(r.result.matchedOn).toEqual(["CRN"]);
    expect(r.result.explanation).toContain("Most recent of 2 ARMS assessments");
  });

  it("collapses revisions of one ARMS assessment before choosing (they are not duplicates)", () => {
    const rev1 = armsPerson({}, { armsAssessmentId: "ARMS-X", revision: 1, riskLevel: "LOW" });
    const rev2 = armsPerson({}, { armsAssessmentId: "ARMS-X", revision: 2, riskLevel: "HIGH" });
    const r = matchAmong(oasys, [rev2, rev1]);
    expect(r.result.status).toBe("MATCHED");
    expect(r.candidate).toBe(rev2);
    expect(r.linkedIds).toEqual(["ARMS-X"]);
  });

  it("a single non-linking candidate returns its own explanation", () => {
    const r = matchAmong(oasys, [armsPerson({ pnc: null, crn: null })]);
    expect(r.result.status).toBe("NO_MATCH");
    expect(r.result.explanation).toContain("missing on the ARMS side");
  });
});
