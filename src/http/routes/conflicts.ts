/**
 * Conflicts for reviewers: a filtered, keyset-paged listing; one conflict with its history; and a
 * reviewer's decision. What each caller sees is the access policy's visibility (`request.viewer`): the
 * listing holds only the conflicts of persons the caller may see (in its query, whatever `force` asks),
 * and a conflict the caller may not see answers 404, to a read and to a decision alike. Reads are audited
 * (CONSULTATION) before they are answered. The reviewer is the
 * signed-in person the verified token names (`request.principal`: the access policy lets only people with
 * DATA_TEAM decide, never a system); the `X-Reviewer` header of earlier versions is gone and ignored.
 * Four-eyes on BLOCK conflicts is enforced by the lifecycle, comparing authenticated subjects (409
 * BRIDGE_E_FOUR_EYES); every 409 lists the actions the conflict's state allows. A decision that ends a
 * conflict re-reconciles the person in the same transaction (src/pipeline/decide.ts); the pushes it
 * releases are queued here after the commit (the outbox sweeper delivers them if queuing fails).
 */
import type { FastifyPluginAsync } from "fastify";
import { NOT_VISIBLE } from "../../auth/visibility.ts";
import type { Severity } from "../../core/conflicts/types.ts";
import { CONFLICT_STATES, type ConflictState, type ReviewAction } from "../../core/reconcile/lifecycle.ts";
import { BridgeError } from "../../errors.ts";
import { decideConflict } from "../../pipeline/decide.ts";
import { auditConsultation, subjectKey } from "../../store/repositories/audit.ts";
import { getConflict, listConflicts, MAX_PAGE_SIZE } from "../../store/repositories/conflicts.ts";
import { conflictSubject } from "../../store/repositories/visibility.ts";
import { auditActor } from "../audit-actor.ts";
import type { RouteDeps } from "../deps.ts";
import { notFound } from "../errors.ts";
import { ref } from "../schemas.ts";
import { conflictEventView, conflictView } from "../views.ts";
import { showEach } from "../visible.ts";

const ID_PARAMS = {
  type: "object",
  required: ["id"],
  properties: { id: { type: "string", format: "uuid" } },
} as const;
const DAY_MS = 24 * 3600 * 1000;

interface ListQuery {
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
}

/** The later of two optional instants (both bound the same side of the window). */
const later = (a: string | undefined, b: string | undefined) =>
  a === undefined ? b : b === undefined ? a : a > b ? a : b;
const earlier = (a: string | undefined, b: string | undefined) =>
  a === undefined ? b : b === undefined ? a : a < b ? a : b;

export const conflictsRoutes: FastifyPluginAsync<{ deps: RouteDeps }> = async (app, { deps }) => {
  app.get(
    "/v1/conflicts",
    {
      schema: {
        tags: ["conflicts"],
        summary: "Conflicts matching every filter given, newest opened first",
        description:
          "Age filters: openedAfter/openedBefore (instants) or minAgeDays/maxAgeDays (whole days before now); given together, the narrower bound wins. Page with `cursor` = the previous page's nextCursor.",
        querystring: {
          type: "object",
          additionalProperties: false,
          properties: {
            rule: { type: "string", pattern: "^[A-Z]{2}-\\d{1,2}$" },
            severity: { enum: ["BLOCK", "WARN", "INFO"] },
            state: { type: "array", items: { enum: [...CONFLICT_STATES] }, maxItems: 5 },
            force: { type: "string", minLength: 1, maxLength: 64 },
            personId: { type: "string", format: "uuid" },
            openedAfter: { type: "string", format: "date-time" },
            openedBefore: { type: "string", format: "date-time" },
            minAgeDays: { type: "integer", minimum: 0, maximum: 36500 },
            maxAgeDays: { type: "integer", minimum: 0, maximum: 36500 },
            limit: { type: "integer", minimum: 1, maximum: MAX_PAGE_SIZE, default: 50 },
            cursor: { type: "string", maxLength: 200 },
          },
        },
        response: { 200: ref("ConflictPage") },
      },
    },
    async (request) => {
      const q = request.query as ListQuery;
      const now = Date.parse(deps.nowIso());
      const ago = (days: number | undefined) =>
        days === undefined ? undefined : new Date(now - days * DAY_MS).toISOString();
      const page = await listConflicts(deps.db, {
        ...(q.rule ? { ruleId: q.rule } : {}),
        ...(q.severity ? { severity: q.severity } : {}),
        ...(q.state ? { state: q.state } : {}),
        ...(q.force ? { force: q.force } : {}),
        ...(q.personId ? { personId: q.personId } : {}),
        openedAfter: later(q.openedAfter && new Date(q.openedAfter).toISOString(), ago(q.maxAgeDays)),
        openedBefore: earlier(q.openedBefore && new Date(q.openedBefore).toISOString(), ago(q.minAgeDays)),
        ...(q.limit ? { limit: q.limit } : {}),
        cursor: q.cursor ?? null,
        scope: request.viewer.scope("Conflict"),
      });
      // One CONSULTATION for the page: every conflict listed and its person, and the person asked about.
      const persons = new Set(page.items.map((c) => c.personId));
      if (q.personId) persons.add(q.personId);
      await auditConsultation(deps.db, {
        ...auditActor(request),
        at: deps.nowIso(),
        action: "CONFLICTS_LISTED",
        subjectIds: [
          subjectKey("CONFLICT_LIST", request.id),
          ...page.items.map((c) => subjectKey("CONFLICT", c.id)),
          ...[...persons].map((p) => subjectKey("PERSON", p)),
        ],
        justification: "conflicts listed for review through GET /v1/conflicts",
        correlationId: request.id,
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
      const items = await showEach(deps.db, request.viewer, "Conflict", page.items.map(conflictView));
      return { items, nextCursor: page.nextCursor };
    },
  );

  app.get(
    "/v1/conflicts/:id",
    {
      schema: {
        tags: ["conflicts"],
        summary: "A conflict with its history",
        params: ID_PARAMS,
        response: { 200: ref("ConflictWithHistory") },
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      // A conflict the caller may not see is not there (404, never 403), and the read is not audited.
      const subject = await conflictSubject(deps.db, id);
      if (!subject || !request.viewer.sees("Conflict", subject)) notFound("conflict");
      const found = (await getConflict(deps.db, id)) ?? notFound("conflict");
      await auditConsultation(deps.db, {
        ...auditActor(request),
        at: deps.nowIso(),
        action: "CONFLICT_VIEWED",
        subjectIds: [subjectKey("CONFLICT", id), subjectKey("PERSON", found.conflict.personId)],
        justification: "conflict and its history read through GET /v1/conflicts/{id}",
        correlationId: request.id,
      });
      const conflict = request.viewer.show("Conflict", conflictView(found.conflict), subject);
      if (conflict === NOT_VISIBLE) notFound("conflict");
      const history = found.history.map((e) =>
        request.viewer.show("ConflictEvent", conflictEventView(e), subject),
      );
      return { conflict, history: history.filter((e) => e !== NOT_VISIBLE) };
    },
  );

  app.post(
    "/v1/conflicts/:id/decisions",
    {
      bodyLimit: 16 * 1024,
      schema: {
        tags: ["conflicts"],
        summary: "Record a reviewer's decision (acknowledge, resolve, dismiss)",
        description:
          "The reviewer is the signed-in person the bearer token names (a DATA_TEAM user; a system client never decides); the X-Reviewer header of earlier versions is gone and ignored. ACKNOWLEDGE first (from OPEN), then RESOLVE or DISMISS (from ACKNOWLEDGED). A BLOCK conflict is resolved or dismissed only when a second, different person makes the same decision (409 BRIDGE_E_FOUR_EYES for the same person twice). Every 409 (BRIDGE_E_CONFLICT_TRANSITION, BRIDGE_E_FOUR_EYES) lists in `error.validActions` the actions the conflict's current state allows. The decision records the reviewer's subject, role and agency.",
        params: ID_PARAMS,
        body: ref("DecisionRequest"),
        response: { 200: ref("DecisionResult") },
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      // The access policy admits only signed-in people with a deciding role here (src/auth/plugin.ts).
      const reviewer = request.principal;
      if (!reviewer) throw new BridgeError("BRIDGE_E_UNAUTHENTICATED", "no signed-in reviewer");
      const subject = await conflictSubject(deps.db, id);
      if (!subject || !request.viewer.sees("Conflict", subject)) notFound("conflict");
      const body = request.body as { action: ReviewAction; decision?: string; rationale?: string };
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
          correlationId: request.id,
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
          request.log.warn({ outboxId: row.id, err: (error as Error).message }, "release not queued");
        }
      }
      request.log.info(
        {
          conflictId: id,
          action: body.action,
          state: result.conflict.state,
          released: result.released.map((row) => row.id),
        },
        "conflict decision",
      );
      const conflict = request.viewer.show("Conflict", conflictView(result.conflict), subject);
      const event = request.viewer.show("ConflictEvent", result.event, subject);
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
    },
  );
};
