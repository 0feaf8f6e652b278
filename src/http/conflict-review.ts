/**
 * Conflict review as a service: the one copy of what listing, reading and deciding a conflict does, used by
 * the API (routes/conflicts.ts) and by the data team's web pages (src/web/pages/conflict-*.ts) alike.
 *
 * - `conflictFilters`: a reviewer's query (rule, severity, states, force, person, age) as the repository's
 *   filters, within the caller's visibility scope (the age bounds: the narrower wins);
 * - `listConflictsFor`: the page of conflicts (listConflicts), its CONSULTATION audit, and each conflict as
 *   the caller may see it;
 * - `readConflictFor`: one conflict with its history, as the caller may see it, audited; 404 for a conflict
 *   the caller may not see (and that read is not audited);
 * - `decideFor`: a reviewer's decision through src/pipeline/decide.ts, then a push queued per released
 *   outbox row after the commit (the outbox sweeper delivers any that could not be queued).
 */
import type { FastifyBaseLogger } from "fastify";
import type { Principal } from "../auth/principal.ts";
import { NOT_VISIBLE, type Subject, type Viewer } from "../auth/visibility.ts";
import type { Severity } from "../core/conflicts/types.ts";
import type { ConflictState, ReviewAction } from "../core/reconcile/lifecycle.ts";
import { BridgeError } from "../errors.ts";
import { decideConflict } from "../pipeline/decide.ts";
import { auditConsultation, subjectKey } from "../store/repositories/audit.ts";
import {
  type ConflictFilters,
  type ConflictPage,
  getConflict,
  listConflicts,
} from "../store/repositories/conflicts.ts";
import { conflictSubject } from "../store/repositories/visibility.ts";
import type { AuditActor } from "./audit-actor.ts";
import type { RouteDeps } from "./deps.ts";
import { notFound } from "./errors.ts";
import { conflictEventView, conflictView } from "./views.ts";
import { showEach } from "./visible.ts";

export type ConflictView = ReturnType<typeof conflictView>;
export type ConflictEventView = ReturnType<typeof conflictEventView>;

/** A reviewer's filters, as GET /v1/conflicts and the conflicts page take them. */
export interface ConflictQuery {
  rule?: string;
  severity?: Severity;
  state?: ConflictState[];
  force?: string;
  personId?: string;
  openedAfter?: string;
  openedBefore?: string;
  minAgeDays?: number;
  maxAgeDays?: number;
  limit?: number;
  cursor?: string;
  /** Newest opened first (the default) or oldest. */
  order?: "newest" | "oldest";
}

/** How a read came: the audit trail's correlation id and justification. */
export interface ReadContext {
  actor: AuditActor;
  correlationId: string;
  /** "GET /v1/conflicts", "the conflicts page"... */
  via: string;
}

const DAY_MS = 24 * 3600 * 1000;
const later = (a: string | undefined, b: string | undefined) =>
  a === undefined ? b : b === undefined ? a : a > b ? a : b;
const earlier = (a: string | undefined, b: string | undefined) =>
  a === undefined ? b : b === undefined ? a : a < b ? a : b;

/** The repository's filters for a query at `nowIso`, kept to `scope` (no cursor or limit). */
export function conflictFilters(
  q: ConflictQuery,
  nowIso: string,
  scope: ConflictFilters["scope"],
): ConflictFilters {
  const now = Date.parse(nowIso);
  const ago = (days: number | undefined) =>
    days === undefined ? undefined : new Date(now - days * DAY_MS).toISOString();
  const openedAfter = later(q.openedAfter && new Date(q.openedAfter).toISOString(), ago(q.maxAgeDays));
  const openedBefore = earlier(q.openedBefore && new Date(q.openedBefore).toISOString(), ago(q.minAgeDays));
  return {
    ...(q.rule ? { ruleId: q.rule } : {}),
    ...(q.severity ? { severity: q.severity } : {}),
    ...(q.state?.length ? { state: q.state } : {}),
    ...(q.force ? { force: q.force } : {}),
    ...(q.personId ? { personId: q.personId } : {}),
    ...(openedAfter ? { openedAfter } : {}),
    ...(openedBefore ? { openedBefore } : {}),
    ...(scope ? { scope } : {}),
  };
}

/** A page of conflicts the caller may see, audited as one CONSULTATION. */
export async function listConflictsFor(
  deps: RouteDeps,
  viewer: Viewer,
  q: ConflictQuery,
  read: ReadContext,
): Promise<{ items: ConflictView[]; nextCursor: string | null; page: ConflictPage }> {
  const page = await listConflicts(deps.db, {
    ...conflictFilters(q, deps.nowIso(), viewer.scope("Conflict")),
    ...(q.limit ? { limit: q.limit } : {}),
    ...(q.order ? { order: q.order } : {}),
    cursor: q.cursor ?? null,
  });
  // One CONSULTATION for the page: every conflict listed and its person, and the person asked about.
  const persons = new Set(page.items.map((c) => c.personId));
  if (q.personId) persons.add(q.personId);
  await auditConsultation(deps.db, {
    ...read.actor,
    at: deps.nowIso(),
    action: "CONFLICTS_LISTED",
    subjectIds: [
      subjectKey("CONFLICT_LIST", read.correlationId),
      ...page.items.map((c) => subjectKey("CONFLICT", c.id)),
      ...[...persons].map((p) => subjectKey("PERSON", p)),
    ],
    justification: `conflicts listed for review through ${read.via}`,
    correlationId: read.correlationId,
    details: {
      filter: {
        rule: q.rule ?? null,
        severity: q.severity ?? null,
        state: q.state ?? null,
        force: q.force ?? null,
        personId: q.personId ?? null,
        minAgeDays: q.minAgeDays ?? null,
        maxAgeDays: q.maxAgeDays ?? null,
        openedAfter: q.openedAfter ?? null,
        openedBefore: q.openedBefore ?? null,
      },
      listed: page.items.length,
    },
  });
  const items = await showEach(deps.db, viewer, "Conflict", page.items.map(conflictView));
  return { items, nextCursor: page.nextCursor, page };
}

/** The person a conflict is about, when the caller may see the conflict; 404 otherwise. */
export async function visibleConflictSubject(deps: RouteDeps, viewer: Viewer, id: string): Promise<Subject> {
  const subject = await conflictSubject(deps.db, id);
  if (!subject || !viewer.sees("Conflict", subject)) notFound("conflict");
  return subject;
}

/** One conflict with its history, as the caller may see it; audited (CONFLICT_VIEWED) before it is shown. */
export async function readConflictFor(
  deps: RouteDeps,
  viewer: Viewer,
  id: string,
  read: ReadContext,
): Promise<{ conflict: ConflictView; history: ConflictEventView[]; subject: Subject }> {
  // A conflict the caller may not see is not there (404, never 403), and the read is not audited.
  const subject = await visibleConflictSubject(deps, viewer, id);
  const found = (await getConflict(deps.db, id)) ?? notFound("conflict");
  await auditConsultation(deps.db, {
    ...read.actor,
    at: deps.nowIso(),
    action: "CONFLICT_VIEWED",
    subjectIds: [subjectKey("CONFLICT", id), subjectKey("PERSON", found.conflict.personId)],
    justification: `conflict and its history read through ${read.via}`,
    correlationId: read.correlationId,
  });
  const conflict = viewer.show("Conflict", conflictView(found.conflict), subject);
  if (conflict === NOT_VISIBLE) notFound("conflict");
  const history = found.history
    .map((e) => viewer.show("ConflictEvent", conflictEventView(e), subject))
    .filter((e) => e !== NOT_VISIBLE);
  return { conflict, history, subject };
}

export interface DecisionBody {
  action: ReviewAction;
  decision?: string | null;
  rationale?: string | null;
}

/**
 * A signed-in reviewer's decision: the lifecycle decides (four-eyes, rationale), a final decision
 * re-reconciles the person in the same transaction (decideConflict), and each released push is queued
 * after the commit. Throws the lifecycle's refusals (409, 400) as registry errors; 404 for a conflict the
 * reviewer may not see.
 */
export async function decideFor(
  deps: RouteDeps,
  viewer: Viewer,
  reviewer: Principal | null,
  id: string,
  body: DecisionBody,
  context: { correlationId: string; log: FastifyBaseLogger },
) {
  if (!reviewer) throw new BridgeError("BRIDGE_E_UNAUTHENTICATED", "no signed-in reviewer");
  const subject = await visibleConflictSubject(deps, viewer, id);
  const result = await decideConflict(
    deps.db,
    id,
    {
      action: body.action,
      actor: reviewer.subject,
      role: [...reviewer.roles].sort().join(","),
      agency: reviewer.agency,
      decision: body.decision ?? null,
      rationale: body.rationale ?? null,
      at: deps.nowIso(),
      correlationId: context.correlationId,
    },
    deps.reconcile,
  );
  let queued = true;
  for (const row of result.released) {
    try {
      await deps.producer.push(row.recipient, { outboxId: row.id });
    } catch (error) {
      // The decision and its outbox rows are committed; the outbox sweeper delivers them.
      queued = false;
      context.log.warn({ outboxId: row.id, err: (error as Error).message }, "release not queued");
    }
  }
  context.log.info(
    {
      conflictId: id,
      action: body.action,
      state: result.conflict.state,
      released: result.released.map((row) => row.id),
    },
    "conflict decision",
  );
  const conflict = viewer.show("Conflict", conflictView(result.conflict), subject);
  const event = viewer.show("ConflictEvent", result.event, subject);
  if (conflict === NOT_VISIBLE || event === NOT_VISIBLE) notFound("conflict");
  return {
    conflict,
    event,
    release: {
      reconciled: result.reconciled,
      queued: result.released.length > 0 && queued,
      released: result.released.map((row) => ({
        outboxId: row.id,
        recipient: row.recipient,
        kind: row.kind,
        idempotencyKey: row.idempotencyKey,
      })),
      withheld: result.withheld,
    },
  };
}
