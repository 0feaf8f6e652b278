/**
 * Failure handling shared by every stage. A fault is permanent when it is a BridgeError whose registry
 * code says so (validation, mapping refusal, 4xx from an agency, a record that is not held); anything else
 * (time-outs, 5xx, 429, the store or Redis away, an unexpected exception) is transient and retried with
 * backoff until the job's attempts run out. Either way the job's last word is a dead letter.
 *
 * Jobs can also end failed without their processor running to a letter: BullMQ fails a job that stalled
 * more than `maxStalledCount` times (its worker died mid-job, an out-of-memory kill loop) without running
 * it again. `deadLetterFailedJob` letters those from what BullMQ recorded; the worker calls it on every
 * job that ends failed ('failed' event) and the recovery sweep on a failed job it finds with no letter.
 * Letters are one per stage and job key, so a job its processor already lettered gets no second one.
 */
import type { Job } from "bullmq";
import { isBridgeError } from "../errors.ts";
import type { Db } from "../store/index.ts";
import {
  type DeadLetter,
  type DeadLetterStage,
  recordDeadLetterOnce,
} from "../store/repositories/dead-letters.ts";
import { markDead } from "../store/repositories/outbox.ts";
import { retryAfterOf } from "./backoff.ts";
import { jobKeyOf, QUEUES, type QueueName } from "./jobs.ts";

export interface Classified {
  permanent: boolean;
  code: string;
  /** Person-free: registry messages and details never carry personal data. */
  reason: string;
  retryAfterMs: number | null;
}

const MAX_REASON = 500;

export function classify(error: unknown): Classified {
  if (error instanceof RetryLater) {
    return { permanent: false, code: error.code, reason: error.message, retryAfterMs: error.retryAfterMs };
  }
  if (isBridgeError(error)) {
    return {
      permanent: error.permanent,
      code: error.code,
      reason: error.message.slice(0, MAX_REASON),
      retryAfterMs: retryAfterOf(error),
    };
  }
  const e = error instanceof Error ? error : new Error(String(error));
  // Unexpected exceptions may be a passing fault (a dropped connection): retried, then dead-lettered.
  return {
    permanent: false,
    code: "BRIDGE_E_INTERNAL",
    reason: `${e.name}: ${e.message}`.slice(0, MAX_REASON),
    retryAfterMs: retryAfterOf(error),
  };
}

/** A transient outcome that is not an exception of its own: retry, not before `retryAfterMs`. */
export class RetryLater extends Error {
  readonly code: string;
  readonly retryAfterMs: number | null;
  constructor(code: string, reason: string, retryAfterMs: number | null = null) {
    super(reason);
    this.name = "RetryLater";
    this.code = code;
    this.retryAfterMs = retryAfterMs;
  }
}

export const stageOf = (queue: QueueName): DeadLetterStage =>
  queue === QUEUES.ingest ? "INGEST" : queue === QUEUES.reconcile ? "RECONCILE" : "PUSH";

/** What a dead letter names: the queue, the job key and the job's data (ids only, see jobs.ts). */
export interface DeadLetterSubject {
  queue: QueueName;
  jobKey: string;
  data: unknown;
  [detail: string]: unknown;
}

/**
 * Records the job's dead letter (or gives back the one held for its job key). A PUSH letter also settles
 * its outbox row as DEAD in the same transaction (when it is still PENDING or IN_FLIGHT), so a lettered
 * push is never swept again and replaying it reopens the row.
 */
export async function deadLetter(
  db: Db,
  input: {
    subject: DeadLetterSubject;
    code: string;
    reason: string;
    attempts: number;
    at: string;
  },
): Promise<DeadLetter> {
  return (await deadLetterOnce(db, input)).letter;
}

function deadLetterOnce(
  db: Db,
  input: Parameters<typeof deadLetter>[1],
): Promise<{ letter: DeadLetter; recorded: boolean }> {
  const stage = stageOf(input.subject.queue);
  const reason = input.reason.slice(0, MAX_REASON);
  const letter = (tx: Db) =>
    recordDeadLetterOnce(tx, {
      stage,
      subject: input.subject,
      errorCode: input.code,
      reason,
      attempts: input.attempts,
      createdAt: input.at,
    });
  const outboxId = (input.subject.data as { outboxId?: unknown } | null)?.outboxId;
  if (stage !== "PUSH" || typeof outboxId !== "string") return letter(db);
  return db.transaction(async (tx) => {
    await markDead(tx, outboxId, `${input.code}: ${reason}`);
    return letter(tx);
  });
}

/** BullMQ's reason for failing a job that stalled more than `maxStalledCount` times. */
const STALLED = /stalled more than allowable limit/;
/** How `bullProcessor` fails a job whose processor wrote a dead letter (src/queue/run.ts). */
export const LETTERED = /\bdead letter [0-9a-f-]{36}$/;

/**
 * The dead letter of a job that ended failed, from what BullMQ recorded (`failedReason`: "job stalled
 * more than allowable limit" for a job whose worker died mid-job too often). Null when the job did not end
 * failed (it will be retried), or when its processor already wrote its letter.
 */
export async function deadLetterFailedJob(
  db: Db,
  queue: QueueName,
  job: Pick<Job, "id" | "data" | "failedReason" | "finishedOn" | "attemptsMade" | "stalledCounter">,
  at: string,
): Promise<{ letter: DeadLetter; recorded: boolean } | null> {
  if (!job.finishedOn || !job.id) return null;
  const failedReason = job.failedReason || "the job failed";
  if (LETTERED.test(failedReason)) return null;
  const stalled = STALLED.test(failedReason);
  return deadLetterOnce(db, {
    subject: { queue, jobKey: jobKeyOf(job.id), data: job.data },
    code: stalled ? "BRIDGE_E_JOB_STALLED" : "BRIDGE_E_JOB_FAILED",
    reason: stalled
      ? `job stalled more than allowable limit (${job.stalledCounter} stalls: its worker stopped mid-job each time)`
      : failedReason,
    attempts: Math.max(1, job.attemptsMade),
    at,
  });
}
