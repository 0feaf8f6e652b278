/**
 * What the bridge sends the agencies, as the outbox holds it (contract §4, docs/service.md "Pushes").
 * Ids and digests only in `sources`; the body is the message itself.
 */
import type { Recipient } from "../queue/jobs.ts";

export type { Recipient } from "../queue/jobs.ts";

export type OutboxKind = "ARMS_DRAFT" | "PARTNER_RISK_UPDATE" | "CORRECTION_NOTICE";
export type OutboxState = "PENDING" | "IN_FLIGHT" | "DELIVERED" | "DEAD" | "SUPERSEDED";

/** The records a message was built from, so a later reconciliation can tell one was corrected (PU-3). */
export interface OutboxSources {
  oasys: { assessmentPk: number; storedVersion: number; digest: string } | null;
  arms: { armsAssessmentId: string; revision: number; digest: string } | null;
  mappingVersion: string | null;
}

/** One message to queue: built by the pure message builders, written by the pipeline. */
export interface OutboundMessage {
  recipient: Recipient;
  kind: OutboxKind;
  /** Stable for the same logical record and revision; sent as the `Idempotency-Key` header. */
  idempotencyKey: string;
  contentType: string;
  body: string;
  sources: OutboxSources;
  /** CORRECTION_NOTICE only: the idempotency key of the delivery it corrects. */
  correctsKey: string | null;
}

export const CONTENT_TYPE = {
  json: "application/json",
  xml: "application/xml; charset=utf-8",
} as const;
