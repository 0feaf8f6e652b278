/**
 * Identity matching: is this OASys assessment about the same person as this ARMS assessment?
 * Domain brief §4 "Matching policy" and rules ID-1..4. Pure: no clock, no IO.
 *
 * Policy:
 * 1. Keys. The canonical PNC is the primary cross-agency key, the CRN the second. Both sides are
 *    canonicalised with `parsePnc`/`parseCrn`; a key LINKS only when it is VALID on both sides and the
 *    canonical forms are equal. A PNC failing its mod-23 check, or reading as two PNCs (AMBIGUOUS), can
 *    never be a link; a placeholder (`UNKNOWN PNC`, zeros: ABSENT) counts as missing, not as a problem.
 * 2. Confirmation. A link is confirmed by date of birth AND family name (normalised, see `names.ts`).
 *    One exception: when BOTH PNC and CRN link, a date of birth missing on one side (OASys REST payloads
 *    carry none) does not block; a date of birth that differs always does, and the name must confirm.
 * 3. Outcomes.
 *    - NO_MATCH: no key links (even if names or dates agree: people share those).
 *    - MISMATCH: a key links, but the date of birth or family name disagrees or cannot be confirmed
 *      (missing on a side, shown with `null`), or the other key is present on both sides and differs.
 *    - MATCHED: a key links, nothing in 3-MISMATCH holds. So a single key without both confirmations
 *      (e.g. CRN alone) is never MATCHED.
 *    - AMBIGUOUS: only from `matchAmong`, when several ARMS assessments link and cannot be told apart.
 * 4. Secondary identifiers (CRO, NOMIS number) never link; when both sides hold them and they differ the
 *    disagreement is recorded (rule ID-2) but does not by itself turn MATCHED into MISMATCH.
 * 5. OASys merge markers (`MERGE_PNC_NUMBER`, `MERGED_OFFENDER_PK`) are reported (rule ID-4).
 *
 * Disagreements carry both values for the data-team view. They are personal data: never log a
 * MatchResult's `disagreements`. The `explanation` names fields and sides only, never values.
 */
import type { ArmsAssessment } from "../arms/model.ts";
import type { OasysAssessment } from "../oasys/model.ts";
import {
  type ParsedIdentifier,
  parseCrn,
  parseCro,
  parseNomisId,
  parsePnc,
  pncPivotYear,
} from "./identifiers.ts";
import type {
  IdentifierProblem,
  IdentityDisagreement,
  IdentityField,
  IdentityMarker,
  MatchKey,
  MatchResult,
} from "./match-types.ts";
import { normaliseFamilyName } from "./names.ts";

export interface MatchOptions {
  /**
   * Today `YYYY-MM-DD`: its two-digit year is the pivot for short-form PNCs (`79/163001B`). Default: the
   * ARMS `assessedOn` date (a PNC cannot postdate the assessment that quotes it), else the OASys
   * completion or initiation date. With no date at all, short-form PNCs are not recognised.
   */
  today?: string;
}

type KeyField = "pnc" | "crn" | "cro" | "nomisId";

/** How one identifier compares across the two records. */
type KeyComparison =
  | { state: "LINK" }
  | { state: "DIFFER"; oasys: string; arms: string }
  | { state: "ABSENT"; missingOn: ("OASYS" | "ARMS")[] }
  /** Same value on both sides, but not valid, so not a link (e.g. the same PNC failing its check). */
  | { state: "UNUSABLE" };

export const present = (raw: string | null | undefined): raw is string =>
  typeof raw === "string" && raw.trim() !== "";
export const compact = (raw: string) => raw.trim().toUpperCase().replace(/\s+/g, "");

function pivotYear(oasys: OasysAssessment, arms: ArmsAssessment, options: MatchOptions): number | null {
  return pncPivotYear(options.today ?? arms.assessedOn ?? oasys.dateCompleted ?? oasys.initiationDate);
}

export function parser(field: KeyField, pivot: number | null): (raw: string) => ParsedIdentifier {
  switch (field) {
    case "pnc":
      return (raw) => parsePnc(raw, pivot);
    case "crn":
      return parseCrn;
    case "cro":
      return parseCro;
    case "nomisId":
      return parseNomisId;
  }
}

interface Side {
  oasys: string | null;
  arms: string | null;
}

function compareKey(
  field: KeyField,
  values: Side,
  pivot: number | null,
  problems: IdentifierProblem[],
): KeyComparison {
  const parse = parser(field, pivot);
  // A placeholder is read as no value at all: missing, never a problem and never a link.
  const held = (raw: string | null) => {
    const p = present(raw) ? parse(raw) : null;
    return p && p.status !== "ABSENT" ? p : null;
  };
  const parsed = { oasys: held(values.oasys), arms: held(values.arms) };
  for (const side of ["oasys", "arms"] as const) {
    const p = parsed[side];
    if (p && p.status !== "VALID") {
      problems.push({
        side: side === "oasys" ? "OASYS" : "ARMS",
        field,
        problem:
          p.status === "AMBIGUOUS"
            ? "AMBIGUOUS"
            : p.canonical !== null
              ? "CHECK_LETTER_FAILS"
              : "NOT_RECOGNISED",
      });
    }
  }
  if (!parsed.oasys || !parsed.arms) {
    const missingOn: ("OASYS" | "ARMS")[] = [];
    if (!parsed.oasys) missingOn.push("OASYS");
    if (!parsed.arms) missingOn.push("ARMS");
    return { state: "ABSENT", missingOn };
  }
  const o = parsed.oasys.canonical ?? compact(parsed.oasys.raw);
  const a = parsed.arms.canonical ?? compact(parsed.arms.raw);
  if (o !== a) return { state: "DIFFER", oasys: o, arms: a };
  return parsed.oasys.status === "VALID" && parsed.arms.status === "VALID"
    ? { state: "LINK" }
    : { state: "UNUSABLE" };
}

export const LABEL: Record<IdentityField, string> = {
  pnc: "PNC",
  crn: "CRN",
  cro: "CRO",
  nomisId: "NOMIS number",
  dateOfBirth: "date of birth",
  familyName: "family name",
};

export const list = (items: string[]) =>
  items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;

function describeKey(field: KeyField, c: KeyComparison): string | null {
  switch (c.state) {
    case "DIFFER":
      return `${LABEL[field]} differs`;
    case "UNUSABLE":
      return `${LABEL[field]} agrees but is not valid`;
    case "ABSENT":
      return c.missingOn.length === 2
        ? `${LABEL[field]} missing on both sides`
        : `${LABEL[field]} missing on the ${c.missingOn[0]} side`;
    case "LINK":
      return null;
  }
}

function markersOf(oasys: OasysAssessment, arms: ArmsAssessment, pivot: number | null): IdentityMarker[] {
  const markers: IdentityMarker[] = [];
  const merged = oasys.offender.mergedPnc;
  const parse = parser("pnc", pivot);
  if (present(merged) && parse(merged).status !== "ABSENT") {
    markers.push("OASYS_MERGED_PNC");
    if (present(arms.subject.pnc)) {
      const m = parse(merged);
      const a = parse(arms.subject.pnc);
      if ((m.canonical ?? compact(merged)) === (a.canonical ?? compact(arms.subject.pnc))) {
        markers.push("ARMS_PNC_IS_OASYS_MERGED_PNC");
      }
    }
  }
  if (oasys.offender.mergedOffenderPk !== null) markers.push("OASYS_MERGED_OFFENDER");
  return markers;
}

function describeProblems(problems: IdentifierProblem[]): string[] {
  return problems.map(
    (p) => `${p.side === "OASYS" ? "OASys" : "ARMS"} ${LABEL[p.field]} ${PROBLEM_TEXT[p.problem]}`,
  );
}

const PROBLEM_TEXT: Record<IdentifierProblem["problem"], string> = {
  CHECK_LETTER_FAILS: "fails its check letter",
  NOT_RECOGNISED: "is not in a recognised format",
  AMBIGUOUS: "reads as more than one identifier (a PNC without its slash)",
};

const MARKER_TEXT: Record<IdentityMarker, string> = {
  OASYS_MERGED_PNC: "OASys record carries a merged PNC",
  OASYS_MERGED_OFFENDER: "OASys record carries a merged offender record",
  DUPLICATE_CANDIDATES: "more than one ARMS assessment links",
  ARMS_PNC_IS_OASYS_MERGED_PNC: "the ARMS PNC is the OASys merged-away PNC",
};

const sentence = (parts: string[]) =>
  parts.length ? ` ${parts.map((p) => `${p[0]?.toUpperCase()}${p.slice(1)}.`).join(" ")}` : "";

/** Match one OASys assessment's offender to one ARMS assessment's subject. */
export function matchPerson(
  oasys: OasysAssessment,
  arms: ArmsAssessment,
  options: MatchOptions = {},
): MatchResult {
  const pivot = pivotYear(oasys, arms, options);
  const o = oasys.offender;
  const s = arms.subject;
  const problems: IdentifierProblem[] = [];
  const keys = {
    pnc: compareKey("pnc", { oasys: o.pnc?.raw ?? null, arms: s.pnc ?? null }, pivot, problems),
    crn: compareKey("crn", { oasys: o.crn?.raw ?? null, arms: s.crn ?? null }, pivot, problems),
    cro: compareKey("cro", { oasys: o.cro?.raw ?? null, arms: s.cro ?? null }, pivot, problems),
    nomisId: compareKey(
      "nomisId",
      { oasys: o.nomisId?.raw ?? null, arms: s.nomisId ?? null },
      pivot,
      problems,
    ),
  };
  const markers = markersOf(oasys, arms, pivot);
  const notes = [...describeProblems(problems), ...markers.map((m) => MARKER_TEXT[m])];

  const matchedOn: MatchKey[] = [];
  if (keys.pnc.state === "LINK") matchedOn.push("PNC");
  if (keys.crn.state === "LINK") matchedOn.push("CRN");

  if (matchedOn.length === 0) {
    const why = (["pnc", "crn"] as const).map((f) => describeKey(f, keys[f])).filter((x) => x !== null);
    return {
      status: "NO_MATCH",
      matchedOn,
      confirmedBy: [],
      disagreements: [],
      markers,
      identifierProblems: problems,
      explanation: `No key links: ${list(why)}.${sentence(notes)}`,
    };
  }

  const disagreements: IdentityDisagreement[] = [];
  const confirmedBy: IdentityField[] = [];
  const unconfirmed: string[] = [];
  for (const field of ["pnc", "crn"] as const) {
    const c = keys[field];
    if (c.state === "DIFFER") disagreements.push({ field, oasys: c.oasys, arms: c.arms });
  }

  const dobO = present(o.dateOfBirth) ? o.dateOfBirth : null;
  const dobA = present(s.dateOfBirth) ? s.dateOfBirth.trim() : null;
  // OASys REST payloads carry no date of birth. When BOTH strong keys link, a date of birth missing on a
  // side (never one that differs) is not held against the match; the family name must still confirm.
  const bothKeysLink = keys.pnc.state === "LINK" && keys.crn.state === "LINK";
  if (dobO !== null && dobO === dobA) confirmedBy.push("dateOfBirth");
  else if (bothKeysLink && (dobO === null || dobA === null)) {
    notes.push("date of birth is not held on one side; PNC and CRN both link instead");
  } else {
    disagreements.push({ field: "dateOfBirth", oasys: dobO, arms: dobA });
    if (dobO === null || dobA === null) unconfirmed.push(LABEL.dateOfBirth);
  }
  const nameO = normaliseFamilyName(o.familyName);
  const nameA = normaliseFamilyName(s.familyName);
  if (nameO !== null && nameO === nameA) confirmedBy.push("familyName");
  else {
    disagreements.push({ field: "familyName", oasys: o.familyName ?? null, arms: s.familyName ?? null });
    if (nameO === null || nameA === null) unconfirmed.push(LABEL.familyName);
  }
  const blocking = disagreements.length > 0;

  const secondary: string[] = [];
  for (const field of ["cro", "nomisId"] as const) {
    const c = keys[field];
    if (c.state === "LINK") confirmedBy.push(field);
    if (c.state === "DIFFER") {
      disagreements.push({ field, oasys: c.oasys, arms: c.arms });
      secondary.push(`${LABEL[field]} differs (secondary, does not decide the match)`);
    }
  }

  const otherKey = (["pnc", "crn"] as const)
    .filter((f) => keys[f].state === "ABSENT" || keys[f].state === "UNUSABLE")
    .map((f) => describeKey(f, keys[f]) ?? "");
  const linked = `Linked on ${list(matchedOn)}`;
  let explanation: string;
  if (!blocking) {
    const confirming = confirmedBy.includes("dateOfBirth")
      ? "date of birth and family name confirm"
      : "family name confirms";
    explanation = `${linked}; ${confirming}.`;
  } else {
    const contradicted = disagreements
      .filter((d) => d.field !== "cro" && d.field !== "nomisId" && !unconfirmed.includes(LABEL[d.field]))
      .map((d) => LABEL[d.field]);
    const parts = [
      contradicted.length ? `disagree on ${list(contradicted)}` : null,
      unconfirmed.length ? `${list(unconfirmed)} cannot be confirmed (missing on a side)` : null,
    ].filter((x) => x !== null);
    explanation = `${linked} but ${parts.join("; ")}: not safe to reconcile.`;
  }
  return {
    status: blocking ? "MISMATCH" : "MATCHED",
    matchedOn,
    confirmedBy,
    disagreements,
    markers,
    identifierProblems: problems,
    explanation: `${explanation}${sentence([...otherKey, ...secondary, ...notes])}`,
  };
}
