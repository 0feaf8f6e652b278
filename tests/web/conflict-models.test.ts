/**
 * The conflict pages' view models, called directly (pure functions, no server or store): the queue's
 * query, filter options with their counts, selected-filter links and pagination; the detail page's values
 * side by side with provenance, withheld values, the four-eyes state, the actions the state allows, what a
 * final decision released; and the decision form's own checks (the API's DecisionRequest schema).
 */
import { describe, expect, it } from "vitest";
import type { Evidence } from "../../src/core/conflicts/types.ts";
import type { ConflictView } from "../../src/http/conflict-review.ts";
import { bodyOf, formErrors, readDecisionForm } from "../../src/web/pages/conflict-decision.ts";
import { conflictDetailModel, type DetailInput, sideBySide } from "../../src/web/pages/conflict-detail.ts";
import {
  conflictQueueModel,
  parseQueueQuery,
  type QueueCounts,
  queueHref,
} from "../../src/web/pages/conflict-queue.ts";

const ID = "0b7e4b8e-3f0e-4a52-9d55-6c1c1f1e0a01";
const PERSON = "5f1d7c2a-1b2c-4d3e-8f9a-0b1c2d3e4f50";

const evidence: Evidence[] = [
  {
    side: "OASYS",
    field: "offender.dateOfBirth",
    value: "1970-01-02",
    record: "9900001",
    date: "2026-10-03",
  },
  {
    side: "ARMS",
    field: "subject.dateOfBirth",
    value: "1970-02-01",
    record: "ARMS-ESX-1@1",
    date: "2026-09-12",
  },
  { side: "BRIDGE", field: "gapDays", value: 30, record: null, date: "2026-11-20" },
];

function conflict(overrides: Partial<ConflictView> = {}): ConflictView {
  return {
    id: ID,
    personId: PERSON,
    fingerprint: "ID-3:dob",
    ruleId: "ID-3",
    severity: "BLOCK",
    state: "OPEN",
    explanation: "The linked OASys and ARMS records disagree on date of birth",
    evidence,
    pendingApproval: null,
    decision: null,
    rationale: null,
    decidedBy: null,
    decidedAt: null,
    openedAt: "2026-11-20T10:00:00.000Z",
    updatedAt: "2026-11-20T10:00:00.000Z",
    closedAt: null,
    closedReason: null,
    ...overrides,
  } as ConflictView;
}

const input = (overrides: Partial<DetailInput> = {}): DetailInput => ({
  conflict: conflict(),
  history: [],
  person: null,
  viewerSubject: "data.team.1",
  mayDecide: true,
  fourEyesRequired: true,
  done: null,
  ...overrides,
});

describe("the queue's model", () => {
  const counts: QueueCounts = {
    rule: [
      { value: "ID-3", count: 2 },
      { value: "LV-1", count: 1 },
    ],
    severity: [{ value: "BLOCK", count: 2 }],
    state: [{ value: "OPEN", count: 3 }],
    force: [
      { value: "ESSEX", count: 2 },
      { value: null, count: 1 },
    ],
    age: { week: 3, month: 0, older: 0 },
    total: 3,
  };

  it("reads the address: the live states by default, unknown values ignored", () => {
    expect(parseQueueQuery({}).states).toEqual(["OPEN", "ACKNOWLEDGED"]);
    const q = parseQueueQuery({
      filtered: "1",
      rule: "x; drop",
      severity: "HIGH",
      state: ["OPEN", "NOPE"],
      age: "ever",
    });
    expect(q).toMatchObject({ rule: null, severity: null, states: ["OPEN"], age: null, sort: "newest" });
    expect(parseQueueQuery({ filtered: "1" }).states).toEqual([]);
  });

  it("gives every option its count, the selected filters their remove links, and the pages", () => {
    const q = parseQueueQuery({ filtered: "1", rule: "ID-3", force: "ESSEX", state: "OPEN", cursor: "abc" });
    const model = conflictQueueModel(
      q,
      {
        items: [
          conflict({
            pendingApproval: { action: "RESOLVE", actor: "a", decision: "d", rationale: "r", at: "t" },
          }),
        ],
        nextCursor: "next",
      },
      new Map([[PERSON, "ESSEX"]]),
      counts,
    );
    expect(model.title).toBe("Conflicts");
    expect(model.filters.rules).toEqual([
      { value: "ID-3", text: "ID-3 (2)", checked: true },
      { value: "LV-1", text: "LV-1 (1)", checked: false },
    ]);
    expect(model.filters.severities.map((o) => o.text)).toEqual(["BLOCK (2)", "WARN (0)", "INFO (0)"]);
    expect(model.filters.forces).toEqual([{ value: "ESSEX", text: "ESSEX (2)", checked: true }]);
    expect(model.filters.ages[0]).toEqual({ value: "week", text: "Less than 7 days (3)", checked: false });
    const rule = model.selected.find((s) => s.heading.text === "Rule");
    expect(rule?.items[0]?.href).toBe("/conflicts?filtered=1&state=OPEN&force=ESSEX");
    expect(model.rows[0]).toMatchObject({
      href: `/conflicts/${ID}`,
      force: "ESSEX",
      awaitingSecondReviewer: true,
    });
    expect(model.pagination.next).toBe(`${queueHref(q)}&cursor=next`);
    expect(model.pagination.first).toBe(queueHref(q));
  });
});

describe("the detail page's model", () => {
  it("pairs the two agencies' values, with provenance, and other evidence apart", () => {
    expect(sideBySide(evidence).map(([o, a]) => [o?.field, a?.field])).toEqual([
      ["offender.dateOfBirth", "subject.dateOfBirth"],
    ]);
    const model = conflictDetailModel(input());
    expect(model.title).toBe("Conflict");
    expect(model.values[0]).toEqual({
      field: "offender.dateOfBirth / subject.dateOfBirth",
      oasys: {
        value: "1970-01-02",
        record: "9900001",
        date: "2026-10-03",
        basis: "Recorded fact",
        owner: "Probation (OASys)",
      },
      arms: {
        value: "1970-02-01",
        record: "ARMS-ESX-1@1",
        date: "2026-09-12",
        basis: "Recorded fact",
        owner: "Police (ARMS)",
      },
    });
    expect(model.otherEvidence[0]).toMatchObject({ field: "gapDays", basis: "Worked out by this service" });
    expect(model.ruleMeaning).toBeTruthy();
  });

  it("says a withheld value is not shown, never what it was", () => {
    const withheld = conflict({
      evidence: evidence.map((e) => (e.field.endsWith("dateOfBirth") ? { ...e, value: null } : e)),
    });
    const model = conflictDetailModel(input({ conflict: { ...withheld, withheld: ["/evidence/*/value"] } }));
    expect(model.values[0]?.oasys?.value).toBe("Not shown to your role");
    expect(model.withheld).toBe(true);
  });

  it("offers only the actions the state allows, and none to a role that may not decide", () => {
    expect(conflictDetailModel(input()).form?.actions.map((a) => a.value)).toEqual(["ACKNOWLEDGE"]);
    const acknowledged = conflictDetailModel(input({ conflict: conflict({ state: "ACKNOWLEDGED" }) }));
    expect(acknowledged.form?.actions.map((a) => a.value)).toEqual(["RESOLVE", "DISMISS"]);
    expect(acknowledged.form?.asksDecision).toBe(true);
    expect(conflictDetailModel(input({ mayDecide: false })).form).toBeNull();
    expect(conflictDetailModel(input({ conflict: conflict({ state: "CLOSED" }) })).form).toBeNull();
  });

  it("shows the four-eyes state: first review by someone else, or the first reviewer's own (no form)", () => {
    const pending = {
      action: "RESOLVE" as const,
      actor: "data.team.1",
      decision: "d",
      rationale: "r",
      at: "2026-11-20T10:00:00Z",
    };
    const c = conflict({ state: "ACKNOWLEDGED", pendingApproval: pending });
    const other = conflictDetailModel(input({ conflict: c, viewerSubject: "data.team.2" }));
    expect(other.fourEyes).toMatchObject({
      required: true,
      firstBy: "data.team.1",
      firstAction: "Resolve",
      mine: false,
    });
    expect(other.form).not.toBeNull();
    const mine = conflictDetailModel(input({ conflict: c }));
    expect(mine.fourEyes.mine).toBe(true);
    expect(mine.form).toBeNull();
  });

  it("after a final decision, lists the outbox rows written with it and their delivery", () => {
    const decidedAt = "2026-11-20T11:00:00.000Z";
    const delivery = (createdAt: string, state: string) => ({
      outboxId: "o",
      personId: PERSON,
      personVersion: 2,
      recipient: "ARMS",
      kind: "ARMS_DRAFT",
      idempotencyKey: "k",
      correctsKey: null,
      state,
      attempts: 1,
      availableAt: createdAt,
      createdAt,
      deliveredAt: state === "DELIVERED" ? "2026-11-20T11:00:01.000Z" : null,
      lastError: null,
      history: [],
    });
    const person = {
      person: {
        id: PERSON,
        pnc: "2001/0000001Z",
        crn: "X000001",
        force: "ESSEX",
        version: 2,
        createdAt: "",
        updatedAt: "",
      },
      match: null,
      draft: null,
      openConflicts: [],
      deliveries: [
        delivery("2026-11-20T11:00:00Z", "DELIVERED"),
        delivery("2026-11-19T09:00:00Z", "DELIVERED"),
      ],
    };
    const model = conflictDetailModel(
      input({
        conflict: conflict({
          state: "RESOLVED",
          decision: "ARMS stands",
          rationale: "r",
          decidedBy: ["a", "b"],
          decidedAt,
        }),
        person: person as unknown as DetailInput["person"],
        done: "resolved",
      }),
    );
    expect(model.released).toEqual([
      {
        recipient: "Police (ARMS)",
        kind: "ARMS_DRAFT",
        state: "DELIVERED",
        deliveredAt: "2026-11-20T11:00:01.000Z",
        createdAt: "2026-11-20T11:00:00Z",
      },
    ]);
    expect(model.done).toBe("The conflict is resolved.");
    expect(model.person?.rows[0]).toEqual({ key: "PNC number", value: "2001/0000001Z" });
    expect(conflictDetailModel(input({ done: "<script>" })).done).toBeNull();
  });
});

describe("the decision form's own checks", () => {
  it("wants an action, leaves empty fields out for the lifecycle, and keeps the API schema's limits", () => {
    expect(formErrors(readDecisionForm({}))?.items[0]?.href).toBe("#action");
    const empty = readDecisionForm({ action: "RESOLVE", decision: " ", rationale: "" });
    expect(formErrors(empty)).toBeNull();
    expect(bodyOf(empty)).toEqual({ action: "RESOLVE" });
    const long = formErrors(readDecisionForm({ action: "DISMISS", rationale: "x".repeat(4001) }));
    expect(long?.rationale).toBe("Rationale must be 4,000 characters or fewer");
  });
});
