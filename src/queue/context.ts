/**
 * What every processor is given: the store, the producer to hand work on, the clock, the reconciliation's
 * data (mapping, thresholds) and the agency clients, created once per worker process.
 */
import type { Logger } from "pino";
import type { Thresholds } from "../core/conflicts/types.ts";
import type { Mapping } from "../core/mapping/spec.ts";
import type { OrdsClient } from "../ingest/ords/client.ts";
import type { BridgeMetrics } from "../observability/metrics.ts";
import type { Db } from "../store/index.ts";
import type { BackoffPolicy } from "./backoff.ts";
import type { JobProducer, QueueName } from "./jobs.ts";

export interface PipelineContext {
  db: Db;
  producer: JobProducer;
  now: () => Date;
  log: Logger;
  /** Names this process in outbox claims (`claimed_by`). */
  workerId: string;
  reconcile: { mapping: Mapping; thresholds: Thresholds };
  /** The ORDS client; throws BRIDGE_E_CONFIG_INVALID (permanent) when ORDS is not configured. */
  ords: () => OrdsClient;
  metrics?: Pick<BridgeMetrics, "jobFinished" | "pushAttempted"> | undefined;
  /** How long a push's claim on an outbox row holds (default: deliver.ts's, 60 s); above the agency time-out. */
  pushLeaseMs?: number | undefined;
  /** The retry timing; a job waiting for the store to come back waits on its scale (default: backoff.ts's). */
  backoff?: BackoffPolicy | undefined;
}

/** What a processor knows about the job it runs. */
export interface JobMeta {
  queue: QueueName;
  /** The logical job key (`jobIds`, plus a replay suffix): what `processed_jobs` records. */
  jobKey: string;
  /** 1 for the first attempt. */
  attempt: number;
  maxAttempts: number;
}

/** How a processor finished (a retryable fault is thrown instead). */
export interface StepResult {
  /** `duplicate`: the job key was processed before; its recorded hand-ons were re-sent and nothing else. */
  outcome: "completed" | "duplicate";
  /** The job ended in this dead letter (written in the job's own transaction): fail it without retry. */
  deadLetterId?: string | null;
  /** Try again after this long without counting an attempt (a delivery held by someone else). */
  delayMs?: number;
  /** Ids-only summary kept as the BullMQ job's return value. */
  summary?: Record<string, unknown>;
}
