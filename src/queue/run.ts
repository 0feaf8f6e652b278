/**
 * The BullMQ side of a processor: decodes the job (key, attempt), runs the stage, and turns how it ended
 * into BullMQ's terms:
 * - done (or a duplicate) -> the job completes;
 * - `delayMs` -> the job goes back to delayed without spending an attempt (DelayedError);
 * - a dead letter written by the stage -> UnrecoverableError (no retry);
 * - a thrown permanent fault, or a transient one on the last attempt -> a dead letter, UnrecoverableError;
 * - the store unavailable (a database restart or failover) -> the job goes back to delayed without
 *   spending an attempt, for a jittered wait on the backoff's scale: the store is the system of record, so
 *   work waits for it rather than using up its attempts and ending in a dead letter that could not even be
 *   written while the store is down;
 * - a thrown transient fault -> rethrown; BullMQ retries after the backoff strategy's delay (which reads
 *   the error's `retryAfterMs`).
 * Logged, ids only: retries (warn), dead letters (error), a completed job that left a dead letter (warn:
 * an export's rejected records), each push's outcome (info); other completed jobs at debug.
 */
import { DelayedError, type Job, UnrecoverableError } from "bullmq";
import { type BackoffPolicy, DEFAULT_BACKOFF, fullJitterDelay } from "./backoff.ts";
import type { JobMeta, PipelineContext, StepResult } from "./context.ts";
import { classify, deadLetter } from "./failure.ts";
import { jobKeyOf, QUEUES, type QueueName } from "./jobs.ts";

const STORE_UNAVAILABLE = "BRIDGE_E_STORE_UNAVAILABLE";

/**
 * How long a job waits for the store before it tries again: jittered up to four times the backoff's base
 * (1 s by default: 0.5-4 s), so the jobs an outage interrupted do not return in one wave.
 */
export function storeWaitMs(policy: BackoffPolicy, random: () => number = Math.random): number {
  return Math.max(Math.floor(policy.baseMs / 2), fullJitterDelay(3, policy, random));
}

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
      if (fault.code === STORE_UNAVAILABLE) {
        const waitMs = storeWaitMs(ctx.backoff ?? DEFAULT_BACKOFF);
        log.warn({ code: fault.code, waitMs }, "store unavailable: job waits for it");
        ctx.metrics?.jobFinished(queue, "retried");
        await job.moveToDelayed(Date.now() + waitMs, token);
        throw new DelayedError();
      }
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
    const done = { outcome: result.outcome, ...result.summary };
    // Ids only. A push's outcome and a letter written beside a completed job (an export's rejected
    // records) are worth a line at the default level; everything else is a debug line.
    if (result.outcome === "completed" && typeof result.summary?.deadLetterId === "string") {
      log.warn(done, "job done; what it could not process is in a dead letter");
    } else if (queue === QUEUES.pushArms || queue === QUEUES.pushOasys) log.info(done, "push done");
    else log.debug(done, "job done");
    return { outcome: result.outcome, ...result.summary };
  };
}
