/**
 * What the web's dashboard reads (src/web/pages/dashboard.ts): counts over time of the store's own tables,
 * ids and codes only, never content. Days are calendar days in Europe/London, as the pages show dates.
 *
 * A conflict is live from `opened_at` until it ends: RESOLVED or DISMISSED at `decided_at`, CLOSED at
 * `closed_at` (OPEN and ACKNOWLEDGED are the live states, src/core/reconcile/lifecycle.ts LIVE_STATES).
 * A dead letter is open until it is replayed or discarded.
 */
import type { Severity } from "../../core/conflicts/types.ts";
import type { Db } from "../db.ts";

const ZONE = "Europe/London";

/** The `days` London days up to and including the one holding `now`, oldest first (YYYY-MM-DD). */
const DAYS = (param: { now: number; days: number }) =>
  `SELECT d::date AS day FROM generate_series(
     (($${param.now}::timestamptz AT TIME ZONE '${ZONE}')::date - ($${param.days}::int - 1)),
     ($${param.now}::timestamptz AT TIME ZONE '${ZONE}')::date, interval '1 day') AS d`;

/** The instant a London day ends (the next day's midnight in London). */
const DAY_END = (day: string) => `((${day} + 1)::timestamp AT TIME ZONE '${ZONE}')`;

const CONFLICT_ENDED = `CASE WHEN c.state IN ('RESOLVED', 'DISMISSED') THEN c.decided_at
                             WHEN c.state = 'CLOSED' THEN c.closed_at END`;

export interface DayCount<K extends string = string> {
  day: string;
  key: K;
  count: number;
}

/** Live conflicts at the end of each of the last `days` days, by severity (every severity every day). */
export async function liveConflictsByDay(db: Db, now: string, days: number): Promise<DayCount<Severity>[]> {
  return db.query<DayCount<Severity>>(
    `WITH days AS (${DAYS({ now: 1, days: 2 })}),
          severities(severity) AS (VALUES ('BLOCK'), ('WARN'), ('INFO'))
     SELECT to_char(days.day, 'YYYY-MM-DD') AS day, s.severity AS key,
            (SELECT count(*)::int FROM conflicts c
              WHERE c.severity = s.severity AND c.opened_at < ${DAY_END("days.day")}
                AND (${CONFLICT_ENDED} IS NULL OR ${CONFLICT_ENDED} >= ${DAY_END("days.day")})) AS count
       FROM days CROSS JOIN severities s ORDER BY days.day, s.severity`,
    [now, days],
  );
}

export interface DecisionWeek {
  /** The London date of the week's Monday. */
  week: string;
  decisions: number;
  medianHours: number;
  p90Hours: number;
}

/** Decisions (resolved, dismissed or acknowledged) per week since `since`: how long from opening to deciding. */
export async function decisionTimes(db: Db, since: string): Promise<DecisionWeek[]> {
  const rows = await db.query<{ week: string; decisions: number; median: number; p90: number }>(
    `SELECT to_char(date_trunc('week', decided_at AT TIME ZONE '${ZONE}'), 'YYYY-MM-DD') AS week,
            count(*)::int AS decisions,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM decided_at - opened_at)) AS median,
            percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM decided_at - opened_at)) AS p90
       FROM conflicts WHERE decided_at IS NOT NULL AND decided_at >= $1::timestamptz
      GROUP BY 1 ORDER BY 1`,
    [since],
  );
  const hours = (seconds: number) => Math.round((Number(seconds) / 3600) * 10) / 10;
  return rows.map((r) => ({
    week: r.week,
    decisions: r.decisions,
    medianHours: hours(r.median),
    p90Hours: hours(r.p90),
  }));
}

/** The latest draft of each of the most recently reconciled persons (at most `limit`), with its body. */
export async function latestDrafts(db: Db, limit: number): Promise<{ content: unknown }[]> {
  return db.query<{ content: unknown }>(
    `SELECT draft AS content FROM (
       SELECT DISTINCT ON (person_id) draft, updated_at FROM drafts
        WHERE person_id IS NOT NULL ORDER BY person_id, updated_at DESC, id DESC) latest
      ORDER BY updated_at DESC LIMIT $1`,
    [limit],
  );
}

export interface OutboxCount {
  recipient: string;
  state: string;
  count: number;
}

/** Outbox rows by recipient and state. */
export async function outboxCounts(db: Db): Promise<OutboxCount[]> {
  return db.query<OutboxCount>(
    `SELECT recipient, state, count(*)::int AS count FROM outbox GROUP BY recipient, state
      ORDER BY recipient, state`,
  );
}

/** Delivery attempts per London day over the last `days` days, by outcome (days without any left out). */
export async function attemptsByDay(db: Db, now: string, days: number): Promise<DayCount[]> {
  return db.query<DayCount>(
    `WITH days AS (${DAYS({ now: 1, days: 2 })})
     SELECT to_char(days.day, 'YYYY-MM-DD') AS day, d.outcome AS key, count(*)::int AS count
       FROM days JOIN deliveries d ON (d.at AT TIME ZONE '${ZONE}')::date = days.day
      GROUP BY days.day, d.outcome ORDER BY days.day, d.outcome`,
    [now, days],
  );
}

export interface DeadLetterCount {
  stage: string;
  errorCode: string;
  open: number;
  total: number;
}

/** Dead letters by stage and error code: how many are open (neither replayed nor discarded) and in all. */
export async function deadLetterCounts(db: Db): Promise<DeadLetterCount[]> {
  return db.query<DeadLetterCount>(
    `SELECT stage, error_code AS "errorCode",
            count(*) FILTER (WHERE replayed_at IS NULL AND discarded_at IS NULL)::int AS open,
            count(*)::int AS total
       FROM dead_letters GROUP BY stage, error_code ORDER BY stage, error_code`,
  );
}

/** Dead letters written per London day over the last `days` days, by stage (days without any left out). */
export async function deadLettersByDay(db: Db, now: string, days: number): Promise<DayCount[]> {
  return db.query<DayCount>(
    `WITH days AS (${DAYS({ now: 1, days: 2 })})
     SELECT to_char(days.day, 'YYYY-MM-DD') AS day, l.stage AS key, count(*)::int AS count
       FROM days JOIN dead_letters l ON (l.created_at AT TIME ZONE '${ZONE}')::date = days.day
      GROUP BY days.day, l.stage ORDER BY days.day, l.stage`,
    [now, days],
  );
}
