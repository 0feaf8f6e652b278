/**
 * The reconciled view of a person (PersonView) as the store holds it, before visibility: the person and
 * their keys, the identity match in force, the current pre-filled ARMS draft with its content, the live
 * conflicts and the most recent deliveries. GET /v1/persons/{id} and POST /v1/persons/search both answer
 * it, through the caller's viewer (src/auth/visibility.ts; src/http/visible.ts).
 */
import { LIVE_STATES } from "../core/reconcile/lifecycle.ts";
import type { Db } from "../store/index.ts";
import { type ConflictPage, listConflicts, MAX_PAGE_SIZE } from "../store/repositories/conflicts.ts";
import { attemptsForMany } from "../store/repositories/deliveries.ts";
import { latestDraftWithContentFor } from "../store/repositories/drafts.ts";
import { listOutbox } from "../store/repositories/outbox.ts";
import { latestMatch, type Person } from "../store/repositories/persons.ts";
import { conflictView, deliveryView, matchView, personView } from "./views.ts";

/** The most recent outbox rows shown with a person (the full history is at /v1/deliveries?personId=). */
export const PERSON_DELIVERIES = 20;

/** The person's view, and the page of live conflicts it was built from (for the consultation audit). */
export async function assemblePersonView(db: Db, person: Person) {
  const id = person.id;
  const [match, draft, conflicts, outbox] = await Promise.all([
    latestMatch(db, id),
    latestDraftWithContentFor(db, id),
    listConflicts(db, { personId: id, state: LIVE_STATES, limit: MAX_PAGE_SIZE }),
    listOutbox(db, { personId: id, limit: PERSON_DELIVERIES }),
  ]);
  const attempts = await attemptsForMany(
    db,
    outbox.items.map((r) => r.id),
  );
  const view = {
    person: personView(person),
    match: match ? matchView(match) : null,
    draft,
    openConflicts: conflicts.items.map(conflictView),
    deliveries: outbox.items.map((row) => deliveryView(row, attempts.get(row.id) ?? [])),
  };
  return { view, conflicts: conflicts as ConflictPage };
}
