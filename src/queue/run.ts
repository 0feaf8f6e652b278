/**
 * The BullMQ side of a processor: decodes the job (key, attempt), runs the stage, and turns how it ended
 * into BullMQ's terms:
 * - done (or a duplicate) -> the job completes;
 * - `delayMs` -> the job goes back to delayed without spending an attempt (DelayedError);
 * - a dead letter written by the stage -> UnrecoverableError (no retry);
 * - a thrown permanent fault, or a transient one on the last attempt -> a dead letter, UnrecoverableError;
 * - a thrown transient fault -> rethrown; BullMQ retries after the backoff strategy's delay (which reads
 *   the error's `retryAfterMs`).
 */
import { DelayedError, type Job, UnrecoverableError } from "bullmq";
import type { JobMeta, PipelineContext, StepResult } from "./context.ts";
import { classify, deadLetter } from "./failure.ts";
import { jobKeyOf, type QueueName } from "./jobs.ts";

export type Stage<T> = (ctx: PipelineContext, data: T, meta: JobMeta) => Promise<StepResult>;

export function bullProcessor<T>(ctx: PipelineContext, queue: QueueName, stage: Stage<T>) {
  return async (job: Job<T>, token?: string): Promise<Record<string, unknown>> => {
    const meta: JobMeta = {
      queue,
      jobKey: jobKeyOf(job.id ?? ""),
      attempt: job.attemptsMade + 1,
      maxAttempts: job.opts.attempts ?? 1,
    };
    const log = ctx.log.child({ queue, jobKey: meta.jobKey, attempt: meta.attempt });
    let result: StepResult;
    try {
      result = await stage(ctx, job.data, meta);
    } catch (error) {
      const fault = classify(error);
      const last = fault.permanent || meta.attempt >= meta.maxAttempts;
      if (!last) {
        log.warn({ code: fault.code, retryAfterMs: fault.retryAfterMs }, "job failed, will retry");
        ctx.metrics?.jobFinished(queue, "retried");
        throw error;
      }
      const letter = await deadLetter(ctx.db, {
        subject: { queue, jobKey: meta.jobKey, data: job.data },
        code: fault.code,
        reason: fault.reason,
        attempts: meta.attempt,
        at: ctx.now().toISOString(),
      });
      log.error(
        { code: fault.code, deadLetterId: letter.id, permanent: fault.permanent },
        "job dead-lettered",
      );
      ctx.metrics?.jobFinished(queue, "dead_lettered");
      throw new UnrecoverableError(`${fault.code}: dead letter ${letter.id}`);
    }

    if (result.delayMs !== undefined) {
      await job.moveToDelayed(Date.now() + result.delayMs, token);
      throw new DelayedError();
    }
    if (result.deadLetterId) {
      log.error({ deadLetterId: result.deadLetterId }, "job dead-lettered");
      ctx.metrics?.jobFinished(queue, "dead_lettered");
      throw new UnrecoverableError(`dead letter ${result.deadLetterId}`);
    }
    ctx.metrics?.jobFinished(queue, result.outcome === "duplicate" ? "skipped_duplicate" : "completed");
    log.debug({ outcome: result.outcome }, "job done");
    return { outcome: result.outcome, ...result.summary };
  };
}
