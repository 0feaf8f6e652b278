/** Building conflicts and their evidence, so every rule names its sources the same way. */
import type { ArmsAssessment } from "../arms/model.ts";
import type { OasysAssessment } from "../oasys/model.ts";
import { calendarDate } from "./dates.ts";
import type { Conflict, DeliusRegistrations, Evidence, RuleMeta, Severity } from "./types.ts";

type Value = Evidence["value"];

/** OASys record reference: the assessment pk. */
export const oasysRecord = (o: OasysAssessment): string => String(o.assessmentPk);
/** ARMS record reference: assessment id and revision (`ARMS-ESX-000123@3`). */
export const armsRecord = (a: ArmsAssessment): string => `${a.armsAssessmentId}@${a.revision}`;

export const fromOasys = (o: OasysAssessment, field: string, value: Value): Evidence => ({
  side: "OASYS",
  field,
  value,
  record: oasysRecord(o),
  date: calendarDate(o.dateCompleted),
});

export const fromArms = (a: ArmsAssessment, field: string, value: Value): Evidence => ({
  side: "ARMS",
  field,
  value,
  record: armsRecord(a),
  date: a.assessedOn ?? null,
});

export const fromDelius = (r: DeliusRegistrations, field: string, value: Value): Evidence => ({
  side: "DELIUS",
  field,
  value,
  record: "DELIUS:registrations",
  date: r.asOf,
});

/** A value the bridge computed (a gap, an age, a digest comparison), dated the comparison day. */
export const fromBridge = (field: string, value: Value, today: string): Evidence => ({
  side: "BRIDGE",
  field,
  value,
  record: null,
  date: today,
});

/**
 * A conflict raised under `meta`: its id and severity come from the catalogue entry, so a rule cannot
 * raise under a severity the catalogue does not document. `about` completes the stable fingerprint.
 */
export function conflict(meta: RuleMeta, about: string, explanation: string, evidence: Evidence[]): Conflict {
  if (meta.severity === null) throw new Error(`${meta.id} is a gate that raises nothing`);
  return {
    ruleId: meta.id,
    severity: meta.severity as Severity,
    explanation,
    evidence,
    fingerprint: `${meta.id}:${about}`,
  };
}
