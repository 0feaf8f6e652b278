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
 * releases are queued after the commit (the outbox sweeper delivers them if queuing fails). What each of
 * the three does is src/http/conflict-review.ts, which the data team's web pages call too.
 */
import type { FastifyPluginAsync } from "fastify";
import { CONFLICT_STATES } from "../../core/reconcile/lifecycle.ts";
import { MAX_PAGE_SIZE } from "../../store/repositories/conflicts.ts";
import { auditActor } from "../audit-actor.ts";
import {
  type ConflictQuery,
  type DecisionBody,
  decideFor,
  listConflictsFor,
  readConflictFor,
} from "../conflict-review.ts";
import type { RouteDeps } from "../deps.ts";
import { ref } from "../schemas.ts";

const ID_PARAMS = {
  type: "object",
  required: ["id"],
  properties: { id: { type: "string", format: "uuid" } },
} as const;

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
      const read = { actor: auditActor(request), correlationId: request.id, via: "GET /v1/conflicts" };
      const { items, nextCursor } = await listConflictsFor(
        deps,
        request.viewer,
        request.query as ConflictQuery,
        read,
      );
      return { items, nextCursor };
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
      const read = { actor: auditActor(request), correlationId: request.id, via: "GET /v1/conflicts/{id}" };
      const { conflict, history } = await readConflictFor(deps, request.viewer, id, read);
      return { conflict, history };
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
      return decideFor(deps, request.viewer, request.principal, id, request.body as DecisionBody, {
        correlationId: request.id,
        log: request.log,
      });
    },
  );
};
