/**
 * The normalisers remember results for short coded values and check calendar dates arithmetically;
 * these pin that neither changes a result.
 */
import { describe, expect, it } from "vitest";
import {
  normaliseAnswer,
  normaliseDate,
  normaliseFlag,
  normaliseLocalDateTime,
  normaliseRiskLevel,
} from "../../../src/core/oasys/normalise.ts";

describe("remembered answers", () => {
  it("give the same result every time, in a new answer object", () => {
    const first = normaliseAnswer("11.11", "2");
    const again = normaliseAnswer("11.11", "2");
    expect(again).toEqual(first);
    expect(again).toEqual({ answer: { raw: "2", value: { kind: "score", score: 2 } } });
    expect(again.answer).not.toBe(first.answer);
    expect("problem" in again).toBe(false);
  });

  it("share a frozen normalised value, so no record can change another's", () => {
    const { answer } = normaliseAnswer("6.11", "Yes");
    expect(Object.isFrozen(answer.value)).toBe(true);
    expect(() => {
      (answer.value as { kind: string }).kind = "text";
    }).toThrow(TypeError);
    expect(normaliseAnswer("6.11", "Yes").answer.value).toEqual({ kind: "yesno", value: "YES" });
  });

  it("are remembered per question: the same raw value means different things for different scales", () => {
    expect(normaliseAnswer("11.11", "2").answer.value).toEqual({ kind: "score", score: 2 });
    expect(normaliseAnswer("6.11", "2").answer.value).toEqual({ kind: "missing" });
    expect(normaliseAnswer("6.11", "2").problem).toMatch(/YES_NO/);
  });

  it("keep the problem of a value the scale does not allow, every time", () => {
    for (let i = 0; i < 3; i++) {
      expect(normaliseAnswer("11.11", "3")).toEqual({
        answer: { raw: "3", value: { kind: "missing" } },
        problem: "value not recognised for a PROBLEM item; kept raw, treated as missing",
      });
    }
  });

  it("still normalise long free text, which is not remembered", () => {
    const text = `  ${"a long narrative ".repeat(20)} `;
    expect(normaliseAnswer("2.98", text).answer.raw).toBe(text.trim());
    expect(normaliseAnswer("2.98", text)).toEqual(normaliseAnswer("2.98", text));
  });

  it("treat spellings that differ only in case or spacing through the same memo consistently", () => {
    for (let i = 0; i < 2; i++) {
      expect(normaliseFlag(" yes ")).toBe(true);
      expect(normaliseFlag("YES")).toBe(true);
      expect(normaliseFlag("maybe")).toBeNull();
      expect(normaliseRiskLevel("very high")).toBe("VERY_HIGH");
      expect(normaliseRiskLevel("Very-High")).toBe("VERY_HIGH");
    }
  });
});

describe("calendar dates", () => {
  it.each([
    ["2024-02-29", "2024-02-29"],
    ["2023-02-29", null],
    ["1900-02-29", null],
    ["2000-02-29", "2000-02-29"],
    ["2026-04-30", "2026-04-30"],
    ["2026-04-31", null],
    ["2026-12-31", "2026-12-31"],
    ["2026-00-10", null],
    ["2026-13-10", null],
    ["2026-01-00", null],
    ["0100-01-01", "0100-01-01"],
    // Years below 100 were always refused (the Date round trip read them as 19xx): still refused.
    ["0099-12-31", null],
    ["29/02/2023", null],
    ["29/02/2024", "2024-02-29"],
  ])("%j -> %j", (raw, expected) => expect(normaliseDate(raw)).toBe(expected));

  it("checks the date of a date-time with a zone before converting it", () => {
    expect(normaliseLocalDateTime("2026-02-29T10:00:00Z")).toBeNull();
    expect(normaliseLocalDateTime("2024-02-29T23:30:00Z")).toBe("2024-02-29T23:30:00");
  });
});
