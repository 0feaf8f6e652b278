/**
 * PNC and CRO check letters against published vectors, the written forms a PNC is read in, and the
 * placeholders that mean "nothing recorded" (issue 10, defect 1). Until now check letters were tested only
 * through matching; here each parser is tested on its own.
 *
 * Sources of the vectors:
 * - [S:PR] the domain brief §4 (/work/shared/domain/oasys-arms.md, "PNC check letter (verified)" and "CRO
 *   check letter (verified)"), from ministryofjustice/hmpps-person-record PNCIdentifierTest and
 *   CROIdentifierTest;
 * - [RD …] the public reference data (/work/shared/reference-data/, provenance in its README): the path
 *   named with each value. Test data across HMPPS is not always check-valid; the expected letter is given.
 * - Values built here with `checkLetter` are marked "built": none is a real person's.
 */
import { describe, expect, it } from "vitest";
import {
  checkLetter,
  heldIdentifier,
  IDENTIFIER_PLACEHOLDERS,
  identifierStatus,
  parseCro,
  parseIdentifier,
  parsePnc,
  pncPivotYear,
} from "../../src/core/identity/identifiers.ts";

/** Pivot for 2026 (the example pairs are compared on 2026-11-20). */
const PIVOT = 26;

describe("PNC check letter: published vectors", () => {
  it.each([
    // [S:PR] valid examples, domain brief §4
    ["2008/0056560Z", "2008/0056560Z"],
    ["20030011985X", "2003/0011985X"],
    ["20120052494Q", "2012/0052494Q"],
    ["2001/0171310W", "2001/0171310W"],
    ["1981/0154257C", "1981/0154257C"],
    ["79/163001B", "1979/0163001B"],
    // [RD hmpps-assessments-api/wiremock-integrations-api/__files/case-data/generic.json] pncNumber, lower case
    ["2008/7231544v", "2008/7231544V"],
    // [RD hmpps-assessments-api/wiremock-integrations-api/__files/case-data/X463280.json] pncNumber
    ["2009/0170801P", "2009/0170801P"],
  ])("%s is VALID, canonical %s", (raw, canonical) => {
    expect(parsePnc(raw, PIVOT)).toMatchObject({ raw, canonical, valid: true, status: "VALID" });
  });

  it.each([
    // [S:PR] "2001/0123456A is invalid; its check letter should be F"
    ["2001/0123456A", "2001/0123456A", "F"],
    // [S:PR] "The OASys fixture PNC 74/2487362D is also invalid (it should be E)"
    ["74/2487362D", "1974/2487362D", "E"],
    // [RD hmpps-assessments-api/test-json/caseDetails.json] pncNumber
    ["2004/0712343H", "2004/0712343H", "W"],
    // [RD hmpps-integration-api/gateway-fixtures/ndelius/GetOffenderResponse.json] pncNumber: the
    // YYYY/unpadded form HMPPS search APIs write, read as 2004/0013116 (its letter should be R)
    ["2004/13116M", "2004/0013116M", "R"],
  ])("%s is INVALID (canonical %s, the letter should be %s)", (raw, canonical, expected) => {
    const p = parsePnc(raw, PIVOT);
    expect(p).toMatchObject({ canonical, valid: false, status: "INVALID" });
    expect(p.reason).toContain(`expected ${expected}`);
  });

  it("refuses what is not a PNC at all, with no canonical form", () => {
    // [RD hmpps-integration-api/openapi-specs/probation-offender-search.json] pncNumber example
    for (const raw of ["A/1234560BA", "2008/00565600Z", "208/0056560Z", "2108/0056560Z", "2008-0056560Z"]) {
      expect(parsePnc(raw, PIVOT), raw).toMatchObject({ canonical: null, valid: false, status: "INVALID" });
    }
  });
});

describe("CRO check letter: published vectors", () => {
  it.each([
    // [S:PR] standard form, and a serial padded to 6 digits
    ["265416/21G", "265416/21G"],
    ["65656/91H", "065656/91H"],
    // [S:PR] SF form: the serial's leading zeros are dropped before the check
    ["SF05/482703J", "SF05/482703J"],
  ])("%s is VALID, canonical %s", (raw, canonical) => {
    expect(parseCro(raw)).toMatchObject({ canonical, valid: true, status: "VALID" });
  });

  it("flags a wrong letter: 123456/24A should be X", () => {
    // [RD hmpps-assessments-api/wiremock-integrations-api/__files/case-data/generic.json] croNumber
    expect(parseCro("123456/24A")).toMatchObject({ valid: false, status: "INVALID" });
    expect(parseCro("123456/24A").reason).toContain("expected X");
    expect(checkLetter("24123456")).toBe("X");
  });
});

describe("PNC written forms (issue 10, defect 1)", () => {
  it("reads 1971/73319Z as 1971/0073319Z, not as another person's 2019/7173319Z", () => {
    // Built: both readings pass their check letter, which is how the old positional parse went wrong.
    expect(checkLetter("710073319")).toBe("Z");
    expect(checkLetter("197173319")).toBe("Z");
    expect(parsePnc("1971/73319Z", PIVOT)).toMatchObject({
      canonical: "1971/0073319Z",
      valid: true,
      status: "VALID",
    });
  });

  it("accepts the unpadded long form HMPPS search APIs write: 2003/234567J is 2003/0234567J", () => {
    expect(checkLetter("030234567")).toBe("J");
    expect(parsePnc("2003/234567J", PIVOT)).toMatchObject({ canonical: "2003/0234567J", status: "VALID" });
    // Built, same written form: 1998/12D and 2015/4412345 with their letters.
    const short = `1998/12${checkLetter("980000012")}`;
    expect(parsePnc(short, PIVOT)).toMatchObject({ canonical: `1998/0000012${short.at(-1)}`, valid: true });
    const long = `2015/4412345${checkLetter("154412345")}`;
    expect(parsePnc(long, PIVOT)).toMatchObject({ canonical: long, valid: true });
  });

  it("is AMBIGUOUS when written without its slash and it reads both ways: never a canonical form", () => {
    // 197173319Z: 2019/7173319Z or 1971/0073319Z, both check-valid. 2012345K and 1985123Q: 5-9 digits
    // starting 19 or 20 read both ways whatever their letters say (see parsePnc).
    for (const raw of ["197173319Z", "1971 73319z", "2012345K", "1985123Q"]) {
      expect(parsePnc(raw, PIVOT), raw).toMatchObject({ canonical: null, valid: false, status: "AMBIGUOUS" });
    }
    expect(parsePnc("197173319Z", PIVOT).reason).not.toContain("1971");
  });

  it("reads a form without the slash when only one reading exists", () => {
    // 10 or 11 digits: a four-digit year only; not starting 19 or 20: a two-digit year only.
    expect(parsePnc("2003234567J", PIVOT)).toMatchObject({ canonical: "2003/0234567J", status: "VALID" });
    expect(parsePnc("79163001B", PIVOT)).toMatchObject({ canonical: "1979/0163001B", status: "VALID" });
    expect(parsePnc("080056560Z", PIVOT)).toMatchObject({ canonical: "2008/0056560Z", status: "VALID" });
  });

  it("reads a two-digit year by the pivot, and not at all without one", () => {
    expect(parsePnc("08/56560Z", 26).canonical).toBe("2008/0056560Z");
    expect(parsePnc("08/56560Z", 5).canonical).toBe("1908/0056560Z");
    expect(parsePnc("08/56560Z", null)).toMatchObject({ canonical: null, status: "INVALID" });
    expect(parsePnc("2008/0056560Z", null)).toMatchObject({ canonical: "2008/0056560Z", status: "VALID" });
  });
});

describe("placeholders mean absent", () => {
  it("reads every listed placeholder, blanks and zeros as ABSENT for PNC and CRO", () => {
    const values = [...IDENTIFIER_PLACEHOLDERS, "unknown pnc", " n/a ", "", "   ", "0000/0000000Z", "00/0Z"];
    for (const raw of values) {
      expect(parsePnc(raw, PIVOT), raw).toMatchObject({ canonical: null, valid: false, status: "ABSENT" });
      expect(parseCro(raw), raw).toMatchObject({ canonical: null, valid: false, status: "ABSENT" });
    }
    // [RD assess-risks-and-needs/wiremock-oasys-api-head/__files/ordsAssessmentSection1.json] pnc
    expect(parsePnc("UNKNOWN PNC", PIVOT).status).toBe("ABSENT");
    expect(parsePnc("2019/0000000X", PIVOT).status).toBe("ABSENT");
    expect(parseCro("000000/00Z").status).toBe("ABSENT");
    expect(parseCro("SF05/000000Z").status).toBe("ABSENT");
  });

  it("does not take a real number ending in zeros for a placeholder", () => {
    const raw = `2010/0100000${checkLetter("100100000")}`;
    expect(parsePnc(raw, PIVOT).status).toBe("VALID");
  });
});

describe("statuses held in the canonical model", () => {
  it("writes status only when valid does not say it, and reads old records without it", () => {
    expect(heldIdentifier(parsePnc("2008/0056560Z", PIVOT))).toEqual({
      raw: "2008/0056560Z",
      canonical: "2008/0056560Z",
      valid: true,
    });
    expect(heldIdentifier(parsePnc("2008/0056560A", PIVOT))).not.toHaveProperty("status");
    expect(heldIdentifier(parsePnc("UNKNOWN PNC", PIVOT))).toEqual({
      raw: "UNKNOWN PNC",
      canonical: null,
      valid: false,
      status: "ABSENT",
    });
    expect(heldIdentifier(parsePnc("197173319Z", PIVOT)).status).toBe("AMBIGUOUS");
    expect(identifierStatus({ raw: "x", canonical: null, valid: false })).toBe("INVALID");
    expect(identifierStatus({ raw: "x", canonical: "x", valid: true })).toBe("VALID");
  });

  it("parseIdentifier gives every kind a status", () => {
    expect(parseIdentifier("CRN", "X123456", PIVOT).status).toBe("VALID");
    expect(parseIdentifier("NOMIS", "A1234BC", PIVOT).status).toBe("VALID");
    expect(parseIdentifier("CRN", "123", PIVOT).status).toBe("INVALID");
    expect(parseIdentifier("PNC", "N/A", PIVOT).status).toBe("ABSENT");
  });
});

describe("pncPivotYear: the one year pivot", () => {
  it("is the two-digit year of the date records are read on", () => {
    expect(pncPivotYear("2026-11-20")).toBe(26);
    expect(pncPivotYear("2005-01-01T09:00:00")).toBe(5);
    expect(pncPivotYear(null)).toBeNull();
    expect(pncPivotYear(undefined)).toBeNull();
    expect(pncPivotYear("20-01-01")).toBeNull();
  });
});
