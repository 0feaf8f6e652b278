/**
 * Person identifiers that link OASys and police records (domain brief §4): PNC and CRO with their mod-23
 * check letters, CRN and NOMIS number formats. Parsing never throws: an invalid value comes back with
 * `valid: false` and a reason, so ingest can warn and carry on.
 */
import type { Identifier } from "../oasys/model.ts";

export type IdentifierKind = "PNC" | "CRO" | "CRN" | "NOMIS";

export interface ParsedIdentifier extends Identifier {
  /** Why the value is invalid (absent when valid). */
  reason?: string;
}

/** Check-letter alphabet: index 0 = Z; no I, O or S. */
const CHECK_ALPHABET = "ZABCDEFGHJKLMNPQRTUVWXY";

export const checkLetter = (digits: string): string => CHECK_ALPHABET[Number(BigInt(digits) % 23n)] as string;

const strip = (raw: string) => raw.trim().toUpperCase().replace(/\s+/g, "");

/**
 * PNC: canonical `YYYY/NNNNNNNC`. Accepts the long form with or without the slash and the short form
 * `YY/N…NC` (serial left-padded to 7 digits; years 00..pivot are 20YY, the rest 19YY). `pivotYear` is the
 * current two-digit year, passed in so the core never reads the clock.
 */
export function parsePnc(raw: string, pivotYear: number): ParsedIdentifier {
  const s = strip(raw).replace(/\//g, "");
  let year: string;
  let serial: string;
  let check: string;
  const long = /^(\d{4})(\d{7})([A-Z])$/.exec(s);
  const short = /^(\d{2})(\d{1,7})([A-Z])$/.exec(s);
  if (long) {
    [, year, serial, check] = long as unknown as [string, string, string, string];
  } else if (short && s.length < 12) {
    const [, yy, ser, c] = short as unknown as [string, string, string, string];
    year = `${Number(yy) <= pivotYear ? "20" : "19"}${yy}`;
    serial = ser.padStart(7, "0");
    check = c;
  } else {
    return {
      raw,
      canonical: null,
      valid: false,
      reason: "not a PNC number (expected YYYY/NNNNNNNC or YY/NNNNNNNC)",
    };
  }
  const canonical = `${year}/${serial}${check}`;
  const expected = checkLetter(`${year.slice(2)}${serial}`);
  return expected === check
    ? { raw, canonical, valid: true }
    : { raw, canonical, valid: false, reason: `PNC check letter is ${check}, expected ${expected}` };
}

/** CRO: standard `NNNNNN/YYC` (serial padded to 6) or SF form `SFYY/NNNNNNC`. */
export function parseCro(raw: string): ParsedIdentifier {
  const s = strip(raw);
  const sf = /^SF(\d{2})\/(\d{1,6})([A-Z])$/.exec(s);
  if (sf) {
    const [, yy, serial, check] = sf as unknown as [string, string, string, string];
    const expected = checkLetter(`${yy}${serial.replace(/^0+/, "") || "0"}`);
    const canonical = `SF${yy}/${serial}${check}`;
    return expected === check
      ? { raw, canonical, valid: true }
      : { raw, canonical, valid: false, reason: `CRO check letter is ${check}, expected ${expected}` };
  }
  const std = /^(\d{1,6})\/(\d{2})([A-Z])$/.exec(s);
  if (std) {
    const [, serial, yy, check] = std as unknown as [string, string, string, string];
    const padded = serial.padStart(6, "0");
    const expected = checkLetter(`${yy}${padded}`);
    const canonical = `${padded}/${yy}${check}`;
    return expected === check
      ? { raw, canonical, valid: true }
      : { raw, canonical, valid: false, reason: `CRO check letter is ${check}, expected ${expected}` };
  }
  return {
    raw,
    canonical: null,
    valid: false,
    reason: "not a CRO number (expected NNNNNN/YYC or SFYY/NNNNNNC)",
  };
}

/** CRN: one (or, in some HMPPS code, two) letters then six digits, e.g. `X123456`. No check character. */
export function parseCrn(raw: string): ParsedIdentifier {
  const s = strip(raw);
  return /^[A-Z]{1,2}\d{6}$/.test(s)
    ? { raw, canonical: s, valid: true }
    : { raw, canonical: null, valid: false, reason: "not a CRN (expected a letter and six digits)" };
}

/** NOMIS prisoner number: `A1234BC`. */
export function parseNomisId(raw: string): ParsedIdentifier {
  const s = strip(raw);
  return /^[A-Z]\d{4}[A-Z]{2}$/.test(s)
    ? { raw, canonical: s, valid: true }
    : { raw, canonical: null, valid: false, reason: "not a NOMIS number (expected A1234BC)" };
}

export function parseIdentifier(kind: IdentifierKind, raw: string, pivotYear: number): ParsedIdentifier {
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
