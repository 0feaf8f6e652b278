/**
 * Dead letters: work that failed permanently (or ran out of attempts), kept with the stage, the subject's
 * ids, the registry error code and a person-free reason, for a person to look at and replay. Replaying
 * does not delete the letter: it stamps `replayed_at` and counts the replay, so the history stays. A letter
 * is replayed once (`claimReplay`); a replay that fails again leaves a letter of its own. A letter a person
 * decides not to replay is discarded (`discardDeadLetter`): stamped with the reason, who and when, audited
 * as an alteration, never deleted; a discarded letter is not replayed.
 *
 * One letter per stage and job key (`subject.jobKey`, kept as `job_key`): recording a second one for the
 * same key gives back the first (a job whose processor wrote its letter and then failed, or a failure seen
 * by two observers). `work_key` is the job key without replay suffixes: every letter about one piece of
 * work, whichever replay it came from, for the recovery sweep (src/store/repositories/recovery.ts).
 */
import { BridgeError } from "../../errors.ts";
import type { Db } from "../db.ts";
import { decodeCursor, encodeCursor, isUuid } from "../paging.ts";
import { type AuditEventInput, auditAppendSql, auditEntries } from "./audit.ts";

export type DeadLetterStage = "INGEST" | "RECONCILE" | "PUSH";

export interface DeadLetter {
  id: string;
  stage: DeadLetterStage;
  /** Ids only (queue, job id, job data): never personal data beyond the record's own identifiers. */
  subject: Record<string, unknown>;
  errorCode: string;
  reason: string;
  attempts: number;
  createdAt: string;
  replayedAt: string | null;
  replayCount: number;
  /** Set when a person discarded the letter (never replayed then), with who and why. */
  discardedAt: string | null;
  discardedBy: string | null;
  discardReason: string | null;
}

export interface NewDeadLetter {
  stage: DeadLetterStage;
  subject: Record<string, unknown>;
  errorCode: string;
  reason: string;
  attempts: number;
  createdAt: string;
}

export interface DeadLetterFilter {
  stage?: DeadLetterStage;
  errorCode?: string;
  /** OPEN: neither replayed nor discarded; REPLAYED: replayed; DISCARDED: discarded; default ALL. */
  state?: "OPEN" | "REPLAYED" | "DISCARDED" | "ALL";
  createdAfter?: string;
  createdBefore?: string;
  /** From the previous page's `nextCursor`. */
  cursor?: string | null;
  /** 1..500, default 50. */
  limit?: number;
}

export interface DeadLetterPage {
  items: DeadLetter[];
  nextCursor: string | null;
}

const COLUMNS = `id, stage, subject, error_code AS "errorCode", reason, attempts, created_at AS "createdAt",
  replayed_at AS "replayedAt", replay_count AS "replayCount", discarded_at AS "discardedAt",
  discarded_by AS "discardedBy", discard_reason AS "discardReason"`;

export const isDeadLetterId = isUuid;

export async function recordDeadLetter(db: Db, input: NewDeadLetter): Promise<DeadLetter> {
  return (await recordDeadLetterOnce(db, input)).letter;
}

/** Suffixes a replay adds to a job key (`<key>:replay-<n>`, src/queue/jobs.ts `replayKey`), in SQL. */
const REPLAY_SUFFIXES = "'(:replay-[0-9]+)+$'";

/**
 * Records the letter unless one is held for its stage and job key: `recorded` says which. One statement
 * (two when the key is held).
 */
export async function recordDeadLetterOnce(
  db: Db,
  input: NewDeadLetter,
): Promise<{ letter: DeadLetter; recorded: boolean }> {
  const subject = JSON.stringify(input.subject);
  const rows = await db.query<DeadLetter>(
    `INSERT INTO dead_letters (stage, subject, error_code, reason, attempts, created_at, job_key, work_key)
     VALUES ($1, $2::jsonb, $3, $4, $5, $6, $2::jsonb->>'jobKey',
             regexp_replace($2::jsonb->>'jobKey', ${REPLAY_SUFFIXES}, ''))
     ON CONFLICT (stage, job_key) WHERE job_key IS NOT NULL DO NOTHING
     RETURNING ${COLUMNS}`,
    [input.stage, subject, input.errorCode, input.reason, input.attempts, input.createdAt],
  );
  if (rows[0]) return { letter: rows[0], recorded: true };
  const held = await db.query<DeadLetter>(
    `SELECT ${COLUMNS} FROM dead_letters WHERE stage = $1 AND job_key = $2::jsonb->>'jobKey'`,
    [input.stage, subject],
  );
  return { letter: held[0]!, recorded: false };
}

/** The newest letter about each piece of work (by `work_key`: a job key without replay suffixes). */
export async function latestLettersFor(
  db: Db,
  workKeys: readonly string[],
): Promise<Map<string, { jobKey: string; replayed: boolean; replayCount: number }>> {
  if (workKeys.length === 0) return new Map();
  const rows = await db.query<{ workKey: string; jobKey: string; replayed: boolean; replayCount: number }>(
    `SELECT DISTINCT ON (work_key) work_key AS "workKey", subject->>'jobKey' AS "jobKey",
            replayed_at IS NOT NULL AS replayed, replay_count AS "replayCount"
       FROM dead_letters WHERE work_key = ANY($1::text[])
      ORDER BY work_key, created_at DESC, id DESC`,
    [workKeys],
  );
  return new Map(rows.map(({ workKey, ...latest }) => [workKey, latest]));
}

export async function getDeadLetter(db: Db, id: string): Promise<DeadLetter | null> {
  if (!isDeadLetterId(id)) return null;
  const rows = await db.query<DeadLetter>(`SELECT ${COLUMNS} FROM dead_letters WHERE id = $1::uuid`, [id]);
  return rows[0] ?? null;
}

/** The newest never-replayed letter of the stage whose subject contains `subject` (jsonb containment). */
export async function findOpenDeadLetter(
  db: Db,
  stage: DeadLetterStage,
  subject: Record<string, unknown>,
): Promise<DeadLetter | null> {
  const rows = await db.query<DeadLetter>(
    `SELECT ${COLUMNS} FROM dead_letters
      WHERE stage = $1 AND replayed_at IS NULL AND subject @> $2::jsonb
      ORDER BY created_at DESC, id DESC LIMIT 1`,
    [stage, JSON.stringify(subject)],
  );
  return rows[0] ?? null;
}

/**
 * Claims the letter's one replay: stamps it and counts it, unless it was replayed or discarded before (or
 * is not held), in which case null. One statement, so of two replays at once only one claims.
 */
export async function claimReplay(db: Db, id: string, at: string): Promise<DeadLetter | null> {
  if (!isDeadLetterId(id)) return null;
  const rows = await db.query<DeadLetter>(
    `UPDATE dead_letters SET replayed_at = $2, replay_count = replay_count + 1
      WHERE id = $1::uuid AND replayed_at IS NULL AND discarded_at IS NULL
     RETURNING ${COLUMNS}`,
    [id, at],
  );
  return rows[0] ?? null;
}

/** The letter held for a stage and job key (one at most), or null. */
export async function findDeadLetterByJobKey(
  db: Db,
  stage: DeadLetterStage,
  jobKey: string,
): Promise<DeadLetter | null> {
  const rows = await db.query<DeadLetter>(
    `SELECT ${COLUMNS} FROM dead_letters WHERE stage = $1 AND job_key = $2`,
    [stage, jobKey],
  );
  return rows[0] ?? null;
}

/** Newest first; keyset paging on (created_at, id). */
export async function listDeadLetters(db: Db, filter: DeadLetterFilter = {}): Promise<DeadLetterPage> {
  const limit = filter.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) {
    throw new BridgeError("BRIDGE_E_USAGE", "limit must be a whole number from 1 to 500");
  }
  const where: string[] = [];
  const params: unknown[] = [];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  if (filter.stage) where.push(`stage = ${param(filter.stage)}`);
  if (filter.errorCode) where.push(`error_code = ${param(filter.errorCode)}`);
  if (filter.state === "OPEN") where.push("replayed_at IS NULL AND discarded_at IS NULL");
  if (filter.state === "REPLAYED") where.push("replayed_at IS NOT NULL");
  if (filter.state === "DISCARDED") where.push("discarded_at IS NOT NULL");
  if (filter.createdAfter) where.push(`created_at > ${param(filter.createdAfter)}`);
  if (filter.createdBefore) where.push(`created_at < ${param(filter.createdBefore)}`);
  if (filter.cursor) {
    const [createdAt, id] = decodeCursor(filter.cursor);
    where.push(`(created_at, id) < (${param(createdAt)}::timestamptz, ${param(id)}::uuid)`);
  }
  const rows = await db.query<DeadLetter>(
    `SELECT ${COLUMNS} FROM dead_letters ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
     ORDER BY created_at DESC, id DESC LIMIT ${param(limit + 1)}`,
    params,
  );
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(last.createdAt, last.id) : null };
}

/** Who discards a letter and why: the reason is a person's words (kept; never shown in a log line). */
export interface Discard {
  actor: string;
  role: string;
  agency: string | null;
  reason: string;
  at: string;
  correlationId: string | null;
}

export interface Discarded {
  letter: DeadLetter;
  /** True when this call discarded it; false when it had been discarded before (the letter as it stands). */
  discarded: boolean;
}

/**
 * Discards an open letter: stamps it with the reason, who and when, and appends DEAD_LETTER_DISCARDED
 * (ALTERATION) to the audit trail in the same statement. Never deletes. A letter discarded before is
 * answered as it stands (`discarded: false`, nothing appended); a replayed letter cannot be discarded
 * (BRIDGE_E_CONFLICT_TRANSITION); a letter not held is null.
 */
export async function discardDeadLetter(db: Db, id: string, discard: Discard): Promise<Discarded | null> {
  if (!isDeadLetterId(id)) return null;
  const reason = discard.reason.trim();
  if (reason === "") throw new BridgeError("BRIDGE_E_USAGE", "a dead letter is discarded with a reason");
  const audit: AuditEventInput = {
    at: discard.at,
    actor: discard.actor,
    role: discard.role,
    agency: discard.agency,
    action: "DEAD_LETTER_DISCARDED",
    subjectType: "DEAD_LETTER",
    subjectId: id,
    correlationId: discard.correlationId,
    details: { deadLetterId: id },
  };
  const rows = await db.query<DeadLetter>(
    `WITH d AS (
       UPDATE dead_letters SET discarded_at = $2, discarded_by = $3, discard_reason = $4
        WHERE id = $1::uuid AND replayed_at IS NULL AND discarded_at IS NULL
       RETURNING ${COLUMNS}
     )
     SELECT d.*, ${auditAppendSql(5)} AS seq FROM d`,
    [id, discard.at, discard.actor, reason, auditEntries([audit])],
  );
  if (rows[0]) {
    const { seq: _seq, ...letter } = rows[0] as DeadLetter & { seq?: number };
    return { letter, discarded: true };
  }
  const held = await getDeadLetter(db, id);
  if (!held) return null;
  if (held.discardedAt) return { letter: held, discarded: false };
  throw new BridgeError("BRIDGE_E_CONFLICT_TRANSITION", "a replayed dead letter cannot be discarded", { id });
}
