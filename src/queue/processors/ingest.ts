/**
 * The ingest stage. Each job saves its assessments and records its job key in ONE transaction, then hands
 * every saved assessment on to reconciliation (source OASYS, record = pk, revision = stored version).
 *
 * - OASYS_EXPORT: the raw export is already held (the API stored it); it is parsed and its assessments
 *   saved. A whole-file fault saves nothing and ends the job in a dead letter; record-level rejections
 *   are gathered into one dead letter for the export (index, pk, code, path each) while the accepted
 *   records go on.
 * - OASYS_EVENT: the assessment is pulled from ORDS (outside the transaction), then saved. A record-level
 *   rejection ends the job in a dead letter; transport faults are thrown (transient ones retried).
 *
 * Redelivered (same job key, already recorded): nothing is saved again; the recorded hand-ons are sent
 * again, which covers a crash between commit and enqueue and is harmless otherwise (job ids).
 *
 * The statement recording the job key also marks the export or event ingested (`ingested_at`), which is
 * what the recovery sweep reads to find accepted work whose job was lost.
 */
import { londonToday } from "../../clock.ts";
import { BridgeError } from "../../errors.ts";
import { saveExportAssessments } from "../../pipeline/ingest.ts";
import { pullEventAssessment, savePulledAssessment } from "../../pipeline/pull.ts";
import type { Db } from "../../store/index.ts";
import { getRawExport } from "../../store/repositories/exports.ts";
import { getProcessedJob, onceForJobKey } from "../../store/repositories/processed-jobs.ts";
import type { FinishedWork } from "../../store/repositories/recovery.ts";
import type { JobMeta, PipelineContext, StepResult } from "../context.ts";
import { deadLetter } from "../failure.ts";
import type { IngestJob, ReconcileJob } from "../jobs.ts";

/** What an ingest job recorded in processed_jobs. */
export interface IngestOutcome {
  reconcile: ReconcileJob[];
  deadLetterId: string | null;
  /** True when the job as a whole failed (whole-file fault, rejected pull). */
  failed: boolean;
}

export async function processIngest(
  ctx: PipelineContext,
  job: IngestJob,
  meta: JobMeta,
): Promise<StepResult> {
  const recorded =
    job.type === "OASYS_EXPORT"
      ? await ingestExport(ctx, job.exportId, meta)
      : await ingestEvent(ctx, job, meta);
  for (const r of recorded.outcome.reconcile) await ctx.producer.reconcile(r);
  return {
    outcome: recorded.duplicate ? "duplicate" : "completed",
    deadLetterId: recorded.outcome.failed ? recorded.outcome.deadLetterId : null,
    summary: { reconcile: recorded.outcome.reconcile.length, deadLetterId: recorded.outcome.deadLetterId },
  };
}

interface Recorded {
  outcome: IngestOutcome;
  duplicate: boolean;
}

/** Runs `work` once for the job's key, recording the key with its outcome (src/store/repositories/processed-jobs.ts). */
const onceFor = (
  db: Db,
  meta: JobMeta,
  at: string,
  finished: FinishedWork,
  work: (tx: Db) => Promise<IngestOutcome>,
): Promise<Recorded> =>
  onceForJobKey(db, { jobKey: meta.jobKey, queue: meta.queue, processedAt: at }, work, finished);

const reconcileJob = (saved: { assessmentPk: number; version: number }): ReconcileJob => ({
  source: "OASYS",
  record: String(saved.assessmentPk),
  revision: saved.version,
});

async function ingestExport(ctx: PipelineContext, exportId: string, meta: JobMeta): Promise<Recorded> {
  const now = ctx.now();
  const at = now.toISOString();
  return onceFor(ctx.db, meta, at, { source: "OASYS_EXPORT", exportId }, async (tx) => {
    const raw = await getRawExport(tx, exportId);
    if (!raw) throw new BridgeError("BRIDGE_E_NOT_FOUND", "no stored export with that id", { exportId });
    const report = await saveExportAssessments(tx, {
      exportId,
      bytes: raw.content,
      today: londonToday(now),
      now: at,
    });
    const subject = { queue: meta.queue, jobKey: meta.jobKey, data: { type: "OASYS_EXPORT", exportId } };
    let deadLetterId: string | null = null;
    if (report.failure) {
      const letter = await deadLetter(tx, {
        subject,
        code: report.failure.code,
        reason: report.failure.message,
        attempts: meta.attempt,
        at,
      });
      deadLetterId = letter.id;
    } else if (report.rejected.length > 0) {
      const codes = [...new Set(report.rejected.map((r) => r.code))];
      const letter = await deadLetter(tx, {
        subject: {
          ...subject,
          rejected: report.rejected.map((r) => ({
            index: r.index,
            assessmentPk: r.assessmentPk,
            code: r.code,
            path: r.path,
          })),
        },
        code: codes[0] as string,
        reason: `${report.rejected.length} of ${report.rejected.length + report.saved.length} records rejected (${codes.join(", ")})`,
        attempts: meta.attempt,
        at,
      });
      deadLetterId = letter.id;
    }
    return { reconcile: report.saved.map(reconcileJob), deadLetterId, failed: report.failure !== null };
  });
}

async function ingestEvent(
  ctx: PipelineContext,
  job: Extract<IngestJob, { type: "OASYS_EVENT" }>,
  meta: JobMeta,
): Promise<Recorded> {
  // Before going to the network: a recorded event needs no pull.
  const done = await getProcessedJob<IngestOutcome>(ctx.db, meta.jobKey);
  if (done) return { outcome: done.outcome, duplicate: true };

  const now = ctx.now();
  const at = now.toISOString();
  const pulled = await pullEventAssessment(ctx.ords(), job, {
    today: londonToday(now),
    correlationId: meta.jobKey,
  });
  return onceFor(ctx.db, meta, at, { source: "OASYS_EVENT", eventId: job.eventId }, async (tx) => {
    if (!pulled.ok) {
      const letter = await deadLetter(tx, {
        subject: {
          queue: meta.queue,
          jobKey: meta.jobKey,
          data: job,
          rejected: [
            { assessmentPk: pulled.error.assessmentPk, code: pulled.error.code, path: pulled.error.path },
          ],
        },
        code: pulled.error.code,
        reason: `the pulled assessment was rejected at ${pulled.error.path}`,
        attempts: meta.attempt,
        at,
      });
      return { reconcile: [], deadLetterId: letter.id, failed: true };
    }
    const saved = await savePulledAssessment(tx, pulled.assessment, at);
    return { reconcile: [reconcileJob(saved)], deadLetterId: null, failed: false };
  });
}
