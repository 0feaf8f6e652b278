/**
 * One conflict (GET /conflicts/:id): the person's identifiers and the identity match in force, the OASys
 * and ARMS values side by side with their provenance, the rule's explanation, the history of decisions,
 * the four-eyes state of a BLOCK, the decision form with only the actions the conflict's state allows
 * (for a data-team person who may decide), and after a decision what it released and its delivery.
 *
 * Everything comes from the API's services: the conflict and its history from `readConflictFor` (audited;
 * 404 for a conflict the person may not see), the person from `assemblePersonView` shown through the same
 * viewer (src/auth/visibility.ts): what a role may not see is null and named in `withheld`, and is not
 * rendered. Which actions a state allows and whether a severity takes two reviewers are the lifecycle's.
 */

import { allows } from "../../auth/policy.ts";
import { NOT_VISIBLE } from "../../auth/visibility.ts";
import { RULES_BY_ID } from "../../core/conflicts/registry.ts";
import type { Evidence, EvidenceSide, Severity } from "../../core/conflicts/types.ts";
import {
  type ConflictState,
  needsFourEyes,
  type ReviewAction,
  validActionsFrom,
} from "../../core/reconcile/lifecycle.ts";
import { type ConflictEventView, type ConflictView, readConflictFor } from "../../http/conflict-review.ts";
import { notFound } from "../../http/errors.ts";
import { assemblePersonView } from "../../http/person-view.ts";
import { getPerson } from "../../store/repositories/persons.ts";
import { STATE_NAMES } from "./conflict-queue.ts";
import type { Page, PageContext, PageModel } from "./page.ts";
import { pageTitle } from "./page.ts";
import { pageRead, pageViewer } from "./viewer.ts";

type PersonShown = Awaited<ReturnType<typeof assemblePersonView>>["view"] & { withheld?: string[] };
type Shown<T> = T & { withheld?: string[] };

export const ACTION_TEXT: Readonly<Record<ReviewAction, { text: string; hint: string }>> = {
  ACKNOWLEDGE: { text: "Acknowledge", hint: "You have seen it and are looking into it." },
  RESOLVE: { text: "Resolve", hint: "Say what was decided. The record can then be sent." },
  DISMISS: { text: "Dismiss", hint: "It is not a real conflict. The record can then be sent." },
};

const EVENT_TEXT: Readonly<Record<string, string>> = {
  RAISED: "Raised",
  REFRESHED: "Evidence changed",
  ACKNOWLEDGED: "Acknowledged",
  APPROVED: "First review",
  APPROVAL_WITHDRAWN: "First review withdrawn",
  RESOLVED: "Resolved",
  DISMISSED: "Dismissed",
  CLOSED: "Closed",
};

const OWNER: Readonly<Record<EvidenceSide, string>> = {
  OASYS: "Probation (OASys)",
  ARMS: "Police (ARMS)",
  DELIUS: "Probation (nDelius)",
  BRIDGE: "This service",
};

/** What a value is: identity rules compare recorded facts; the other rules, professional judgements. */
function basisOf(ruleId: string, side: EvidenceSide): string {
  if (side === "BRIDGE") return "Worked out by this service";
  if (side === "DELIUS" || ruleId.startsWith("ID-")) return "Recorded fact";
  return "Professional judgement";
}

export interface ValueCell {
  value: string;
  record: string | null;
  date: string | null;
  basis: string;
  owner: string;
}

export interface FormErrors {
  /** GOV.UK error summary: field id -> message, in the form's order. */
  items: { href: string; text: string }[];
  action?: string;
  decision?: string;
  rationale?: string;
}

export interface DetailModel extends PageModel {
  id: string;
  ruleId: string;
  ruleMeaning: string | null;
  explanation: string;
  severity: Severity;
  state: ConflictState;
  stateText: string;
  openedAt: string;
  person: {
    rows: { key: string; value: string }[];
    match: { status: string; matchedOn: string[]; explanation: string | null; evaluatedAt: string } | null;
  } | null;
  /** Side by side, one row per field compared. */
  values: { field: string; oasys: ValueCell | null; arms: ValueCell | null }[];
  otherEvidence: ({ side: string; field: string } & ValueCell)[];
  history: { at: string; what: string; by: string; decision: string | null; rationale: string | null }[];
  final: { decision: string | null; rationale: string | null; decidedBy: string[]; decidedAt: string } | null;
  fourEyes: {
    required: boolean;
    firstBy: string | null;
    firstAction: string | null;
    firstAt: string | null;
    mine: boolean;
  };
  /** The decision form; null when the person may not decide or nothing is left to decide. */
  form: {
    actions: { value: ReviewAction; text: string; hint: string; checked: boolean }[];
    /** Whether RESOLVE is offered, which takes what was decided. */
    asksDecision: boolean;
    decision: string;
    rationale: string;
  } | null;
  errors: FormErrors | null;
  /** The notification banner after a decision. */
  done: string | null;
  /** What the final decision released: the outbox rows written with it, and how far each has got. */
  released:
    | { recipient: string; kind: string; state: string; deliveredAt: string | null; createdAt: string }[]
    | null;
  /** Fields of this conflict the person's role is not shown. */
  withheld: boolean;
}

const valueText = (v: Evidence["value"], withheld: boolean): string =>
  v === null
    ? withheld
      ? "Not shown to your role"
      : "Not recorded"
    : typeof v === "boolean"
      ? v
        ? "Yes"
        : "No"
      : String(v);

const DONE: Readonly<Record<string, string>> = {
  acknowledged: "You acknowledged this conflict.",
  approved: "Your review is recorded. A second member of the data team must now confirm it.",
  resolved: "The conflict is resolved.",
  dismissed: "The conflict is dismissed.",
};

/**
 * OASys and ARMS evidence in pairs: the same field on both sides first, then what is left of each side in
 * the rule's order (the two agencies name a question differently: offender.gender, subject.gender).
 */
export function sideBySide(evidence: readonly Evidence[]): [Evidence | null, Evidence | null][] {
  const oasys = evidence.filter((e) => e.side === "OASYS");
  const arms = evidence.filter((e) => e.side === "ARMS");
  const pairs: [Evidence | null, Evidence | null][] = [];
  const left = [...arms];
  const unpaired: Evidence[] = [];
  for (const o of oasys) {
    const i = left.findIndex((a) => a.field === o.field);
    if (i >= 0) pairs.push([o, left.splice(i, 1)[0]!]);
    else unpaired.push(o);
  }
  for (let i = 0; i < Math.max(unpaired.length, left.length); i++)
    pairs.push([unpaired[i] ?? null, left[i] ?? null]);
  return pairs;
}

export interface DetailInput {
  conflict: Shown<ConflictView>;
  history: Shown<ConflictEventView>[];
  person: PersonShown | null;
  viewerSubject: string;
  /** Whether the signed-in person may post decisions (the access policy's POST page). */
  mayDecide: boolean;
  fourEyesRequired: boolean;
  done: string | null;
  form?: { action: string | null; decision: string; rationale: string; errors: FormErrors } | null;
}

/** The detail page's view model: a pure function of what the services answered. */
export function conflictDetailModel(input: DetailInput): DetailModel {
  const { conflict: c, person } = input;
  const valueWithheld = (c.withheld ?? []).some((p) => p.startsWith("/evidence"));
  const cell = (e: Evidence): ValueCell => ({
    value: valueText(e.value, valueWithheld),
    record: e.record,
    date: e.date,
    basis: basisOf(c.ruleId, e.side),
    owner: OWNER[e.side],
  });
  const pending = c.pendingApproval ?? null;
  const mine = pending !== null && pending.actor === input.viewerSubject;
  const actions = validActionsFrom(c.state);
  const form = input.form ?? null;
  const final =
    (c.state === "RESOLVED" || c.state === "DISMISSED") && c.decidedAt
      ? { decision: c.decision, rationale: c.rationale, decidedBy: c.decidedBy ?? [], decidedAt: c.decidedAt }
      : null;
  const releasedRows =
    final && person
      ? person.deliveries.filter((d) => Date.parse(d.createdAt) === Date.parse(final.decidedAt))
      : null;
  const personRows = person?.person
    ? [
        { key: "PNC number", value: person.person.pnc ?? "Not recorded" },
        { key: "CRN", value: person.person.crn ?? "Not recorded" },
        { key: "Police force", value: person.person.force ?? "None recorded" },
      ]
    : null;
  return {
    title: pageTitle("Conflict"),
    id: c.id,
    ruleId: c.ruleId,
    ruleMeaning: RULES_BY_ID.get(c.ruleId)?.meaning ?? null,
    explanation: c.explanation,
    severity: c.severity,
    state: c.state,
    stateText: STATE_NAMES[c.state],
    openedAt: c.openedAt,
    person: personRows
      ? {
          rows: personRows,
          match: person?.match
            ? {
                status: person.match.status,
                matchedOn: person.match.matchedOn,
                explanation: person.match.explanation,
                evaluatedAt: person.match.evaluatedAt,
              }
            : null,
        }
      : null,
    values: sideBySide(c.evidence).map(([oasys, arms]) => ({
      field:
        oasys && arms && oasys.field !== arms.field
          ? `${oasys.field} / ${arms.field}`
          : (oasys ?? arms)!.field,
      oasys: oasys ? cell(oasys) : null,
      arms: arms ? cell(arms) : null,
    })),
    otherEvidence: c.evidence
      .filter((e) => e.side !== "OASYS" && e.side !== "ARMS")
      .map((e) => ({ side: e.side, field: e.field, ...cell(e) })),
    history: input.history.map((e) => ({
      at: e.at,
      what: EVENT_TEXT[e.action] ?? e.action,
      by: e.actor,
      decision: e.decision,
      rationale: e.rationale,
    })),
    final,
    fourEyes: {
      required: input.fourEyesRequired,
      firstBy: pending?.actor ?? null,
      firstAction: pending ? ACTION_TEXT[pending.action].text : null,
      firstAt: pending?.at ?? null,
      mine,
    },
    form:
      input.mayDecide && actions.length > 0 && !mine
        ? {
            actions: actions.map((a) => ({ value: a, ...ACTION_TEXT[a], checked: form?.action === a })),
            asksDecision: actions.includes("RESOLVE"),
            decision: form?.decision ?? "",
            rationale: form?.rationale ?? "",
          }
        : null,
    errors: form?.errors ?? null,
    done: input.done ? (DONE[input.done] ?? null) : null,
    released: releasedRows
      ? releasedRows.map((d) => ({
          recipient: d.recipient === "ARMS" ? "Police (ARMS)" : "Probation (OASys)",
          kind: d.kind,
          state: d.state,
          deliveredAt: d.deliveredAt,
          createdAt: d.createdAt,
        }))
      : null,
    withheld: (c.withheld ?? []).length > 0,
  };
}

/** Reads everything the detail page shows, as the signed-in person may see it; 404 when not theirs. */
export async function loadDetail(
  ctx: PageContext,
  id: string,
  extra: Pick<DetailInput, "done" | "form">,
): Promise<DetailModel> {
  const api = ctx.deps.api;
  // The viewer of the page the person reads (for a posted form, the detail page's).
  const readRule = ctx.deps.policy.page("GET", "/conflicts/:id");
  const viewer = pageViewer(ctx, readRule?.roles);
  const { conflict, history, subject } = await readConflictFor(
    api,
    viewer,
    id,
    pageRead(ctx, "the conflict page"),
  );
  const stored = (await getPerson(api.db, conflict.personId)) ?? notFound("conflict");
  const assembled = await assemblePersonView(api.db, stored);
  const shown = viewer.show("PersonView", assembled.view, subject);
  const decideRule = ctx.deps.policy.page("POST", "/conflicts/:id/decisions");
  return conflictDetailModel({
    conflict,
    history,
    person: shown === NOT_VISIBLE ? null : shown,
    viewerSubject: ctx.principal.subject,
    mayDecide: decideRule !== null && allows(decideRule, ctx.principal),
    fourEyesRequired: needsFourEyes(conflict.severity, api.reconcile.thresholds.pushPolicy),
    ...extra,
  });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const conflictDetailPage: Page = {
  method: "GET",
  url: "/conflicts/:id",
  async handle(ctx) {
    const { id } = ctx.request.params as { id: string };
    if (!UUID.test(id)) notFound("conflict");
    const done = (ctx.request.query as { done?: unknown }).done;
    const model = await loadDetail(ctx, id, { done: typeof done === "string" ? done : null });
    return { view: "pages/conflict-detail.njk", model };
  },
};
