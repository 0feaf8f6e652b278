/**
 * A reviewer's decision on a conflict: the conflict row is locked, the pure lifecycle decides
 * (src/core/reconcile/lifecycle.ts: transitions, rationale, four-eyes as the push policy sets it), and the
 * new state, the history event and the audit event (ALTERATION) are written in one transaction. Two reviewers deciding
 * at once serialise on the lock, so four-eyes holds under concurrency. What a decision releases (the
 * person re-reconciled, the pushes it allows) is the pipeline's: src/pipeline/decide.ts.
 */
import type { PushPolicy } from "../../core/conflicts/types.ts";
import { type ConflictEvent, type ReviewRequest, review } from "../../core/reconcile/lifecycle.ts";
import { BridgeError } from "../../errors.ts";
import type { Db } from "../db.ts";
import { isUuid } from "../paging.ts";
import { type AuditAction, type AuditEventInput, recordAudits } from "./audit.ts";
import { applyTransition, SELECT_CONFLICT, type StoredConflict } from "./conflicts.ts";

const AUDIT_ACTION: Readonly<Partial<Record<ConflictEvent["action"], AuditAction>>> = {
  ACKNOWLEDGED: "CONFLICT_ACKNOWLEDGED",
  APPROVED: "CONFLICT_APPROVED",
  RESOLVED: "CONFLICT_RESOLVED",
  DISMISSED: "CONFLICT_DISMISSED",
};

/** The reviewer's request, with what the audit trail records about them beyond their id. */
export type DecisionRequest = ReviewRequest & {
  correlationId?: string | null;
  /** Default REVIEWER. */
  role?: string;
  agency?: string | null;
};

export interface DecisionResult {
  conflict: StoredConflict;
  event: ConflictEvent;
}

/**
 * Inside the caller's transaction: locks the conflict row, decides (the pure lifecycle, with the push
 * policy's reviewer count per severity) and writes the new state, its history event and its audit event.
 */
export async function applyDecision(
  tx: Db,
  conflictId: string,
  request: DecisionRequest,
  policy: PushPolicy,
  /** Collects the audit event for the caller to append last in its transaction; default: appended here. */
  audit?: AuditEventInput[],
): Promise<DecisionResult> {
  if (!isUuid(conflictId)) throw new BridgeError("BRIDGE_E_NOT_FOUND", "no such conflict", { conflictId });
  const rows = await tx.query<StoredConflict>(`${SELECT_CONFLICT} WHERE c.id = $1::uuid FOR UPDATE`, [
    conflictId,
  ]);
  const current = rows[0];
  if (!current) throw new BridgeError("BRIDGE_E_NOT_FOUND", "no such conflict", { conflictId });
  const transition = review(current, request, policy);
  const conflict = await applyTransition(tx, conflictId, transition);
  const action = AUDIT_ACTION[transition.event.action];
  if (action) {
    const event: AuditEventInput = {
      at: transition.event.at,
      actor: transition.event.actor,
      role: request.role ?? "REVIEWER",
      agency: request.agency ?? null,
      action,
      subjectType: "CONFLICT",
      subjectId: conflictId,
      personId: conflict.personId,
      correlationId: request.correlationId ?? null,
      details: { ruleId: conflict.ruleId, severity: conflict.severity, state: conflict.state },
    };
    if (audit) audit.push(event);
    else await recordAudits(tx, [event]);
  }
  return { conflict, event: transition.event };
}

/** `applyDecision` in a transaction of its own (the decision alone, nothing re-reconciled). */
export function recordDecision(
  db: Db,
  conflictId: string,
  request: DecisionRequest,
  policy: PushPolicy,
): Promise<DecisionResult> {
  return db.transaction((tx) => applyDecision(tx, conflictId, request, policy));
}
