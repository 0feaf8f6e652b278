/**
 * Every delivery attempt of an outbox row, with the recipient's receipt when it gave one. Append-only in
 * practice: one row per (outbox row, attempt), the attempt being the row's claim count.
 */
import type { Db } from "../db.ts";
import { type AuditEventInput, auditAppendSql, auditEntries } from "./audit.ts";

export type AttemptOutcome = "DELIVERED" | "ALREADY_HELD" | "RETRY" | "PERMANENT_FAILURE" | "TIMEOUT";

export interface DeliveryAttempt {
  id: number;
  outboxId: string;
  attempt: number;
  outcome: AttemptOutcome;
  httpStatus: number | null;
  /** The recipient's answer: parsed JSON, or the raw text as a JSON string. */
  receipt: unknown;
  errorCode: string | null;
  latencyMs: number | null;
  at: string;
}

export type NewDeliveryAttempt = Omit<DeliveryAttempt, "id">;

const COLUMNS = `id, outbox_id AS "outboxId", attempt, outcome, http_status AS "httpStatus", receipt,
  error_code AS "errorCode", latency_ms AS "latencyMs", at`;

/**
 * Records one attempt. The same (outbox row, attempt) recorded again (a worker retrying its own write
 * after a lost commit acknowledgement) is kept as first written.
 */
export async function recordAttempt(db: Db, a: NewDeliveryAttempt): Promise<void> {
  await db.query(
    `INSERT INTO deliveries (outbox_id, attempt, outcome, http_status, receipt, error_code, latency_ms, at)
     VALUES ($1::uuid, $2, $3, $4, $5::jsonb, $6, $7, $8)
     ON CONFLICT (outbox_id, attempt) DO NOTHING`,
    attemptParams(a),
  );
}

const attemptParams = (a: NewDeliveryAttempt): unknown[] => [
  a.outboxId,
  a.attempt,
  a.outcome,
  a.httpStatus,
  a.receipt === undefined || a.receipt === null ? null : JSON.stringify(a.receipt),
  a.errorCode,
  a.latencyMs === null ? null : Math.round(a.latencyMs),
  a.at,
];

/**
 * A successful attempt in one statement: the attempt recorded (as `recordAttempt`), the row marked
 * DELIVERED (as `markDelivered`, a no-op when it was already settled) and the DISCLOSURE audit event
 * (RECORD_PUSHED: recipient, idempotency key, justification, sources) appended to the chain.
 */
export async function recordDelivered(db: Db, a: NewDeliveryAttempt, audit: AuditEventInput): Promise<void> {
  await db.query(
    `WITH attempt AS (
       INSERT INTO deliveries (outbox_id, attempt, outcome, http_status, receipt, error_code, latency_ms, at)
       VALUES ($1::uuid, $2, $3, $4, $5::jsonb, $6, $7, $8::timestamptz)
       ON CONFLICT (outbox_id, attempt) DO NOTHING
     ), delivered AS (
       UPDATE outbox SET state = 'DELIVERED', delivered_at = $8::timestamptz, claimed_by = NULL,
              claimed_until = NULL, last_error = NULL
        WHERE id = $1::uuid AND state IN ('PENDING', 'IN_FLIGHT')
     )
     SELECT ${auditAppendSql(9)}`,
    [...attemptParams(a), auditEntries([audit])],
  );
}

/** The attempts of one outbox row, first first. */
export async function attemptsFor(db: Db, outboxId: string): Promise<DeliveryAttempt[]> {
  return db.query<DeliveryAttempt>(
    `SELECT ${COLUMNS} FROM deliveries WHERE outbox_id = $1::uuid ORDER BY attempt`,
    [outboxId],
  );
}

/** The attempts of several outbox rows (a listing page), grouped by outbox id. */
export async function attemptsForMany(
  db: Db,
  outboxIds: readonly string[],
): Promise<Map<string, DeliveryAttempt[]>> {
  const byRow = new Map<string, DeliveryAttempt[]>(outboxIds.map((id) => [id, []]));
  if (outboxIds.length === 0) return byRow;
  const rows = await db.query<DeliveryAttempt>(
    `SELECT ${COLUMNS} FROM deliveries WHERE outbox_id = ANY($1::uuid[]) ORDER BY outbox_id, attempt`,
    [outboxIds],
  );
  for (const r of rows) byRow.get(r.outboxId)?.push(r);
  return byRow;
}
