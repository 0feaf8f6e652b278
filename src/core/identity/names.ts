/**
 * Family-name normalisation for identity confirmation (domain brief §4, "confirm with DOB and surname").
 *
 * The two agencies key names by hand, so the same surname arrives as `O'Brien`, `O BRIEN`, `o’brien`,
 * `Smith-Jones`, `SMITH JONES`, `Zoë` or `ZOE`. We fold only what is spelling noise, never what could
 * tell two people apart. Exactly what is folded:
 *
 * - letter case (`toUpperCase`, locale-independent; `ß` becomes `SS` as Unicode upper-casing says);
 * - diacritics: Unicode NFD, then every combining mark (`\p{M}`) removed, so `É` = `E`, `Ñ` = `N`, `Ö` = `O`;
 * - separators: spaces and other white space, hyphens and dashes (`-`, `‐`, `‑`, `–`, `—`), apostrophes and
 *   quote marks used as apostrophes (`'`, `’`, `‘`, `` ` ``, `´`), and full stops (`St. John` = `ST JOHN`).
 *
 * Deliberately NOT folded (a difference here is a real difference, shown to a person):
 * - prefixes: `Mc` and `Mac` are different names (`MCDONALD` ≠ `MACDONALD`), as are `St` and `Saint`;
 * - letters without a decomposition: `Ø`, `Ł`, `Æ`, `Đ` stay as they are (no transliteration);
 * - dropped or added name parts: `SMITH-JONES` ≠ `SMITH`, `DE LA CRUZ` ≠ `CRUZ`;
 * - digits and any other characters are kept, so they still have to agree.
 */

const COMBINING_MARKS = /\p{M}+/gu;
const SEPARATORS = /[\s\-\u2010\u2011\u2012\u2013\u2014\u2015'\u2018\u2019\u0060\u00b4.]+/gu;

/** The comparison key of a family name, or null when nothing is left to compare. */
export function normaliseFamilyName(raw: string | null | undefined): string | null {
  if (raw === null || raw === undefined) return null;
  const key = raw.normalize("NFD").replace(COMBINING_MARKS, "").toUpperCase().replace(SEPARATORS, "");
  return key === "" ? null : key;
}

/** True when both names are present and normalise to the same key. */
export function sameFamilyName(a: string | null | undefined, b: string | null | undefined): boolean {
  const x = normaliseFamilyName(a);
  return x !== null && x === normaliseFamilyName(b);
}
