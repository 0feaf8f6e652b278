/**
 * A reviewer's decision, and what it releases (PU-1, docs/service.md "Push policy").
 *
 * Undecided conflicts whose severity holds pushes (BLOCK, WARN: `pushPolicy`) keep everything about the
 * person from both agencies. A decision that ends a conflict (RESOLVE or DISMISS, with as many reviewers as
 * the policy asks) re-reconciles the person in the decision's own transaction: the same reconcileAndStore
 * the reconcile stage runs, so the decision now stands in the conflict sync, the push gate is worked out
 * again, and the pushes it allows are written to the outbox in the same commit as the decision. Nothing
 * waits on a queue for the release, and nothing is lost if the process stops after the commit: the outbox
 * sweeper delivers rows whose push job was never queued. The caller queues a push per released row.
 *
 * Lock order is the reconcile stage's (the person's advisory locks, then rows), so a decision and a
 * reconciliation of the same person serialise instead of deadlocking.
 */
import { londonToday } from "../clock.ts";
import type { Thresholds } from "../core/conflicts/types.ts";
import type { Mapping } from "../core/mapping/spec.ts";
import { BridgeError } from "../errors.ts";
import type { Db } from "../store/index.ts";
import { isUuid } from "../store/paging.ts";
import { type AuditEventInput, recordAudits } from "../store/repositories/audit.ts";
import {
  applyDecision,
  type DecisionRequest,
  type DecisionResult,
} from "../store/repositories/conflict-decisions.ts";
import type { QueuedRow } from "../store/repositories/outbox.ts";
import { latestMatchedRecord } from "../store/repositories/persons.ts";
import { lockAndLoadPerson, type RecordRef } from "./person.ts";
import { reconcileAndStore } from "./reconcile.ts";

export interface DecisionOutcome extends DecisionResult {
  /** The person was re-reconciled in the decision's transaction (a final decision). */
  reconciled: boolean;
  /** Outbox rows the decision released: queue a push for each after the commit. */
  released: QueuedRow[];
  /** Why nothing (more) is sent for the person, one line each (empty when not re-reconciled). */
  withheld: string[];
}

const FINAL = new Set(["RESOLVED", "DISMISSED"]);

export async function decideConflict(
  db: Db,
  conflictId: string,
  request: DecisionRequest,
  deps: { mapping: Mapping; thresholds: Thresholds },
): Promise<DecisionOutcome> {
  if (!isUuid(conflictId)) throw new BridgeError("BRIDGE_E_NOT_FOUND", "no such conflict", { conflictId });
  const today = londonToday(new Date(request.at));
  return db.transaction(async (tx) => {
    const owner = await tx.query<{ personId: string }>(
      `SELECT person_id AS "personId" FROM conflicts WHERE id = $1::uuid`,
      [conflictId],
    );
    if (!owner[0]) throw new BridgeError("BRIDGE_E_NOT_FOUND", "no such conflict", { conflictId });
    const record = await latestMatchedRecord(tx, owner[0].personId);
    const ref: RecordRef | null =
      record?.assessmentPk != null
        ? { source: "OASYS", assessmentPk: record.assessmentPk }
        : record?.armsAssessmentId
          ? { source: "ARMS", armsAssessmentId: record.armsAssessmentId }
          : null;
    // The person's locks first, as the reconcile stage takes them.
    const held = ref ? await lockAndLoadPerson(tx, ref, today) : null;
    // The decision's audit event is appended last, with the reconciliation's when there is one: the
    // audit chain's head is locked from the append to the commit, so nothing else runs after it.
    const audit: AuditEventInput[] = [];
    const result = await applyDecision(tx, conflictId, request, deps.thresholds.pushPolicy, audit);
    if (!held || !FINAL.has(result.event.action)) {
      await recordAudits(tx, audit);
      return { ...result, reconciled: false, released: [], withheld: [] };
    }
    const stored = await reconcileAndStore(
      tx,
      held.group,
      { mapping: deps.mapping, thresholds: deps.thresholds, today },
      {
        held,
        now: request.at,
        reason: `decision: ${result.event.action} conflict ${conflictId}`,
        correlationId: request.correlationId ?? null,
        audit,
      },
    );
    return { ...result, reconciled: true, released: stored.outbox, withheld: stored.withheld };
  });
}
