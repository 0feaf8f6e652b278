/**
 * Erasure past retention, one data class at a time (the periods: mappings/retention.yaml; the run that
 * audits each batch: src/pipeline/retention.ts). Each function erases, in ONE statement, at most `limit`
 * rows stored before `cutoff`, oldest first, and reports how many and which id and time ranges, never
 * content. With `dryRun` the same statement only counts (no limit). What a live process still needs is
 * never due:
 *
 * - rawExports: only exports ingested (`ingested_at`) and without an open dead letter; the bytes are
 *   emptied, the row stays (its hash keeps recognising the same bytes posted again);
 * - oasysRecords: only assessments already reconciled at their stored version, superseded by a later
 *   valid assessment sharing a PNC or CRN (or with neither key), not used by any person's latest match
 *   and not behind an undelivered outbox row; their drafts go with them, matches keep no link to them;
 * - armsRevisions: only revisions that are not current, and not behind an undelivered outbox row;
 * - drafts: never a person's latest (or, without a person, an assessment's latest);
 * - deliveredBodies: bodies of DELIVERED and SUPERSEDED rows (the row, key, sources, attempts stay);
 * - deadLetters: only letters already replayed;
 * - audit: the oldest entries, as a prefix of the chain, through a checkpoint (audit_erase_through).
 */
import type { DataClass } from "../../core/retention/policy.ts";
import type { Db } from "../db.ts";

export interface EraseOptions {
  /** Rows stored before this instant are past their period. */
  cutoff: string;
  /** When the erasure happens (recorded on emptied rows and on the audit checkpoint). */
  now: string;
  /** At most this many rows (ignored by a dry run, which counts them all). */
  limit: number;
  dryRun: boolean;
}

export interface ErasedBatch {
  count: number;
  /** Lowest and highest key erased: pk or seq (numbers), `id@revision`, or a uuid's text. */
  ids: { first: string | number | null; last: string | number | null };
  /** The erased rows' own times (received, ingested, updated, created, replayed, appended). */
  times: { from: string | null; to: string | null };
  /** Rows changed along with them: drafts of an erased assessment, matches unlinked from it. */
  related: Record<string, number>;
  /** Audit class: the checkpoint left (the last erased entry's seq and hash). */
  checkpoint?: { throughSeq: number; hash: string };
}

interface ClassSql {
  /** Selects the keys due (`$1` cutoff, `$2` limit). */
  due: string;
  /** Erases what `due` selects (`$3` now), returning `id` and `at`; extra CTEs may precede it. */
  erase: string;
  /** Reads what `due` selects, returning `id` and `at`, for a dry run. */
  count: string;
  numeric: boolean;
  /** Names of extra CTEs whose rows are counted as `related`. */
  related?: string[];
}

const LIVE_OUTBOX = `SELECT 1 FROM outbox x WHERE x.state IN ('PENDING', 'IN_FLIGHT')`;

const CLASSES: Record<Exclude<DataClass, "audit">, ClassSql> = {
  rawExports: {
    due: `SELECT r.id FROM raw_exports r
           WHERE r.content_erased_at IS NULL AND r.received_at < $1 AND r.ingested_at IS NOT NULL
             AND NOT EXISTS (SELECT 1 FROM dead_letters d WHERE d.replayed_at IS NULL
                              AND d.subject -> 'data' ->> 'exportId' = r.id::text)
           ORDER BY r.received_at, r.id LIMIT $2`,
    erase: `hit AS (UPDATE raw_exports r SET content = ''::bytea, content_erased_at = $3 FROM due
                     WHERE r.id = due.id RETURNING r.id::text AS id, r.received_at AS at)`,
    count: `hit AS (SELECT r.id::text AS id, r.received_at AS at FROM raw_exports r JOIN due USING (id))`,
    numeric: false,
  },
  oasysRecords: {
    due: `SELECT a.assessment_pk FROM oasys_assessments a
           WHERE a.ingested_at < $1 AND a.reconciled_version >= a.version
             AND ((a.pnc IS NULL AND a.crn IS NULL)
                  OR EXISTS (SELECT 1 FROM oasys_assessments b
                              WHERE b.assessment_pk <> a.assessment_pk AND (b.pnc = a.pnc OR b.crn = a.crn)
                                AND b.status = 'COMPLETE' AND b.date_completed IS NOT NULL
                                AND b.later_complete_exists IS NOT TRUE
                                AND (b.date_completed, b.assessment_pk)
                                    > (COALESCE(a.date_completed, a.source_as_of), a.assessment_pk)))
             AND NOT EXISTS (SELECT 1 FROM person_matches m WHERE m.assessment_pk = a.assessment_pk
                              AND NOT EXISTS (SELECT 1 FROM person_matches n WHERE n.person_id = m.person_id
                                               AND (n.evaluated_at, n.id) > (m.evaluated_at, m.id)))
             AND NOT EXISTS (${LIVE_OUTBOX} AND x.sources -> 'oasys' ->> 'assessmentPk' = a.assessment_pk::text)
           ORDER BY a.ingested_at, a.assessment_pk LIMIT $2`,
    erase: `unlinked AS (UPDATE person_matches m SET assessment_pk = NULL FROM due
                          WHERE m.assessment_pk = due.assessment_pk RETURNING m.id),
            drafts AS (DELETE FROM drafts d USING due WHERE d.assessment_pk = due.assessment_pk RETURNING d.id),
            hit AS (DELETE FROM oasys_assessments a USING due WHERE a.assessment_pk = due.assessment_pk
                     RETURNING a.assessment_pk AS id, a.ingested_at AS at)`,
    count: `unlinked AS (SELECT m.id FROM person_matches m JOIN due USING (assessment_pk)),
            drafts AS (SELECT d.id FROM drafts d JOIN due USING (assessment_pk)),
            hit AS (SELECT a.assessment_pk AS id, a.ingested_at AS at FROM oasys_assessments a JOIN due USING (assessment_pk))`,
    numeric: true,
    related: ["drafts", "unlinked"],
  },
  armsRevisions: {
    due: `SELECT r.arms_assessment_id, r.revision FROM arms_revisions r
           WHERE r.received_at < $1
             AND NOT EXISTS (SELECT 1 FROM arms_current c
                              WHERE c.arms_assessment_id = r.arms_assessment_id AND c.revision = r.revision)
             AND NOT EXISTS (${LIVE_OUTBOX} AND x.sources -> 'arms' ->> 'armsAssessmentId' = r.arms_assessment_id
                              AND x.sources -> 'arms' ->> 'revision' = r.revision::text)
           ORDER BY r.received_at, r.arms_assessment_id, r.revision LIMIT $2`,
    erase: `unlinked AS (UPDATE person_matches m SET arms_assessment_id = NULL, arms_revision = NULL FROM due
                          WHERE m.arms_assessment_id = due.arms_assessment_id AND m.arms_revision = due.revision
                          RETURNING m.id),
            hit AS (DELETE FROM arms_revisions r USING due
                     WHERE r.arms_assessment_id = due.arms_assessment_id AND r.revision = due.revision
                     RETURNING r.arms_assessment_id || '@' || r.revision AS id, r.received_at AS at)`,
    count: `unlinked AS (SELECT m.id FROM person_matches m JOIN due
                          ON m.arms_assessment_id = due.arms_assessment_id AND m.arms_revision = due.revision),
            hit AS (SELECT r.arms_assessment_id || '@' || r.revision AS id, r.received_at AS at
                      FROM arms_revisions r JOIN due USING (arms_assessment_id, revision))`,
    numeric: false,
    related: ["unlinked"],
  },
  drafts: {
    due: `SELECT d.id FROM drafts d
           WHERE d.updated_at < $1
             AND EXISTS (SELECT 1 FROM drafts n
                          WHERE ((d.person_id IS NOT NULL AND n.person_id = d.person_id)
                                 OR (d.person_id IS NULL AND n.person_id IS NULL AND n.assessment_pk = d.assessment_pk))
                            AND (n.updated_at, n.id) > (d.updated_at, d.id))
           ORDER BY d.updated_at, d.id LIMIT $2`,
    erase: `hit AS (DELETE FROM drafts d USING due WHERE d.id = due.id RETURNING d.id, d.updated_at AS at)`,
    count: `hit AS (SELECT d.id, d.updated_at AS at FROM drafts d JOIN due USING (id))`,
    numeric: true,
  },
  deliveredBodies: {
    due: `SELECT x.id FROM outbox x
           WHERE x.body_erased_at IS NULL AND x.state IN ('DELIVERED', 'SUPERSEDED') AND x.created_at < $1
             AND COALESCE(x.delivered_at, x.created_at) < $1
           ORDER BY x.created_at, x.id LIMIT $2`,
    erase: `hit AS (UPDATE outbox x SET body = '', body_erased_at = $3 FROM due WHERE x.id = due.id
                     RETURNING x.id::text AS id, COALESCE(x.delivered_at, x.created_at) AS at)`,
    count: `hit AS (SELECT x.id::text AS id, COALESCE(x.delivered_at, x.created_at) AS at FROM outbox x JOIN due USING (id))`,
    numeric: false,
  },
  deadLetters: {
    due: `SELECT l.id FROM dead_letters l WHERE l.replayed_at IS NOT NULL AND l.replayed_at < $1
           ORDER BY l.replayed_at, l.id LIMIT $2`,
    erase: `hit AS (DELETE FROM dead_letters l USING due WHERE l.id = due.id
                     RETURNING l.id::text AS id, l.replayed_at AS at)`,
    count: `hit AS (SELECT l.id::text AS id, l.replayed_at AS at FROM dead_letters l JOIN due USING (id))`,
    numeric: false,
  },
};

interface BatchRow {
  count: number;
  first: string | null;
  last: string | null;
  from: string | null;
  to: string | null;
  [related: string]: unknown;
}

/** Erases (or, dry, counts) one batch of a class other than the audit trail. One statement. */
async function eraseRows(
  db: Db,
  dataClass: Exclude<DataClass, "audit">,
  o: EraseOptions,
): Promise<ErasedBatch> {
  const c = CLASSES[dataClass];
  const related = (c.related ?? []).map((name) => `(SELECT count(*)::int FROM ${name}) AS "${name}"`);
  const sql = `WITH due AS (${c.due}), ${o.dryRun ? c.count : c.erase}
     SELECT count(*)::int AS count, min(id)::text AS first, max(id)::text AS last, min(at) AS "from",
            max(at) AS "to"${related.map((r) => `, ${r}`).join("")}
       FROM hit`;
  // $3 (the time of erasure) only where the class stamps it on rows it empties.
  const params = [o.cutoff, o.dryRun ? null : o.limit, ...(sql.includes("$3") ? [o.now] : [])];
  const rows = await db.query<BatchRow>(sql, params);
  const row = rows[0]!;
  const id = (v: string | null) => (v !== null && c.numeric ? Number(v) : v);
  return {
    count: row.count,
    ids: { first: id(row.first), last: id(row.last) },
    times: { from: row.from, to: row.to },
    related: Object.fromEntries((c.related ?? []).map((name) => [name, Number(row[name])])),
  };
}

/**
 * The audit trail's oldest entries before `cutoff`: the longest prefix of the chain appended before it
 * (at most `limit` entries), erased through a checkpoint holding the last one's hash. Three statements.
 */
async function eraseAudit(db: Db, o: EraseOptions): Promise<ErasedBatch> {
  const rows = await db.query<{
    first: number | null;
    through: number | null;
    from: string | null;
    to: string | null;
  }>(
    `WITH firstkept AS (SELECT min(seq) AS seq FROM audit_events WHERE at >= $1),
          due AS (SELECT seq, at FROM audit_events
                   WHERE seq < COALESCE((SELECT seq FROM firstkept), (SELECT last_seq + 1 FROM audit_head))
                   ORDER BY seq LIMIT $2)
     SELECT min(seq) AS first, max(seq) AS through, min(at) AS "from", max(at) AS "to" FROM due`,
    [o.cutoff, o.dryRun ? null : o.limit],
  );
  const due = rows[0]!;
  const empty = { count: 0, ids: { first: null, last: null }, times: { from: null, to: null }, related: {} };
  if (due.through === null || due.first === null) return empty;
  const count = due.through - due.first + 1;
  const batch: ErasedBatch = {
    count,
    ids: { first: due.first, last: due.through },
    times: { from: due.from, to: due.to },
    related: {},
  };
  if (o.dryRun) return batch;
  await db.query("SELECT audit_erase_through($1, $2, $3, $4)", [
    due.through,
    o.now,
    "bridge",
    "retention period of the audit class passed (mappings/retention.yaml)",
  ]);
  const checkpoint = await db.query<{ throughSeq: number; hash: string }>(
    `SELECT through_seq AS "throughSeq", hash FROM audit_checkpoints WHERE through_seq = $1`,
    [due.through],
  );
  return { ...batch, checkpoint: checkpoint[0]! };
}

export function eraseBatch(db: Db, dataClass: DataClass, options: EraseOptions): Promise<ErasedBatch> {
  return dataClass === "audit" ? eraseAudit(db, options) : eraseRows(db, dataClass, options);
}
