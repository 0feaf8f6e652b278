/**
 * Processed job keys: a job key (the BullMQ job id, derived from source, record and revision) is recorded
 * in the same transaction as the job's effects, so a job delivered again after BullMQ has forgotten it
 * (retention expired, Redis lost) finds its key here and repeats nothing. `outcome` keeps what the job
 * handed on (the jobs it enqueued), so a redelivery after a crash between commit and enqueue can hand the
 * same work on again.
 *
 * `onceForJobKey` claims the key by inserting its row as the transaction's first statement. A second
 * transaction claiming the same key (a stalled job taken over by another worker while the first still
 * runs) waits on that row until the first ends: if the first committed, the second finds the key recorded
 * and applies nothing; if it rolled back, the second claims the key itself.
 *
 * The statement recording the outcome also marks the job's work finished (`finished`, a data-modifying
 * CTE from src/store/repositories/recovery.ts), so the recovery sweep's "accepted but unfinished" costs
 * no statement of its own.
 */
import { BridgeError } from "../../errors.ts";
import type { Db } from "../db.ts";
import { type FinishedWork, finishedCte } from "./recovery.ts";

export interface ProcessedJob<O = unknown> {
  jobKey: string;
  queue: string;
  outcome: O;
  processedAt: string;
}

export async function getProcessedJob<O = unknown>(db: Db, jobKey: string): Promise<ProcessedJob<O> | null> {
  const rows = await db.query<ProcessedJob<O>>(
    `SELECT job_key AS "jobKey", queue, outcome, processed_at AS "processedAt"
       FROM processed_jobs WHERE job_key = $1`,
    [jobKey],
  );
  return rows[0] ?? null;
}

/**
 * Runs `work` once per job key, in one transaction with the key's record: the key is claimed first, and
 * recorded with `work`'s outcome when it returns (a throw rolls back the claim with everything else), in
 * the same statement that marks `finished` (when given) finished. A key already recorded gives back its
 * recorded outcome without running `work`.
 */
export function onceForJobKey<O>(
  db: Db,
  key: { jobKey: string; queue: string; processedAt: string },
  work: (tx: Db) => Promise<O>,
  finished?: FinishedWork,
): Promise<{ outcome: O; duplicate: boolean }> {
  return db.transaction(async (tx) => {
    const claimed = await tx.query(
      `INSERT INTO processed_jobs (job_key, queue, processed_at) VALUES ($1, $2, $3)
       ON CONFLICT (job_key) DO NOTHING RETURNING job_key`,
      [key.jobKey, key.queue, key.processedAt],
    );
    if (claimed.length === 0) {
      // The row that stopped the insert is committed (the insert waited for it), so it is visible now.
      const done = await getProcessedJob<O>(tx, key.jobKey);
      if (!done)
        throw new BridgeError("BRIDGE_E_STORE_UNAVAILABLE", "a job key's record vanished while read");
      return { outcome: done.outcome, duplicate: true };
    }
    const outcome = await work(tx);
    const record = "UPDATE processed_jobs SET outcome = $2::jsonb WHERE job_key = $1";
    const mark = finished ? finishedCte(finished, key.processedAt, 3) : null;
    await tx.query(mark ? `${mark.sql}\n${record}` : record, [
      key.jobKey,
      JSON.stringify(outcome ?? {}),
      ...(mark?.params ?? []),
    ]);
    return { outcome, duplicate: false };
  });
}
