/**
 * Failure handling shared by every stage. A fault is permanent when it is a BridgeError whose registry
 * code says so (validation, mapping refusal, 4xx from an agency, a record that is not held); anything else
 * (time-outs, 5xx, 429, the store or Redis away, an unexpected exception) is transient and retried with
 * backoff until the job's attempts run out. Either way the job's last word is a dead letter.
 */
import { isBridgeError } from "../errors.ts";
import type { Db } from "../store/index.ts";
import {
  type DeadLetter,
  type DeadLetterStage,
  recordDeadLetter,
} from "../store/repositories/dead-letters.ts";
import { retryAfterOf } from "./backoff.ts";
import { QUEUES, type QueueName } from "./jobs.ts";

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

export function deadLetter(
  db: Db,
  input: {
    subject: DeadLetterSubject;
    code: string;
    reason: string;
    attempts: number;
    at: string;
  },
): Promise<DeadLetter> {
  return recordDeadLetter(db, {
    stage: stageOf(input.subject.queue),
    subject: input.subject,
    errorCode: input.code,
    reason: input.reason.slice(0, MAX_REASON),
    attempts: input.attempts,
    createdAt: input.at,
  });
}
