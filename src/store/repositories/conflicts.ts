/**
 * Conflicts and their history: reading, filtering and paging. Writing is in `conflict-sync.ts`
 * (re-evaluation) and `conflict-decisions.ts` (reviewers' decisions); both append to `conflict_events`.
 */
import type { Evidence, Severity } from "../../core/conflicts/types.ts";
import type {
  ConflictEvent,
  ConflictState,
  ConflictStatus,
  DecisionReviewer,
  PendingApproval,
  Transition,
} from "../../core/reconcile/lifecycle.ts";
import { BridgeError } from "../../errors.ts";
import type { Db } from "../db.ts";
import { decodeCursor, encodeCursor, isUuid } from "../paging.ts";
import { type PersonScope, scopeClauses } from "./visibility.ts";

export interface StoredConflict extends ConflictStatus {
  id: string;
  personId: string;
  fingerprint: string;
  ruleId: string;
  severity: Severity;
  state: ConflictState;
  explanation: string;
  evidence: Evidence[];
  evidenceSha256: string;
  pendingApproval: PendingApproval | null;
  decision: string | null;
  rationale: string | null;
  decidedBy: string[] | null;
  /** The reviewers of the final decision with their role and agency (null while undecided). */
  decidedReviewers: DecisionReviewer[] | null;
  decidedAt: string | null;
  openedAt: string;
  updatedAt: string;
  closedAt: string | null;
  closedReason: string | null;
}

export interface StoredConflictEvent extends ConflictEvent {
  id: number;
  conflictId: string;
}

export interface ConflictWithHistory {
  conflict: StoredConflict;
  history: StoredConflictEvent[];
}

/** Every column of a conflict row, camel-cased, for a table aliased `c`. */
export const CONFLICT_COLUMNS = `c.id, c.person_id AS "personId", c.fingerprint, c.rule_id AS "ruleId",
    c.severity, c.state, c.explanation, c.evidence, c.evidence_sha256 AS "evidenceSha256",
    c.pending_approval AS "pendingApproval", c.decision, c.rationale, c.decided_by AS "decidedBy",
    c.decided_reviewers AS "decidedReviewers", c.decided_at AS "decidedAt", c.opened_at AS "openedAt", c.updated_at AS "updatedAt", c.closed_at AS "closedAt",
    c.closed_reason AS "closedReason"`;

export const SELECT_CONFLICT = `SELECT ${CONFLICT_COLUMNS} FROM conflicts c`;

export async function appendConflictEvent(db: Db, conflictId: string, event: ConflictEvent): Promise<void> {
  await db.query(
    `INSERT INTO conflict_events (conflict_id, action, from_state, to_state, decision, rationale, actor, details, at)
     VALUES ($1::uuid, $2, $3, $4, $5, $6, $7, $8::jsonb, $9)`,
    [
      conflictId,
      event.action,
      event.fromState,
      event.toState,
      event.decision,
      event.rationale,
      event.actor,
      JSON.stringify(event.details),
      event.at,
    ],
  );
}

/** Writes a lifecycle transition's new state onto the conflict row and returns the row. */
export async function applyTransition(
  db: Db,
  conflictId: string,
  transition: Transition,
): Promise<StoredConflict> {
  const closing = transition.state === "CLOSED";
  const rows = await db.query<{ id: string }>(
    `UPDATE conflicts SET state = $2, pending_approval = $3::jsonb, updated_at = $4,
        decision = COALESCE($5, decision), rationale = COALESCE($6, rationale),
        decided_by = COALESCE($7::text[], decided_by), decided_at = COALESCE($8::timestamptz, decided_at),
        closed_at = CASE WHEN $9 THEN $4::timestamptz ELSE closed_at END,
        closed_reason = CASE WHEN $9 THEN $10 ELSE closed_reason END,
        decided_reviewers = COALESCE($11::jsonb, decided_reviewers)
      WHERE id = $1::uuid RETURNING id`,
    [
      conflictId,
      transition.state,
      transition.pendingApproval ? JSON.stringify(transition.pendingApproval) : null,
      transition.event.at,
      transition.final?.decision ?? null,
      transition.final?.rationale ?? null,
      transition.final?.decidedBy ?? null,
      transition.final?.decidedAt ?? null,
      closing,
      closing ? transition.event.rationale : null,
      transition.final ? JSON.stringify(transition.final.reviewers) : null,
    ],
  );
  if (!rows[0]) throw new BridgeError("BRIDGE_E_NOT_FOUND", "no such conflict", { conflictId });
  await appendConflictEvent(db, conflictId, transition.event);
  return (await db.query<StoredConflict>(`${SELECT_CONFLICT} WHERE c.id = $1::uuid`, [conflictId]))[0]!;
}

export async function getConflict(db: Db, conflictId: string): Promise<ConflictWithHistory | null> {
  if (!isUuid(conflictId)) return null;
  const rows = await db.query<StoredConflict>(`${SELECT_CONFLICT} WHERE c.id = $1::uuid`, [conflictId]);
  const conflict = rows[0];
  if (!conflict) return null;
  const history = await db.query<StoredConflictEvent>(
    `SELECT id, conflict_id AS "conflictId", action, from_state AS "fromState", to_state AS "toState", decision,
            rationale, actor, details, at
       FROM conflict_events WHERE conflict_id = $1::uuid ORDER BY id`,
    [conflictId],
  );
  return { conflict, history };
}

export interface ConflictFilters {
  ruleId?: string;
  severity?: Severity;
  state?: ConflictState | readonly ConflictState[];
  personId?: string;
  /** The person's force, as last recorded on the person. */
  force?: string;
  /** Only the persons a caller may see (their force, limited access): src/auth/visibility.ts. */
  scope?: PersonScope;
  /** ISO instants, inclusive after / exclusive before. */
  openedAfter?: string;
  openedBefore?: string;
  /** Which end of the opening times comes first: "newest" (the default) or "oldest". */
  order?: "newest" | "oldest";
  /** 1..500, default 50. */
  limit?: number;
  /** From a previous page's `nextCursor` (of a listing in the same order). */
  cursor?: string | null;
}

export interface ConflictPage {
  items: StoredConflict[];
  /** Null on the last page. */
  nextCursor: string | null;
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

/**
 * The WHERE clauses of every filter but paging, for `conflicts c JOIN persons p` (parameters appended to
 * `params`); null when no conflict can match (a person id that is not a UUID). Listing and counting share
 * it, so a count is always of what the listing would hold.
 */
function conflictWhere(filters: ConflictFilters, params: unknown[]): string[] | null {
  const where: string[] = [];
  const add = (clause: (p: string) => string, value: unknown) => {
    params.push(value);
    where.push(clause(`$${params.length}`));
  };
  if (filters.ruleId) add((p) => `c.rule_id = ${p}`, filters.ruleId);
  if (filters.severity) add((p) => `c.severity = ${p}`, filters.severity);
  if (filters.state) {
    add(
      (p) => `c.state = ANY(${p}::text[])`,
      typeof filters.state === "string" ? [filters.state] : filters.state,
    );
  }
  if (filters.personId) {
    if (!isUuid(filters.personId)) return null;
    add((p) => `c.person_id = ${p}::uuid`, filters.personId);
  }
  if (filters.force) add((p) => `p.force = ${p}`, filters.force);
  if (filters.scope) where.push(...scopeClauses(filters.scope, "c.person_id", params));
  if (filters.openedAfter) add((p) => `c.opened_at >= ${p}::timestamptz`, filters.openedAfter);
  if (filters.openedBefore) add((p) => `c.opened_at < ${p}::timestamptz`, filters.openedBefore);
  return where;
}

/** Conflicts matching every given filter, newest opened first (or oldest), keyset-paged on (opened_at, id). */
export async function listConflicts(db: Db, filters: ConflictFilters = {}): Promise<ConflictPage> {
  const limit = filters.limit ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new BridgeError("BRIDGE_E_USAGE", `limit must be a whole number from 1 to ${MAX_PAGE_SIZE}`);
  }
  const params: unknown[] = [];
  const where = conflictWhere(filters, params);
  if (!where) return { items: [], nextCursor: null };
  const oldest = filters.order === "oldest";
  if (filters.cursor) {
    const [openedAt, id] = decodeCursor(filters.cursor);
    params.push(openedAt, id);
    where.push(
      `(c.opened_at, c.id) ${oldest ? ">" : "<"} ($${params.length - 1}::timestamptz, $${params.length}::uuid)`,
    );
  }
  params.push(limit + 1);
  const direction = oldest ? "ASC" : "DESC";
  const rows = await db.query<StoredConflict>(
    `${SELECT_CONFLICT} JOIN persons p ON p.id = c.person_id
     ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
     ORDER BY c.opened_at ${direction}, c.id ${direction} LIMIT $${params.length}`,
    params,
  );
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(last.openedAt, last.id) : null };
}

/** What conflicts can be counted by: each value's count under the other filters. */
export type ConflictFacet = "rule" | "severity" | "state" | "force";
const FACET_COLUMN: Readonly<Record<ConflictFacet, string>> = {
  rule: "c.rule_id",
  severity: "c.severity",
  state: "c.state",
  force: "p.force",
};

/**
 * How many conflicts matching the filters (paging aside) have each value of `by` (a person with no force
 * is the null value), largest first; `by` omitted: the total, as one row with a null value.
 */
export async function countConflicts(
  db: Db,
  filters: ConflictFilters,
  by?: ConflictFacet,
): Promise<{ value: string | null; count: number }[]> {
  const params: unknown[] = [];
  const where = conflictWhere(filters, params);
  if (!where) return by ? [] : [{ value: null, count: 0 }];
  const column = by ? FACET_COLUMN[by] : "NULL::text";
  return db.query(
    `SELECT ${column} AS value, count(*)::int AS count
       FROM conflicts c JOIN persons p ON p.id = c.person_id
      ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
      ${by ? `GROUP BY ${column} ORDER BY count(*) DESC, ${column}` : ""}`,
    params,
  );
}

/** Live (OPEN or ACKNOWLEDGED) conflicts counted by rule and severity, for the metrics scrape. */
export async function countLiveConflicts(
  db: Db,
): Promise<{ ruleId: string; severity: Severity; count: number }[]> {
  return db.query(
    `SELECT rule_id AS "ruleId", severity, count(*)::int AS count FROM conflicts
      WHERE state IN ('OPEN', 'ACKNOWLEDGED') GROUP BY rule_id, severity ORDER BY rule_id, severity`,
  );
}
