/**
 * Choosing the ARMS assessment for an OASys person among several candidates (everything police hold under
 * the same PNC or CRN). The per-pair decision is `matchPerson` (match.ts).
 */
import type { ArmsAssessment } from "../arms/model.ts";
import { latestRevisions } from "../arms/revisions.ts";
import type { OasysAssessment } from "../oasys/model.ts";
import { pncPivotYear } from "./identifiers.ts";
import { compact, LABEL, list, type MatchOptions, matchPerson, parser, present } from "./match.ts";
import type { IdentityField, IdentityMarker, MatchResult } from "./match-types.ts";
import { normaliseFamilyName } from "./names.ts";

/** `matchAmong`'s answer: the result, the ARMS assessment it chose (absent unless one could be chosen). */
export interface MatchAmongResult {
  result: MatchResult;
  candidate?: ArmsAssessment;
  /** `armsAssessmentId`s of every candidate that linked by a key (for the data-team view). */
  linkedIds: string[];
}

const IDENTITY_FIELDS = ["pnc", "crn", "dateOfBirth", "familyName"] as const;

/** Fields on which the linked ARMS subjects contradict each other (both present, different). */
function subjectsDisagreeOn(linked: ArmsAssessment[], options: MatchOptions): IdentityField[] {
  const fields: IdentityField[] = [];
  for (const field of IDENTITY_FIELDS) {
    const values = new Set<string>();
    for (const arms of linked) {
      const raw = arms.subject[field];
      if (!present(raw)) continue;
      if (field === "familyName") values.add(normaliseFamilyName(raw) ?? "");
      else if (field === "dateOfBirth") values.add(raw.trim());
      else {
        const p = parser(field, pncPivotYear(options.today ?? arms.assessedOn))(raw);
        if (p.status !== "ABSENT") values.add(p.canonical ?? compact(raw));
      }
    }
    if (values.size > 1) fields.push(field);
  }
  return fields;
}

function ambiguous(
  evaluated: { arms: ArmsAssessment; result: MatchResult }[],
  why: string,
): MatchAmongResult {
  const keys = new Set(evaluated.flatMap((e) => e.result.matchedOn));
  const markers = new Set<IdentityMarker>(evaluated.flatMap((e) => e.result.markers));
  markers.add("DUPLICATE_CANDIDATES");
  return {
    result: {
      status: "AMBIGUOUS",
      matchedOn: (["PNC", "CRN"] as const).filter((k) => keys.has(k)),
      confirmedBy: [],
      disagreements: [],
      markers: [...markers],
      identifierProblems: [],
      explanation: `${evaluated.length} ARMS assessments link to this person and ${why}: a person must choose.`,
    },
    linkedIds: evaluated.map((e) => e.arms.armsAssessmentId),
  };
}

/**
 * Choose the ARMS assessment for an OASys person among several candidates (e.g. everything police hold
 * under the same PNC or CRN).
 *
 * - Revisions of one `armsAssessmentId` are first collapsed to the latest (see `revisions.ts`); a
 *   same-revision conflict is not reported here: callers that hold revisions use `latestRevisions`.
 * - No candidate links: NO_MATCH. Exactly one links: its own result (MATCHED or MISMATCH).
 * - Several link and their subjects contradict each other (PNC, CRN, date of birth or family name both
 *   present and different): AMBIGUOUS, whatever their strength. Police hold two identities that both
 *   claim this person, and nobody should guess.
 * - Several link and their subjects agree: they are successive ARMS assessments of the same police
 *   nominal; the one assessed most recently is chosen. Two assessed on the same day: AMBIGUOUS
 *   (duplicates; no basis to prefer one).
 */
export function matchAmong(
  oasys: OasysAssessment,
  candidates: readonly ArmsAssessment[],
  options: MatchOptions = {},
): MatchAmongResult {
  const evaluated = latestRevisions(candidates).map((s) => ({
    arms: s.latest,
    result: matchPerson(oasys, s.latest, options),
  }));
  const linked = evaluated.filter((e) => e.result.matchedOn.length > 0);
  const [first, second] = linked;

  if (!first) {
    const only = evaluated.length === 1 ? evaluated[0] : undefined;
    if (only) return { result: only.result, linkedIds: [] };
    return {
      result: {
        status: "NO_MATCH",
        matchedOn: [],
        confirmedBy: [],
        disagreements: [],
        markers: [],
        identifierProblems: [],
        explanation:
          evaluated.length === 0
            ? "No ARMS assessment to match against."
            : `None of ${evaluated.length} ARMS assessments links by PNC or CRN.`,
      },
      linkedIds: [],
    };
  }
  if (!second)
    return { result: first.result, candidate: first.arms, linkedIds: [first.arms.armsAssessmentId] };

  const contradicted = subjectsDisagreeOn(
    linked.map((e) => e.arms),
    options,
  );
  if (contradicted.length > 0) {
    return ambiguous(linked, `disagree with each other on ${list(contradicted.map((f) => LABEL[f]))}`);
  }
  const byDate = [...linked].sort((a, b) => (b.arms.assessedOn ?? "").localeCompare(a.arms.assessedOn ?? ""));
  const [latest, runnerUp] = byDate as [(typeof linked)[number], (typeof linked)[number]];
  if ((latest.arms.assessedOn ?? "") === (runnerUp.arms.assessedOn ?? "")) {
    return ambiguous(linked, "the most recent were assessed on the same day");
  }
  return {
    result: {
      ...latest.result,
      explanation: `${latest.result.explanation} Most recent of ${linked.length} ARMS assessments of the same police subject.`,
    },
    candidate: latest.arms,
    linkedIds: linked.map((e) => e.arms.armsAssessmentId),
  };
}
