/**
 * `POST /v1/persons/search`: a person looked up by one identifier, PNC, CRN or NOMIS number, in the body
 * so that it never reaches a URL or a log (the request log line names the route, never the body). The
 * identifier is read as the bridge reads it everywhere: one that does not read as VALID is 400 naming the
 * field, never quoting the value. The search itself is src/http/person-lookup.ts's, which the web's
 * person search calls too. The answer lists the persons it
 * names as GET /v1/persons/{id} shows each to the caller; one the caller may not see is left out, so the
 * answer for a person outside the caller's scope is the answer for no such person (never a 403). Each
 * person shown is a consultation in the audit trail, as a read by id is.
 */
import type { FastifyPluginAsync } from "fastify";
import { auditActor } from "../audit-actor.ts";
import type { RouteDeps } from "../deps.ts";
import { type SearchField, searchPersons } from "../person-lookup.ts";
import { ref } from "../schemas.ts";

export const personSearchRoutes: FastifyPluginAsync<{ deps: RouteDeps }> = async (app, { deps }) => {
  app.post(
    "/v1/persons/search",
    {
      bodyLimit: 1024,
      schema: {
        tags: ["persons"],
        summary: "Look a person up by PNC, CRN or NOMIS number",
        description:
          "The identifier goes in the body, never the URL. The persons it names that the caller may see, each as GET /v1/persons/{id} shows it; an empty list when there is none or the caller may not see them (the same answer). An identifier that does not read is 400 naming the field.",
        body: ref("PersonSearch"),
        response: { 200: ref("PersonSearchResult") },
      },
    },
    async (request) => {
      const body = request.body as Partial<Record<SearchField, string>>;
      const [field, value] = Object.entries(body)[0] as [SearchField, string];
      const items = await searchPersons(
        deps.db,
        request.viewer,
        { field, value, today: deps.nowIso() },
        {
          actor: auditActor(request),
          at: deps.nowIso(),
          correlationId: request.id,
          justification: "person looked up by identifier through POST /v1/persons/search",
        },
      );
      return { items };
    },
  );
};
