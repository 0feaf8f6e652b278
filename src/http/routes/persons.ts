/**
 * `GET /v1/persons/{id}`: the reconciled view of a person as the store holds it: the person and their
 * keys, the identity match in force, the current pre-filled ARMS draft, the live conflicts, and what has
 * been (or is to be) pushed to each agency (src/http/person-view.ts), as the caller may see it
 * (`request.viewer`, the access policy's visibility): a person outside the caller's scope is 404.
 * Every read is audited (CONSULTATION) before it is answered.
 */
import type { FastifyPluginAsync } from "fastify";
import { MAX_PAGE_SIZE } from "../../store/repositories/conflicts.ts";
import { auditActor } from "../audit-actor.ts";
import type { RouteDeps } from "../deps.ts";
import { notFound } from "../errors.ts";
import { readPerson } from "../person-lookup.ts";
import { PERSON_DELIVERIES } from "../person-view.ts";
import { ref } from "../schemas.ts";
import { personSearchRoutes } from "./person-search.ts";

export { PERSON_DELIVERIES };

export const personsRoutes: FastifyPluginAsync<{ deps: RouteDeps }> = async (app, { deps }) => {
  // Look-up by identifier: POST /v1/persons/search (person-search.ts).
  await app.register(personSearchRoutes, { deps });
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
      // A person the caller may not see is not there (404, never 403), and their read is not audited.
      const shown = await readPerson(deps.db, request.viewer, id, {
        actor: auditActor(request),
        at: deps.nowIso(),
        correlationId: request.id,
        justification: "reconciled view of the person read through GET /v1/persons/{id}",
      });
      return shown ?? notFound("person");
    },
  );
};
