/**
 * Properties over ANY schema-valid canonical assessment: the mapping returns a schema-valid, fully
 * accounted-for draft or a precise typed refusal, never throws, never mutates its input, is deterministic,
 * and never proposes a rating that a gate or an unasked item forbids.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applyMapping } from "../../src/core/mapping/apply.ts";
import { activeGates, ageInYears } from "../../src/core/mapping/gates.ts";
import { loadMapping } from "../../src/core/mapping/load.ts";
import { provenanceProblems, summarise } from "../../src/core/mapping/summary.ts";
import { validateAgainst, validateCanonical } from "../../src/core/schemas.ts";
import { canonicalAssessment, isoDate } from "./arbitrary.ts";

const mapping = loadMapping();
const RUNS = { numRuns: 300 };
const RATED_QUESTION: Record<string, string> = Object.fromEntries(
  mapping.spec.ratings.map((r) => [r.factor, r.question]),
);

describe("applyMapping over arbitrary canonical assessments", () => {
  it("generates only schema-valid canonical assessments (the premise of every property below)", () => {
    fc.assert(
      fc.property(canonicalAssessment, (a) => {
        expect(validateCanonical(a)).toBeNull();
      }),
      { numRuns: 100 },
    );
  });

  it("yields a schema-valid draft with provenance on every filled field, or a precise refusal", () => {
    fc.assert(
      fc.property(canonicalAssessment, isoDate, (a, today) => {
        const result = applyMapping(mapping, a, { today });
        if (result.ok) {
          expect(result.draft.status).toBe("DRAFT");
          expect(validateAgainst("arms-interchange.schema.json", result.draft)).toBeNull();
          expect(provenanceProblems(mapping, result.draft)).toEqual([]);
          expect(result.summary.filled + result.summary.evidenceOnly + result.summary.unfilled).toBe(
            result.summary.total,
          );
        } else {
          expect(result.refusal.code).toBe("BRIDGE_E_MAPPING_REFUSED");
          expect([
            "UNSUPPORTED_ASSESSMENT_TYPE",
            "SUPERSEDED_BY_LATER_COMPLETE",
            "NO_VALID_IDENTIFIER",
          ]).toContain(result.refusal.reason);
          expect(result.refusal.assessmentPk).toBe(a.assessmentPk);
          expect(result.refusal.detail.length).toBeGreaterThan(0);
        }
      }),
      RUNS,
    );
  });

  it("is deterministic and leaves its input untouched", () => {
    fc.assert(
      fc.property(canonicalAssessment, isoDate, (a, today) => {
        const before = structuredClone(a);
        const first = applyMapping(mapping, a, { today });
        expect(a).toEqual(before);
        expect(JSON.stringify(applyMapping(mapping, a, { today }))).toBe(JSON.stringify(first));
      }),
      { numRuns: 100 },
    );
  });

  it("proposes a rating only from an answered item, with 6.11 = YES, for an adult male, not LAO, not OPEN", () => {
    fc.assert(
      fc.property(canonicalAssessment, isoDate, (a, today) => {
        const result = applyMapping(mapping, a, { today });
        if (!result.ok) return;
        for (const [factor, f] of Object.entries(result.draft.riskFactors)) {
          if (f?.rating === undefined) continue;
          const question = RATED_QUESTION[factor] as string;
          expect(a.answers[question]?.value.kind).toBe("score");
          expect(a.answers["6.11"]?.value).toEqual({ kind: "yesno", value: "YES" });
          expect(f.prefill?.question).toBe(question);
          expect(a.offender.gender).toBe("MALE");
          expect(a.offender.limitedAccessOffender).toBe(false);
          expect(a.status).not.toBe("OPEN");
          expect(a.purposeCode === 620 || a.purposeCode === 630).toBe(false);
          const on = a.dateCompleted?.slice(0, 10) ?? today;
          expect(ageInYears(a.offender.dateOfBirth as string, on)).toBeGreaterThanOrEqual(18);
        }
        for (const f of Object.values(result.draft.protectiveFactors)) expect(f?.rating).toBeUndefined();
      }),
      RUNS,
    );
  });

  it("copies static risk bands as OASys gave them: never LOW unless OASys said LOW, never from a band-less predictor", () => {
    fc.assert(
      fc.property(canonicalAssessment, isoDate, (a, today) => {
        const result = applyMapping(mapping, a, { today });
        if (!result.ok) return;
        for (const s of [result.draft.staticRisk, ...result.draft.otherStaticRisks]) {
          if (!s) continue;
          const source = a.predictors.find((p) => p.type === s.tool);
          expect(source?.band).toBe(s.band);
        }
      }),
      RUNS,
    );
  });
  it("works out a draft's summary when first read, the same as summarising the draft, and keeps it in JSON", () => {
    fc.assert(
      fc.property(canonicalAssessment, isoDate, (a, today) => {
        const result = applyMapping(mapping, a, { today });
        if (!result.ok) return;
        const expected = summarise(mapping, result.draft, activeGates(mapping, a, today));
        expect(result.summary).toEqual(expected);
        expect(result.summary).toBe(result.summary);
        expect(JSON.parse(JSON.stringify(result))).toEqual(
          JSON.parse(JSON.stringify({ ok: true, draft: result.draft, summary: expected })),
        );
      }),
      { numRuns: 100 },
    );
  });
});

describe("free-text answers that name Object.prototype's members", () => {
  // Found by the property above (seed -1262893019): OASys 7.3 answered "valueOf" looked up the evidence
  // table's own prototype, put a function in `supports`, and the draft failed its own schema.
  const base = (text: string) => ({
    schema: "oasys-canonical/1",
    assessmentPk: 1,
    type: "LAYER3",
    version: null,
    status: "COMPLETE",
    partcompStatus: "SIGNED",
    purposeCode: null,
    purposeDescription: null,
    initiationDate: null,
    assessorSignedDate: null,
    dateCompleted: null,
    later: {
      laterWIPAssessmentExists: false,
      latestWIPDate: null,
      laterSignLockAssessmentExists: false,
      latestSignLockDate: null,
      laterPartCompUnsignedAssessmentExists: false,
      latestPartCompUnsignedDate: null,
      laterPartCompSignedAssessmentExists: false,
      latestPartCompSignedDate: null,
      laterCompleteAssessmentExists: false,
      latestCompleteDate: null,
    },
    offender: {
      oasysOffenderPk: null,
      crn: { raw: "X123456", canonical: "X123456", valid: true },
      pnc: null,
      cro: null,
      nomisId: null,
      familyName: null,
      forenames: [],
      dateOfBirth: null,
      gender: "MALE",
      limitedAccessOffender: false,
      inCustody: false,
      mergedPnc: null,
      mergedOffenderPk: null,
    },
    answers: { "7.3": { raw: null, value: { kind: "text", text } } },
    sections: {},
    rosh: null,
    predictors: [],
    rmp: null,
    extras: [],
    warnings: [],
  });

  it.each(["valueOf", "constructor", "toString", "hasOwnProperty", "__proto__"])(
    "%s is an ordinary answer: the draft stays schema-valid",
    (text) => {
      const result = applyMapping(mapping, base(text) as never, { today: "2026-11-20" });
      if (!result.ok) expect(result.refusal.reason).not.toBe("DRAFT_SCHEMA_INVALID");
      else expect(validateAgainst("arms-interchange.schema.json", result.draft)).toBeNull();
    },
  );
});
