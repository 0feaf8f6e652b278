/**
 * The audit trail (DPA 2018 Part 3, s.62): one append-only, hash-chained log of collection, alteration,
 * consultation, disclosure, combination and erasure. This file is its one writer: every event goes
 * through `recordAudits` (or `auditAppendSql` inside a statement of the caller's), which hands the batch to
 * the database's `audit_append()` in ONE statement; that function locks the chain's head, numbers the
 * entries (`seq`, gap-free) and hashes each over its canonical form with the previous entry's hash
 * (migration 0006, definition in src/store/README.md). The database refuses rows written any other way,
 * and every update or delete.
 *
 * Appends serialise on the head row until their transaction ends, so callers append last in their
 * transaction, once (collect events in an array as they go, as the reconciliation does).
 *
 * Entries name records and people by ids only (assessment pk, ARMS id, conflict, outbox, export and person
 * ids), never by personal data; `details` holds ids, codes and counts.
 */
import { BridgeError } from "../../errors.ts";
import type { Db } from "../db.ts";

export const AUDIT_CATEGORIES = [
  "COLLECTION",
  "ALTERATION",
  "CONSULTATION",
  "DISCLOSURE",
  "COMBINATION",
  "ERASURE",
] as const;
export type AuditCategory = (typeof AUDIT_CATEGORIES)[number];

/** Every action, with its category and the justification recorded when the writer gives none. */
const ACTIONS = {
  EXPORT_RECEIVED: ["COLLECTION", "OASys export received for ingest (contract §3)"],
  OASYS_ASSESSMENT_STORED: ["COLLECTION", "OASys assessment stored for reconciliation (contract §3)"],
  OASYS_ASSESSMENT_SUPERSEDED: [
    "ALTERATION",
    "stored OASys assessment replaced by a newer version of the same assessment",
  ],
  ARMS_REVISION_RECEIVED: ["COLLECTION", "ARMS revision stored for reconciliation (contract §3)"],
  ARMS_REVISION_SUPERSEDED: ["ALTERATION", "current ARMS revision superseded by a higher revision"],
  READ_OASYS_ASSESSMENT: ["CONSULTATION", "OASys assessment read"],
  IDENTITY_MATCHED: ["COMBINATION", "identity match of the person's OASys and ARMS records (contract §4)"],
  PREFILL_GENERATED: ["COMBINATION", "ARMS draft pre-filled from the OASys assessment (contract §4)"],
  PERSON_RECONCILED: ["COMBINATION", "reconciliation of the person's OASys and ARMS records (contract §4)"],
  CONFLICT_RAISED: ["COMBINATION", "conflict between the agencies' judgements raised for review"],
  CONFLICT_CLOSED: ["ALTERATION", "conflict no longer raised by the records held"],
  CONFLICT_ACKNOWLEDGED: ["ALTERATION", "reviewer's decision on a conflict"],
  CONFLICT_APPROVED: ["ALTERATION", "reviewer's decision on a conflict"],
  CONFLICT_RESOLVED: ["ALTERATION", "reviewer's decision on a conflict"],
  CONFLICT_DISMISSED: ["ALTERATION", "reviewer's decision on a conflict"],
  OUTBOX_SUPERSEDED: ["ALTERATION", "queued record not sent: a newer record for the same recipient exists"],
  RECORD_PUSHED: ["DISCLOSURE", "record shared with the partner agency (contract §4)"],
  PERSON_VIEWED: ["CONSULTATION", "person's reconciled view read through the API"],
  CONFLICT_VIEWED: ["CONSULTATION", "conflict read through the API"],
  CONFLICTS_LISTED: ["CONSULTATION", "conflicts listed through the API"],
  RETENTION_ERASED: ["ERASURE", "retention period passed (mappings/retention.yaml)"],
  DEAD_LETTER_DISCARDED: [
    "ALTERATION",
    "dead letter discarded by an administrator: its work is not replayed",
  ],
} as const satisfies Record<string, readonly [AuditCategory, string]>;

export type AuditAction = keyof typeof ACTIONS;

/** Every action with its category (docs/security.md lists them; a test keeps the two the same). */
export const AUDIT_ACTIONS: readonly { action: AuditAction; category: AuditCategory }[] = Object.entries(
  ACTIONS,
).map(([action, [category]]) => ({ action: action as AuditAction, category }));

export const categoryOf = (action: AuditAction): AuditCategory => ACTIONS[action][0];

export type AuditSubjectType =
  | "EXPORT"
  | "OASYS_ASSESSMENT"
  | "ARMS_ASSESSMENT"
  | "PERSON"
  | "CONFLICT"
  | "CONFLICT_LIST"
  | "OUTBOX"
  | "DATA_CLASS"
  | "DEAD_LETTER";

/** A record an event used, with the version it used (an OASys stored version, an ARMS revision...). */
export interface AuditSource {
  type: "RAW_EXPORT" | "OASYS_ASSESSMENT" | "ARMS_REVISION" | "MAPPING" | "DRAFT" | "OUTBOX";
  id: string;
  version: number | string | null;
}

/** The bridge itself, acting on its own (ingest, reconciliation, delivery, retention). */
export const SYSTEM_ACTOR = { actor: "bridge", role: "SYSTEM", agency: null } as const;

export interface AuditEventInput {
  /** ISO instant; recorded to the millisecond. */
  at: string;
  actor: string;
  /** Default: SYSTEM for the bridge, REVIEWER for anyone else. */
  role?: string;
  agency?: string | null;
  action: AuditAction;
  subjectType: AuditSubjectType;
  subjectId: string;
  personId?: string | null;
  /**
   * Further subjects, as typed ids (`person:<uuid>`, `conflict:<uuid>`, `oasys_assessment:<pk>`...); the
   * subject's own (`lower(subjectType):subjectId`) and `person:<personId>` are added by the database.
   */
  subjectIds?: readonly string[];
  sources?: readonly AuditSource[];
  /** Default: the action's own (ACTIONS). */
  justification?: string;
  correlationId?: string | null;
  /** Ids, codes and counts only: ASCII keys, safe-integer numbers (the chain's canonical form). */
  details?: Record<string, unknown>;
}

export interface AuditEvent {
  id: number;
  seq: number;
  at: string;
  category: AuditCategory;
  action: AuditAction;
  actor: string;
  role: string;
  agency: string | null;
  subjectType: AuditSubjectType;
  subjectId: string;
  personId: string | null;
  subjectIds: string[];
  sources: AuditSource[];
  justification: string;
  correlationId: string | null;
  details: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

/** The typed id the database files a subject under (`subjectIds`). */
export const subjectKey = (type: AuditSubjectType, id: string): string => `${type.toLowerCase()}:${id}`;

/** Refuses values the chain's canonical form cannot carry identically in SQL and here (never content). */
function checkValue(value: unknown, path: string): void {
  if (typeof value === "number" && !Number.isSafeInteger(value)) {
    throw new BridgeError("BRIDGE_E_INTERNAL", "audit values must be safe integers", { path });
  }
  if (typeof value !== "object" || value === null) return;
  for (const [key, member] of Object.entries(value)) {
    if (!/^[ -~]*$/.test(key))
      throw new BridgeError("BRIDGE_E_INTERNAL", "audit keys must be ASCII", { path });
    checkValue(member, `${path}/${key}`);
  }
}

/** The entry as `audit_append()` takes it. */
export function auditEntry(e: AuditEventInput): Record<string, unknown> {
  const at = new Date(e.at);
  if (Number.isNaN(at.getTime())) throw new BridgeError("BRIDGE_E_INTERNAL", "audit event without a time");
  const entry = {
    at: at.toISOString(),
    category: categoryOf(e.action),
    action: e.action,
    actor: e.actor,
    role: e.role ?? (e.actor === SYSTEM_ACTOR.actor ? SYSTEM_ACTOR.role : "REVIEWER"),
    agency: e.agency ?? null,
    subjectType: e.subjectType,
    subjectId: e.subjectId,
    personId: e.personId ?? null,
    subjectIds: e.subjectIds ?? [],
    sources: e.sources ?? [],
    justification: e.justification ?? ACTIONS[e.action][1],
    correlationId: e.correlationId ?? null,
    details: e.details ?? {},
  };
  checkValue(entry.details, "/details");
  checkValue(entry.sources, "/sources");
  return entry;
}

/** The JSON parameter for `audit_append($n::jsonb)`: the events in the order given. */
export const auditEntries = (events: readonly AuditEventInput[]): string =>
  JSON.stringify(events.map(auditEntry));

/** SQL appending the batch in parameter `$n` (from `auditEntries`), for a caller's own statement. */
export const auditAppendSql = (param: number): string => `audit_append($${param}::jsonb)`;

/**
 * Appends the events, in order, in one statement; returns the seq of the last one (null for none). Call it
 * once, last, in the transaction that makes the change the events describe.
 */
export async function recordAudits(db: Db, events: readonly AuditEventInput[]): Promise<number | null> {
  if (events.length === 0) return null;
  const rows = await db.query<{ seq: number | null }>(`SELECT ${auditAppendSql(1)} AS seq`, [
    auditEntries(events),
  ]);
  return rows[0]?.seq ?? null;
}

/** One event; returns its seq. */
export async function recordAudit(db: Db, event: AuditEventInput): Promise<number> {
  return (await recordAudits(db, [event]))!;
}

export interface Consultation {
  at: string;
  actor: string;
  role: string;
  agency: string | null;
  /** What was read, as typed ids (`person:<uuid>`, `conflict:<uuid>`); the first is the event's subject. */
  subjectIds: readonly string[];
  justification: string;
  correlationId: string | null;
  action?: Extract<AuditAction, "PERSON_VIEWED" | "CONFLICT_VIEWED" | "CONFLICTS_LISTED">;
  /** Ids only (filters of a listing, say). */
  details?: Record<string, unknown>;
}

const SUBJECT_TYPES: Readonly<Record<string, AuditSubjectType>> = {
  person: "PERSON",
  conflict: "CONFLICT",
  conflict_list: "CONFLICT_LIST",
};

/** A read of a person or a conflict (CONSULTATION), in a statement of its own. Returns its seq. */
export async function auditConsultation(db: Db, c: Consultation): Promise<number> {
  const first = c.subjectIds[0] ?? "";
  const colon = first.indexOf(":");
  const subjectType = SUBJECT_TYPES[first.slice(0, colon)];
  if (colon < 1 || !subjectType) {
    throw new BridgeError("BRIDGE_E_INTERNAL", "a consultation names what was read first");
  }
  const action = c.action ?? (subjectType === "PERSON" ? "PERSON_VIEWED" : "CONFLICT_VIEWED");
  // The person read about, when the read is about one person (a listing may span several).
  const persons = new Set(c.subjectIds.filter((id) => id.startsWith("person:")));
  const personId = persons.size === 1 ? [...persons][0]!.slice("person:".length) : null;
  return recordAudit(db, {
    at: c.at,
    actor: c.actor,
    role: c.role,
    agency: c.agency,
    action,
    subjectType,
    subjectId: first.slice(colon + 1),
    personId,
    subjectIds: c.subjectIds.slice(1),
    justification: c.justification,
    correlationId: c.correlationId,
    details: c.details ?? {},
  });
}

export const AUDIT_COLUMNS = `id, seq, at, category, action, actor, actor_role AS role, actor_agency AS agency,
  subject_type AS "subjectType", subject_id AS "subjectId", person_id AS "personId",
  subject_ids AS "subjectIds", sources, justification, correlation_id AS "correlationId", details,
  prev_hash AS "prevHash", hash`;

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
    `SELECT ${AUDIT_COLUMNS} FROM audit_events WHERE ${where} ORDER BY at, seq`,
    params,
  );
}
