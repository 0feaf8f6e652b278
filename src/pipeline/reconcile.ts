/**
 * Reconcile one person and record it: the pure reconciliation (core/reconcile) is computed first, then
 * one transaction writes the person, the match evaluation, the draft and the conflict re-evaluation
 * (conflicts that no longer hold close themselves; ones that still hold keep their history), with their
 * audit events. Step 4 adds the outbox rows to this same transaction.
 */

import type { PersonGroup } from "../core/reconcile/persons.ts";
import {
  type PersonFeeds,
  type PersonReconciliation,
  type ReconcileDeps,
  reconcilePerson,
} from "../core/reconcile/reconcile.ts";
import type { Db } from "../store/index.ts";
import { recordAudit } from "../store/repositories/audit.ts";
import { type SyncResult, syncConflicts } from "../store/repositories/conflict-sync.ts";
import { saveDraft } from "../store/repositories/drafts.ts";
import { keysFrom, saveMatch, upsertPerson } from "../store/repositories/persons.ts";

export interface StoredReconciliation {
  personId: string | null;
  reconciliation: PersonReconciliation;
  sync: SyncResult | null;
}

export async function reconcileAndStore(
  db: Db,
  group: PersonGroup,
  deps: ReconcileDeps,
  options: { now: string; reason: string; feeds?: PersonFeeds; correlationId?: string | null },
): Promise<StoredReconciliation> {
  const reconciliation = reconcilePerson(group, deps, options.feeds);
  const keys = keysFrom(group.keys);
  // A group with no strong key (no check-valid PNC, no CRN) cannot be a person record: its conflicts are
  // reported but not stored against anyone.
  if (!keys.pnc && !keys.crn) return { personId: null, reconciliation, sync: null };

  return db.transaction(async (tx) => {
    const { person } = await upsertPerson(
      tx,
      { ...keys, force: reconciliation.arms?.force ?? null },
      options.now,
    );
    const s = reconciliation.subject;
    await saveMatch(tx, {
      personId: person.id,
      assessmentPk: s.oasysAssessmentPk,
      armsAssessmentId: s.armsAssessmentId,
      armsRevision: s.armsRevision,
      result: reconciliation.match,
      evaluatedAt: options.now,
      correlationId: options.correlationId ?? null,
    });
    const draft = reconciliation.draft;
    if (draft) {
      await saveDraft(tx, {
        personId: person.id,
        assessmentPk: draft.sourceAssessment.assessmentPk,
        mappingVersion: draft.mappingVersion,
        draft,
        now: options.now,
        correlationId: options.correlationId ?? null,
      });
      await recordAudit(tx, {
        at: options.now,
        actor: "bridge",
        action: "PREFILL_GENERATED",
        subjectType: "OASYS_ASSESSMENT",
        subjectId: String(draft.sourceAssessment.assessmentPk),
        personId: person.id,
        correlationId: options.correlationId ?? null,
        details: { draftId: draft.armsAssessmentId, mappingVersion: draft.mappingVersion },
      });
    }
    const sync = await syncConflicts(tx, person.id, reconciliation.conflicts, {
      now: options.now,
      reason: options.reason,
      correlationId: options.correlationId ?? null,
    });
    return { personId: person.id, reconciliation, sync };
  });
}
