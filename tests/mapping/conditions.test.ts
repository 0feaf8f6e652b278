/**
 * The mapping language's conditions (`when:`, `requires:`; mappings/README.md): a question that was not
 * asked, or asked with no usable answer, satisfies no `is` or `atLeast`, so `not` of it holds.
 */
import { describe, expect, it } from "vitest";
import { compileCondition } from "../../src/core/mapping/answers.ts";
import type { Condition } from "../../src/core/mapping/spec.ts";
import type { Answer, OasysAssessment } from "../../src/core/oasys/model.ts";

const answers: Record<string, Answer> = {
  "6.11": { raw: "YES", value: { kind: "yesno", value: "YES" } },
  "11.11": { raw: "2", value: { kind: "score", score: 2 } },
  "1.35": { raw: "0", value: { kind: "score", score: 0 } },
  "4.2": { raw: "M", value: { kind: "missing" } },
  "12.8": { raw: "1-Quite motivated", value: { kind: "code", code: "1-Quite motivated" } },
};
const assessment = { answers } as unknown as OasysAssessment;
const holds = (c: Condition) => compileCondition(c)(assessment);
const YES_6_11: Condition = { question: "6.11", is: ["YES"] };
const NOT_ASKED_YES: Condition = { question: "9.9", is: ["YES"] };

describe("compileCondition", () => {
  it("is: true for a listed token, false for another, for a missing answer and for a question not asked", () => {
    expect(holds({ question: "6.11", is: ["YES"] })).toBe(true);
    expect(holds({ question: "6.11", is: ["NO"] })).toBe(false);
    expect(holds({ question: "4.2", is: ["M", ""] })).toBe(false);
    expect(holds({ question: "9.9", is: ["YES", "NO"] })).toBe(false);
  });

  it("atLeast: compares numeric tokens only; missing, not asked and non-numeric never hold", () => {
    expect(holds({ question: "11.11", atLeast: 2 })).toBe(true);
    expect(holds({ question: "11.11", atLeast: 3 })).toBe(false);
    expect(holds({ question: "1.35", atLeast: 1 })).toBe(false);
    expect(holds({ question: "4.2", atLeast: 0 })).toBe(false);
    expect(holds({ question: "9.9", atLeast: 0 })).toBe(false);
    expect(holds({ question: "12.8", atLeast: 0 })).toBe(false);
  });

  const combined: [string, Condition, boolean][] = [
    ["allOf, both hold", { allOf: [YES_6_11, { question: "11.11", atLeast: 1 }] }, true],
    ["allOf, one not asked", { allOf: [YES_6_11, NOT_ASKED_YES] }, false],
    ["anyOf, one holds", { anyOf: [NOT_ASKED_YES, { question: "1.35", is: ["0"] }] }, true],
    ["anyOf, not asked or missing", { anyOf: [NOT_ASKED_YES, { question: "4.2", atLeast: 0 }] }, false],
    ["not of a question not asked", { not: NOT_ASKED_YES }, true],
    ["not of an allOf that holds", { not: { allOf: [YES_6_11, { question: "1.35", is: ["0"] }] } }, false],
  ];
  it.each(combined)("allOf, anyOf and not combine them: %s", (_, condition, expected) => {
    expect(holds(condition)).toBe(expected);
  });

  it("reads only the assessment's own answers, not inherited properties", () => {
    expect(holds({ question: "toString", atLeast: 0 })).toBe(false);
    expect(holds({ not: { question: "constructor", is: ["YES"] } })).toBe(true);
  });
});
