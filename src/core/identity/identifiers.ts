/**
 * Person identifiers that link OASys and police records (domain brief §4): PNC and CRO with their mod-23
 * check letters, CRN and NOMIS number formats. Parsing never throws: every value comes back with a
 * `status` (VALID, INVALID, AMBIGUOUS or ABSENT) and, unless VALID, a reason, so ingest can warn and
 * carry on. Only a VALID identifier may be written into a draft or used to group or match records.
 * Reasons never quote the value (it is personal data).
 */
import type { Identifier, IdentifierStatus } from "../oasys/model.ts";

export type { IdentifierStatus } from "../oasys/model.ts";

export type IdentifierKind = "PNC" | "CRO" | "CRN" | "NOMIS";

export interface ParsedIdentifier extends Identifier {
  status: IdentifierStatus;
  /** Why the value is not VALID (absent when valid). */
  reason?: string;
}

/** The status of a held identifier; records stored before `status` existed carry `valid` alone. */
export const identifierStatus = (id: Identifier): IdentifierStatus =>
  id.status ?? (id.valid ? "VALID" : "INVALID");

/**
 * The identifier as the canonical model holds it: `status` is written only when `valid` does not say it
 * (ABSENT, AMBIGUOUS), so the JSON of valid and invalid identifiers is unchanged.
 */
export function heldIdentifier(p: ParsedIdentifier): Identifier {
  const held: Identifier = { raw: p.raw, canonical: p.canonical, valid: p.valid };
  if (p.status === "ABSENT" || p.status === "AMBIGUOUS") held.status = p.status;
  return held;
}

// ---------------------------------------------------------------------------------------------------
// The year pivot: the one place a date becomes the two-digit year that decides a short PNC's century.

/**
 * The PNC year pivot for the date records are read on (`YYYY-MM-DD…`): its two-digit year. A two-digit
 * PNC year up to the pivot is 20YY, a later one 19YY (a PNC cannot be issued after the day it is read).
 * Null when the string does not start with a four-digit year: then no two-digit year can be read.
 */
export function pncPivotYear(date: string | null | undefined): number | null {
  return typeof date === "string" && /^\d{4}/.test(date) ? Number(date.slice(2, 4)) : null;
}

const centuryOf = (yy: string, pivot: number) => `${Number(yy) <= pivot ? "20" : "19"}${yy}`;

// ---------------------------------------------------------------------------------------------------
// Placeholders: the one list of values that mean "nothing recorded", for PNC and CRO on either side.

/**
 * Values that stand for "no identifier recorded" (compared without case or spaces). Such a value is
 * ABSENT, never INVALID: it says nothing is known, not that something is wrong. Blank values and values
 * whose digits are all zeros (`0000/0000000Z`, `00/0Z`, `000000/00Z`), or whose serial is all zeros,
 * are placeholders too.
 */
export const IDENTIFIER_PLACEHOLDERS: readonly string[] = [
  "UNKNOWN PNC",
  "UNKNOWN CRO",
  "UNKNOWN",
  "NOT KNOWN",
  "N/A",
  "NA",
  "NONE",
  "NIL",
  "-",
];

const PLACEHOLDER_SET = new Set(IDENTIFIER_PLACEHOLDERS.map((p) => p.replace(/\s+/g, "")));
const ALL_ZEROS = /^(?:SF)?[0/]*0[0/]*[A-Z]?$/;

/** Whether a compacted value (`strip`) is a placeholder: blank, a listed word, or zeros only. */
const isPlaceholder = (s: string) => s === "" || PLACEHOLDER_SET.has(s) || ALL_ZEROS.test(s);

const absent = (raw: string, kind: IdentifierKind): ParsedIdentifier => ({
  raw,
  canonical: null,
  valid: false,
  status: "ABSENT",
  reason: `placeholder, not a ${kind}: treated as absent`,
});

const invalid = (raw: string, canonical: string | null, reason: string): ParsedIdentifier => ({
  raw,
  canonical,
  valid: false,
  status: "INVALID",
  reason,
});

const valid = (raw: string, canonical: string): ParsedIdentifier => ({
  raw,
  canonical,
  valid: true,
  status: "VALID",
});

// ---------------------------------------------------------------------------------------------------
// Check letters.

/** Check-letter alphabet: index 0 = Z; no I, O or S. */
const CHECK_ALPHABET = "ZABCDEFGHJKLMNPQRTUVWXY";

export const checkLetter = (digits: string): string => CHECK_ALPHABET[Number(BigInt(digits) % 23n)] as string;

const strip = (raw: string) => raw.trim().toUpperCase().replace(/\s+/g, "");

// ---------------------------------------------------------------------------------------------------
// PNC.

/** One way of reading a PNC as written: a two- or four-digit year, a serial (1-7 digits), a letter. */
interface PncReading {
  year: string;
  serial: string;
  check: string;
}

const FOUR_DIGIT_YEAR = /^(?:19|20)\d\d$/;

/** Every written form the compacted value can be read as (no check letter consulted, no pivot). */
function pncReadings(s: string): PncReading[] {
  const slashed = /^(\d+)\/(\d{1,7})([A-Z])$/.exec(s);
  if (slashed) {
    const [, year, serial, check] = slashed as unknown as [string, string, string, string];
    return year.length === 2 || FOUR_DIGIT_YEAR.test(year) ? [{ year, serial, check }] : [];
  }
  const bare = /^(\d+)([A-Z])$/.exec(s);
  if (!bare) return [];
  const [, digits, check] = bare as unknown as [string, string, string];
  const readings: PncReading[] = [];
  if (digits.length >= 3 && digits.length <= 9) {
    readings.push({ year: digits.slice(0, 2), serial: digits.slice(2), check });
  }
  if (digits.length >= 5 && digits.length <= 11 && FOUR_DIGIT_YEAR.test(digits.slice(0, 4))) {
    readings.push({ year: digits.slice(0, 4), serial: digits.slice(4), check });
  }
  return readings;
}

/**
 * PNC, canonical `YYYY/NNNNNNNC`. Read by written form, never by character position:
 *
 * - `YY/N…C` and `YYYY/N…C`, the serial padded to 7 digits or not (`79/163001B`, `2003/234567J`,
 *   `2008/0056560Z`): with the slash the form is fixed by the digits before it (two: a two-digit year;
 *   four, starting 19 or 20: a four-digit year; anything else: INVALID).
 * - Without the slash (`20030011985X`), a value is read every way it can be written: a two-digit year and
 *   a 1-7 digit serial, and a four-digit year starting 19 or 20 and a 1-7 digit serial. 10 or 11 digits
 *   read only as a four-digit year; 3 or 4 digits, or 5-9 digits not starting 19 or 20, only as a
 *   two-digit year. A value of 5-9 digits starting 19 or 20 reads both ways (`197173319Z`: 2019/7173319Z
 *   or 1971/0073319Z) and is AMBIGUOUS, whatever the check letters say: letting the check letter choose
 *   would let a one-digit typo in a value that reads only one way turn into a different, check-valid PNC
 *   read the other way (measured: 11 in 18,000 typos of bare short forms). With this rule a one-character
 *   typo of a value read as a PNC is INVALID, AMBIGUOUS or ABSENT, never a different VALID PNC: within one
 *   form a changed digit always changes the mod-23 remainder, and a changed century digit leaves no 19/20
 *   year. (A value that is itself AMBIGUOUS was never read; a typo in its century digits can leave one
 *   reading that passes by chance.) Write the slash to disambiguate.
 * - A two-digit year is 20YY up to `pivotYear` (see `pncPivotYear`), else 19YY; with no pivot (null) a
 *   value that reads only as a two-digit year is INVALID.
 * - Placeholders (`UNKNOWN PNC`, `N/A`, zeros, …; `IDENTIFIER_PLACEHOLDERS`) are ABSENT, as is any
 *   reading whose serial is all zeros.
 *
 * An INVALID value that has one reading keeps its canonical form (the check letter is the fault); an
 * AMBIGUOUS or unreadable one has none.
 */
export function parsePnc(raw: string, pivotYear: number | null): ParsedIdentifier {
  const s = strip(raw);
  if (isPlaceholder(s)) return absent(raw, "PNC");
  const readings = pncReadings(s);
  if (readings.length > 1) {
    return {
      raw,
      canonical: null,
      valid: false,
      status: "AMBIGUOUS",
      reason: "PNC without its slash reads both as a two-digit and a four-digit year: write the slash",
    };
  }
  const [r] = readings;
  if (!r) return invalid(raw, null, "not a PNC number (expected YYYY/NNNNNNNC or YY/NNNNNNNC)");
  if (/^0+$/.test(r.serial)) return absent(raw, "PNC");
  if (r.year.length === 2 && pivotYear === null)
    return invalid(raw, null, "short-form PNC without a pivot year");
  const year = r.year.length === 2 ? centuryOf(r.year, pivotYear as number) : r.year;
  const serial = r.serial.padStart(7, "0");
  const canonical = `${year}/${serial}${r.check}`;
  const expected = checkLetter(`${year.slice(2)}${serial}`);
  return expected === r.check
    ? valid(raw, canonical)
    : invalid(raw, canonical, `PNC check letter is ${r.check}, expected ${expected}`);
}

// ---------------------------------------------------------------------------------------------------
// CRO, CRN, NOMIS number.

/** CRO: standard `NNNNNN/YYC` (serial padded to 6) or SF form `SFYY/NNNNNNC`. Placeholders are ABSENT. */
export function parseCro(raw: string): ParsedIdentifier {
  const s = strip(raw);
  if (isPlaceholder(s)) return absent(raw, "CRO");
  const sf = /^SF(\d{2})\/(\d{1,6})([A-Z])$/.exec(s);
  if (sf) {
    const [, yy, serial, check] = sf as unknown as [string, string, string, string];
    if (/^0+$/.test(serial)) return absent(raw, "CRO");
    const expected = checkLetter(`${yy}${serial.replace(/^0+/, "")}`);
    const canonical = `SF${yy}/${serial}${check}`;
    return expected === check
      ? valid(raw, canonical)
      : invalid(raw, canonical, `CRO check letter is ${check}, expected ${expected}`);
  }
  const std = /^(\d{1,6})\/(\d{2})([A-Z])$/.exec(s);
  if (std) {
    const [, serial, yy, check] = std as unknown as [string, string, string, string];
    if (/^0+$/.test(serial)) return absent(raw, "CRO");
    const padded = serial.padStart(6, "0");
    const expected = checkLetter(`${yy}${padded}`);
    const canonical = `${padded}/${yy}${check}`;
    return expected === check
      ? valid(raw, canonical)
      : invalid(raw, canonical, `CRO check letter is ${check}, expected ${expected}`);
  }
  return invalid(raw, null, "not a CRO number (expected NNNNNN/YYC or SFYY/NNNNNNC)");
}

/** CRN: one (or, in some HMPPS code, two) letters then six digits, e.g. `X123456`. No check character. */
export function parseCrn(raw: string): ParsedIdentifier {
  const s = strip(raw);
  return /^[A-Z]{1,2}\d{6}$/.test(s)
    ? valid(raw, s)
    : invalid(raw, null, "not a CRN (expected a letter and six digits)");
}

/** NOMIS prisoner number: `A1234BC`. */
export function parseNomisId(raw: string): ParsedIdentifier {
  const s = strip(raw);
  return /^[A-Z]\d{4}[A-Z]{2}$/.test(s)
    ? valid(raw, s)
    : invalid(raw, null, "not a NOMIS number (expected A1234BC)");
}

export function parseIdentifier(
  kind: IdentifierKind,
  raw: string,
  pivotYear: number | null,
): ParsedIdentifier {
  switch (kind) {
    case "PNC":
      return parsePnc(raw, pivotYear);
    case "CRO":
      return parseCro(raw);
    case "CRN":
      return parseCrn(raw);
    case "NOMIS":
      return parseNomisId(raw);
  }
}
