import { describe, expect, it } from "vitest";
import {
  type BuildResult,
  buildAssessment,
  emptyRawAssessment,
  emptyRawPredictor,
  emptyRawRmp,
  emptyRawRosh,
  type RawAssessment,
} from "../../../src/core/oasys/build.ts";
import type { OasysAssessment } from "../../../src/core/oasys/model.ts";

const TODAY = "2026-11-20";

/** A valid minimal raw assessment, changed by `edit`. */
function raw(edit: (r: RawAssessment) => void = () => {}): RawAssessment {
  const r = emptyRawAssessment();
  r.assessmentPk = "9630348";
  r.type = "LAYER3";
  r.status = "COMPLETE";
  edit(r);
  return r;
}

function built(r: RawAssessment): OasysAssessment {
  const result = buildAssessment(r, { today: TODAY });
  if (!result.ok) throw new Error(`expected ok, got ${JSON.stringify(result.rejection)}`);
  return result.assessment;
}

function rejection(r: RawAssessment) {
  const result: BuildResult = buildAssessment(r, { today: TODAY });
  if (result.ok) throw new Error("expected a rejection");
  return result.rejection;
}

const warnings = (a: OasysAssessment) => a.warnings.map((w) => [w.code, w.path]);

describe("buildAssessment: a minimal record", () => {
  it("builds the canonical shape with defaults for everything absent", () => {
    const a = built(raw());
    expect(a).toMatchObject({
      schema: "oasys-canonical/1",
      assessmentPk: 9630348,
      type: "LAYER3",
      status: "COMPLETE",
      version: null,
      partcompStatus: null,
      purposeCode: null,
      answers: {},
      sections: {},
      rosh: null,
      predictors: [],
      rmp: null,
      extras: [],
      warnings: [],
    });
    expect(a.offender).toMatchObject({
      gender: "NOT_KNOWN",
      limitedAccessOffender: false,
      inCustody: null,
      forenames: [],
    });
  });
});

describe("buildAssessment: rejections", () => {
  it.each<[string, (r: RawAssessment) => void, string, string]>([
    ["missing pk", (r) => (r.assessmentPk = " "), "BRIDGE_E_RECORD_MISSING_FIELD", "@assessmentPk"],
    ["non-numeric pk", (r) => (r.assessmentPk = "96x"), "BRIDGE_E_RECORD_BAD_VALUE", "@assessmentPk"],
    ["zero pk", (r) => (r.assessmentPk = "0"), "BRIDGE_E_RECORD_BAD_VALUE", "@assessmentPk"],
    ["negative pk", (r) => (r.assessmentPk = "-5"), "BRIDGE_E_RECORD_BAD_VALUE", "@assessmentPk"],
    ["missing type", (r) => (r.type = null), "BRIDGE_E_RECORD_MISSING_FIELD", "@type"],
    ["unknown type", (r) => (r.type = "LAYER9"), "BRIDGE_E_RECORD_BAD_VALUE", "@type"],
    ["missing status", (r) => (r.status = ""), "BRIDGE_E_RECORD_MISSING_FIELD", "@status"],
    ["unknown status", (r) => (r.status = "DONE"), "BRIDGE_E_RECORD_BAD_VALUE", "@status"],
    ["bad date-time", (r) => (r.dateCompleted = "2026-13-01"), "BRIDGE_E_RECORD_BAD_VALUE", "dateCompleted"],
    ["bad later date", (r) => (r.later.latestWIPDate = "soon"), "BRIDGE_E_RECORD_BAD_VALUE", "latestWIPDate"],
    [
      "LAO flag not boolean",
      (r) => (r.offender.limitedAccessOffender = "perhaps"),
      "BRIDGE_E_RECORD_BAD_VALUE",
      "offender/@limitedAccessOffender",
    ],
    [
      "RoSH group unknown",
      (r) => {
        r.rosh = rosh([{ group: "PARTNER", setting: "COMMUNITY", level: "High", path: "rl1" }]);
      },
      "BRIDGE_E_RECORD_BAD_VALUE",
      "rl1",
    ],
    [
      "RoSH level unknown",
      (r) => {
        r.rosh = rosh([{ group: "PUBLIC", setting: "COMMUNITY", level: "Severe", path: "rl1" }]);
      },
      "BRIDGE_E_RECORD_BAD_VALUE",
      "rl1",
    ],
    [
      "predictor without type",
      (r) => r.predictors.push(predictor({ type: " ", path: "p1" })),
      "BRIDGE_E_RECORD_MISSING_FIELD",
      "p1/@type",
    ],
    [
      "predictor with a bad calculatedAt",
      (r) => r.predictors.push(predictor({ type: "RSR", calculatedAt: "x", path: "p1" })),
      "BRIDGE_E_RECORD_BAD_VALUE",
      "p1/@calculatedAt",
    ],
    [
      "an answer code the schema does not allow",
      (r) => r.answers.push({ code: "6 4", raw: "1", path: "a" }),
      "BRIDGE_E_RECORD_SCHEMA",
      "/answers",
    ],
  ])("rejects %s", (_, edit, code, path) => {
    expect(rejection(raw(edit))).toMatchObject({ code, path });
  });

  it("never puts the raw value of an identifier or a name in a reason", () => {
    const r = rejection(raw((x) => (x.status = "JOHN SMITH")));
    expect(r.reason).toContain("is not OPEN, COMPLETE or LOCKED_INCOMPLETE");
  });
});

describe("buildAssessment: warnings (the record is kept)", () => {
  it("warns IDENTIFIER_INVALID for a PNC, CRN, CRO or NOMIS id that does not check, keeping the raw", () => {
    const a = built(
      raw((r) => {
        r.offender.pnc = "2008/0056560A";
        r.offender.crn = "123";
        r.offender.cro = "265416/21X";
        r.offender.nomisId = "1234ABC";
      }),
    );
    expect(a.offender.pnc).toMatchObject({ raw: "2008/0056560A", valid: false });
    expect(warnings(a)).toEqual([
      ["IDENTIFIER_INVALID", "offender/crn"],
      ["IDENTIFIER_INVALID", "offender/pnc"],
      ["IDENTIFIER_INVALID", "offender/cro"],
      ["IDENTIFIER_INVALID", "offender/nomisId"],
    ]);
  });

  it("reads a two-digit PNC year against today's century", () => {
    const a = built(raw((r) => (r.offender.pnc = "08/56560Z")));
    expect(a.offender.pnc).toMatchObject({ canonical: "2008/0056560Z", valid: true });
  });

  it("warns on an unrecognised gender, a bad date of birth, a non-numeric purpose and non-boolean flags", () => {
    const a = built(
      raw((r) => {
        r.offender.gender = "X";
        r.offender.dateOfBirth = "31/02/1980";
        r.purposeCode = "FULL";
        r.later.laterWIPAssessmentExists = "maybe";
        r.sections.push({
          code: "6",
          linkedToHarm: "sometimes",
          linkedToReoffending: "No",
          issuesDetails: " ",
          path: "s6",
        });
      }),
    );
    expect(a.offender.gender).toBe("NOT_KNOWN");
    expect(a.offender.dateOfBirth).toBeNull();
    expect(a.purposeCode).toBeNull();
    expect(a.later.laterWIPAssessmentExists).toBeNull();
    expect(a.sections["6"]).toEqual({ linkedToHarm: null, linkedToReoffending: false, issuesDetails: null });
    expect(warnings(a)).toEqual([
      ["PURPOSE_CODE_NOT_NUMERIC", "@purposeCode"],
      ["FLAG_NOT_BOOLEAN", "laterWIPAssessmentExists"],
      ["GENDER_NOT_RECOGNISED", "offender/gender"],
      ["DATE_INVALID", "offender/dateOfBirth"],
      ["FLAG_NOT_BOOLEAN", "s6/linkedToHarm"],
    ]);
  });

  it("warns on a duplicated answer (last kept) and an answer its scale does not allow", () => {
    const a = built(
      raw((r) => {
        r.answers.push({ code: "11.11", raw: "1", path: "a1" });
        r.answers.push({ code: "11.11", raw: "2", path: "a2" });
        r.answers.push({ code: "11.12", raw: "7", path: "a3" });
      }),
    );
    expect(a.answers["11.11"]?.value).toEqual({ kind: "score", score: 2 });
    expect(a.answers["11.12"]).toEqual({ raw: "7", value: { kind: "missing" } });
    expect(warnings(a)).toEqual([
      ["ANSWER_DUPLICATED", "a2"],
      ["ANSWER_NOT_RECOGNISED", "a3"],
    ]);
  });

  it("orders the RoSH grid, skips no-level cells, ignores prisoners in the community and warns on duplicates", () => {
    const a = built(
      raw((r) => {
        r.rosh = rosh([
          { group: "STAFF", setting: "CUSTODY", level: "Low", path: "c1" },
          { group: "Known Adult", setting: "COMMUNITY", level: "N", path: "c2" },
          { group: "PRISONERS", setting: "COMMUNITY", level: "High", path: "c3" },
          { group: "CHILDREN", setting: "CUSTODY", level: "M", path: "c4" },
          { group: "CHILDREN", setting: "COMMUNITY", level: "h", path: "c5" },
          { group: "CHILDREN", setting: "COMMUNITY", level: "V", path: "c6" },
        ]);
      }),
    );
    expect(a.rosh?.levels).toEqual([
      { group: "CHILDREN", setting: "COMMUNITY", level: "VERY_HIGH" },
      { group: "CHILDREN", setting: "CUSTODY", level: "MEDIUM" },
      { group: "STAFF", setting: "CUSTODY", level: "LOW" },
    ]);
    expect(warnings(a)).toEqual([
      ["ROSH_CELL_NOT_USED", "c3"],
      ["ROSH_CELL_DUPLICATED", "c6"],
    ]);
  });

  it("keeps predictors sorted by type, never re-bands, and warns on bad bands and scores", () => {
    const a = built(
      raw((r) => {
        r.predictors.push(predictor({ type: "rsr", score: "99.5", band: "Low", path: "p1" }));
        r.predictors.push(predictor({ type: "OSP_DC", score: "high", band: "EXTREME", path: "p2" }));
        r.predictors.push(predictor({ type: "RM2000_S", points: "4", band: "HIGH", path: "p3" }));
      }),
    );
    expect(a.predictors.map((p) => [p.type, p.score, p.points, p.band])).toEqual([
      ["OSP_DC", null, null, null],
      ["RM2000_S", null, 4, "HIGH"],
      ["RSR", 99.5, null, "LOW"],
    ]);
    expect(warnings(a)).toEqual([
      ["BAND_NOT_RECOGNISED", "p2/@band"],
      ["SCORE_NOT_NUMERIC", "p2/@score"],
    ]);
  });
});

describe("buildAssessment: risk management plan and offender details", () => {
  it("reads MAPPA category and level (also as M1/M2), out of range as null, absent as no MAPPA", () => {
    const plan = (category: string | null, level: string | null) =>
      built(
        raw((r) => {
          r.rmp = { ...emptyRawRmp(), mappaCategory: category, mappaLevel: level };
        }),
      ).rmp?.mappa;
    expect(plan("1", "2")).toEqual({ category: 1, level: 2 });
    expect(plan("M3", "m1")).toEqual({ category: 3, level: 1 });
    expect(plan("5", "0")).toEqual({ category: null, level: null });
    expect(plan(null, null)).toBeNull();
  });

  it("trims forenames and drops blank ones; reads custody Y/N and merge markers", () => {
    const a = built(
      raw((r) => {
        r.offender.forenames = [" ALEX ", " ", "SAM"];
        r.offender.custody = "Y";
        r.offender.mergedPnc = " 2008/0056560Z ";
        r.offender.mergedOffenderPk = "445";
      }),
    );
    expect(a.offender).toMatchObject({
      forenames: ["ALEX", "SAM"],
      inCustody: true,
      mergedPnc: "2008/0056560Z",
      mergedOffenderPk: 445,
    });
  });
});

function rosh(levels: NonNullable<RawAssessment["rosh"]>["levels"]): NonNullable<RawAssessment["rosh"]> {
  return { ...emptyRawRosh(), levels };
}

function predictor(
  p: Partial<RawAssessment["predictors"][number]> & { path: string },
): RawAssessment["predictors"][number] {
  return { ...emptyRawPredictor(p.path), ...p };
}
