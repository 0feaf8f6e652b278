/**
 * What the visibility rules (src/auth/visibility.ts) need from the store: the facts about a person that
 * decide who sees their records (force, limited access), and the same rules as SQL for list queries, so a
 * page holds only what the caller may see and its cursor and length stay right.
 *
 * A person is a limited-access offender when any stored OASys assessment sharing their PNC or CRN is
 * flagged `limitedAccessOffender` (any, not only the latest: drafts and conflicts can come from an older
 * one), or when an ID-6 conflict not since closed is recorded against them (OASys LAO, or a Delius
 * exclusion or restriction). Fail closed: a flag once seen on a held assessment keeps applying.
 */
import type { Db } from "../db.ts";
import { isUuid } from "../paging.ts";

/** Which persons' records a list may hold for a caller. */
export interface PersonScope {
  /** "ALL", or the force codes (upper case) whose persons are seen; [] sees no one. */
  forces: "ALL" | readonly string[];
  /** Whether limited-access offenders' records are listed (to be shown, or reduced, by the applier). */
  limitedAccess: "include" | "exclude";
}

/** The scope that lists everything (internal callers, the data team with lao_access). */
export const EVERY_PERSON: PersonScope = { forces: "ALL", limitedAccess: "include" };

/** True for a person row aliased `p` who is a limited-access offender (see above). */
export const limitedAccessSql = (p: string): string =>
  `(EXISTS (SELECT 1 FROM oasys_assessments lao
             WHERE (lao.pnc = ${p}.pnc OR lao.crn = ${p}.crn)
               AND lao.canonical->'offender'->>'limitedAccessOffender' = 'true')
    OR EXISTS (SELECT 1 FROM conflicts lac
                WHERE lac.person_id = ${p}.id AND lac.rule_id = 'ID-6' AND lac.state <> 'CLOSED'))`;

/**
 * The WHERE clauses that keep a query to the scope's persons, for rows whose person id is `personId` (a
 * column expression); parameters are appended to `params`. None for a scope that lists everything.
 */
export function scopeClauses(scope: PersonScope, personId: string, params: unknown[]): string[] {
  const parts: string[] = [];
  if (scope.forces !== "ALL") {
    params.push(scope.forces);
    parts.push(`upper(sp.force) = ANY($${params.length}::text[])`);
  }
  if (scope.limitedAccess === "exclude") parts.push(`NOT ${limitedAccessSql("sp")}`);
  if (parts.length === 0) return [];
  return [`EXISTS (SELECT 1 FROM persons sp WHERE sp.id = ${personId} AND ${parts.join(" AND ")})`];
}

export interface PersonSubject {
  force: string | null;
  limitedAccess: boolean;
}

/** Force and limited access of each person held among the ids (one statement); ids not held are absent. */
export async function personSubjects(
  db: Db,
  personIds: readonly string[],
): Promise<Map<string, PersonSubject>> {
  const ids = [...new Set(personIds)].filter(isUuid);
  if (ids.length === 0) return new Map();
  const rows = await db.query<{ id: string; force: string | null; limitedAccess: boolean }>(
    `SELECT p.id, p.force, ${limitedAccessSql("p")} AS "limitedAccess"
       FROM persons p WHERE p.id = ANY($1::uuid[])`,
    [ids],
  );
  return new Map(rows.map((r) => [r.id, { force: r.force, limitedAccess: r.limitedAccess }]));
}

/** The person a conflict is about and what decides who sees it; null when no such conflict is held. */
export async function conflictSubject(
  db: Db,
  conflictId: string,
): Promise<(PersonSubject & { personId: string }) | null> {
  if (!isUuid(conflictId)) return null;
  const rows = await db.query<{ personId: string; force: string | null; limitedAccess: boolean }>(
    `SELECT p.id AS "personId", p.force, ${limitedAccessSql("p")} AS "limitedAccess"
       FROM conflicts c JOIN persons p ON p.id = c.person_id WHERE c.id = $1::uuid`,
    [conflictId],
  );
  return rows[0] ?? null;
}
