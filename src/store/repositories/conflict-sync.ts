/**
 * Re-evaluation of one person's conflicts (a new assessment on either side, a re-run of the rules).
 *
 * Given every conflict the rules raise NOW for the person, matched to the stored ones by fingerprint:
 * - live (OPEN/ACKNOWLEDGED) and still raised: keeps its id, state and history; explanation, severity and
 *   evidence are refreshed, and when the evidence changed that is recorded (and a pending four-eyes
 *   approval withdrawn, since it signed off other evidence);
 * - live and no longer raised: CLOSED with the given reason;
 * - raised, with no live conflict: if the latest decided (RESOLVED/DISMISSED) one for the fingerprint was
 *   decided on the same evidence, that decision stands and nothing opens; otherwise a new OPEN conflict is
 *   raised (a decision covers the evidence it was taken on, not later records);
 * - decided and closed conflicts are never touched: their history is final.
 * The whole sync is one transaction holding the person's row lock, so two re-evaluations of one person
 * serialise. State changes are audited (CONFLICT_RAISED, CONFLICT_CLOSED).
 */
import type { Conflict } from "../../core/conflicts/types.ts";
import { closeOnReevaluation, refreshOnReevaluation } from "../../core/reconcile/lifecycle.ts";
import { BridgeError } from "../../errors.ts";
import type { Db } from "../db.ts";
import { documentSha256 } from "../hash.ts";
import { recordAudit } from "./audit.ts";
import {
  appendConflictEvent,
  applyTransition,
  CONFLICT_COLUMNS,
  SELECT_CONFLICT,
  type StoredConflict,
} from "./conflicts.ts";

export interface SyncOptions {
  /** Evaluation time (ISO instant). */
  now: string;
  /** Why the person was re-evaluated ("new OASys assessment 9630349"); recorded on every change. */
  reason: string;
  actor?: string;
  correlationId?: string | null;
}

export interface SyncResult {
  opened: StoredConflict[];
  /** Live conflicts that still hold (refreshed when their evidence changed). */
  kept: StoredConflict[];
  closed: StoredConflict[];
  /** Raised again on the evidence a reviewer already decided on: the decision stands. */
  alreadyDecided: StoredConflict[];
}

export async function syncConflicts(
  db: Db,
  personId: string,
  evaluated: readonly Conflict[],
  options: SyncOptions,
): Promise<SyncResult> {
  const actor = options.actor ?? "bridge";
  const raised = new Map<string, Conflict>();
  for (const conflict of evaluated) {
    if (raised.has(conflict.fingerprint)) {
      throw new BridgeError("BRIDGE_E_INTERNAL", "two conflicts share one fingerprint", {
        fingerprint: conflict.fingerprint,
      });
    }
    raised.set(conflict.fingerprint, conflict);
  }

  return db.transaction(async (tx) => {
    const person = await tx.query("SELECT id FROM persons WHERE id = $1::uuid FOR UPDATE", [personId]);
    if (!person[0]) throw new BridgeError("BRIDGE_E_NOT_FOUND", "no such person", { personId });

    const audit = (conflict: StoredConflict, action: "CONFLICT_RAISED" | "CONFLICT_CLOSED") =>
      recordAudit(tx, {
        at: options.now,
        actor,
        action,
        subjectType: "CONFLICT",
        subjectId: conflict.id,
        personId,
        correlationId: options.correlationId ?? null,
        details: { ruleId: conflict.ruleId, severity: conflict.severity, reason: options.reason },
      });

    const result: SyncResult = { opened: [], kept: [], closed: [], alreadyDecided: [] };
    const live = await tx.query<StoredConflict>(
      `${SELECT_CONFLICT} WHERE c.person_id = $1::uuid AND c.state IN ('OPEN', 'ACKNOWLEDGED') ORDER BY c.opened_at`,
      [personId],
    );
    const liveFingerprints = new Set<string>();

    for (const stored of live) {
      liveFingerprints.add(stored.fingerprint);
      const now = raised.get(stored.fingerprint);
      if (!now) {
        const closed = await applyTransition(
          tx,
          stored.id,
          closeOnReevaluation(stored, options.reason, options.now, actor),
        );
        await audit(closed, "CONFLICT_CLOSED");
        result.closed.push(closed);
        continue;
      }
      const evidenceSha256 = documentSha256(now.evidence);
      const transition = refreshOnReevaluation(
        stored,
        evidenceSha256 !== stored.evidenceSha256,
        options.reason,
        options.now,
        actor,
      );
      const refreshed = await tx.query<StoredConflict>(
        `UPDATE conflicts c SET explanation = $2, severity = $3, evidence = $4::jsonb, evidence_sha256 = $5,
            pending_approval = CASE WHEN $6 THEN NULL ELSE pending_approval END,
            updated_at = CASE WHEN $6 THEN $7::timestamptz ELSE updated_at END
          WHERE id = $1::uuid
          RETURNING ${CONFLICT_COLUMNS}`,
        [
          stored.id,
          now.explanation,
          now.severity,
          JSON.stringify(now.evidence),
          evidenceSha256,
          !!transition,
          options.now,
        ],
      );
      if (transition) await appendConflictEvent(tx, stored.id, transition.event);
      result.kept.push(refreshed[0]!);
    }

    const fresh = [...raised.values()].filter((c) => !liveFingerprints.has(c.fingerprint));
    const decided = fresh.length
      ? await tx.query<StoredConflict>(
          `SELECT DISTINCT ON (c.fingerprint) ${CONFLICT_COLUMNS} FROM conflicts c
            WHERE c.person_id = $1::uuid AND c.state IN ('RESOLVED', 'DISMISSED') AND c.fingerprint = ANY($2::text[])
            ORDER BY c.fingerprint, c.opened_at DESC, c.id DESC`,
          [personId, fresh.map((c) => c.fingerprint)],
        )
      : [];
    const decidedByFingerprint = new Map(decided.map((c) => [c.fingerprint, c]));

    for (const conflict of fresh) {
      const evidenceSha256 = documentSha256(conflict.evidence);
      const prior = decidedByFingerprint.get(conflict.fingerprint);
      if (prior && prior.evidenceSha256 === evidenceSha256) {
        result.alreadyDecided.push(prior);
        continue;
      }
      const opened = await tx.query<StoredConflict>(
        `INSERT INTO conflicts AS c (person_id, fingerprint, rule_id, severity, state, explanation, evidence,
            evidence_sha256, opened_at, updated_at)
         VALUES ($1::uuid, $2, $3, $4, 'OPEN', $5, $6::jsonb, $7, $8, $8)
         RETURNING ${CONFLICT_COLUMNS}`,
        [
          personId,
          conflict.fingerprint,
          conflict.ruleId,
          conflict.severity,
          conflict.explanation,
          JSON.stringify(conflict.evidence),
          evidenceSha256,
          options.now,
        ],
      );
      const row = opened[0]!;
      await appendConflictEvent(tx, row.id, {
        action: "RAISED",
        fromState: null,
        toState: "OPEN",
        decision: null,
        rationale: options.reason,
        actor,
        at: options.now,
        details: prior ? { previousDecision: prior.id } : {},
      });
      await audit(row, "CONFLICT_RAISED");
      result.opened.push(row);
    }
    return result;
  });
}
