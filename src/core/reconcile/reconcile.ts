/**
 * Reconciliation of one person: the latest valid OASys assessment and the latest ARMS revision, how
 * strongly they are the same person, the pre-filled ARMS draft, the conflicts between the two agencies'
 * judgements, and what each agency should be sent. Pure: no IO, `today` is a parameter.
 *
 * The bridge proposes and flags; it never changes either agency's judgement. Nothing is proposed for
 * sending on a weak or contradicted match, or while a conflict whose severity holds pushes (BLOCK, WARN:
 * `pushPolicy`) awaits a reviewer's decision (rule PU-1).
 */
import type { ArmsDraft } from "../arms/draft.ts";
import type { ArmsAssessment } from "../arms/model.ts";
import { describeHold, evaluateConflicts, type PushGate, pushGate } from "../conflicts/index.ts";
import type { Conflict, DeliusRegistrations, Thresholds, TriggerEvent } from "../conflicts/types.ts";
import { matchAmong } from "../identity/match-among.ts";
import type { MatchResult } from "../identity/match-types.ts";
import { applyMapping } from "../mapping/apply.ts";
import type { MappingRefusal } from "../mapping/gates.ts";
import type { Mapping } from "../mapping/spec.ts";
import type { OasysAssessment } from "../oasys/model.ts";
import { type PartnerRiskUpdate, partnerRiskUpdate } from "./outbound.ts";
import { latestOasys, type PersonGroup } from "./persons.ts";

export interface ReconcileDeps {
  mapping: Mapping;
  thresholds: Thresholds;
  /** `YYYY-MM-DD`. */
  today: string;
}

/** Facts from outside OASys/ARMS, when a feed provides them. */
export interface PersonFeeds {
  registrations?: DeliusRegistrations | null;
  events?: readonly TriggerEvent[];
}

export interface Outbound {
  /** ARMS draft for police (contract §4), or null with the reason in `withheld`. */
  police: ArmsDraft | null;
  /** Partner risk update for probation (contract §4), or null with the reason in `withheld`. */
  probation: PartnerRiskUpdate | null;
  /** Why something is not proposed for sending, one line each. */
  withheld: string[];
}

export interface PersonReconciliation {
  personKey: string;
  subject: {
    pnc: string | null;
    crn: string | null;
    oasysAssessmentPk: number | null;
    armsAssessmentId: string | null;
    armsRevision: number | null;
  };
  oasys: OasysAssessment | null;
  arms: ArmsAssessment | null;
  match: MatchResult;
  draft: ArmsDraft | null;
  draftRefusal: MappingRefusal | null;
  conflicts: Conflict[];
  push: PushGate;
  outbound: Outbound;
}

function noOasysMatch(arms: ArmsAssessment | null): MatchResult {
  return {
    status: "NO_MATCH",
    matchedOn: [],
    confirmedBy: [],
    disagreements: [],
    markers: [],
    explanation: arms
      ? "No OASys assessment links to this ARMS assessment by PNC or CRN."
      : "No records to match.",
  };
}

/** The latest ARMS assessment of a group when there is no OASys record to choose with. */
function latestArmsAlone(arms: ArmsAssessment[]): ArmsAssessment | null {
  return (
    [...arms].sort(
      (a, b) =>
        (b.assessedOn ?? "").localeCompare(a.assessedOn ?? "") ||
        a.armsAssessmentId.localeCompare(b.armsAssessmentId) ||
        b.revision - a.revision,
    )[0] ?? null
  );
}

export function reconcilePerson(
  group: PersonGroup,
  deps: ReconcileDeps,
  feeds: PersonFeeds = {},
): PersonReconciliation {
  const oasys = latestOasys(group.oasys);
  let arms: ArmsAssessment | null;
  let match: MatchResult;
  if (oasys) {
    const chosen = matchAmong(oasys, group.arms, { today: deps.today });
    arms = chosen.candidate ?? null;
    match = chosen.result;
  } else {
    arms = latestArmsAlone(group.arms);
    match = noOasysMatch(arms);
  }

  const mapped = oasys ? applyMapping(deps.mapping, oasys, { today: deps.today }) : null;
  const draft = mapped?.ok ? mapped.draft : null;
  const draftRefusal = mapped && !mapped.ok ? mapped.refusal : null;

  const conflicts = evaluateConflicts(
    {
      oasys,
      arms,
      match,
      registrations: feeds.registrations ?? null,
      today: deps.today,
      draft,
      events: feeds.events ?? [],
    },
    deps.thresholds,
  );
  const push = pushGate(conflicts, deps.thresholds.pushPolicy);

  return {
    personKey: group.key,
    subject: {
      pnc: oasys?.offender.pnc?.canonical ?? arms?.subject.pnc ?? null,
      crn: oasys?.offender.crn?.canonical ?? arms?.subject.crn ?? null,
      oasysAssessmentPk: oasys?.assessmentPk ?? null,
      armsAssessmentId: arms?.armsAssessmentId ?? null,
      armsRevision: arms?.revision ?? null,
    },
    oasys,
    arms,
    match,
    draft,
    draftRefusal,
    conflicts,
    push,
    outbound: outboundFor({ oasys, arms, match, draft, draftRefusal, conflicts, push }),
  };
}

/**
 * What each agency should be sent, and why anything is held back. Exported for the delivery step, which
 * re-applies it with the push gate as the store sees it (decided conflicts no longer hold a push back).
 */
export function outboundFor(
  r: Pick<PersonReconciliation, "oasys" | "arms" | "match" | "draft" | "draftRefusal" | "conflicts" | "push">,
): Outbound {
  const withheld: string[] = [];
  if (!r.push.allowed) {
    withheld.push(
      `PU-1: ${describeHold(r.push)} conflict(s) await a reviewer's decision (${r.push.blockedBy.join(", ")}); nothing is sent until they are decided`,
    );
    return { police: null, probation: null, withheld };
  }
  const matched = r.match.status === "MATCHED";
  const newNominal =
    r.arms === null && r.match.status === "NO_MATCH" && r.oasys?.offender.pnc?.valid === true;

  let police: ArmsDraft | null = null;
  if (!r.oasys) withheld.push("police: no OASys assessment to pre-fill from");
  else if (!r.draft) withheld.push(`police: no draft (${r.draftRefusal?.reason ?? "mapping refused"})`);
  else if (matched || newNominal) police = r.draft;
  else
    withheld.push(
      `police: identity ${r.match.status}; drafts are sent only on a confirmed match or for a new nominal with a check-valid PNC`,
    );

  let probation: PartnerRiskUpdate | null = null;
  if (!r.arms) withheld.push("probation: no ARMS assessment to report");
  else if (!r.oasys || !matched)
    withheld.push(`probation: identity ${r.match.status}; updates are sent only on a confirmed match`);
  else probation = partnerRiskUpdate(r.oasys, r.arms, r.conflicts);

  return { police, probation, withheld };
}
