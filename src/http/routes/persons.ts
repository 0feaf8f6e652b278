/**
 * `GET /v1/persons/{id}`: the reconciled view of a person as the store holds it: the person and their
 * keys, the identity match in force, the current ARMS draft, the live conflicts, and what has been (or is
 * to be) pushed to each agency. Every read is audited (CONSULTATION) before it is answered.
 */
import type { FastifyPluginAsync } from "fastify";
import { LIVE_STATES } from "../../core/reconcile/lifecycle.ts";
import { auditConsultation, subjectKey } from "../../store/repositories/audit.ts";
import { listConflicts, MAX_PAGE_SIZE } from "../../store/repositories/conflicts.ts";
import { attemptsForMany } from "../../store/repositories/deliveries.ts";
import { latestDraftFor } from "../../store/repositories/drafts.ts";
import { listOutbox } from "../../store/repositories/outbox.ts";
import { getPerson, latestMatch } from "../../store/repositories/persons.ts";
import { auditActor } from "../audit-actor.ts";
import type { RouteDeps } from "../deps.ts";
import { notFound } from "../errors.ts";
import { ref } from "../schemas.ts";
import { conflictView, deliveryView, matchView, personView } from "../views.ts";

/** The most recent outbox rows shown with a person (the full history is at /v1/deliveries?personId=). */
export const PERSON_DELIVERIES = 20;

export const personsRoutes: FastifyPluginAsync<{ deps: RouteDeps }> = async (app, { deps }) => {
  app.get(
    "/v1/persons/:id",
    {
      schema: {
        tags: ["persons"],
        summary: "The reconciled view of a person",
        description: `Live conflicts (up to ${MAX_PAGE_SIZE}) and the ${PERSON_DELIVERIES} most recent deliveries; the rest are at /v1/conflicts?personId= and /v1/deliveries?personId=.`,
        params: {
          type: "object",
          required: ["id"],
          properties: { id: { type: "string", format: "uuid" } },
        },
        response: { 200: ref("PersonView") },
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      const person = (await getPerson(deps.db, id)) ?? notFound("person");
      const [match, draft, conflicts, outbox] = await Promise.all([
        latestMatch(deps.db, id),
        latestDraftFor(deps.db, id),
        listConflicts(deps.db, { personId: id, state: LIVE_STATES, limit: MAX_PAGE_SIZE }),
        listOutbox(deps.db, { personId: id, limit: PERSON_DELIVERIES }),
      ]);
      const attempts = await attemptsForMany(
        deps.db,
        outbox.items.map((r) => r.id),
      );
      await auditConsultation(deps.db, {
        ...auditActor(request),
        at: deps.nowIso(),
        action: "PERSON_VIEWED",
        subjectIds: [subjectKey("PERSON", id), ...conflicts.items.map((c) => subjectKey("CONFLICT", c.id))],
        justification: "reconciled view of the person read through GET /v1/persons/{id}",
        correlationId: request.id,
      });
      return {
        person: personView(person),
        match: match ? matchView(match) : null,
        draft,
        openConflicts: conflicts.items.map(conflictView),
        deliveries: outbox.items.map((row) => deliveryView(row, attempts.get(row.id) ?? [])),
      };
    },
  );
};
