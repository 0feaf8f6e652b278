/**
 * Store rows -> API views (pure). Each view names exactly the fields its schema in schemas/http/ allows,
 * so a column added to a table never leaks into a response unreviewed.
 */
import type { StoredConflict, StoredConflictEvent } from "../store/repositories/conflicts.ts";
import type { DeadLetter } from "../store/repositories/dead-letters.ts";
import type { DeliveryAttempt } from "../store/repositories/deliveries.ts";
import type { OutboxSummary } from "../store/repositories/outbox.ts";
import type { Person, StoredMatch } from "../store/repositories/persons.ts";

export const conflictView = (c: StoredConflict) => ({
  id: c.id,
  personId: c.personId,
  fingerprint: c.fingerprint,
  ruleId: c.ruleId,
  severity: c.severity,
  state: c.state,
  explanation: c.explanation,
  evidence: c.evidence.map((e) => ({
    side: e.side,
    field: e.field,
    value: e.value,
    record: e.record,
    date: e.date,
  })),
  pendingApproval: c.pendingApproval,
  decision: c.decision,
  rationale: c.rationale,
  decidedBy: c.decidedBy,
  decidedAt: c.decidedAt,
  openedAt: c.openedAt,
  updatedAt: c.updatedAt,
  closedAt: c.closedAt,
  closedReason: c.closedReason,
});

export const conflictEventView = (e: StoredConflictEvent) => ({
  id: e.id,
  action: e.action,
  fromState: e.fromState,
  toState: e.toState,
  decision: e.decision,
  rationale: e.rationale,
  actor: e.actor,
  at: e.at,
  details: e.details,
});

const attemptView = (a: DeliveryAttempt) => ({
  attempt: a.attempt,
  outcome: a.outcome,
  httpStatus: a.httpStatus,
  errorCode: a.errorCode,
  latencyMs: a.latencyMs,
  ...(a.receipt === null || a.receipt === undefined ? {} : { receipt: a.receipt }),
  at: a.at,
});

export const deliveryView = (row: OutboxSummary, attempts: readonly DeliveryAttempt[]) => ({
  outboxId: row.id,
  personId: row.personId,
  personVersion: row.personVersion,
  recipient: row.recipient,
  kind: row.kind,
  idempotencyKey: row.idempotencyKey,
  correctsKey: row.correctsKey,
  state: row.state,
  attempts: row.attempts,
  availableAt: row.availableAt,
  createdAt: row.createdAt,
  deliveredAt: row.deliveredAt,
  lastError: row.lastError,
  history: attempts.map(attemptView),
});

export const deadLetterView = (d: DeadLetter) => ({
  id: d.id,
  stage: d.stage,
  subject: d.subject,
  errorCode: d.errorCode,
  reason: d.reason,
  attempts: d.attempts,
  createdAt: d.createdAt,
  replayedAt: d.replayedAt,
  replayCount: d.replayCount,
  discardedAt: d.discardedAt,
  discardedBy: d.discardedBy,
  discardReason: d.discardReason,
});

export const personView = (p: Person) => ({
  id: p.id,
  pnc: p.pnc,
  crn: p.crn,
  force: p.force,
  version: p.version,
  createdAt: p.createdAt,
  updatedAt: p.updatedAt,
});

/** The match in force, without the disagreeing values (those are read per conflict, with evidence). */
export const matchView = (m: StoredMatch) => ({
  status: m.status,
  assessmentPk: m.assessmentPk,
  armsAssessmentId: m.armsAssessmentId,
  armsRevision: m.armsRevision,
  matchedOn: [...m.details.matchedOn],
  explanation: m.details.explanation ?? null,
  evaluatedAt: m.evaluatedAt,
});
