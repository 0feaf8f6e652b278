/**
 * Route-side helpers for the visibility rules: the facts about a record's person that decide who sees it
 * (src/store/repositories/visibility.ts), handed with each view to the caller's viewer
 * (`request.viewer`, src/auth/visibility.ts), which alone decides what is shown.
 */
import { NOT_VISIBLE, type Subject, type Viewer, type ViewKind } from "../auth/visibility.ts";
import type { Db } from "../store/index.ts";
import { personSubjects } from "../store/repositories/visibility.ts";

/** A record whose person is not held (or has none) is no one's: only an all-seeing scope sees it. */
const NO_PERSON: Subject = { force: null, limitedAccess: false };

/** Force and limited access of a person, for the visibility rules; null when the person is not held. */
export async function subjectOf(db: Db, personId: string): Promise<Subject | null> {
  return (await personSubjects(db, [personId])).get(personId) ?? null;
}

/** Each view as the caller may see it, in order; those the caller may not see are left out. */
export async function showEach<T extends { personId: string | null }>(
  db: Db,
  viewer: Viewer,
  kind: ViewKind,
  views: readonly T[],
): Promise<T[]> {
  const subjects = await personSubjects(
    db,
    views.flatMap((v) => (v.personId ? [v.personId] : [])),
  );
  return views.flatMap((view) => {
    const shown = viewer.show(kind, view, (view.personId && subjects.get(view.personId)) || NO_PERSON);
    return shown === NOT_VISIBLE ? [] : [shown];
  });
}
