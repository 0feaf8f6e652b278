/**
 * Shapes of ORDS response bodies, checked just enough to extract from them safely. Every ORDS payload is
 * an envelope `{source, inputs: {laoPrivilege, assessmentPk?}, <person header>, assessments: [ ... ]}`;
 * the per-assessment fields sit in the `assessments[]` entry (domain brief §2.2, §2.10; ARNS wiremock).
 * Pure: no IO.
 */
import type { Extra } from "../../core/oasys/model.ts";

export type OrdsRecord = Record<string, unknown>;

export const isRecord = (v: unknown): v is OrdsRecord =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** The body's shape is not an ORDS envelope: an `ORDS_BAD_RESPONSE`. */
export class BadOrdsBody extends Error {
  constructor(
    readonly endpoint: string,
    reason: string,
  ) {
    super(`${endpoint}: ${reason}`);
    this.name = "BadOrdsBody";
  }
}

/** The body is about another assessment than the one asked for: a record-level rejection. */
export class OrdsPkMismatch extends Error {
  constructor(
    readonly endpoint: string,
    readonly askedPk: number,
    readonly answeredPk: string,
  ) {
    super(`${endpoint} answered for assessment pk ${answeredPk}, not the pk ${askedPk} asked for`);
    this.name = "OrdsPkMismatch";
  }
}

function pkText(v: unknown): string | null {
  return typeof v === "number" || (typeof v === "string" && v.trim() !== "") ? String(v).trim() : null;
}

/**
 * The `assessments[]` entry for `pk` in an assessment-scoped body (section, RoSH summary, risk scores).
 * The envelope's `inputs.assessmentPk` and each entry's `assessmentPk`, where present, must be `pk`;
 * bodies that carry no pk at all (the section 3-12 payloads) must hold exactly one entry.
 */
export function assessmentEntry(body: unknown, endpoint: string, pk: number): OrdsRecord {
  if (!isRecord(body)) throw new BadOrdsBody(endpoint, "body is not a JSON object");
  const inputs = body.inputs;
  const askedFor = isRecord(inputs) ? pkText(inputs.assessmentPk) : null;
  if (askedFor !== null && askedFor !== String(pk)) throw new OrdsPkMismatch(endpoint, pk, askedFor);
  const list = body.assessments;
  if (!Array.isArray(list)) throw new BadOrdsBody(endpoint, "body has no assessments array");
  if (list.length === 0) throw new BadOrdsBody(endpoint, "assessments array is empty");
  if (!list.every(isRecord)) throw new BadOrdsBody(endpoint, "an assessments entry is not an object");
  const entries = list as OrdsRecord[];
  const withPk = entries.filter((e) => pkText(e.assessmentPk) !== null);
  if (withPk.length === 0) {
    if (entries.length !== 1) {
      throw new BadOrdsBody(endpoint, `${entries.length} assessments entries and none names its pk`);
    }
    return entries[0] as OrdsRecord;
  }
  const match = withPk.find((e) => pkText(e.assessmentPk) === String(pk));
  if (!match) throw new OrdsPkMismatch(endpoint, pk, pkText(withPk[0]?.assessmentPk) as string);
  return match;
}

/**
 * The entry for `pk` in a person-scoped body that lists several assessments (the RMP: `rmp/{crn}`).
 * Null when the person has no entry for that assessment.
 */
export function findAssessmentEntry(body: unknown, endpoint: string, pk: number): OrdsRecord | null {
  if (!isRecord(body)) throw new BadOrdsBody(endpoint, "body is not a JSON object");
  const list = body.assessments;
  if (list === undefined || list === null) return null;
  if (!Array.isArray(list)) throw new BadOrdsBody(endpoint, "assessments is not an array");
  return (list.filter(isRecord) as OrdsRecord[]).find((e) => pkText(e.assessmentPk) === String(pk)) ?? null;
}

/**
 * A JSON scalar as the raw string `buildAssessment` expects: strings as given, numbers and booleans as
 * their JSON text, null/absent as null. Objects and arrays are not scalars (`undefined`).
 */
export function rawScalar(v: unknown): string | null | undefined {
  if (v === null || v === undefined) return null;
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return undefined;
}

/**
 * Carry a field the model has no place for as raw extras, so nothing the source held is dropped. Objects
 * are flattened to one extra per leaf (`ords:section1.assessor.name`); arrays are kept as JSON text.
 * Null, blank and empty-array values carry nothing and are skipped.
 */
export function carryExtra(extras: Extra[], path: string, value: unknown): void {
  if (value === null || value === undefined) return;
  if (typeof value === "string") {
    if (value.trim() !== "") extras.push({ path, raw: value });
    return;
  }
  if (Array.isArray(value) && value.length === 0) return;
  if (isRecord(value)) {
    for (const [k, v] of Object.entries(value)) carryExtra(extras, `${path}.${k}`, v);
    return;
  }
  extras.push({
    path,
    raw: typeof value === "number" || typeof value === "boolean" ? String(value) : JSON.stringify(value),
  });
}
