/**
 * Processed job keys: a job key (the BullMQ job id, derived from source, record and revision) is recorded
 * in the same transaction as the job's effects, so a job delivered again after BullMQ has forgotten it
 * (retention expired, Redis lost) finds its key here and repeats nothing. `outcome` keeps what the job
 * handed on (the jobs it enqueued), so a redelivery after a crash between commit and enqueue can hand the
 * same work on again.
 *
 * Within one job key, callers serialise with `lockJobKey` (a transaction-scoped advisory lock), so a
 * stalled job taken over by a second worker while the first still runs cannot apply its effects twice.
 */
import type { Db } from "../db.ts";

export interface ProcessedJob<O = unknown> {
  jobKey: string;
  queue: string;
  outcome: O;
  processedAt: string;
}

/** Holds the job key's lock until the surrounding transaction ends. Call inside `db.transaction`. */
export async function lockJobKey(tx: Db, jobKey: string): Promise<void> {
  await tx.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`job:${jobKey}`]);
}

export async function getProcessedJob<O = unknown>(db: Db, jobKey: string): Promise<ProcessedJob<O> | null> {
  const rows = await db.query<ProcessedJob<O>>(
    `SELECT job_key AS "jobKey", queue, outcome, processed_at AS "processedAt"
       FROM processed_jobs WHERE job_key = $1`,
    [jobKey],
  );
  return rows[0] ?? null;
}

/** Records the key; false when it was already recorded (the caller's transaction should then undo its work). */
export async function recordProcessedJob(
  db: Db,
  input: { jobKey: string; queue: string; outcome: unknown; processedAt: string },
): Promise<boolean> {
  const rows = await db.query(
    `INSERT INTO processed_jobs (job_key, queue, outcome, processed_at) VALUES ($1, $2, $3::jsonb, $4)
     ON CONFLICT (job_key) DO NOTHING RETURNING job_key`,
    [input.jobKey, input.queue, JSON.stringify(input.outcome ?? {}), input.processedAt],
  );
  return rows.length === 1;
}
