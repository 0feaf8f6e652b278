/**
 * Work the store has accepted and no stage has finished, for the recovery sweep (src/queue/sweeper.ts).
 * The store is the system of record: Redis may lose a queued job (a restart without persistence, an
 * enqueue that failed after the commit), never the work.
 *
 * | source         | accepted as                       | finished when (set in the finishing job's transaction)      |
 * | -------------- | --------------------------------- | ----------------------------------------------------------- |
 * | `OASYS_EXPORT` | a `raw_exports` row               | `ingested_at` set by its ingest job                         |
 * | `OASYS_EVENT`  | an `oasys_events` row             | `ingested_at` set by its pull job                           |
 * | `OASYS`        | an `oasys_assessments` version    | `reconciled_version` reaches `version` (a reconcile job)    |
 * | `ARMS`         | an `arms_current` revision        | `reconciled_revision` reaches `revision` (a reconcile job)  |
 * | `OUTBOX`       | an `outbox` row                   | no longer PENDING, nor IN_FLIGHT with a lapsed lease        |
 *
 * The finishing mark costs no statement of its own: `finishedCte` is a data-modifying CTE that
 * `onceForJobKey` runs inside the statement recording the job's outcome. Each source has a partial index
 * holding only its unfinished rows (migration 0005; the outbox's from 0002/0003), so a page here is an
 * index scan of unfinished work, however much finished work the table holds. Pages are keyset-paged on
 * (time, id), oldest first, and only rows older than the sweep's cut-off are read.
 */
import type { Db } from "../db.ts";

/** The work a finishing job marks (see the table above). */
export type FinishedWork =
  | { source: "OASYS_EXPORT"; exportId: string }
  | { source: "OASYS_EVENT"; eventId: string }
  | { source: "OASYS"; assessmentPk: number; version: number }
  | { source: "ARMS"; armsAssessmentId: string; revision: number };

/**
 * `WITH finished AS (UPDATE ...)` marking `work` finished at `at`, its parameters numbered from `$first`:
 * prefix it to the statement that records the job's outcome. A mark never moves back.
 */
export function finishedCte(
  work: FinishedWork,
  at: string,
  first: number,
): { sql: string; params: unknown[] } {
  const [a, b] = [`$${first}`, `$${first + 1}`];
  switch (work.source) {
    case "OASYS_EXPORT":
      return {
        sql: `WITH finished AS (UPDATE raw_exports SET ingested_at = ${a}::timestamptz
                                 WHERE id = ${b}::uuid AND ingested_at IS NULL)`,
        params: [at, work.exportId],
      };
    case "OASYS_EVENT":
      return {
        sql: `WITH finished AS (UPDATE oasys_events SET ingested_at = ${a}::timestamptz
                                 WHERE event_id = ${b} AND ingested_at IS NULL)`,
        params: [at, work.eventId],
      };
    case "OASYS":
      return {
        sql: `WITH finished AS (UPDATE oasys_assessments SET reconciled_version = LEAST(version, ${a}::integer)
                                 WHERE assessment_pk = ${b}::bigint
                                   AND (reconciled_version IS NULL OR reconciled_version < ${a}::integer))`,
        params: [work.version, work.assessmentPk],
      };
    case "ARMS":
      return {
        sql: `WITH finished AS (UPDATE arms_current SET reconciled_revision = LEAST(revision, ${a}::integer)
                                 WHERE arms_assessment_id = ${b}
                                   AND (reconciled_revision IS NULL OR reconciled_revision < ${a}::integer))`,
        params: [work.revision, work.armsAssessmentId],
      };
  }
}

/** One unfinished piece of work, with its keyset position (`at`, `id`). */
export type Unfinished = { at: string; id: string } & (
  | { source: "OASYS_EXPORT"; exportId: string }
  | { source: "OASYS_EVENT"; eventId: string; crn: string; assessmentPk: number }
  | { source: "OASYS"; assessmentPk: number; version: number }
  | { source: "ARMS"; armsAssessmentId: string; revision: number }
  | { source: "OUTBOX"; outboxId: string; recipient: "ARMS" | "OASYS" }
);
export type UnfinishedSource = Unfinished["source"];
export type SweepCursor = { at: string; id: string };

export const UNFINISHED_SOURCES: readonly UnfinishedSource[] = [
  "OASYS_EXPORT",
  "OASYS_EVENT",
  "OASYS",
  "ARMS",
  "OUTBOX",
];

/** Each source's page: $1 cut-off, ($2, $3) the keyset position to read after (`start`: before all), $4 size. */
export const UNFINISHED_PAGES: Readonly<Record<UnfinishedSource, { sql: string; start: string }>> = {
  OASYS_EXPORT: {
    sql: `SELECT received_at AS at, id::text AS id, id::text AS "exportId" FROM raw_exports
           WHERE ingested_at IS NULL AND received_at <= $1
             AND (received_at, id) > ($2::timestamptz, $3::uuid)
           ORDER BY received_at, id LIMIT $4`,
    start: "00000000-0000-0000-0000-000000000000",
  },
  OASYS_EVENT: {
    sql: `SELECT received_at AS at, event_id AS id, event_id AS "eventId", crn, assessment_pk AS "assessmentPk"
            FROM oasys_events
           WHERE ingested_at IS NULL AND received_at <= $1 AND (received_at, event_id) > ($2::timestamptz, $3)
           ORDER BY received_at, event_id LIMIT $4`,
    start: "",
  },
  OASYS: {
    sql: `SELECT ingested_at AS at, assessment_pk::text AS id, assessment_pk AS "assessmentPk", version
            FROM oasys_assessments
           WHERE (reconciled_version IS NULL OR reconciled_version < version) AND ingested_at <= $1
             AND (ingested_at, assessment_pk) > ($2::timestamptz, $3::bigint)
           ORDER BY ingested_at, assessment_pk LIMIT $4`,
    start: "0",
  },
  ARMS: {
    sql: `SELECT updated_at AS at, arms_assessment_id AS id, arms_assessment_id AS "armsAssessmentId", revision
            FROM arms_current
           WHERE (reconciled_revision IS NULL OR reconciled_revision < revision) AND updated_at <= $1
             AND (updated_at, arms_assessment_id) > ($2::timestamptz, $3)
           ORDER BY updated_at, arms_assessment_id LIMIT $4`,
    start: "",
  },
  // Due PENDING rows, and IN_FLIGHT rows whose claim lapsed (a worker died mid-delivery).
  OUTBOX: {
    sql: `SELECT due AS at, id::text AS id, id::text AS "outboxId", recipient FROM (
              SELECT id, recipient, available_at AS due FROM outbox
               WHERE state = 'PENDING' AND available_at <= $1
              UNION ALL
              SELECT id, recipient, claimed_until FROM outbox
               WHERE state = 'IN_FLIGHT' AND claimed_until <= $1) d
           WHERE (due, id) > ($2::timestamptz, $3::uuid)
           ORDER BY due, id LIMIT $4`,
    start: "00000000-0000-0000-0000-000000000000",
  },
};

/**
 * Up to `limit` unfinished rows of `source` accepted (or due) at or before `cutoff`, after `after` (null:
 * from the oldest), oldest first.
 */
export async function unfinishedPage(
  db: Db,
  source: UnfinishedSource,
  cutoff: string,
  after: SweepCursor | null,
  limit: number,
): Promise<Unfinished[]> {
  const page = UNFINISHED_PAGES[source];
  const rows = await db.query<Omit<Unfinished, "source">>(page.sql, [
    cutoff,
    after?.at ?? "-infinity",
    after?.id ?? page.start,
    limit,
  ]);
  return rows.map((row) => ({ ...row, source }) as Unfinished);
}
