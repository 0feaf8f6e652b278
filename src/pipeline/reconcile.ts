/**
 * Reconcile one person and record it: the pure reconciliation (core/reconcile) is computed first, then
 * one transaction writes the person, the match evaluation, the draft and the conflict re-evaluation
 * (conflicts that no longer hold close themselves; ones that still hold keep their history), with their
 * audit events. In the same transaction (step 4) it bumps the person's version and writes the outbox rows:
 * the police draft and the probation update the reconciliation proposes (src/deliver/messages.ts), and a
 * correction notice for each agency whose last delivered record was built from a source that has since
 * been corrected or superseded (rule PU-3, src/deliver/corrections.ts). The caller enqueues a push job for
 * each row in `outbox` after the commit (and the outbox sweeper covers a crash in between).
 */

import type { ArmsAssessment } from "../core/arms/model.ts";
import type { OasysAssessment } from "../core/oasys/model.ts";
import type { PersonGroup } from "../core/reconcile/persons.ts";
import {
  type PersonFeeds,
  type PersonReconciliation,
  type ReconcileDeps,
  reconcilePerson,
} from "../core/reconcile/reconcile.ts";
import { type CurrentSources, correctionFor } from "../deliver/corrections.ts";
import { outboundMessages } from "../deliver/messages.ts";
import type { OutboundMessage, OutboxKind, Recipient } from "../deliver/types.ts";
import type { Db } from "../store/index.ts";
import { currentArms } from "../store/repositories/arms.ts";
import { recordAudit } from "../store/repositories/audit.ts";
import { type SyncResult, syncConflicts } from "../store/repositories/conflict-sync.ts";
import { saveDraft } from "../store/repositories/drafts.ts";
import { getOasysAssessment } from "../store/repositories/oasys.ts";
import {
  latestRowFor,
  type NewOutboxRow,
  nextPersonVersion,
  type QueuedRow,
  queueMessages,
} from "../store/repositories/outbox.ts";
import { keysFrom, saveMatch, upsertPerson } from "../store/repositories/persons.ts";

export interface StoredReconciliation {
  personId: string | null;
  reconciliation: PersonReconciliation;
  sync: SyncResult | null;
  /** `persons.version` after this reconciliation (null when no person was stored). */
  personVersion: number | null;
  /** Outbox rows this reconciliation queued: enqueue a push job for each after the commit. */
  outbox: QueuedRow[];
  /** Why a message was not queued, one line each. */
  withheld: string[];
}

/** The main message kind each agency receives, whose deliveries corrections refer to. */
const MAIN_KIND: Record<Recipient, OutboxKind> = { ARMS: "ARMS_DRAFT", OASYS: "PARTNER_RISK_UPDATE" };

/** The store's current state of the sources behind a delivery (for PU-3). */
async function currentSourcesFor(db: Db, sources: NewOutboxRow["sources"]): Promise<CurrentSources> {
  const oasys = new Map<number, { assessment: OasysAssessment; storedVersion: number }>();
  const arms = new Map<string, ArmsAssessment>();
  if (sources.oasys) {
    const held = await getOasysAssessment(db, sources.oasys.assessmentPk);
    if (held) oasys.set(held.assessmentPk, { assessment: held.assessment, storedVersion: held.version });
  }
  if (sources.arms) {
    const held = await currentArms(db, sources.arms.armsAssessmentId);
    if (held) arms.set(held.armsAssessmentId, held.document);
  }
  return { oasys, arms };
}

/** Writes the reconciliation's outbox rows for the person; returns what was queued and what was withheld. */
async function writeOutbox(
  tx: Db,
  personId: string,
  reconciliation: PersonReconciliation,
  sync: SyncResult,
  options: { now: string; correlationId: string | null },
): Promise<{ personVersion: number; outbox: QueuedRow[]; withheld: string[] }> {
  const personVersion = await nextPersonVersion(tx, personId);
  const pk = reconciliation.oasys?.assessmentPk;
  const storedOasys = pk === undefined ? null : await getOasysAssessment(tx, pk);
  const plan = outboundMessages({
    reconciliation,
    oasysStoredVersion: storedOasys?.version ?? null,
    conflicts: { live: [...sync.opened, ...sync.kept], decided: sync.alreadyDecided },
  });
  const row = (m: OutboundMessage): NewOutboxRow => ({
    ...m,
    personId,
    personVersion,
    correlationId: options.correlationId,
  });
  const outbox = await queueMessages(tx, plan.messages.map(row), options.now);

  const corrections: NewOutboxRow[] = [];
  for (const recipient of ["ARMS", "OASYS"] as const) {
    const delivered = await latestRowFor(tx, personId, recipient, MAIN_KIND[recipient], "DELIVERED");
    if (!delivered) continue;
    const replacement =
      (await latestRowFor(tx, personId, recipient, MAIN_KIND[recipient]))?.idempotencyKey ?? null;
    const notice = correctionFor(
      delivered,
      await currentSourcesFor(tx, delivered.sources),
      replacement === delivered.idempotencyKey ? null : replacement,
    );
    if (notice) corrections.push(row(notice));
  }
  outbox.push(...(await queueMessages(tx, corrections, options.now)));
  return { personVersion, outbox, withheld: plan.withheld };
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
  if (!keys.pnc && !keys.crn) {
    return {
      personId: null,
      reconciliation,
      sync: null,
      personVersion: null,
      outbox: [],
      withheld: ["no PNC or CRN: nothing is stored or sent for this group"],
    };
  }

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
    const written = await writeOutbox(tx, person.id, reconciliation, sync, {
      now: options.now,
      correlationId: options.correlationId ?? null,
    });
    return { personId: person.id, reconciliation, sync, ...written };
  });
}
