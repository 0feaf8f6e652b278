import { describe, expect, it } from "vitest";
import { loadThresholds } from "../../../src/core/conflicts/load-thresholds.ts";
import type { Severity } from "../../../src/core/conflicts/types.ts";
import {
  ALLOWED_FROM,
  CONFLICT_STATES,
  type ConflictState,
  closeOnReevaluation,
  type PendingApproval,
  type ReviewAction,
  type ReviewRequest,
  refreshOnReevaluation,
  review as reviewUnder,
  validActionsFrom,
} from "../../../src/core/reconcile/lifecycle.ts";
import { BridgeError, type ErrorCode } from "../../../src/errors.ts";

/** The shipped push policy: BLOCK takes two reviewers, WARN and INFO one. */
const POLICY = loadThresholds().pushPolicy;
const review = (current: Parameters<typeof reviewUnder>[0], req: ReviewRequest) =>
  reviewUnder(current, req, POLICY);

const AT = "2026-11-20T10:00:00.000Z";
const LATER = "2026-11-21T09:30:00.000Z";

const status = (
  state: ConflictState,
  severity: Severity = "WARN",
  pendingApproval: PendingApproval | null = null,
) => ({
  state,
  severity,
  pendingApproval,
});

const request = (
  action: ReviewAction,
  actor = "reviewer-a",
  extra: Partial<ReviewRequest> = {},
): ReviewRequest => ({
  action,
  actor,
  rationale: action === "ACKNOWLEDGE" ? null : "OASys RoSH predates the new ARMS visit",
  decision: action === "RESOLVE" ? "ARMS level stands; OASys RoSH to be reviewed" : null,
  at: AT,
  ...extra,
});

function errorCodeOf(fn: () => unknown): ErrorCode | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof BridgeError) return error.code;
    throw error;
  }
  return undefined;
}

describe("conflict lifecycle: every reviewer action from every state (single-reviewer severities)", () => {
  const expected: Record<ReviewAction, Partial<Record<ConflictState, ConflictState>>> = {
    ACKNOWLEDGE: { OPEN: "ACKNOWLEDGED" },
    RESOLVE: { ACKNOWLEDGED: "RESOLVED" },
    DISMISS: { ACKNOWLEDGED: "DISMISSED" },
  };
  const cases = (["ACKNOWLEDGE", "RESOLVE", "DISMISS"] as const).flatMap((action) =>
    CONFLICT_STATES.flatMap((from) =>
      (["WARN", "INFO"] as const).map((severity) => ({ action, from, severity, to: expected[action][from] })),
    ),
  );

  it.each(cases)("$action from $from ($severity) -> $to", ({ action, from, severity, to }) => {
    if (to === undefined) {
      expect(errorCodeOf(() => review(status(from, severity), request(action)))).toBe(
        "BRIDGE_E_CONFLICT_TRANSITION",
      );
      return;
    }
    const result = review(status(from, severity), request(action));
    expect(result.state).toBe(to);
    expect(result.event).toMatchObject({ fromState: from, toState: to, actor: "reviewer-a", at: AT });
    expect(result.pendingApproval).toBeNull();
  });

  it("the table of allowed starting states is the one the cases above assume", () => {
    expect(ALLOWED_FROM).toEqual({
      ACKNOWLEDGE: ["OPEN"],
      RESOLVE: ["ACKNOWLEDGED"],
      DISMISS: ["ACKNOWLEDGED"],
    });
  });

  it("a resolution records decision, rationale, who and when", () => {
    const result = review(status("ACKNOWLEDGED"), request("RESOLVE"));
    expect(result.final).toEqual({
      decision: "ARMS level stands; OASys RoSH to be reviewed",
      rationale: "OASys RoSH predates the new ARMS visit",
      decidedBy: ["reviewer-a"],
      reviewers: [{ subject: "reviewer-a", role: null, agency: null }],
      decidedAt: AT,
    });
    expect(result.event.action).toBe("RESOLVED");
  });

  it("a dismissal needs a rationale but no decision", () => {
    const result = review(status("ACKNOWLEDGED"), request("DISMISS", "reviewer-a", { decision: null }));
    expect(result.state).toBe("DISMISSED");
    expect(result.final).toMatchObject({
      decision: null,
      rationale: "OASys RoSH predates the new ARMS visit",
    });
  });
});

describe("decisions must be complete", () => {
  it.each([
    ["RESOLVE without rationale", request("RESOLVE", "reviewer-a", { rationale: null })],
    ["RESOLVE with a blank rationale", request("RESOLVE", "reviewer-a", { rationale: "   " })],
    ["RESOLVE without a decision", request("RESOLVE", "reviewer-a", { decision: "" })],
    ["DISMISS without rationale", request("DISMISS", "reviewer-a", { rationale: undefined })],
    ["any action without an actor", request("ACKNOWLEDGE", " ")],
  ])("%s is refused", (_name, req) => {
    const from = req.action === "ACKNOWLEDGE" ? "OPEN" : "ACKNOWLEDGED";
    expect(errorCodeOf(() => review(status(from), req))).toBe("BRIDGE_E_DECISION_INCOMPLETE");
  });

  it("an acknowledgement needs no rationale", () => {
    expect(review(status("OPEN"), request("ACKNOWLEDGE")).state).toBe("ACKNOWLEDGED");
  });
});

describe("four-eyes on BLOCK conflicts", () => {
  const blockAck = status("ACKNOWLEDGED", "BLOCK");

  it.each(["RESOLVE", "DISMISS"] as const)(
    "the first %s records an approval and stays ACKNOWLEDGED",
    (action) => {
      const first = review(blockAck, request(action, "reviewer-a"));
      expect(first.state).toBe("ACKNOWLEDGED");
      expect(first.final).toBeNull();
      expect(first.pendingApproval).toMatchObject({ action, actor: "reviewer-a", at: AT });
      expect(first.event).toMatchObject({
        action: "APPROVED",
        fromState: "ACKNOWLEDGED",
        toState: "ACKNOWLEDGED",
      });
    },
  );

  it.each([
    ["RESOLVE", "RESOLVED"],
    ["DISMISS", "DISMISSED"],
  ] as const)("a %s by a different reviewer completes it with both names", (action, to) => {
    const first = review(blockAck, request(action, "reviewer-a"));
    const second = review(
      { ...blockAck, pendingApproval: first.pendingApproval },
      request(action, "reviewer-b", { at: LATER }),
    );
    expect(second.state).toBe(to);
    expect(second.final).toMatchObject({ decidedBy: ["reviewer-a", "reviewer-b"], decidedAt: LATER });
    expect(second.pendingApproval).toBeNull();
  });

  it.each(["RESOLVE", "DISMISS"] as const)("the same reviewer twice is refused (%s)", (action) => {
    const first = review(blockAck, request(action, "reviewer-a"));
    const again = () =>
      review({ ...blockAck, pendingApproval: first.pendingApproval }, request(action, "reviewer-a"));
    expect(errorCodeOf(again)).toBe("BRIDGE_E_FOUR_EYES");
  });

  it("the same reviewer cannot switch to the other action to get round it", () => {
    const first = review(blockAck, request("RESOLVE", "reviewer-a"));
    const switched = () =>
      review({ ...blockAck, pendingApproval: first.pendingApproval }, request("DISMISS", "reviewer-a"));
    expect(errorCodeOf(switched)).toBe("BRIDGE_E_FOUR_EYES");
  });

  it("a different reviewer proposing the other action replaces the approval, which then awaits a third", () => {
    const first = review(blockAck, request("RESOLVE", "reviewer-a"));
    const other = review(
      { ...blockAck, pendingApproval: first.pendingApproval },
      request("DISMISS", "reviewer-b"),
    );
    expect(other.state).toBe("ACKNOWLEDGED");
    expect(other.pendingApproval).toMatchObject({ action: "DISMISS", actor: "reviewer-b" });
    expect(other.event.details).toMatchObject({ replaces: "RESOLVE", replacedActor: "reviewer-a" });
    // reviewer-a may now confirm reviewer-b's dismissal: two different people agree.
    const confirm = review(
      { ...blockAck, pendingApproval: other.pendingApproval },
      request("DISMISS", "reviewer-a"),
    );
    expect(confirm.state).toBe("DISMISSED");
    expect(confirm.final?.decidedBy).toEqual(["reviewer-b", "reviewer-a"]);
  });

  it("WARN conflicts need one reviewer only", () => {
    expect(review(status("ACKNOWLEDGED", "WARN"), request("RESOLVE")).state).toBe("RESOLVED");
  });

  it("takes its reviewer count from the push policy: a WARN set to two reviewers needs four eyes", () => {
    const strict = { ...POLICY, WARN: { holdsPush: true, reviewers: 2 as const } };
    const first = reviewUnder(status("ACKNOWLEDGED", "WARN"), request("RESOLVE", "reviewer-a"), strict);
    expect(first.state).toBe("ACKNOWLEDGED");
    expect(first.event.action).toBe("APPROVED");
    const second = reviewUnder(
      { ...status("ACKNOWLEDGED", "WARN"), pendingApproval: first.pendingApproval },
      request("RESOLVE", "reviewer-b"),
      strict,
    );
    expect(second.state).toBe("RESOLVED");
    expect(second.final?.decidedBy).toEqual(["reviewer-a", "reviewer-b"]);
  });

  it("acknowledging a BLOCK conflict needs one reviewer", () => {
    expect(review(status("OPEN", "BLOCK"), request("ACKNOWLEDGE")).state).toBe("ACKNOWLEDGED");
  });
});

describe("refusals say what is valid now; events say who decided, as what", () => {
  it("lists the actions each state allows", () => {
    expect(Object.fromEntries(CONFLICT_STATES.map((state) => [state, validActionsFrom(state)]))).toEqual({
      OPEN: ["ACKNOWLEDGE"],
      ACKNOWLEDGED: ["RESOLVE", "DISMISS"],
      RESOLVED: [],
      DISMISSED: [],
      CLOSED: [],
    });
  });

  it("a refused transition and a refused second sign-off carry the valid actions", () => {
    const caught = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return e as BridgeError;
      }
      throw new Error("not refused");
    };
    const early = caught(() => review(status("OPEN"), request("RESOLVE")));
    expect(early.context).toMatchObject({ state: "OPEN", validActions: ["ACKNOWLEDGE"] });
    expect(early.message).toContain("allowed now: ACKNOWLEDGE");
    const pending: PendingApproval = {
      action: "RESOLVE",
      actor: "reviewer-a",
      decision: "d",
      rationale: "r",
      at: AT,
    };
    const twice = caught(() => review(status("ACKNOWLEDGED", "BLOCK", pending), request("DISMISS")));
    expect(twice.code).toBe("BRIDGE_E_FOUR_EYES");
    expect(twice.context).toMatchObject({ state: "ACKNOWLEDGED", validActions: ["RESOLVE", "DISMISS"] });
  });

  it("records the reviewer's role and agency when given, both reviewers' on a four-eyes decision", () => {
    const as = (actor: string) => request("RESOLVE", actor, { role: "DATA_TEAM", agency: "BRIDGE" });
    const first = review(status("ACKNOWLEDGED", "BLOCK"), as("reviewer-a"));
    expect(first.pendingApproval).toMatchObject({ actor: "reviewer-a", role: "DATA_TEAM", agency: "BRIDGE" });
    expect(first.event.details).toMatchObject({ reviewer: { role: "DATA_TEAM", agency: "BRIDGE" } });
    const second = review(status("ACKNOWLEDGED", "BLOCK", first.pendingApproval), as("reviewer-b"));
    expect(second.event.details).toEqual({
      decidedBy: ["reviewer-a", "reviewer-b"],
      reviewer: { role: "DATA_TEAM", agency: "BRIDGE" },
      reviewers: [
        { actor: "reviewer-a", role: "DATA_TEAM", agency: "BRIDGE" },
        { actor: "reviewer-b", role: "DATA_TEAM", agency: "BRIDGE" },
      ],
    });
    // The final decision carries both, for what is pushed (the partner update's decidedBy).
    expect(second.final?.reviewers).toEqual([
      { subject: "reviewer-a", role: "DATA_TEAM", agency: "BRIDGE" },
      { subject: "reviewer-b", role: "DATA_TEAM", agency: "BRIDGE" },
    ]);
    // Without them (as before sign-in), the details are as they were.
    expect(review(status("OPEN"), request("ACKNOWLEDGE")).event.details).toEqual({});
  });
});

describe("re-evaluation", () => {
  it.each(["OPEN", "ACKNOWLEDGED"] as const)("closes a live %s conflict with the reason", (from) => {
    const result = closeOnReevaluation(status(from), "no longer holds after OASys 9630349", AT, "bridge");
    expect(result.state).toBe("CLOSED");
    expect(result.event).toMatchObject({
      action: "CLOSED",
      fromState: from,
      toState: "CLOSED",
      rationale: "no longer holds after OASys 9630349",
      actor: "bridge",
    });
  });

  it.each(["RESOLVED", "DISMISSED", "CLOSED"] as const)("never closes a final %s conflict", (from) => {
    expect(errorCodeOf(() => closeOnReevaluation(status(from), "gone", AT, "bridge"))).toBe(
      "BRIDGE_E_CONFLICT_TRANSITION",
    );
  });

  it("closing needs a reason", () => {
    expect(errorCodeOf(() => closeOnReevaluation(status("OPEN"), " ", AT, "bridge"))).toBe(
      "BRIDGE_E_DECISION_INCOMPLETE",
    );
  });

  it("a conflict that still holds with the same evidence changes nothing", () => {
    expect(refreshOnReevaluation(status("ACKNOWLEDGED"), false, "re-evaluated", AT, "bridge")).toBeNull();
  });

  it("new evidence keeps the state and records a refresh", () => {
    const result = refreshOnReevaluation(status("ACKNOWLEDGED"), true, "new ARMS revision", AT, "bridge");
    expect(result).toMatchObject({
      state: "ACKNOWLEDGED",
      event: { action: "REFRESHED", toState: "ACKNOWLEDGED" },
    });
  });

  it("new evidence withdraws a pending four-eyes approval", () => {
    const pending = review(status("ACKNOWLEDGED", "BLOCK"), request("RESOLVE", "reviewer-a"));
    const result = refreshOnReevaluation(
      { state: "ACKNOWLEDGED", severity: "BLOCK", pendingApproval: pending.pendingApproval },
      true,
      "new OASys assessment",
      LATER,
      "bridge",
    );
    expect(result?.pendingApproval).toBeNull();
    expect(result?.event).toMatchObject({
      action: "APPROVAL_WITHDRAWN",
      details: { withdrawnApproval: "reviewer-a" },
    });
  });

  it.each(["RESOLVED", "DISMISSED", "CLOSED"] as const)("never refreshes a final %s conflict", (from) => {
    expect(errorCodeOf(() => refreshOnReevaluation(status(from), true, "x", AT, "bridge"))).toBe(
      "BRIDGE_E_CONFLICT_TRANSITION",
    );
  });
});
