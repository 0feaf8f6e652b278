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
import { type AuditEventInput, recordAudits } from "./audit.ts";
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
  const raised = byFingerprint(evaluated);
  return db.transaction(async (tx) => {
    const person = await tx.query("SELECT id FROM persons WHERE id = $1::uuid FOR UPDATE", [personId]);
    if (!person[0]) throw new BridgeError("BRIDGE_E_NOT_FOUND", "no such person", { personId });
    const audit: AuditEventInput[] = [];
    const result = await applySync(tx, personId, raised, options, audit);
    await recordAudits(tx, audit);
    return result;
  });
}

/**
 * `syncConflicts` inside the caller's transaction, which already holds the person's row lock (it updated
 * the person row, e.g. bumped its version): the audit events are added to `audit` for the caller to record.
 */
export async function syncLockedConflicts(
  tx: Db,
  personId: string,
  evaluated: readonly Conflict[],
  options: SyncOptions,
  audit: AuditEventInput[],
): Promise<SyncResult> {
  return applySync(tx, personId, byFingerprint(evaluated), options, audit);
}

function byFingerprint(evaluated: readonly Conflict[]): Map<string, Conflict> {
  const raised = new Map<string, Conflict>();
  for (const conflict of evaluated) {
    if (raised.has(conflict.fingerprint)) {
      throw new BridgeError("BRIDGE_E_INTERNAL", "two conflicts share one fingerprint", {
        fingerprint: conflict.fingerprint,
      });
    }
    raised.set(conflict.fingerprint, conflict);
  }
  return raised;
}

async function applySync(
  tx: Db,
  personId: string,
  raised: ReadonlyMap<string, Conflict>,
  options: SyncOptions,
  audit: AuditEventInput[],
): Promise<SyncResult> {
  const actor = options.actor ?? "bridge";
  const audited = (conflict: StoredConflict, action: "CONFLICT_RAISED" | "CONFLICT_CLOSED") =>
    audit.push({
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
      audited(closed, "CONFLICT_CLOSED");
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

  const toOpen: NewConflictRow[] = [];
  for (const conflict of fresh) {
    const evidenceSha256 = documentSha256(conflict.evidence);
    const prior = decidedByFingerprint.get(conflict.fingerprint);
    if (prior && prior.evidenceSha256 === evidenceSha256) {
      result.alreadyDecided.push(prior);
      continue;
    }
    toOpen.push({
      n: toOpen.length,
      fingerprint: conflict.fingerprint,
      rule_id: conflict.ruleId,
      severity: conflict.severity,
      explanation: conflict.explanation,
      evidence: conflict.evidence,
      evidence_sha256: evidenceSha256,
      details: prior ? { previousDecision: prior.id } : {},
    });
  }
  for (const row of await openConflicts(tx, personId, toOpen, options.reason, actor, options.now)) {
    audited(row, "CONFLICT_RAISED");
    result.opened.push(row);
  }
  return result;
}

interface NewConflictRow {
  n: number;
  fingerprint: string;
  rule_id: string;
  severity: string;
  explanation: string;
  evidence: unknown;
  evidence_sha256: string;
  /** The RAISED event's details. */
  details: Record<string, unknown>;
}

/** Inserts new OPEN conflicts, each with its RAISED event, in one statement; returns them in the order given. */
async function openConflicts(
  tx: Db,
  personId: string,
  rows: readonly NewConflictRow[],
  reason: string,
  actor: string,
  now: string,
): Promise<StoredConflict[]> {
  if (rows.length === 0) return [];
  return tx.query<StoredConflict>(
    `WITH input AS (
       SELECT * FROM jsonb_to_recordset($2::jsonb) AS x(n int, fingerprint text, rule_id text, severity text,
         explanation text, evidence jsonb, evidence_sha256 text, details jsonb)
     ), opened AS (
       INSERT INTO conflicts AS c (person_id, fingerprint, rule_id, severity, state, explanation, evidence,
           evidence_sha256, opened_at, updated_at)
       SELECT $1::uuid, i.fingerprint, i.rule_id, i.severity, 'OPEN', i.explanation, i.evidence,
              i.evidence_sha256, $3::timestamptz, $3::timestamptz
         FROM input i ORDER BY i.n
       RETURNING ${CONFLICT_COLUMNS}
     ), raised AS (
       INSERT INTO conflict_events (conflict_id, action, from_state, to_state, decision, rationale, actor, details, at)
       SELECT o.id, 'RAISED', NULL, 'OPEN', NULL, $4::text, $5::text, i.details, $3::timestamptz
         FROM opened o JOIN input i USING (fingerprint) ORDER BY i.n
     )
     SELECT o.* FROM opened o JOIN input i USING (fingerprint) ORDER BY i.n`,
    [personId, JSON.stringify(rows), now, reason, actor],
  );
}
