/**
 * ARMS revision ordering (contract §3): police re-send an ARMS assessment under the same
 * `armsAssessmentId` with a higher `revision` when it is corrected or updated.
 *
 * Decisions, whatever order documents arrive in:
 * - a higher revision of the same assessment supersedes the one held;
 * - a lower revision arriving late never overwrites a newer one (it is ignored, and reported as such);
 * - the same revision with the same content is a harmless re-delivery (ignored);
 * - the same revision with DIFFERENT content is a CONFLICT: police have two versions of one revision.
 *   The revision held first is kept and the other is reported, never silently swapped in, because
 *   neither can be shown to be the later one. A person resolves it (usually police re-send as n+1).
 *
 * "Same content" is structural JSON equality with object keys in any order.
 */
import { BridgeError } from "../../errors.ts";
import { canonicalJson } from "../canonical-json.ts";
import type { ArmsAssessment } from "./model.ts";

export type RevisionDecision =
  | { action: "ACCEPT"; reason: "FIRST_REVISION" | "NEWER_REVISION" }
  | { action: "IGNORE"; reason: "OLDER_REVISION" | "SAME_CONTENT" }
  | { action: "CONFLICT"; reason: "SAME_REVISION_DIFFERENT_CONTENT" };

/** Orders by `armsAssessmentId` (code-unit order), then by revision, oldest first. A total order for sorting. */
export function compareRevisions(a: ArmsAssessment, b: ArmsAssessment): number {
  if (a.armsAssessmentId !== b.armsAssessmentId) return a.armsAssessmentId < b.armsAssessmentId ? -1 : 1;
  return a.revision - b.revision;
}

export const sameContent = (a: ArmsAssessment, b: ArmsAssessment): boolean =>
  canonicalJson(a) === canonicalJson(b);

/**
 * What to do with `candidate` when `current` (same assessment) is already held. Throws when the two are
 * different ARMS assessments: comparing their revisions is a programming error.
 */
export function decideRevision(candidate: ArmsAssessment, current: ArmsAssessment | null): RevisionDecision {
  if (current === null) return { action: "ACCEPT", reason: "FIRST_REVISION" };
  if (candidate.armsAssessmentId !== current.armsAssessmentId) {
    throw new BridgeError("BRIDGE_E_INTERNAL", "revisions of different ARMS assessments were compared", {
      candidate: candidate.armsAssessmentId,
      current: current.armsAssessmentId,
    });
  }
  if (candidate.revision > current.revision) return { action: "ACCEPT", reason: "NEWER_REVISION" };
  if (candidate.revision < current.revision) return { action: "IGNORE", reason: "OLDER_REVISION" };
  return sameContent(candidate, current)
    ? { action: "IGNORE", reason: "SAME_CONTENT" }
    : { action: "CONFLICT", reason: "SAME_REVISION_DIFFERENT_CONTENT" };
}

/** True when `candidate` should replace `current` (a strictly higher revision of the same assessment). */
export const supersedes = (candidate: ArmsAssessment, current: ArmsAssessment | null): boolean =>
  decideRevision(candidate, current).action === "ACCEPT";

/** The outcome of folding every received revision of one ARMS assessment, in arrival order. */
export interface RevisionSelection {
  armsAssessmentId: string;
  latest: ArmsAssessment;
  /** Documents at the latest revision whose content differs from `latest`: a conflict to report. */
  conflicting: ArmsAssessment[];
  /** Older revisions and exact re-deliveries that did not change the result. */
  superseded: ArmsAssessment[];
}

/**
 * The latest revision of each ARMS assessment in `docs` (taken in arrival order), one selection per
 * `armsAssessmentId` in order of first appearance. The highest revision wins wherever it arrived; at a
 * tied highest revision with different content the first received is kept and the others are listed as
 * `conflicting`.
 */
export function latestRevisions(docs: readonly ArmsAssessment[]): RevisionSelection[] {
  const byId = new Map<string, RevisionSelection>();
  for (const doc of docs) {
    const held = byId.get(doc.armsAssessmentId);
    if (!held) {
      byId.set(doc.armsAssessmentId, {
        armsAssessmentId: doc.armsAssessmentId,
        latest: doc,
        conflicting: [],
        superseded: [],
      });
      continue;
    }
    const decision = decideRevision(doc, held.latest);
    if (decision.action === "ACCEPT") {
      held.superseded.push(held.latest, ...held.conflicting);
      held.latest = doc;
      held.conflicting = [];
    } else if (decision.action === "IGNORE") {
      held.superseded.push(doc);
    } else if (!held.conflicting.some((c) => sameContent(c, doc))) {
      held.conflicting.push(doc);
    } else {
      held.superseded.push(doc);
    }
  }
  return [...byId.values()];
}

/**
 * The latest revision of ONE ARMS assessment; null when `docs` is empty. Throws when `docs` hold more
 * than one `armsAssessmentId` (use `latestRevisions`).
 */
export function latestRevision(docs: readonly ArmsAssessment[]): RevisionSelection | null {
  const selections = latestRevisions(docs);
  if (selections.length > 1) {
    throw new BridgeError("BRIDGE_E_INTERNAL", "latestRevision was given more than one ARMS assessment", {
      armsAssessmentIds: selections.map((s) => s.armsAssessmentId),
    });
  }
  return selections[0] ?? null;
}
