/**
 * Reconcile one person and record it: the pure reconciliation (core/reconcile) is computed first, then
 * one transaction writes the person, the match evaluation, the draft and the conflict re-evaluation
 * (conflicts that no longer hold close themselves; ones that still hold keep their history), with their
 * audit events and the reconciliation's own (PERSON_RECONCILED, COMBINATION: the source records and
 * versions it combined), appended in one statement at the end. In the same transaction (step 4) it bumps the person's version and writes the outbox rows:
 * the police draft and the probation update the reconciliation proposes (src/deliver/messages.ts), and a
 * correction notice for each agency whose last delivered record was built from a source that has since
 * been corrected or superseded (rule PU-3, src/deliver/corrections.ts). The caller enqueues a push job for
 * each row in `outbox` after the commit (and the outbox sweeper covers a crash in between).
 */

import type { ArmsAssessment } from "../core/arms/model.ts";
import type { PushPolicy } from "../core/conflicts/types.ts";
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
import {
  type AuditEventInput,
  type AuditSource,
  recordAudits,
  SYSTEM_ACTOR,
} from "../store/repositories/audit.ts";
import { type SyncResult, syncLockedConflicts } from "../store/repositories/conflict-sync.ts";
import { writeDraft } from "../store/repositories/drafts.ts";
import { getOasysAssessment } from "../store/repositories/oasys.ts";
import {
  candidateKeys,
  insertOutboxRows,
  type NewOutboxRow,
  outboxSlot,
  planQueue,
  type QueuedRow,
  readPersonsOutbox,
} from "../store/repositories/outbox.ts";
import {
  appendMatch,
  keysFrom,
  lockAdvisory,
  personLockKeys,
  upsertLockedPerson,
} from "../store/repositories/persons.ts";
import type { LockedPerson } from "./person.ts";

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

/** The person's records as this transaction read them under the person's locks (`lockAndLoadPerson`). */
export type HeldRecords = Pick<LockedPerson, "group" | "oasysVersions" | "lockedKeys">;

/** The store's current state of the sources behind a delivery (for PU-3): from `held` when it has them. */
async function currentSourcesFor(
  db: Db,
  sources: NewOutboxRow["sources"],
  held: HeldRecords | undefined,
): Promise<CurrentSources> {
  const oasys = new Map<number, { assessment: OasysAssessment; storedVersion: number }>();
  const arms = new Map<string, ArmsAssessment>();
  if (sources.oasys) {
    const pk = sources.oasys.assessmentPk;
    const assessment = held?.group.oasys.find((a) => a.assessmentPk === pk);
    const storedVersion = held?.oasysVersions.get(pk);
    if (assessment && storedVersion !== undefined) {
      oasys.set(pk, { assessment, storedVersion });
    } else {
      const stored = await getOasysAssessment(db, pk);
      if (stored)
        oasys.set(stored.assessmentPk, { assessment: stored.assessment, storedVersion: stored.version });
    }
  }
  if (sources.arms) {
    const id = sources.arms.armsAssessmentId;
    const document = held?.group.arms.find((a) => a.armsAssessmentId === id);
    if (document) {
      arms.set(id, document);
    } else {
      const stored = await currentArms(db, id);
      if (stored) arms.set(stored.armsAssessmentId, stored.document);
    }
  }
  return { oasys, arms };
}

/**
 * Writes the reconciliation's outbox rows for the person (one read of the person's outbox, one insert);
 * returns what was queued and what was withheld.
 */
async function writeOutbox(
  tx: Db,
  person: { id: string; version: number },
  reconciliation: PersonReconciliation,
  sync: SyncResult,
  options: {
    now: string;
    correlationId: string | null;
    held: HeldRecords | undefined;
    policy: PushPolicy;
    oasysStoredVersion: number | null;
  },
): Promise<{ outbox: QueuedRow[]; withheld: string[] }> {
  const personId = person.id;
  const plan = outboundMessages({
    reconciliation,
    policy: options.policy,
    oasysStoredVersion: options.oasysStoredVersion,
    conflicts: { live: [...sync.opened, ...sync.kept], decided: sync.alreadyDecided },
  });
  const row = (m: OutboundMessage): NewOutboxRow => ({
    ...m,
    personId,
    personVersion: person.version,
    correlationId: options.correlationId,
  });
  const messages = plan.messages.map(row);
  const outbox = await readPersonsOutbox(tx, [personId], candidateKeys(messages));
  const queued = planQueue(messages, outbox, options.now);

  const corrections: NewOutboxRow[] = [];
  for (const recipient of ["ARMS", "OASYS"] as const) {
    const slot = outboxSlot(personId, recipient, MAIN_KIND[recipient]);
    const delivered = outbox.delivered.get(slot);
    if (!delivered) continue;
    // The newest row now, counting the ones queued above.
    const replacement = outbox.latest.get(slot)?.idempotencyKey ?? null;
    const notice = correctionFor(
      delivered,
      await currentSourcesFor(tx, delivered.sources, options.held),
      replacement === delivered.idempotencyKey ? null : replacement,
    );
    if (notice) corrections.push(row(notice));
  }
  const written = await insertOutboxRows(
    tx,
    [...queued, ...planQueue(corrections, outbox, options.now)],
    options.now,
  );
  return { outbox: written, withheld: plan.withheld };
}

/** The COMBINATION event of a reconciliation: the records it combined, with their versions, and what came of it. */
function reconciledEvent(
  reconciliation: PersonReconciliation,
  outcome: {
    person: { id: string; version: number };
    sync: SyncResult;
    queued: number;
    oasysStoredVersion: number | null;
  },
  options: { now: string; reason: string; correlationId?: string | null },
): AuditEventInput {
  const s = reconciliation.subject;
  const sources: AuditSource[] = [];
  if (s.oasysAssessmentPk !== null) {
    sources.push({
      type: "OASYS_ASSESSMENT",
      id: String(s.oasysAssessmentPk),
      version: outcome.oasysStoredVersion,
    });
  }
  if (s.armsAssessmentId !== null) {
    sources.push({ type: "ARMS_REVISION", id: s.armsAssessmentId, version: s.armsRevision });
  }
  const draft = reconciliation.draft;
  if (draft) sources.push({ type: "MAPPING", id: "oasys-to-arms", version: draft.mappingVersion });
  return {
    ...SYSTEM_ACTOR,
    at: options.now,
    action: "PERSON_RECONCILED",
    subjectType: "PERSON",
    subjectId: outcome.person.id,
    personId: outcome.person.id,
    correlationId: options.correlationId ?? null,
    sources,
    details: {
      personVersion: outcome.person.version,
      match: reconciliation.match.status,
      conflicts: {
        opened: outcome.sync.opened.length,
        kept: outcome.sync.kept.length,
        closed: outcome.sync.closed.length,
        alreadyDecided: outcome.sync.alreadyDecided.length,
      },
      queued: outcome.queued,
      reason: options.reason,
    },
  };
}

export async function reconcileAndStore(
  db: Db,
  group: PersonGroup,
  deps: ReconcileDeps,
  options: {
    now: string;
    reason: string;
    feeds?: PersonFeeds;
    correlationId?: string | null;
    /**
     * The group as `lockAndLoadPerson` read it in the same transaction (`db` is that transaction): its
     * locks are held and its records are the store's, so they are not locked or read again.
     */
    held?: HeldRecords;
    /** Audit events of the caller's (a decision's) to append with the reconciliation's, in one statement. */
    audit?: readonly AuditEventInput[];
  },
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
  const correlationId = options.correlationId ?? null;
  const held = options.held;

  const write = async (tx: Db): Promise<StoredReconciliation> => {
    const lockKeys = personLockKeys(keys);
    const locked = held?.lockedKeys;
    const missing = locked ? lockKeys.filter((k) => !locked.has(k.slice("person:".length))) : lockKeys;
    await lockAdvisory(tx, missing);
    // Bumping the version also takes the person's row lock for the rest of the transaction, which the
    // conflict sync relies on.
    const { person } = await upsertLockedPerson(
      tx,
      { ...keys, force: reconciliation.arms?.force ?? null },
      options.now,
      { bumpVersion: true },
    );
    const audit: AuditEventInput[] = [...(options.audit ?? [])];
    const s = reconciliation.subject;
    await appendMatch(
      tx,
      {
        personId: person.id,
        assessmentPk: s.oasysAssessmentPk,
        armsAssessmentId: s.armsAssessmentId,
        armsRevision: s.armsRevision,
        result: reconciliation.match,
        evaluatedAt: options.now,
        correlationId,
      },
      audit,
    );
    const draft = reconciliation.draft;
    if (draft) {
      await writeDraft(
        tx,
        {
          personId: person.id,
          assessmentPk: draft.sourceAssessment.assessmentPk,
          mappingVersion: draft.mappingVersion,
          draft,
          now: options.now,
          correlationId,
        },
        audit,
      );
    }
    const sync = await syncLockedConflicts(
      tx,
      person.id,
      reconciliation.conflicts,
      { now: options.now, reason: options.reason, correlationId },
      audit,
    );
    const pk = reconciliation.oasys?.assessmentPk;
    const oasysStoredVersion =
      pk === undefined
        ? null
        : (held?.oasysVersions.get(pk) ?? (await getOasysAssessment(tx, pk))?.version ?? null);
    const written = await writeOutbox(tx, person, reconciliation, sync, {
      now: options.now,
      correlationId,
      held,
      policy: deps.thresholds.pushPolicy,
      oasysStoredVersion,
    });
    audit.push(
      reconciledEvent(
        reconciliation,
        { person, sync, queued: written.outbox.length, oasysStoredVersion },
        options,
      ),
    );
    // Last in the transaction: the audit chain's head stays locked from here to the commit.
    await recordAudits(tx, audit);
    return { personId: person.id, reconciliation, sync, personVersion: person.version, ...written };
  };
  // Inside the caller's transaction (`held`), no savepoint: a failure aborts the caller's transaction anyway.
  return held ? write(db) : db.transaction(write);
}
