/**
 * The lifecycle of a conflict (pure): what a reviewer's decision or a re-evaluation does to it.
 *
 *   OPEN --ACKNOWLEDGE--> ACKNOWLEDGED --RESOLVE (decision + rationale)--> RESOLVED
 *                                      --DISMISS (rationale)------------> DISMISSED
 *   OPEN | ACKNOWLEDGED --re-evaluation finds it no longer holds (reason)--> CLOSED
 *
 * Four-eyes: how many different reviewers a decision takes is the push policy's, per severity
 * (`pushPolicy` in mappings/conflict-thresholds.yaml: BLOCK always two). Where it takes two, the first RESOLVE
 * (or DISMISS: the same gate, or dismissal would be a way round it) records a pending approval and leaves
 * the conflict ACKNOWLEDGED; the same action by a different reviewer completes it; the same reviewer again
 * is refused (BRIDGE_E_FOUR_EYES). A different reviewer proposing the other action replaces the pending
 * approval, which then awaits someone other than them. RESOLVED, DISMISSED and CLOSED are final.
 * Reviewers are compared by `actor`, the authenticated subject the API passes (never a name a caller
 * chose); their role and agency, when given, are recorded in each event's details.
 *
 * A refused action (409: BRIDGE_E_CONFLICT_TRANSITION, BRIDGE_E_FOUR_EYES) carries `validActions`, the
 * actions the conflict's current state allows (RESOLVE from OPEN is refused: ACKNOWLEDGE first).
 *
 * Nothing here reads a clock or a database: `at` is given, the result says the new state and the event to
 * append to the conflict's history.
 */

import { BridgeError } from "../../errors.ts";
import type { PushPolicy, Severity } from "../conflicts/types.ts";

export const CONFLICT_STATES = ["OPEN", "ACKNOWLEDGED", "RESOLVED", "DISMISSED", "CLOSED"] as const;
export type ConflictState = (typeof CONFLICT_STATES)[number];
/** States in which a conflict is still live: it blocks or warns, and re-evaluation may close it. */
export const LIVE_STATES: readonly ConflictState[] = ["OPEN", "ACKNOWLEDGED"];

export type ReviewAction = "ACKNOWLEDGE" | "RESOLVE" | "DISMISS";
export type FinalAction = Exclude<ReviewAction, "ACKNOWLEDGE">;

/** What the history records: the reviewer actions in the past tense, plus what re-evaluation does. */
export type ConflictEventAction =
  | "RAISED"
  | "REFRESHED"
  | "ACKNOWLEDGED"
  | "APPROVED"
  | "APPROVAL_WITHDRAWN"
  | "RESOLVED"
  | "DISMISSED"
  | "CLOSED";

/** A BLOCK conflict's first reviewer sign-off, awaiting a second, different reviewer. */
export interface PendingApproval {
  action: FinalAction;
  actor: string;
  /** The reviewer's role(s) and agency, when the request said them. */
  role?: string | null;
  agency?: string | null;
  decision: string | null;
  rationale: string;
  at: string;
}

/** The part of a conflict the lifecycle reads. */
export interface ConflictStatus {
  state: ConflictState;
  severity: Severity;
  pendingApproval: PendingApproval | null;
}

export interface ReviewRequest {
  action: ReviewAction;
  /** Who decides: the authenticated subject (an id, never a name). */
  actor: string;
  /** The reviewer's role(s) (e.g. "DATA_TEAM") and agency, recorded in the event's details. */
  role?: string | null;
  agency?: string | null;
  /** Required to resolve or dismiss. */
  rationale?: string | null;
  /** What was decided; required to resolve (e.g. "ARMS level stands; OASys RoSH to be reviewed"). */
  decision?: string | null;
  at: string;
}

export interface ConflictEvent {
  action: ConflictEventAction;
  fromState: ConflictState | null;
  toState: ConflictState;
  decision: string | null;
  rationale: string | null;
  actor: string;
  at: string;
  details: Record<string, unknown>;
}

/** The final decision, once a conflict is RESOLVED or DISMISSED. */
export interface FinalDecision {
  decision: string | null;
  rationale: string;
  /** Every reviewer who signed it off, first to last (two for a BLOCK conflict). */
  decidedBy: string[];
  /** The same reviewers with the role and agency each decided in (null when the request did not say). */
  reviewers: DecisionReviewer[];
  decidedAt: string;
}

/** A reviewer of a final decision: who, in what role, for which agency. */
export interface DecisionReviewer {
  subject: string;
  role: string | null;
  agency: string | null;
}

export interface Transition {
  state: ConflictState;
  pendingApproval: PendingApproval | null;
  final: FinalDecision | null;
  event: ConflictEvent;
}

/** Which state each reviewer action may start from. */
export const ALLOWED_FROM: Readonly<Record<ReviewAction, readonly ConflictState[]>> = {
  ACKNOWLEDGE: ["OPEN"],
  RESOLVE: ["ACKNOWLEDGED"],
  DISMISS: ["ACKNOWLEDGED"],
};

const FINAL_STATE: Readonly<Record<FinalAction, ConflictState>> = {
  RESOLVE: "RESOLVED",
  DISMISS: "DISMISSED",
};
const FINAL_EVENT: Readonly<Record<FinalAction, ConflictEventAction>> = {
  RESOLVE: "RESOLVED",
  DISMISS: "DISMISSED",
};

/** The reviewer actions a conflict in this state allows (none once it is final). */
export const validActionsFrom = (state: ConflictState): ReviewAction[] =>
  (Object.keys(ALLOWED_FROM) as ReviewAction[]).filter((action) => ALLOWED_FROM[action].includes(state));

/** Whether a decision on a conflict of this severity takes two different reviewers. */
export const needsFourEyes = (severity: Severity, policy: PushPolicy): boolean =>
  policy[severity].reviewers >= 2;
export const isLive = (state: ConflictState): boolean => LIVE_STATES.includes(state);

const present = (text: string | null | undefined): string | null => {
  const trimmed = text?.trim();
  return trimmed ? trimmed : null;
};

function incomplete(what: string, action: ReviewAction | "CLOSE"): never {
  throw new BridgeError("BRIDGE_E_DECISION_INCOMPLETE", `${action} needs ${what}`, { action });
}

/** Applies a reviewer's action, or refuses it with a registry error. */
export function review(current: ConflictStatus, request: ReviewRequest, policy: PushPolicy): Transition {
  const actor = present(request.actor) ?? incomplete("an actor", request.action);
  if (!ALLOWED_FROM[request.action].includes(current.state)) {
    const validActions = validActionsFrom(current.state);
    throw new BridgeError(
      "BRIDGE_E_CONFLICT_TRANSITION",
      `${request.action} is not allowed from ${current.state}; ${
        validActions.length > 0 ? `allowed now: ${validActions.join(", ")}` : "the conflict is final"
      }`,
      { action: request.action, state: current.state, validActions },
    );
  }
  const reviewer = request.role ? { role: request.role, agency: request.agency ?? null } : null;
  const who = reviewer ? { reviewer } : {};
  const base = { fromState: current.state, actor, at: request.at, details: who };

  if (request.action === "ACKNOWLEDGE") {
    return {
      state: "ACKNOWLEDGED",
      pendingApproval: null,
      final: null,
      event: { ...base, action: "ACKNOWLEDGED", toState: "ACKNOWLEDGED", decision: null, rationale: null },
    };
  }

  const action = request.action;
  const rationale = present(request.rationale) ?? incomplete("a rationale", action);
  const decision = present(request.decision);
  if (action === "RESOLVE" && !decision) incomplete("a decision", action);
  const approval: PendingApproval = {
    action,
    actor,
    ...(reviewer ? { role: reviewer.role, agency: reviewer.agency } : {}),
    decision,
    rationale,
    at: request.at,
  };

  const pending = current.pendingApproval;
  const fourEyes = needsFourEyes(current.severity, policy);
  if (fourEyes) {
    if (pending && pending.actor === actor) {
      throw new BridgeError(
        "BRIDGE_E_FOUR_EYES",
        "the same reviewer cannot sign off twice; another reviewer must",
        { action, state: current.state, validActions: validActionsFrom(current.state) },
      );
    }
    if (!pending || pending.action !== action) {
      return {
        state: current.state,
        pendingApproval: approval,
        final: null,
        event: {
          ...base,
          action: "APPROVED",
          toState: current.state,
          decision,
          rationale,
          details: pending
            ? {
                awaiting: "second reviewer",
                proposes: action,
                replaces: pending.action,
                replacedActor: pending.actor,
                ...who,
              }
            : { awaiting: "second reviewer", proposes: action, ...who },
        },
      };
    }
  }

  const state = FINAL_STATE[action];
  const decidedBy = pending && fourEyes ? [pending.actor, actor] : [actor];
  const reviewers: DecisionReviewer[] = [
    ...(pending && fourEyes
      ? [{ subject: pending.actor, role: pending.role ?? null, agency: pending.agency ?? null }]
      : []),
    { subject: actor, role: request.role ?? null, agency: request.agency ?? null },
  ];
  return {
    state,
    pendingApproval: null,
    final: { decision, rationale, decidedBy, reviewers, decidedAt: request.at },
    event: {
      ...base,
      action: FINAL_EVENT[action],
      toState: state,
      decision,
      rationale,
      details: {
        ...(decidedBy.length > 1 ? { decidedBy } : {}),
        ...who,
        // Who signed off, with what role and agency (the first from the pending approval).
        ...(reviewer && pending && fourEyes
          ? {
              reviewers: [
                { actor: pending.actor, role: pending.role ?? null, agency: pending.agency ?? null },
                { actor, role: reviewer.role, agency: reviewer.agency },
              ],
            }
          : {}),
      },
    },
  };
}

/** A live conflict that re-evaluation no longer finds closes itself, with the reason. */
export function closeOnReevaluation(
  current: ConflictStatus,
  reason: string,
  at: string,
  actor: string,
): Transition {
  if (!isLive(current.state)) {
    throw new BridgeError("BRIDGE_E_CONFLICT_TRANSITION", `cannot close a ${current.state} conflict`, {
      state: current.state,
    });
  }
  const why = present(reason) ?? incomplete("a reason", "CLOSE");
  return {
    state: "CLOSED",
    pendingApproval: null,
    final: null,
    event: {
      action: "CLOSED",
      fromState: current.state,
      toState: "CLOSED",
      decision: null,
      rationale: why,
      actor,
      at,
      details: current.pendingApproval ? { withdrawnApproval: current.pendingApproval.actor } : {},
    },
  };
}

/**
 * A live conflict that still holds keeps its id, state and history; when its evidence changed, a pending
 * four-eyes approval is withdrawn (the first reviewer signed off different evidence) and the change is
 * recorded. Returns null when nothing changed.
 */
export function refreshOnReevaluation(
  current: ConflictStatus,
  evidenceChanged: boolean,
  reason: string,
  at: string,
  actor: string,
): Transition | null {
  if (!isLive(current.state)) {
    throw new BridgeError("BRIDGE_E_CONFLICT_TRANSITION", `cannot refresh a ${current.state} conflict`, {
      state: current.state,
    });
  }
  if (!evidenceChanged) return null;
  const withdrawn = current.pendingApproval;
  return {
    state: current.state,
    pendingApproval: null,
    final: null,
    event: {
      action: withdrawn ? "APPROVAL_WITHDRAWN" : "REFRESHED",
      fromState: current.state,
      toState: current.state,
      decision: null,
      rationale: reason,
      actor,
      at,
      details: withdrawn
        ? { withdrawnApproval: withdrawn.actor, evidenceChanged: true }
        : { evidenceChanged: true },
    },
  };
}
