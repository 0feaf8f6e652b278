/**
 * `validateCanonical` (every ingested record) takes a fast path that counts string lengths in UTF-16
 * code units; it must accept and reject exactly what the canonical schema does, which counts code points.
 */
import { describe, expect, it } from "vitest";
import { buildAssessment, emptyRawAssessment } from "../../../src/core/oasys/build.ts";
import type { OasysAssessment } from "../../../src/core/oasys/model.ts";
import { describeAjvError, schemaValidator, validateCanonical } from "../../../src/core/schemas.ts";

const MAX_TEXT = 100_000;
const ASTRAL = "\u{1F600}"; // one code point, two UTF-16 code units

function minimal(): OasysAssessment {
  const raw = emptyRawAssessment();
  raw.assessmentPk = "9630348";
  raw.type = "LAYER3";
  raw.status = "COMPLETE";
  const result = buildAssessment(raw, { today: "2026-11-20" });
  if (!result.ok) throw new Error(JSON.stringify(result.rejection));
  return result.assessment;
}

const withDescription = (text: string): OasysAssessment => ({ ...minimal(), purposeDescription: text });
/** The plain ajv validator of the schema (code points), with no pre-check: the reference. */
function exact(doc: unknown) {
  const validate = schemaValidator("oasys-assessment.schema.json");
  if (validate(doc)) return null;
  const first = validate.errors?.[0];
  return first ? describeAjvError(first) : { path: "/", reason: "is invalid" };
}

describe("validateCanonical", () => {
  it("accepts a text of the maximum length in code points that is longer in UTF-16 code units", () => {
    const doc = withDescription(ASTRAL.repeat(MAX_TEXT));
    expect(doc.purposeDescription?.length).toBe(2 * MAX_TEXT);
    expect(exact(doc)).toBeNull();
    expect(validateCanonical(doc)).toBeNull();
  });

  it("rejects a text one code point too long, with the exact validator's problem", () => {
    const doc = withDescription(`${ASTRAL.repeat(MAX_TEXT)}x`);
    const problem = validateCanonical(doc);
    expect(problem).toEqual({
      path: "/purposeDescription",
      reason: "must NOT have more than 100000 characters",
    });
    expect(problem).toEqual(exact(doc));
  });

  it("agrees with the exact validator at the limit in plain text", () => {
    for (const length of [MAX_TEXT - 1, MAX_TEXT, MAX_TEXT + 1]) {
      const doc = withDescription("a".repeat(length));
      expect(validateCanonical(doc)).toEqual(exact(doc));
    }
    expect(validateCanonical(withDescription("a".repeat(MAX_TEXT)))).toBeNull();
  });

  it("reports other problems as the exact validator does", () => {
    const doc = { ...minimal(), status: "DRAFT" };
    expect(validateCanonical(doc)).toEqual(exact(doc));
    expect(validateCanonical(doc)?.path).toBe("/status");
  });
});
