import { describe, expect, it } from "vitest";
import {
  clean,
  isNoLevel,
  londonLocalToInstant,
  normaliseAnswer,
  normaliseAssessmentType,
  normaliseBand,
  normaliseDate,
  normaliseFlag,
  normaliseGender,
  normaliseLocalDateTime,
  normalisePartcomp,
  normalisePredictorType,
  normaliseRiskLevel,
  normaliseRoshGroup,
  normaliseRoshSetting,
  normaliseStaticOrDynamic,
  normaliseStatus,
  scoreOf,
  yesNoOf,
} from "../../../src/core/oasys/normalise.ts";

describe("clean", () => {
  it.each([
    [null, null],
    [undefined, null],
    ["", null],
    ["  \n\t", null],
    [" x ", "x"],
    [12, "12"],
  ])("clean(%j) = %j", (raw, expected) => expect(clean(raw)).toBe(expected));
});

describe("assessment type, status, partcomp", () => {
  it.each([
    ["LAYER3", "LAYER3"],
    ["LAYER_3", "LAYER3"],
    ["layer 3", "LAYER3"],
    ["LAYER1", "LAYER1"],
    ["LAYER_1", "LAYER1"],
    ["Basic Custody Screening", "BCS"],
    ["TR_BCS", "TR_BCS"],
    ["LAYER9", null],
    ["", null],
  ])("type %j -> %j", (raw, expected) => expect(normaliseAssessmentType(raw)).toBe(expected));

  it.each([
    ["OPEN", "OPEN"],
    ["complete", "COMPLETE"],
    ["Locked Incomplete", "LOCKED_INCOMPLETE"],
    ["LOCKED_INCOMPLETE", "LOCKED_INCOMPLETE"],
    ["DONE", null],
    [null, null],
  ])("status %j -> %j", (raw, expected) => expect(normaliseStatus(raw)).toBe(expected));

  it.each([
    ["signed", "SIGNED"],
    ["UNSIGNED", "UNSIGNED"],
    ["maybe", null],
  ])("partcomp %j -> %j", (raw, expected) => expect(normalisePartcomp(raw)).toBe(expected));
});

describe("gender", () => {
  it.each([
    ["1", "MALE"],
    ["M", "MALE"],
    ["male", "MALE"],
    ["2", "FEMALE"],
    ["F", "FEMALE"],
    ["FEMALE", "FEMALE"],
    ["9", "NOT_KNOWN"],
    ["U", "NOT_KNOWN"],
    ["", "NOT_KNOWN"],
    [null, "NOT_KNOWN"],
    ["X", null],
  ])("%j -> %j", (raw, expected) => expect(normaliseGender(raw)).toBe(expected));
});

describe("RoSH levels and predictor bands", () => {
  it.each([
    ["Low", "LOW"],
    ["l", "LOW"],
    ["MEDIUM", "MEDIUM"],
    ["m", "MEDIUM"],
    ["High", "HIGH"],
    ["H", "HIGH"],
    ["Very High", "VERY_HIGH"],
    ["very high", "VERY_HIGH"],
    ["VERY_HIGH", "VERY_HIGH"],
    ["V", "VERY_HIGH"],
    ["VH", "VERY_HIGH"],
    ["Severe", null],
    ["", null],
  ])("risk level %j -> %j", (raw, expected) => expect(normaliseRiskLevel(raw)).toBe(expected));

  it.each([
    ["N", true],
    ["NA", true],
    ["Not Applicable", true],
    ["none", true],
    ["", true],
    ["High", false],
  ])("isNoLevel(%j) = %j", (raw, expected) => expect(isNoLevel(raw)).toBe(expected));

  it.each([
    ["LOW", "LOW"],
    ["medium", "MEDIUM"],
    ["Very High", "VERY_HIGH"],
    ["very_high", "VERY_HIGH"],
    ["NOT_APPLICABLE", "NOT_APPLICABLE"],
    ["Not Applicable", "NOT_APPLICABLE"],
    ["N/A", "NOT_APPLICABLE"],
    ["EXTREME", null],
    [null, null],
  ])("band %j -> %j", (raw, expected) => expect(normaliseBand(raw)).toBe(expected));

  it.each([
    ["static", "STATIC"],
    ["DYNAMIC", "DYNAMIC"],
    ["both", null],
  ])("static/dynamic %j -> %j", (raw, expected) => expect(normaliseStaticOrDynamic(raw)).toBe(expected));
});

describe("RoSH grid axes", () => {
  it.each([
    ["CHILDREN", "CHILDREN"],
    ["Child", "CHILDREN"],
    ["Known Adult", "KNOWN_ADULT"],
    ["known adult", "KNOWN_ADULT"],
    ["KNOWNADULT", "KNOWN_ADULT"],
    ["prisoners", "PRISONERS"],
    ["PARTNER", null],
  ])("group %j -> %j", (raw, expected) => expect(normaliseRoshGroup(raw)).toBe(expected));

  it.each([
    ["community", "COMMUNITY"],
    ["CUSTODY", "CUSTODY"],
    ["prison", null],
  ])("setting %j -> %j", (raw, expected) => expect(normaliseRoshSetting(raw)).toBe(expected));
});

describe("predictor types", () => {
  it.each([
    ["RSR", "RSR"],
    ["osp_dc", "OSP_DC"],
    ["OSPDC", "OSP_DC"],
    ["OSP/IIC", "OSP_IIC"],
    ["RM2000S", "RM2000_S"],
    ["OGRS3 2YEAR", "OGRS3_2YR"],
    ["OGRS4_ARP", "OGRS4_ARP"],
    ["new tool v2", "NEW_TOOL_V2"],
  ])("%j -> %j (unknown types carried with their spelling)", (raw, expected) =>
    expect(normalisePredictorType(raw)).toBe(expected),
  );
});

describe("flags", () => {
  it.each([
    ["Yes", true],
    ["YES", true],
    ["y", true],
    ["true", true],
    [true, true],
    ["No", false],
    ["N", false],
    ["FALSE", false],
    [false, false],
    ["maybe", null],
    ["", null],
    [null, null],
  ])("%j -> %j", (raw, expected) => expect(normaliseFlag(raw)).toBe(expected));
});

describe("dates", () => {
  it.each([
    ["2026-10-01T09:00:00", "2026-10-01T09:00:00"],
    ["2026-10-01 09:00", "2026-10-01T09:00:00"],
    ["2026-10-01T09:00:00.123", "2026-10-01T09:00:00"],
    ["2026-10-01", "2026-10-01T00:00:00"],
    ["2026-01-15T23:30:00Z", "2026-01-15T23:30:00"],
    ["2026-07-01T23:30:00Z", "2026-07-02T00:30:00"],
    ["2026-07-01T10:00:00+02:00", "2026-07-01T09:00:00"],
    ["2026-07-01T10:00:00+0200", "2026-07-01T09:00:00"],
    ["2026-03-29T00:59:59Z", "2026-03-29T00:59:59"],
    ["2026-03-29T01:00:00Z", "2026-03-29T02:00:00"],
    ["2026-10-25T00:59:59Z", "2026-10-25T01:59:59"],
    ["2026-10-25T01:00:00Z", "2026-10-25T01:00:00"],
    ["2026-02-30T10:00:00", null],
    ["2026-10-01T24:00:00", null],
    ["01/10/2026", null],
    ["yesterday", null],
    ["", null],
  ])("local date-time %j -> %j", (raw, expected) => expect(normaliseLocalDateTime(raw)).toBe(expected));

  it.each([
    ["1980-02-01", "1980-02-01"],
    ["01/02/1980", "1980-02-01"],
    ["1980-02-01T00:00:00", "1980-02-01"],
    ["31/02/1980", null],
    ["1980-13-01", null],
    [null, null],
  ])("date %j -> %j", (raw, expected) => expect(normaliseDate(raw)).toBe(expected));

  it("turns London local time into the instant, in GMT and in BST", () => {
    expect(londonLocalToInstant("2026-01-15T09:00:00").toISOString()).toBe("2026-01-15T09:00:00.000Z");
    expect(londonLocalToInstant("2026-07-01T09:00:00").toISOString()).toBe("2026-07-01T08:00:00.000Z");
    expect(londonLocalToInstant("2026-07-01").toISOString()).toBe("2026-06-30T23:00:00.000Z");
  });
});

describe("answers", () => {
  it.each([
    ["11.11", "0", { kind: "score", score: 0 }],
    ["11.11", "2", { kind: "score", score: 2 }],
    ["6.12", "2-Significant problems", { kind: "score", score: 2 }],
    ["6.12", "1 - Some problems", { kind: "score", score: 1 }],
    ["6.11", "YES", { kind: "yesno", value: "YES" }],
    ["6.11", "No", { kind: "yesno", value: "NO" }],
    ["6.11", "0-No", { kind: "yesno", value: "NO" }],
    ["6.11", "Don't know", { kind: "code", code: "DONT_KNOW" }],
    ["4.2", "Yes", { kind: "code", code: "YES" }],
    ["4.2", "Not available for work", { kind: "code", code: "NA" }],
    ["8.6", "Currently", { kind: "score", score: 2 }],
    ["8.6", "0-Never", { kind: "score", score: 0 }],
    ["12.8", "Quite motivated", { kind: "score", score: 1 }],
    ["6.8", "Not in a relationship", { kind: "code", code: "3" }],
    ["6.8", "1", { kind: "code", code: "1" }],
    ["1.5", "3", { kind: "number", value: 3 }],
    ["1.8.2", "01/02/2020", { kind: "date", value: "2020-02-01" }],
    ["2.11.t", "M", { kind: "text", text: "M" }],
    ["Z9.9", "2-Significant problems", { kind: "score", score: 2 }],
    ["Z9.9", "yes", { kind: "yesno", value: "YES" }],
    ["Z9.9", "anything else", { kind: "text", text: "anything else" }],
  ])("%s %j -> %j", (code, raw, value) => {
    expect(normaliseAnswer(code, raw)).toEqual({ answer: { raw, value } });
  });

  it.each([
    ["M", "M"],
    ["m", "m"],
    ["MISSING", "MISSING"],
    ["", null],
    ["  ", null],
    [null, null],
  ])("%j is missing (asked, no usable value), raw kept as %j", (raw, keptRaw) => {
    expect(normaliseAnswer("11.11", raw)).toEqual({ answer: { raw: keptRaw, value: { kind: "missing" } } });
  });

  it("keeps a value the item's scale does not allow as raw, marks it missing and reports the problem", () => {
    const result = normaliseAnswer("11.11", "3");
    expect(result.answer).toEqual({ raw: "3", value: { kind: "missing" } });
    expect(result.problem).toMatch(/PROBLEM item/);
    expect(normaliseAnswer("6.11", "perhaps").problem).toMatch(/YES_NO/);
  });

  it("reads scores and yes/no back out of answers, null when not asked or of another kind", () => {
    expect(scoreOf(normaliseAnswer("11.11", "2").answer)).toBe(2);
    expect(scoreOf(normaliseAnswer("11.11", "M").answer)).toBeNull();
    expect(scoreOf(undefined)).toBeNull();
    expect(yesNoOf(normaliseAnswer("6.11", "yes").answer)).toBe("YES");
    expect(yesNoOf(normaliseAnswer("11.11", "1").answer)).toBeNull();
    expect(yesNoOf(undefined)).toBeNull();
  });
});
