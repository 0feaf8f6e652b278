/**
 * `validateAgainst` takes a code-unit pre-check and falls back to the exact (code-point) validator: it must
 * accept and reject exactly what the exact validator does, at the length boundaries where code units and
 * code points differ (characters outside the BMP are two code units).
 */
import { describe, expect, it } from "vitest";
import { buildAssessment, emptyRawAssessment, emptyRawRmp } from "../../src/core/oasys/build.ts";
import { schemaValidator, validateAgainst, validateCanonical } from "../../src/core/schemas.ts";

const ARMS = "arms-interchange.schema.json";
const EMOJI = "\u{1F600}"; // one code point, two UTF-16 code units

function draftWithReason(reason: string) {
  return {
    schema: "arms-interchange/1",
    armsAssessmentId: "OASYS-9630348-M1.0.0",
    revision: 1,
    status: "DRAFT",
    subject: {},
    riskFactors: {},
    protectiveFactors: {},
    unfilledReasons: { "/riskLevel": reason },
  };
}

const exact = (doc: unknown) => schemaValidator(ARMS)(doc);

describe("validateAgainst with its code-unit pre-check", () => {
  it.each([
    ["an empty string under minLength 1", ""],
    ["one astral character under minLength 1", EMOJI],
    ["1,000 astral characters at maxLength 1,000 (2,000 code units)", EMOJI.repeat(1000)],
    ["1,001 astral characters over maxLength 1,000", EMOJI.repeat(1001)],
    ["1,000 plain characters at maxLength 1,000", "x".repeat(1000)],
    ["1,001 plain characters over maxLength 1,000", "x".repeat(1001)],
  ])("decides %s as the exact validator does", (_, reason) => {
    const doc = draftWithReason(reason);
    expect(validateAgainst(ARMS, doc) === null).toBe(exact(doc));
  });

  it("the boundaries themselves: empty refused, one astral character and 1,000 of them accepted", () => {
    expect(validateAgainst(ARMS, draftWithReason(""))).not.toBeNull();
    expect(validateAgainst(ARMS, draftWithReason(EMOJI))).toBeNull();
    expect(validateAgainst(ARMS, draftWithReason(EMOJI.repeat(1000)))).toBeNull();
    expect(validateAgainst(ARMS, draftWithReason(EMOJI.repeat(1001)))?.path).toBe(
      "/unfilledReasons/~1riskLevel",
    );
  });
});

describe("nullable sections", () => {
  it("report what is wrong inside a present section, not that it should have been null", () => {
    const r = emptyRawAssessment();
    r.assessmentPk = "9630348";
    r.type = "LAYER3";
    r.status = "COMPLETE";
    r.rmp = { ...emptyRawRmp(), mappaCategory: "1", mappaLevel: "2" };
    const result = buildAssessment(r, { today: "2026-11-20" });
    if (!result.ok) throw new Error("the raw assessment should build");
    const assessment = result.assessment as unknown as { rmp: { mappa: { level: number } } };
    expect(validateCanonical(assessment)).toBeNull();
    assessment.rmp.mappa.level = 7;
    expect(validateCanonical(assessment)).toEqual({ path: "/rmp/mappa/level", reason: "must be <= 3" });
  });
});
