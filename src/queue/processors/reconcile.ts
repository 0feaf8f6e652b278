/**
 * The reconcile stage: one job re-reconciles the person a stored record belongs to, from the LATEST state
 * the store holds (current ARMS revision, every OASys assessment), whatever revision the job names. In one
 * transaction it claims the job key, takes the person's advisory locks (src/pipeline/person.ts), reads
 * the person's records, reconciles and writes (reconcileAndStore: person + version, match, draft, conflict
 * sync, outbox rows), and records the job key. After the commit it enqueues a push per new outbox row.
 *
 * So two jobs for one person never interleave their read and write (the second waits for the first's
 * commit, then reads what it wrote), and a job for an older revision processed late reconciles the newer
 * state again: its outbox rows have the same idempotency keys as before, so nothing new is sent.
 *
 * The statement recording the job key also marks the job's record reconciled up to the job's revision
 * (`reconciled_version` / `reconciled_revision`), which the recovery sweep reads to find stored records
 * whose reconcile job was lost.
 */
import { londonToday } from "../../clock.ts";
import { BridgeError } from "../../errors.ts";
import { lockAndLoadPerson, type RecordRef } from "../../pipeline/person.ts";
import { reconcileAndStore } from "../../pipeline/reconcile.ts";
import type { Db } from "../../store/index.ts";
import { onceForJobKey } from "../../store/repositories/processed-jobs.ts";
import type { FinishedWork } from "../../store/repositories/recovery.ts";
import type { JobMeta, PipelineContext, StepResult } from "../context.ts";
import type { Recipient, ReconcileJob } from "../jobs.ts";

/** What a reconcile job recorded in processed_jobs. */
export interface ReconcileOutcome {
  personId: string | null;
  personVersion: number | null;
  outbox: { id: string; recipient: Recipient }[];
}

export function recordRefOf(job: ReconcileJob): RecordRef {
  if (job.source === "ARMS") return { source: "ARMS", armsAssessmentId: job.record };
  const pk = Number(job.record);
  if (!/^\d+$/.test(job.record) || !Number.isSafeInteger(pk) || pk < 1) {
    throw new BridgeError("BRIDGE_E_NOT_FOUND", "an OASys assessment pk is a positive whole number");
  }
  return { source: "OASYS", assessmentPk: pk };
}

export async function processReconcile(
  ctx: PipelineContext,
  job: ReconcileJob,
  meta: JobMeta,
): Promise<StepResult> {
  const ref = recordRefOf(job);
  const now = ctx.now();
  const at = now.toISOString();
  const today = londonToday(now);

  const key = { jobKey: meta.jobKey, queue: meta.queue, processedAt: at };
  const finished: FinishedWork =
    ref.source === "OASYS"
      ? { source: "OASYS", assessmentPk: ref.assessmentPk, version: job.revision }
      : { source: "ARMS", armsAssessmentId: ref.armsAssessmentId, revision: job.revision };
  const work = async (tx: Db): Promise<ReconcileOutcome> => {
    const held = await lockAndLoadPerson(tx, ref, today);
    if (!held) {
      throw new BridgeError("BRIDGE_E_NOT_FOUND", `no stored ${job.source} record ${job.record}`, {
        source: job.source,
        record: job.record,
      });
    }
    const stored = await reconcileAndStore(
      tx,
      held.group,
      { ...ctx.reconcile, today },
      {
        held,
        now: at,
        reason: `reconcile job: ${job.source} ${job.record} revision ${job.revision}`,
        correlationId: meta.jobKey,
      },
    );
    return {
      personId: stored.personId,
      personVersion: stored.personVersion,
      outbox: stored.outbox.map((row) => ({ id: row.id, recipient: row.recipient })),
    };
  };
  const recorded = await onceForJobKey(ctx.db, key, work, finished);

  for (const row of recorded.outcome.outbox) await ctx.producer.push(row.recipient, { outboxId: row.id });
  return {
    outcome: recorded.duplicate ? "duplicate" : "completed",
    summary: {
      personId: recorded.outcome.personId,
      personVersion: recorded.outcome.personVersion,
      pushes: recorded.outcome.outbox.length,
    },
  };
}
