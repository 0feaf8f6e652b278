import { describe, expect, it } from "vitest";
import { normaliseFamilyName, sameFamilyName } from "../../src/core/identity/names.ts";

describe("normaliseFamilyName: what is folded", () => {
  it.each([
    ["case", "Ashworth", "ASHWORTH"],
    ["hyphen", "Smith-Jones", "SMITH JONES"],
    ["hyphen against nothing", "Smith-Jones", "SMITHJONES"],
    ["en dash and non-breaking hyphen", "Smith\u2013Jones", "Smith\u2011Jones"],
    ["straight apostrophe", "O'Brien", "OBRIEN"],
    ["curly apostrophe", "O\u2019Brien", "O BRIEN"],
    ["spaces and tabs", "  van  der\tBerg ", "VANDERBERG"],
    ["full stop", "St. John", "ST JOHN"],
    ["acute accent", "Séverin", "SEVERIN"],
    ["umlaut, composed vs decomposed", "M\u00fcller", "Mu\u0308ller"],
    ["tilde and cedilla", "Nuñez-Françoise", "NUNEZ FRANCOISE"],
    ["sharp s upper-cases to SS", "Strauß", "STRAUSS"],
  ])("%s: %s = %s", (_case, a, b) => {
    expect(sameFamilyName(a, b)).toBe(true);
  });
});

describe("normaliseFamilyName: what is NOT folded", () => {
  it.each([
    ["Mc is not Mac", "McDonald", "MacDonald"],
    ["St is not Saint", "St John", "Saint John"],
    ["a dropped double-barrel part", "Smith-Jones", "Smith"],
    ["letters without a decomposition are not transliterated", "Øberg", "Oberg"],
    ["Ł is not L", "Łukasz", "Lukasz"],
    ["one letter differs", "Ashworth", "Ashwort"],
  ])("%s: %s != %s", (_case, a, b) => {
    expect(sameFamilyName(a, b)).toBe(false);
  });

  it("gives null when nothing is left to compare, and null never equals null", () => {
    expect(normaliseFamilyName("  - ' ")).toBeNull();
    expect(normaliseFamilyName(null)).toBeNull();
    expect(sameFamilyName(null, null)).toBe(false);
    expect(sameFamilyName("", "")).toBe(false);
  });

  it("returns the comparison key", () => {
    expect(normaliseFamilyName("d'Almeida-Sørensen")).toBe("DALMEIDASØRENSEN");
  });
});
