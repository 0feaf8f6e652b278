/**
 * Delivery of one outbox row (the push processors call this; BullMQ retries and dead letters are theirs):
 *
 * 1. claim the row (a lease; refused while it, or another row for the same person and recipient, is in
 *    flight, or before the time an agency's Retry-After set: BUSY, with when to come back; a row already
 *    settled is refused too, and reported as it stands);
 * 2. if a newer row exists for the same person, recipient and kind (checked in the claim's statement),
 *    mark it SUPERSEDED and send nothing (correction notices are never superseded: each one reports a
 *    change);
 * 3. send it with the agency client;
 * 4. in one transaction: record the attempt (status, receipt, latency) and settle the row: DELIVERED (with
 *    its DISCLOSURE audit event, RECORD_PUSHED: recipient, idempotency key, justification and the source
 *    records' ids and versions; one statement), back to PENDING for a retry, or DEAD (a permanent
 *    failure, or a transient one on the last allowed attempt). A superseded row's change is audited too.
 */

import { BridgeError } from "../errors.ts";
import type { Recipient } from "../queue/jobs.ts";
import type { Db } from "../store/index.ts";
import { type AuditSource, SYSTEM_ACTOR } from "../store/repositories/audit.ts";
import { type AttemptOutcome, recordAttempt, recordDelivered } from "../store/repositories/deliveries.ts";
import {
  claimNewestForDelivery,
  getOutboxRow,
  markDead,
  markSuperseded,
  type OutboxRow,
  releaseForRetry,
} from "../store/repositories/outbox.ts";
import type { AgencyClient, DeliveryOutcome } from "./agency-client.ts";
import type { OutboxSources } from "./types.ts";

export interface DeliverOptions {
  /** Names the claimer (worker id), recorded on the claim. */
  worker: string;
  /** ISO instant of this attempt. */
  now: string;
  /** The job's attempt number, from 1. */
  attempt: number;
  /** With `attempt` at or above this, a transient failure is final (DEAD). Default: never. */
  maxAttempts?: number;
  /** How long the claim holds; must exceed the client's time-out. Default 60 s. */
  leaseMs?: number;
  signal?: AbortSignal;
}

export type DeliverOutcome = "DELIVERED" | "ALREADY_DELIVERED" | "SUPERSEDED" | "RETRY" | "DEAD" | "BUSY";

export interface DeliverResult {
  outcome: DeliverOutcome;
  /** RETRY and BUSY: when to try again, when the agency (or the lease) says. */
  retryAfterMs?: number;
  errorCode?: string;
  /** Person-free. */
  reason?: string;
  httpStatus?: number | null;
  /** DELIVERED: the agency already held this idempotency key (409). */
  alreadyHeld?: boolean;
}

export const DEFAULT_LEASE_MS = 60_000;
/** How soon a BUSY row is worth trying again when nothing better is known. */
export const BUSY_RETRY_MS = 1_000;
const BACKOFF_BASE_MS = 1_000;
const BACKOFF_CAP_MS = 5 * 60_000;

/**
 * The latest a retry of attempt `n` can come under exponential backoff with full jitter (base 1 s, cap
 * 5 min): the row's `available_at`, so the sweeper does not re-enqueue it before BullMQ's own retry.
 */
export const retryDelayCeilingMs = (attempt: number): number =>
  Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempt - 1));

const plusMs = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();

/** Why this record was shared, for the audit trail: ids only. */
export function justification(row: Pick<OutboxRow, "kind" | "sources" | "correctsKey">): string {
  const s = row.sources;
  switch (row.kind) {
    case "ARMS_DRAFT":
      return `contract §4: pre-filled ARMS draft for police from OASys assessment ${s.oasys?.assessmentPk}, every value with its provenance (PU-2)`;
    case "PARTNER_RISK_UPDATE":
      return `contract §4: partner risk update for probation from ARMS assessment ${s.arms?.armsAssessmentId} revision ${s.arms?.revision}, with open conflicts and decisions`;
    case "CORRECTION_NOTICE":
      return `PU-3, DPA 2018 s.38(5)(c): the source of delivery ${row.correctsKey} was corrected or superseded after it was sent`;
  }
}

/** The records a message was built from, with their versions, as the audit trail names them. */
export function auditSources(s: OutboxSources): AuditSource[] {
  const sources: AuditSource[] = [];
  if (s.oasys)
    sources.push({
      type: "OASYS_ASSESSMENT",
      id: String(s.oasys.assessmentPk),
      version: s.oasys.storedVersion,
    });
  if (s.arms) sources.push({ type: "ARMS_REVISION", id: s.arms.armsAssessmentId, version: s.arms.revision });
  if (s.mappingVersion) sources.push({ type: "MAPPING", id: "oasys-to-arms", version: s.mappingVersion });
  return sources;
}

function settled(row: OutboxRow): DeliverResult | null {
  if (row.state === "DELIVERED") return { outcome: "ALREADY_DELIVERED" };
  if (row.state === "SUPERSEDED") return { outcome: "SUPERSEDED" };
  if (row.state === "DEAD") {
    return { outcome: "DEAD", errorCode: row.lastError?.split(":")[0] ?? "BRIDGE_E_INTERNAL" };
  }
  return null;
}

const attemptOutcome = (o: DeliveryOutcome): AttemptOutcome =>
  o.outcome === "RETRY" && o.timedOut ? "TIMEOUT" : o.outcome;

/** Sends the claimed row; anything but an agency answer (e.g. cancelled on shutdown) gives it back first. */
async function send(
  client: AgencyClient,
  row: OutboxRow,
  db: Db,
  options: DeliverOptions,
): Promise<DeliveryOutcome> {
  try {
    return await client.deliver(row, options.signal ? { signal: options.signal } : {});
  } catch (e) {
    await releaseForRetry(db, row.id, options.now, "BRIDGE_E_INTERNAL: delivery interrupted");
    throw e;
  }
}

export async function deliverOutboxRow(
  db: Db,
  clients: Record<Recipient, AgencyClient>,
  outboxId: string,
  options: DeliverOptions,
): Promise<DeliverResult> {
  // Claimed straight away: a settled row is refused by the claim and read only then.
  const claim = await claimNewestForDelivery(
    db,
    outboxId,
    options.worker,
    options.leaseMs ?? DEFAULT_LEASE_MS,
    options.now,
  );
  if (!claim) {
    const now = await getOutboxRow(db, outboxId);
    if (!now) throw new BridgeError("BRIDGE_E_NOT_FOUND", "no such outbox row", { outboxId });
    const after = settled(now);
    if (after) return after;
    // Leased (to someone else, or in a lease that has not lapsed), or not due yet: say when to come back.
    const until = now.state === "IN_FLIGHT" ? now.claimedUntil : now.availableAt;
    const wait = until ? Date.parse(until) - Date.parse(options.now) : 0;
    return { outcome: "BUSY", retryAfterMs: Math.max(BUSY_RETRY_MS, wait) };
  }

  const row = claim.row;
  if (row.kind !== "CORRECTION_NOTICE" && row.personId !== null && claim.newerExists) {
    await markSuperseded(db, row.id, {
      ...SYSTEM_ACTOR,
      at: options.now,
      action: "OUTBOX_SUPERSEDED",
      subjectType: "OUTBOX",
      subjectId: row.id,
      personId: row.personId,
      correlationId: row.correlationId,
      sources: auditSources(row.sources),
      details: { recipient: row.recipient, kind: row.kind, idempotencyKey: row.idempotencyKey },
    });
    return { outcome: "SUPERSEDED" };
  }

  const sent = await send(clients[row.recipient], row, db, options);
  const attempt = {
    outboxId: row.id,
    attempt: row.attempts,
    outcome: attemptOutcome(sent),
    httpStatus: sent.httpStatus,
    receipt: "receipt" in sent ? sent.receipt : null,
    errorCode: "errorCode" in sent ? sent.errorCode : null,
    latencyMs: sent.latencyMs,
    at: options.now,
  };

  if (sent.outcome === "DELIVERED" || sent.outcome === "ALREADY_HELD") {
    // The attempt, the DELIVERED state and the audit event: one statement, so one transaction.
    await recordDelivered(db, attempt, {
      ...SYSTEM_ACTOR,
      at: options.now,
      action: "RECORD_PUSHED",
      subjectType: "OUTBOX",
      subjectId: row.id,
      personId: row.personId,
      correlationId: row.correlationId,
      sources: auditSources(row.sources),
      justification: justification(row),
      details: {
        recipient: row.recipient,
        kind: row.kind,
        idempotencyKey: row.idempotencyKey,
        httpStatus: sent.httpStatus,
        alreadyHeld: sent.outcome === "ALREADY_HELD",
        attempt: row.attempts,
        ...(row.correctsKey ? { correctsKey: row.correctsKey } : {}),
      },
    });
    return {
      outcome: "DELIVERED",
      httpStatus: sent.httpStatus,
      alreadyHeld: sent.outcome === "ALREADY_HELD",
    };
  }

  return db.transaction(async (tx) => {
    await recordAttempt(tx, attempt);
    const error = `${sent.errorCode}: ${sent.reason}`;
    const last = options.maxAttempts !== undefined && options.attempt >= options.maxAttempts;
    if (sent.outcome === "PERMANENT_FAILURE" || last) {
      await markDead(tx, row.id, error);
      return {
        outcome: "DEAD",
        errorCode: sent.errorCode,
        reason: last && sent.outcome === "RETRY" ? `${sent.reason} (attempts exhausted)` : sent.reason,
        httpStatus: sent.httpStatus,
      };
    }
    const wait = sent.retryAfterMs ?? retryDelayCeilingMs(options.attempt);
    await releaseForRetry(tx, row.id, plusMs(options.now, wait), error);
    return {
      outcome: "RETRY",
      errorCode: sent.errorCode,
      reason: sent.reason,
      httpStatus: sent.httpStatus,
      ...(sent.retryAfterMs !== null ? { retryAfterMs: sent.retryAfterMs } : {}),
    };
  });
}
