/**
 * The pipeline's queues and what their jobs carry: ids only, never personal data. Job ids are derived
 * from (source, record, revision), so re-delivering the same export, event or revision adds nothing.
 */

/** Queue names (BullMQ, under the configured prefix). One push queue per agency. */
export const QUEUES = {
  ingest: "ingest",
  reconcile: "reconcile",
  pushArms: "push-arms",
  pushOasys: "push-oasys",
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

export type IngestJob =
  /** Parse a stored raw export and save its assessments. */
  | { type: "OASYS_EXPORT"; exportId: string }
  /** `assessment.summary.produced`: pull the assessment from OASys (ORDS) and save it. */
  | { type: "OASYS_EVENT"; crn: string; assessmentPk: number; eventId: string };

/** Re-reconcile the person a stored record belongs to. */
export interface ReconcileJob {
  source: "OASYS" | "ARMS";
  /** OASys assessment pk, or ARMS assessment id. */
  record: string;
  /** OASys stored version, or ARMS revision. */
  revision: number;
}

/** Deliver one outbox row. */
export interface PushJob {
  outboxId: string;
}

export type Recipient = "ARMS" | "OASYS";

/**
 * Job keys: stable per logical work item. They are what `processed_jobs` records; BullMQ gets them through
 * `bullJobId` (BullMQ 5 refuses custom ids with `:` unless they have exactly three parts).
 */
export const jobIds = {
  ingest: (job: IngestJob): string =>
    job.type === "OASYS_EXPORT"
      ? `ingest:oasys-export:${job.exportId}`
      : `ingest:oasys-event:${job.assessmentPk}:${job.eventId}`,
  reconcile: (job: ReconcileJob): string => `reconcile:${job.source}:${job.record}:${job.revision}`,
  push: (job: PushJob): string => `push:${job.outboxId}`,
};

/** Suffix of a dead letter's replay: the same work again under a fresh key (`...:replay-2`). */
export const replayKey = (jobKey: string, replay: number): string => `${jobKey}:replay-${replay}`;

/**
 * The BullMQ id for a job key: `%` and `|` are escaped, then `:` becomes `|` (readable, reversible, no
 * collisions): `reconcile:OASYS:9630348:2` -> `reconcile|OASYS|9630348|2`.
 */
export function bullJobId(jobKey: string): string {
  return jobKey.replaceAll("%", "%25").replaceAll("|", "%7C").replaceAll(":", "|");
}

/** The job key a BullMQ id stands for (inverse of `bullJobId`). */
export function jobKeyOf(bullId: string): string {
  return bullId.replaceAll("|", ":").replaceAll("%7C", "|").replaceAll("%25", "%");
}

/**
 * What the HTTP adapter and the processors use to put work on the queues. The BullMQ implementation
 * lives in src/queue/producer.ts; an in-process one can run the same pipeline without Redis.
 */
export interface JobProducer {
  ingest(job: IngestJob): Promise<void>;
  reconcile(job: ReconcileJob): Promise<void>;
  push(recipient: Recipient, job: PushJob): Promise<void>;
}
