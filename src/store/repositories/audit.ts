/**
 * The audit trail: who did what to which record, append-only (the database refuses updates and deletes).
 * Subjects are named by ids (assessment pk, ARMS id, conflict id, outbox id), never by personal data.
 */
import type { Db } from "../db.ts";

export type AuditAction =
  | "EXPORT_RECEIVED"
  | "READ_OASYS_ASSESSMENT"
  | "ARMS_REVISION_RECEIVED"
  | "IDENTITY_MATCHED"
  | "PREFILL_GENERATED"
  | "CONFLICT_RAISED"
  | "CONFLICT_CLOSED"
  | "CONFLICT_ACKNOWLEDGED"
  | "CONFLICT_APPROVED"
  | "CONFLICT_RESOLVED"
  | "CONFLICT_DISMISSED"
  | "RECORD_PUSHED";

export type AuditSubjectType =
  | "EXPORT"
  | "OASYS_ASSESSMENT"
  | "ARMS_ASSESSMENT"
  | "PERSON"
  | "CONFLICT"
  | "OUTBOX";

export interface AuditEventInput {
  at: string;
  actor: string;
  action: AuditAction;
  subjectType: AuditSubjectType;
  subjectId: string;
  personId?: string | null;
  correlationId?: string | null;
  details?: Record<string, unknown>;
}

export interface AuditEvent extends Required<AuditEventInput> {
  id: number;
}

export async function recordAudit(db: Db, event: AuditEventInput): Promise<number> {
  const rows = await db.query<{ id: number }>(
    `INSERT INTO audit_events (at, actor, action, subject_type, subject_id, person_id, correlation_id, details)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb) RETURNING id`,
    [
      event.at,
      event.actor,
      event.action,
      event.subjectType,
      event.subjectId,
      event.personId ?? null,
      event.correlationId ?? null,
      JSON.stringify(event.details ?? {}),
    ],
  );
  return rows[0]!.id;
}

/**
 * Records several events in one statement, in the order given (ids ascend in that order, so the trail
 * reads exactly as if each had been recorded on its own).
 */
export async function recordAudits(db: Db, events: readonly AuditEventInput[]): Promise<void> {
  if (events.length === 0) return;
  if (events.length === 1) {
    await recordAudit(db, events[0]!);
    return;
  }
  const rows = events.map((e, n) => ({
    n,
    at: e.at,
    actor: e.actor,
    action: e.action,
    subject_type: e.subjectType,
    subject_id: e.subjectId,
    person_id: e.personId ?? null,
    correlation_id: e.correlationId ?? null,
    details: e.details ?? {},
  }));
  await db.query(
    `INSERT INTO audit_events (at, actor, action, subject_type, subject_id, person_id, correlation_id, details)
     SELECT e.at, e.actor, e.action, e.subject_type, e.subject_id, e.person_id, e.correlation_id, e.details
       FROM jsonb_to_recordset($1::jsonb) AS e(n int, at timestamptz, actor text, action text, subject_type text,
              subject_id text, person_id uuid, correlation_id text, details jsonb)
      ORDER BY e.n`,
    [JSON.stringify(rows)],
  );
}

/** The trail of one subject, or of everything touching one person, oldest first. */
export async function auditTrail(
  db: Db,
  about: { subjectType: AuditSubjectType; subjectId: string } | { personId: string },
): Promise<AuditEvent[]> {
  const [where, params] =
    "personId" in about
      ? ["person_id = $1::uuid", [about.personId]]
      : ["subject_type = $1 AND subject_id = $2", [about.subjectType, about.subjectId]];
  return db.query<AuditEvent>(
    `SELECT id, at, actor, action, subject_type AS "subjectType", subject_id AS "subjectId",
            person_id AS "personId", correlation_id AS "correlationId", details
       FROM audit_events WHERE ${where} ORDER BY at, id`,
    params,
  );
}
