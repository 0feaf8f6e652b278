/**
 * The conflict queue (GET /conflicts): conflicts filtered by rule, severity, state, force and age, newest
 * or oldest first, a page at a time, with how many conflicts each filter value would hold (MoJ's filter
 * layout). The listing is the API's (`listConflictsFor`: listConflicts in the caller's visibility scope,
 * audited), the counts the same repository's `countConflicts` over the same filters and scope: a person
 * the caller may not see is neither listed nor counted. Filters are a GET form, so the page works without
 * JavaScript and its address holds filter values only (rule ids, states, force codes), never personal data.
 */
import type { Severity } from "../../core/conflicts/types.ts";
import { CONFLICT_STATES, type ConflictState, LIVE_STATES } from "../../core/reconcile/lifecycle.ts";
import {
  type ConflictQuery,
  type ConflictView,
  conflictFilters,
  listConflictsFor,
} from "../../http/conflict-review.ts";
import type { Db } from "../../store/index.ts";
import { type ConflictFacet, countConflicts } from "../../store/repositories/conflicts.ts";
import { personSubjects } from "../../store/repositories/visibility.ts";
import type { Page, PageModel } from "./page.ts";
import { pageTitle } from "./page.ts";
import { pageRead, pageViewer } from "./viewer.ts";

export const QUEUE_PAGE_SIZE = 25;
const SEVERITIES: readonly Severity[] = ["BLOCK", "WARN", "INFO"];

/** Age buckets: days since the conflict was opened. */
export const AGES = {
  week: { label: "Less than 7 days", maxAgeDays: 7 },
  month: { label: "7 to 30 days", minAgeDays: 7, maxAgeDays: 30 },
  older: { label: "More than 30 days", minAgeDays: 30 },
} as const satisfies Record<string, { label: string; minAgeDays?: number; maxAgeDays?: number }>;
export type AgeBucket = keyof typeof AGES;

export const STATE_NAMES: Readonly<Record<ConflictState, string>> = {
  OPEN: "Open",
  ACKNOWLEDGED: "Acknowledged",
  RESOLVED: "Resolved",
  DISMISSED: "Dismissed",
  CLOSED: "Closed",
};

/** What the queue's address asks for, checked: anything else is ignored. */
export interface QueueQuery {
  rule: string | null;
  severity: Severity | null;
  /** The live states when the address says nothing (the queue's link); what was ticked after filtering. */
  states: ConflictState[];
  force: string | null;
  age: AgeBucket | null;
  sort: "newest" | "oldest";
  cursor: string | null;
}

const list = (v: unknown): string[] =>
  (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((x): x is string => typeof x === "string");
const one = (v: unknown): string | null => list(v)[0] ?? null;

export function parseQueueQuery(raw: Record<string, unknown>): QueueQuery {
  const rule = one(raw.rule);
  const severity = one(raw.severity);
  const force = one(raw.force)?.trim() ?? null;
  const age = one(raw.age);
  const cursor = one(raw.cursor);
  const filtered = raw.filtered !== undefined || raw.state !== undefined;
  return {
    rule: rule && /^[A-Z]{2}-\d{1,2}$/.test(rule) ? rule : null,
    severity: SEVERITIES.includes(severity as Severity) ? (severity as Severity) : null,
    states: filtered ? CONFLICT_STATES.filter((s) => list(raw.state).includes(s)) : [...LIVE_STATES],
    force: force && force.length <= 64 ? force : null,
    age: age && Object.hasOwn(AGES, age) ? (age as AgeBucket) : null,
    sort: one(raw.sort) === "oldest" ? "oldest" : "newest",
    cursor: cursor && cursor.length <= 200 ? cursor : null,
  };
}

/** The query as the conflict-review service takes it; `without` leaves one filter out (for its counts). */
export function conflictQuery(q: QueueQuery, without?: ConflictFacet | "age"): ConflictQuery {
  const age = q.age && without !== "age" ? AGES[q.age] : null;
  return {
    ...(q.rule && without !== "rule" ? { rule: q.rule } : {}),
    ...(q.severity && without !== "severity" ? { severity: q.severity } : {}),
    ...(q.states.length && without !== "state" ? { state: q.states } : {}),
    ...(q.force && without !== "force" ? { force: q.force } : {}),
    ...(age && "minAgeDays" in age ? { minAgeDays: age.minAgeDays } : {}),
    ...(age && "maxAgeDays" in age ? { maxAgeDays: age.maxAgeDays } : {}),
  };
}

export interface QueueCounts {
  rule: { value: string | null; count: number }[];
  severity: { value: string | null; count: number }[];
  state: { value: string | null; count: number }[];
  force: { value: string | null; count: number }[];
  age: Record<AgeBucket, number>;
  total: number;
}

interface Option {
  value: string;
  text: string;
  checked: boolean;
}

export interface QueueModel extends PageModel {
  /** The filter form's options, each with its count. */
  filters: {
    rules: Option[];
    severities: Option[];
    states: Option[];
    forces: Option[];
    ages: Option[];
    sorts: Option[];
  };
  /** The MoJ filter's selected categories and tags: each tag's link removes its own value. */
  selected: { heading: { text: string }; items: { text: string; href: string }[] }[];
  clearHref: string;
  total: number;
  rows: {
    href: string;
    ruleId: string;
    explanation: string;
    severity: Severity;
    state: ConflictState;
    stateText: string;
    awaitingSecondReviewer: boolean;
    force: string | null;
    openedAt: string;
  }[];
  pagination: { next: string | null; first: string | null };
}

/** The queue's address for a query (filters only; `cursor` for a later page). */
export function queueHref(q: QueueQuery, cursor: string | null = null): string {
  const params = new URLSearchParams();
  params.set("filtered", "1");
  if (q.rule) params.set("rule", q.rule);
  if (q.severity) params.set("severity", q.severity);
  for (const s of q.states) params.append("state", s);
  if (q.force) params.set("force", q.force);
  if (q.age) params.set("age", q.age);
  if (q.sort !== "newest") params.set("sort", q.sort);
  if (cursor) params.set("cursor", cursor);
  return `/conflicts?${params.toString()}`;
}

const countOf = (rows: { value: string | null; count: number }[], value: string | null) =>
  rows.find((r) => r.value === value)?.count ?? 0;
const withCount = (text: string, count: number) => `${text} (${count})`;

/** The queue's view model: a pure function of the query, the page of conflicts and the counts. */
export function conflictQueueModel(
  q: QueueQuery,
  page: { items: readonly (ConflictView & { force?: string | null })[]; nextCursor: string | null },
  forces: ReadonlyMap<string, string | null>,
  counts: QueueCounts,
): QueueModel {
  const ruleValues = [
    ...new Set([...counts.rule.flatMap((r) => (r.value ? [r.value] : [])), ...(q.rule ? [q.rule] : [])]),
  ].sort();
  const forceValues = [
    ...new Set([...counts.force.flatMap((r) => (r.value ? [r.value] : [])), ...(q.force ? [q.force] : [])]),
  ].sort();
  const selected: QueueModel["selected"] = [];
  const remove = (change: Partial<QueueQuery>) => queueHref({ ...q, ...change });
  if (q.rule)
    selected.push({ heading: { text: "Rule" }, items: [{ text: q.rule, href: remove({ rule: null }) }] });
  if (q.severity)
    selected.push({
      heading: { text: "Severity" },
      items: [{ text: q.severity, href: remove({ severity: null }) }],
    });
  if (q.states.length)
    selected.push({
      heading: { text: "State" },
      items: q.states.map((s) => ({
        text: STATE_NAMES[s],
        href: remove({ states: q.states.filter((x) => x !== s) }),
      })),
    });
  if (q.force)
    selected.push({
      heading: { text: "Police force" },
      items: [{ text: q.force, href: remove({ force: null }) }],
    });
  if (q.age)
    selected.push({
      heading: { text: "Age" },
      items: [{ text: AGES[q.age].label, href: remove({ age: null }) }],
    });
  return {
    title: pageTitle("Conflicts"),
    filters: {
      rules: ruleValues.map((r) => ({
        value: r,
        text: withCount(r, countOf(counts.rule, r)),
        checked: q.rule === r,
      })),
      severities: SEVERITIES.map((s) => ({
        value: s,
        text: withCount(s, countOf(counts.severity, s)),
        checked: q.severity === s,
      })),
      states: CONFLICT_STATES.map((s) => ({
        value: s,
        text: withCount(STATE_NAMES[s], countOf(counts.state, s)),
        checked: q.states.includes(s),
      })),
      forces: forceValues.map((f) => ({
        value: f,
        text: withCount(f, countOf(counts.force, f)),
        checked: q.force === f,
      })),
      ages: (Object.keys(AGES) as AgeBucket[]).map((a) => ({
        value: a,
        text: withCount(AGES[a].label, counts.age[a]),
        checked: q.age === a,
      })),
      sorts: [
        { value: "newest", text: "Newest first", checked: q.sort === "newest" },
        { value: "oldest", text: "Oldest first", checked: q.sort === "oldest" },
      ],
    },
    selected,
    clearHref: "/conflicts?filtered=1",
    total: counts.total,
    rows: page.items.map((c) => ({
      href: `/conflicts/${c.id}`,
      ruleId: c.ruleId,
      explanation: c.explanation,
      severity: c.severity,
      state: c.state,
      stateText: STATE_NAMES[c.state],
      awaitingSecondReviewer: c.pendingApproval !== null && c.pendingApproval !== undefined,
      force: forces.get(c.personId) ?? null,
      openedAt: c.openedAt,
    })),
    pagination: {
      next: page.nextCursor ? queueHref(q, page.nextCursor) : null,
      first: q.cursor ? queueHref(q) : null,
    },
  };
}

export const conflictQueuePage: Page = {
  method: "GET",
  url: "/conflicts",
  nav: { text: "Conflicts", order: 20 },
  async handle(ctx) {
    const api = ctx.deps.api;
    const viewer = pageViewer(ctx);
    const q = parseQueueQuery(ctx.request.query as Record<string, unknown>);
    const scope = viewer.scope("Conflict");
    const nowIso = api.nowIso();
    const filtersWithout = (facet?: ConflictFacet | "age") =>
      conflictFilters(conflictQuery(q, facet), nowIso, scope);
    const [rule, severity, state, force, ...totals] = await Promise.all([
      countConflicts(api.db, filtersWithout("rule"), "rule"),
      countConflicts(api.db, filtersWithout("severity"), "severity"),
      countConflicts(api.db, filtersWithout("state"), "state"),
      countConflicts(api.db, filtersWithout("force"), "force"),
      ...(Object.keys(AGES) as AgeBucket[]).map((a) =>
        countConflicts(api.db, conflictFilters(conflictQuery({ ...q, age: a }), nowIso, scope)),
      ),
      countConflicts(api.db, filtersWithout()),
    ]);
    const [week, month, older, total] = totals.map((t) => t[0]?.count ?? 0);
    const page = await listConflictsFor(
      api,
      viewer,
      {
        ...conflictQuery(q),
        limit: QUEUE_PAGE_SIZE,
        ...(q.cursor ? { cursor: q.cursor } : {}),
        order: q.sort,
      },
      pageRead(ctx, "the conflicts page"),
    );
    const forces = await personForces(
      api.db,
      page.page.items.map((c) => c.personId),
    );
    const counts: QueueCounts = {
      rule,
      severity,
      state,
      force,
      age: { week: week ?? 0, month: month ?? 0, older: older ?? 0 },
      total: total ?? 0,
    };
    return { view: "pages/conflict-queue.njk", model: conflictQueueModel(q, page, forces, counts) };
  },
};

/** Each listed person's force (what the visibility rules read), for the queue's force column. */
async function personForces(db: Db, ids: readonly string[]): Promise<Map<string, string | null>> {
  const subjects = await personSubjects(db, ids);
  return new Map([...subjects].map(([id, s]) => [id, s.force]));
}
