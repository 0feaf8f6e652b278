/**
 * `POST /v1/persons/search`: a person looked up by one identifier, PNC, CRN or NOMIS number, in the body
 * so that it never reaches a URL or a log (the request log line names the route, never the body). The
 * identifier is read as the bridge reads it everywhere (src/core/identity/identifiers.ts): one that does
 * not read as VALID is 400 naming the field, never quoting the value. The answer lists the persons it
 * names as GET /v1/persons/{id} shows each to the caller; one the caller may not see is left out, so the
 * answer for a person outside the caller's scope is the answer for no such person (never a 403). Each
 * person shown is a consultation in the audit trail, as a read by id is.
 */
import type { FastifyPluginAsync } from "fastify";
import { NOT_VISIBLE } from "../../auth/visibility.ts";
import {
  identifierStatus,
  type ParsedIdentifier,
  parseCrn,
  parseNomisId,
  parsePnc,
  pncPivotYear,
} from "../../core/identity/identifiers.ts";
import { BridgeError } from "../../errors.ts";
import type { Db } from "../../store/index.ts";
import { auditConsultation, subjectKey } from "../../store/repositories/audit.ts";
import { findPersonByKeys, findPersonsByNomisId, type Person } from "../../store/repositories/persons.ts";
import { personSubjects } from "../../store/repositories/visibility.ts";
import { auditActor } from "../audit-actor.ts";
import type { RouteDeps } from "../deps.ts";
import { assemblePersonView } from "../person-view.ts";
import { ref } from "../schemas.ts";

type Field = "pnc" | "crn" | "nomis";
const NAMES: Readonly<Record<Field, string>> = { pnc: "PNC", crn: "CRN", nomis: "NOMIS number" };

/** The identifier in canonical form, or 400 naming the field and why (the parsers never quote values). */
function canonical(field: Field, raw: string, today: string): string {
  const parsed: ParsedIdentifier =
    field === "pnc"
      ? parsePnc(raw, pncPivotYear(today))
      : field === "crn"
        ? parseCrn(raw)
        : parseNomisId(raw);
  if (identifierStatus(parsed) === "VALID" && parsed.canonical) return parsed.canonical;
  const why = parsed.reason ?? "it does not read as one";
  throw new BridgeError("BRIDGE_E_REQUEST_INVALID", `body/${field} is not a valid ${NAMES[field]} (${why})`, {
    field,
  });
}

async function personsFor(db: Db, field: Field, value: string): Promise<Person[]> {
  if (field === "nomis") return findPersonsByNomisId(db, value);
  // A PNC or CRN is unique to one person; `findPersonByKeys` puts that person first.
  const found = await findPersonByKeys(db, field === "pnc" ? { pnc: value } : { crn: value });
  return found.filter((p) => p[field] === value);
}

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
      const body = request.body as Partial<Record<Field, string>>;
      const [field, raw] = Object.entries(body)[0] as [Field, string];
      const persons = await personsFor(deps.db, field, canonical(field, raw, deps.nowIso()));
      const subjects = await personSubjects(
        deps.db,
        persons.map((p) => p.id),
      );
      const items = [];
      for (const person of persons) {
        const subject = subjects.get(person.id);
        if (!subject || !request.viewer.sees("PersonView", subject)) continue;
        const { view } = await assemblePersonView(deps.db, person);
        const shown = request.viewer.show("PersonView", view, subject);
        if (shown === NOT_VISIBLE) continue;
        await auditConsultation(deps.db, {
          ...auditActor(request),
          at: deps.nowIso(),
          action: "PERSON_VIEWED",
          subjectIds: [
            subjectKey("PERSON", person.id),
            ...shown.openConflicts.map((c) => subjectKey("CONFLICT", c.id)),
          ],
          justification: "person looked up by identifier through POST /v1/persons/search",
          correlationId: request.id,
        });
        items.push(shown);
      }
      return { items };
    },
  );
};
