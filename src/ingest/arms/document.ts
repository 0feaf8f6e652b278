/**
 * Checks one inbound ARMS interchange document (contract §3): JSON Schema
 * (`schemas/arms-interchange.schema.json`), then the rules a schema cannot say. Pure, so the file reader
 * and (step 4) the HTTP route share it.
 *
 * Semantic rules for inbound documents:
 * - `status` must be COMPLETE: the bridge takes in completed police assessments; drafts only go out.
 * - a COMPLETE document has a `force`, an `assessedOn` date and a `riskLevel` (the schema lets them be null).
 * - draft-only members (`prefill`, `unfilledReason`, `oasysEvidence`) are refused on a COMPLETE document:
 *   they are the bridge's own provenance and must never come back dressed as a police judgement.
 * - dates are real calendar dates; `nextReviewDue` is not before `assessedOn`; `dateOfBirth` is not
 *   after `assessedOn`.
 *
 * Reasons name fields and rules, never values: a subject's details must not reach an error message.
 */
import type { ArmsAssessment } from "../../core/arms/model.ts";
import { quoteInput } from "../../core/personal-fields.ts";
import { validateAgainst } from "../../core/schemas.ts";

export const ARMS_SCHEMA_FILE = "arms-interchange.schema.json";

export interface DocumentOptions {
  /** Refuse anything but `status: "COMPLETE"` (default true: inbound documents). */
  requireComplete?: boolean;
}

export type DocumentCheck = { ok: true; arms: ArmsAssessment } | { ok: false; path: string; reason: string };

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/;

/** The document's own id and revision, when they are usable to name it in an error. */
export function documentIdentity(doc: unknown): { armsAssessmentId: string | null; revision: number | null } {
  if (doc === null || typeof doc !== "object" || Array.isArray(doc))
    return { armsAssessmentId: null, revision: null };
  const { armsAssessmentId, revision } = doc as Record<string, unknown>;
  return {
    armsAssessmentId:
      typeof armsAssessmentId === "string" && ID_PATTERN.test(armsAssessmentId) ? armsAssessmentId : null,
    revision: typeof revision === "number" && Number.isInteger(revision) ? revision : null,
  };
}

/** True for a real `YYYY-MM-DD` calendar date. */
export function isRealDate(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const dt = new Date(Date.UTC(y, mo - 1, d));
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === mo - 1 && dt.getUTCDate() === d;
}

const DRAFT_ONLY = ["prefill", "unfilledReason", "oasysEvidence"] as const;

/** JSON pointer of the first draft-only member in the document, or null. */
function firstDraftOnlyMember(doc: ArmsAssessment): string | null {
  const holders: [string, unknown][] = [
    ["/subject", doc.subject],
    ["/staticRisk", doc.staticRisk],
    ["/mappa", doc.mappa],
    ...Object.entries(doc.riskFactors).map(([k, v]) => [`/riskFactors/${k}`, v] as [string, unknown]),
    ...Object.entries(doc.protectiveFactors).map(
      ([k, v]) => [`/protectiveFactors/${k}`, v] as [string, unknown],
    ),
  ];
  for (const [path, holder] of holders) {
    if (holder === null || typeof holder !== "object") continue;
    for (const member of DRAFT_ONLY) if (member in holder) return `${path}/${member}`;
  }
  return null;
}

/** Schema then semantic checks; the first problem found, or the typed document. */
export function checkArmsDocument(doc: unknown, options: DocumentOptions = {}): DocumentCheck {
  const problem = validateAgainst(ARMS_SCHEMA_FILE, doc);
  if (problem) return { ok: false, ...problem };
  const arms = doc as ArmsAssessment;

  if ((options.requireComplete ?? true) && arms.status !== "COMPLETE") {
    return {
      ok: false,
      path: "/status",
      reason: `inbound ARMS assessments must be COMPLETE, not ${quoteInput("/status", String(arms.status))}`,
    };
  }
  if (arms.status === "COMPLETE") {
    for (const field of ["force", "assessedOn", "riskLevel"] as const) {
      if (arms[field] === null || arms[field] === undefined) {
        return { ok: false, path: `/${field}`, reason: "is required on a COMPLETE assessment" };
      }
    }
    const draftOnly = firstDraftOnlyMember(arms);
    if (draftOnly) {
      return {
        ok: false,
        path: draftOnly,
        reason: "draft-only member is not allowed on a COMPLETE assessment",
      };
    }
  }
  const dates: [string, string | null | undefined][] = [
    ["/assessedOn", arms.assessedOn],
    ["/nextReviewDue", arms.nextReviewDue],
    ["/subject/dateOfBirth", arms.subject.dateOfBirth],
  ];
  for (const [path, value] of dates) {
    if (typeof value === "string" && !isRealDate(value)) {
      return { ok: false, path, reason: "is not a real calendar date (YYYY-MM-DD)" };
    }
  }
  if (arms.assessedOn && arms.nextReviewDue && arms.nextReviewDue < arms.assessedOn) {
    return { ok: false, path: "/nextReviewDue", reason: "next review is due before the assessment date" };
  }
  if (arms.assessedOn && arms.subject.dateOfBirth && arms.subject.dateOfBirth > arms.assessedOn) {
    return { ok: false, path: "/subject/dateOfBirth", reason: "date of birth is after the assessment date" };
  }
  return { ok: true, arms };
}
