/**
 * The ORDS assessment list (`allasslist/prob/{crn}/{lao}`): the person's assessments, newest or oldest
 * first as OASys sends them, for choosing which to pull. Pure.
 */
import type { AssessmentStatus, AssessmentType, PartcompStatus } from "../../core/oasys/model.ts";
import {
  normaliseAssessmentType,
  normaliseFlag,
  normaliseLocalDateTime,
  normalisePartcomp,
  normaliseStatus,
} from "../../core/oasys/normalise.ts";
import { BadOrdsBody, isRecord } from "./payload.ts";

export interface AssessmentListEntry {
  assessmentPk: number;
  /** Null when OASys sent a type or status the bridge does not know. */
  type: AssessmentType | null;
  status: AssessmentStatus | null;
  partcompStatus: PartcompStatus | null;
  initiationDate: string | null;
  completedDate: string | null;
}

export interface AssessmentTimeline {
  limitedAccessOffender: boolean | null;
  assessments: AssessmentListEntry[];
}

export function readTimeline(body: unknown, endpoint: string): AssessmentTimeline {
  if (!isRecord(body)) throw new BadOrdsBody(endpoint, "body is not a JSON object");
  const timeline = body.timeline ?? [];
  if (!Array.isArray(timeline)) throw new BadOrdsBody(endpoint, "timeline is not an array");
  const assessments = timeline.map((t, i): AssessmentListEntry => {
    if (!isRecord(t)) throw new BadOrdsBody(endpoint, `timeline entry ${i + 1} is not an object`);
    const pk = Number(t.assessmentPk);
    if (!Number.isSafeInteger(pk) || pk < 1) {
      throw new BadOrdsBody(endpoint, `timeline entry ${i + 1} has no assessment pk`);
    }
    return {
      assessmentPk: pk,
      type: normaliseAssessmentType(t.assessmentType),
      status: normaliseStatus(t.status),
      partcompStatus: normalisePartcomp(t.partcompStatus),
      initiationDate: normaliseLocalDateTime(t.initiationDate),
      completedDate: normaliseLocalDateTime(t.completedDate),
    };
  });
  return { limitedAccessOffender: normaliseFlag(body.limitedAccessOffender), assessments };
}
