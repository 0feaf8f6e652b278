/**
 * Reading persons as a caller may see them: one person by id, or the persons one identifier (PNC, CRN or
 * NOMIS number) names. The API (GET /v1/persons/{id}, POST /v1/persons/search) and the web's person pages
 * (src/web/pages/persons.ts) both call these, with the caller's viewer (src/auth/visibility.ts), so the
 * query, the visibility rules and the consultation audit are the same wherever a person is read.
 *
 * - A person the caller may not see is not there: `readPerson` answers null, `searchPersons` leaves them
 *   out, and neither audits the read.
 * - Every person shown is a CONSULTATION in the audit trail (PERSON_VIEWED), appended before the answer.
 * - An identifier is read as the bridge reads it everywhere (src/core/identity/identifiers.ts): one that
 *   does not read as VALID is BRIDGE_E_REQUEST_INVALID naming the field, never quoting the value.
 */
import { NOT_VISIBLE, type Viewer } from "../auth/visibility.ts";
import {
  identifierStatus,
  type ParsedIdentifier,
  parseCrn,
  parseNomisId,
  parsePnc,
  pncPivotYear,
} from "../core/identity/identifiers.ts";
import { BridgeError } from "../errors.ts";
import type { Db } from "../store/index.ts";
import { auditConsultation, subjectKey } from "../store/repositories/audit.ts";
import {
  findPersonByKeys,
  findPersonsByNomisId,
  getPerson,
  type Person,
} from "../store/repositories/persons.ts";
import { personSubjects } from "../store/repositories/visibility.ts";
import type { AuditActor } from "./audit-actor.ts";
import { assemblePersonView } from "./person-view.ts";

export type SearchField = "pnc" | "crn" | "nomis";
export const SEARCH_FIELDS: readonly SearchField[] = ["pnc", "crn", "nomis"];
export const FIELD_NAMES: Readonly<Record<SearchField, string>> = {
  pnc: "PNC",
  crn: "CRN",
  nomis: "NOMIS number",
};

/** The person's view as GET /v1/persons/{id} answers it (before visibility). */
export type PersonViewData = Awaited<ReturnType<typeof assemblePersonView>>["view"];
/** The view as a caller is shown it: withheld fields null and named in `withheld`. */
export type ShownPersonView = PersonViewData & { withheld?: string[]; limitedAccess?: boolean };

/** Who is reading, for the consultation audit: the actor, the time, the request and why. */
export interface ReadContext {
  actor: AuditActor;
  at: string;
  correlationId: string | null;
  justification: string;
}

/** The identifier in canonical form, or BRIDGE_E_REQUEST_INVALID naming the field and why. */
export function canonicalIdentifier(field: SearchField, raw: string, today: string): string {
  const parsed: ParsedIdentifier =
    field === "pnc"
      ? parsePnc(raw, pncPivotYear(today))
      : field === "crn"
        ? parseCrn(raw)
        : parseNomisId(raw);
  if (identifierStatus(parsed) === "VALID" && parsed.canonical) return parsed.canonical;
  const why = parsed.reason ?? "it does not read as one";
  throw new BridgeError(
    "BRIDGE_E_REQUEST_INVALID",
    `body/${field} is not a valid ${FIELD_NAMES[field]} (${why})`,
    { field },
  );
}

async function personsFor(db: Db, field: SearchField, value: string): Promise<Person[]> {
  if (field === "nomis") return findPersonsByNomisId(db, value);
  // A PNC or CRN is unique to one person; `findPersonByKeys` puts that person first.
  const found = await findPersonByKeys(db, field === "pnc" ? { pnc: value } : { crn: value });
  return found.filter((p) => p[field] === value);
}

async function audited(db: Db, context: ReadContext, shown: ShownPersonView): Promise<void> {
  await auditConsultation(db, {
    ...context.actor,
    at: context.at,
    action: "PERSON_VIEWED",
    subjectIds: [
      subjectKey("PERSON", shown.person.id),
      ...shown.openConflicts.map((c) => subjectKey("CONFLICT", c.id)),
    ],
    justification: context.justification,
    correlationId: context.correlationId,
  });
}

/** One person as the caller may see them, audited; null when not held or not the caller's to see. */
export async function readPerson(
  db: Db,
  viewer: Viewer,
  id: string,
  context: ReadContext,
): Promise<ShownPersonView | null> {
  const person = await getPerson(db, id);
  if (!person) return null;
  const subject = (await personSubjects(db, [id])).get(id);
  if (!subject || !viewer.sees("PersonView", subject)) return null;
  const { view } = await assemblePersonView(db, person);
  const shown = viewer.show("PersonView", view, subject);
  if (shown === NOT_VISIBLE) return null;
  await audited(db, context, shown);
  return shown;
}

/**
 * The persons one identifier names that the caller may see, each as `readPerson` shows them (and audited
 * as it audits). `today` reads a PNC's year. An identifier that does not read is refused (see above).
 */
export async function searchPersons(
  db: Db,
  viewer: Viewer,
  query: { field: SearchField; value: string; today: string },
  context: ReadContext,
): Promise<ShownPersonView[]> {
  const persons = await personsFor(
    db,
    query.field,
    canonicalIdentifier(query.field, query.value, query.today),
  );
  const subjects = await personSubjects(
    db,
    persons.map((p) => p.id),
  );
  const items: ShownPersonView[] = [];
  for (const person of persons) {
    const subject = subjects.get(person.id);
    if (!subject || !viewer.sees("PersonView", subject)) continue;
    const { view } = await assemblePersonView(db, person);
    const shown = viewer.show("PersonView", view, subject);
    if (shown === NOT_VISIBLE) continue;
    await audited(db, context, shown);
    items.push(shown);
  }
  return items;
}
