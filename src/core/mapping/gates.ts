/**
 * The gates (domain brief §3.5, §6 rows 27-28, §7 ID-5, ID-6, ST-1, ST-2): what the bridge refuses to map at
 * all (a typed refusal, never an exception), and which kinds of field it withholds from a draft it does
 * produce, with the reason the assessor sees. Parameters come from the mapping's `gates` block.
 */
import type { OasysAssessment } from "../oasys/model.ts";
import type { Mapping, MappingGates } from "./spec.ts";

export type RefusalReason =
  | "UNSUPPORTED_ASSESSMENT_TYPE"
  | "SUPERSEDED_BY_LATER_COMPLETE"
  | "NO_VALID_IDENTIFIER"
  | "DRAFT_SCHEMA_INVALID";

/** Why an assessment produced no draft. Names the record, never the person. */
export interface MappingRefusal {
  code: "BRIDGE_E_MAPPING_REFUSED";
  reason: RefusalReason;
  assessmentPk: number;
  mappingVersion: string;
  detail: string;
}

/** The kinds of draft field a gate can withhold. Identity and source metadata are never withheld. */
export type FieldClass = "RATING" | "STATIC_RISK" | "MAPPA" | "NARRATIVE" | "EVIDENCE";

export type GateId =
  | "GENDER_NOT_ELIGIBLE"
  | "UNDER_MINIMUM_AGE"
  | "AGE_NOT_KNOWN"
  | "LIMITED_ACCESS_OFFENDER"
  | "STATUS_NOT_RATEABLE"
  | "SECTIONLESS_PURPOSE";

export interface ActiveGate {
  gate: GateId;
  reason: string;
  withholds: FieldClass[];
}

const APPLICABILITY: FieldClass[] = ["RATING", "STATIC_RISK", "MAPPA", "NARRATIVE"];

/** The digits at `s[from..to)` as a number, or -1 when any of them is not an ASCII digit. */
function digits(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

/** Year, month and day of a plain `YYYY-MM-DD`, or null for anything else. */
function plainDate(s: string): [number, number, number] | null {
  if (s.length !== 10 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return null;
  const y = digits(s, 0, 4);
  const m = digits(s, 5, 7);
  const d = digits(s, 8, 10);
  return y < 0 || m < 0 || d < 0 ? null : [y, m, d];
}

/** Whole years between a `YYYY-MM-DD` birth date and a `YYYY-MM-DD` reference date. */
export function ageInYears(dateOfBirth: string, on: string): number {
  // Plain dates (all the schema allows) are read digit by digit; anything else the general way.
  const [by, bm, bd] =
    plainDate(dateOfBirth) ?? (dateOfBirth.split("-").map(Number) as [number, number, number]);
  const [y, m, d] = plainDate(on) ?? (on.split("-").map(Number) as [number, number, number]);
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

const refuse = (
  mapping: Mapping,
  a: OasysAssessment,
  reason: RefusalReason,
  detail: string,
): MappingRefusal => ({
  code: "BRIDGE_E_MAPPING_REFUSED",
  reason,
  assessmentPk: a.assessmentPk,
  mappingVersion: mapping.spec.version,
  detail,
});

/** A refusal, or null when the assessment may be mapped. Checked in this order. */
export function refusalFor(mapping: Mapping, a: OasysAssessment): MappingRefusal | null {
  const g = mapping.spec.gates;
  if (!g.acceptedAssessmentTypes.includes(a.type)) {
    return refuse(
      mapping,
      a,
      "UNSUPPORTED_ASSESSMENT_TYPE",
      `assessment type ${a.type} is not mapped to ARMS (accepted: ${g.acceptedAssessmentTypes.join(", ")})`,
    );
  }
  if (g.refuseWhenLaterCompleteExists && a.later.laterCompleteAssessmentExists === true) {
    const when = a.later.latestCompleteDate ? ` (completed ${a.later.latestCompleteDate.slice(0, 10)})` : "";
    return refuse(
      mapping,
      a,
      "SUPERSEDED_BY_LATER_COMPLETE",
      `a later complete OASys assessment exists${when}; map that one instead (ST-2)`,
    );
  }
  if (g.requireAnyIdentifier.length > 0) {
    let valid = false;
    for (const k of g.requireAnyIdentifier) if (a.offender[k]?.valid === true) valid = true;
    if (!valid) {
      return refuse(
        mapping,
        a,
        "NO_VALID_IDENTIFIER",
        `no check-valid ${g.requireAnyIdentifier.join(", ")}: the draft could not be attached to a person`,
      );
    }
  }
  return null;
}

/** The gates that apply to an assessment that is mapped. `today` is `YYYY-MM-DD`. */
export function activeGates(mapping: Mapping, a: OasysAssessment, today: string): ActiveGate[] {
  const g = mapping.spec.gates;
  const gates: ActiveGate[] = [];
  const manual = "identity and evidence only; route to manual handling";
  if (!g.applicability.genders.includes(a.offender.gender)) {
    gates.push({
      gate: "GENDER_NOT_ELIGIBLE",
      reason: `gender ${a.offender.gender}: ARMS is designed for adult males (ID-5); ${manual}`,
      withholds: APPLICABILITY,
    });
  }
  const on = a.dateCompleted?.slice(0, 10) ?? today;
  if (a.offender.dateOfBirth === null) {
    gates.push({
      gate: "AGE_NOT_KNOWN",
      reason: `no date of birth: cannot confirm the subject is ${g.applicability.minimumAgeYears} or over (ID-5); ${manual}`,
      withholds: APPLICABILITY,
    });
  } else {
    const age = ageInYears(a.offender.dateOfBirth, on);
    if (age < g.applicability.minimumAgeYears) {
      const onWhat = a.dateCompleted ? `the assessment's completion (${on})` : `today (${on}; not completed)`;
      gates.push({
        gate: "UNDER_MINIMUM_AGE",
        reason: `aged ${age} at ${onWhat}: under ${g.applicability.minimumAgeYears} (ID-5); ${manual}`,
        withholds: APPLICABILITY,
      });
    }
  }
  if (g.applicability.excludeLimitedAccessOffenders && a.offender.limitedAccessOffender) {
    gates.push({
      gate: "LIMITED_ACCESS_OFFENDER",
      reason: `limited access offender (ID-6): ratings and narrative only for an authorised user; ${manual}`,
      withholds: APPLICABILITY,
    });
  }
  let sectionless: MappingGates["sectionlessPurposes"][number] | undefined;
  for (const p of g.sectionlessPurposes) {
    if (p.code === a.purposeCode) {
      sectionless = p;
      break;
    }
  }
  if (sectionless) {
    gates.push({
      gate: "SECTIONLESS_PURPOSE",
      reason: `purpose ${sectionless.code} (${sectionless.label}) carries no sections, RoSH summary or plan: absent items are not read as "no problem"`,
      withholds: ["RATING", "EVIDENCE", "NARRATIVE"],
    });
  }
  if (!g.ratingsRequireStatus.includes(a.status)) {
    gates.push({
      gate: "STATUS_NOT_RATEABLE",
      reason: `assessment status ${a.status}: no ratings or static risk from an assessment that is not ${g.ratingsRequireStatus.join(" or ")} (ST-1)`,
      withholds: ["RATING", "STATIC_RISK"],
    });
  }
  return gates;
}

/** The first active gate that withholds a class of field, or null. */
export const withheldBy = (gates: ActiveGate[], kind: FieldClass): ActiveGate | null =>
  gates.find((g) => g.withholds.includes(kind)) ?? null;

/** `withheldBy` for every class at once, and the SECTIONLESS_PURPOSE gate when active. */
export interface Withheld {
  RATING: ActiveGate | null;
  STATIC_RISK: ActiveGate | null;
  MAPPA: ActiveGate | null;
  NARRATIVE: ActiveGate | null;
  EVIDENCE: ActiveGate | null;
  sectionless: ActiveGate | null;
}

const NONE_WITHHELD: Withheld = Object.freeze({
  RATING: null,
  STATIC_RISK: null,
  MAPPA: null,
  NARRATIVE: null,
  EVIDENCE: null,
  sectionless: null,
});

export function withholdings(gates: ActiveGate[]): Withheld {
  if (gates.length === 0) return NONE_WITHHELD;
  return {
    RATING: withheldBy(gates, "RATING"),
    STATIC_RISK: withheldBy(gates, "STATIC_RISK"),
    MAPPA: withheldBy(gates, "MAPPA"),
    NARRATIVE: withheldBy(gates, "NARRATIVE"),
    EVIDENCE: withheldBy(gates, "EVIDENCE"),
    sectionless: gates.find((g) => g.gate === "SECTIONLESS_PURPOSE") ?? null,
  };
}
