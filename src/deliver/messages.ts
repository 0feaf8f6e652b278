/**
 * The outbound messages of one reconciliation (contract §4), as outbox rows to write. Pure.
 *
 * - police: the pre-filled ARMS draft, JSON (`arms-interchange/1`, status DRAFT);
 * - probation: the partner risk update, XML `urn:hmpps:oasys:partner-update:1`.
 *
 * What may be sent follows the reconciliation's own rules (`outboundFor`: identity, draft, PU-1), but with
 * the push gate as the store sees the conflicts after re-evaluation: a holding conflict (BLOCK, WARN) a
 * reviewer has RESOLVED or DISMISSED (and whose evidence has not changed since) no longer holds a push
 * back, and the partner update lists the conflicts still open and the decisions that stand.
 *
 * Idempotency keys are stable for the same logical record and revision, and change when the content does:
 *   police     arms-draft:<oasysPk>:v<storedVersion>:m<mappingVersion>:<digest of the draft>
 *   probation  partner-update:<armsId>:r<revision>:<oasysPk>:<digest of the update>
 * (digest: the first 16 hex digits of the SHA-256 of the canonical JSON, `recordDigest`).
 */
import { pushGate, recordDigest } from "../core/conflicts/index.ts";
import type { Conflict, PushPolicy } from "../core/conflicts/types.ts";
import type { DecisionReviewer } from "../core/reconcile/lifecycle.ts";
import {
  type PartnerRiskUpdate,
  partnerRiskUpdate,
  type ReconciliationDecision,
} from "../core/reconcile/outbound.ts";
import { outboundFor, type PersonReconciliation } from "../core/reconcile/reconcile.ts";
import { renderPartnerUpdateXml } from "./partner-update-xml.ts";
import { CONTENT_TYPE, type OutboundMessage } from "./types.ts";

/** A conflict as the store holds it after re-evaluation (a subset of `StoredConflict`). */
export interface ConflictView extends Conflict {
  state: "OPEN" | "ACKNOWLEDGED" | "RESOLVED" | "DISMISSED" | "CLOSED";
  decision: string | null;
  rationale: string | null;
  decidedBy: string[] | null;
  decidedReviewers?: DecisionReviewer[] | null;
  decidedAt: string | null;
}

export interface MessageInput {
  reconciliation: PersonReconciliation;
  /** `oasys_assessments.version` of the reconciled OASys assessment. */
  oasysStoredVersion: number | null;
  /**
   * The person's conflicts after the store's re-evaluation: live (OPEN/ACKNOWLEDGED) ones and decided ones
   * whose decision stands. Absent: the reconciliation's own evaluation, with no decisions.
   */
  conflicts?: { live: readonly ConflictView[]; decided: readonly ConflictView[] } | null;
  /** PU-1's policy per severity (the thresholds file's `pushPolicy`). */
  policy: PushPolicy;
}

export interface OutboundPlan {
  messages: OutboundMessage[];
  /** Why a message is not proposed, one line each. */
  withheld: string[];
}

export const shortDigest = (value: unknown): string => recordDigest(value).slice(0, 16);

const byRuleThenFingerprint = (a: Conflict, b: Conflict) =>
  a.ruleId.localeCompare(b.ruleId) || a.fingerprint.localeCompare(b.fingerprint);

function decisionOf(c: ConflictView): ReconciliationDecision | null {
  if ((c.state !== "RESOLVED" && c.state !== "DISMISSED") || !c.decidedAt) return null;
  return {
    ruleId: c.ruleId,
    fingerprint: c.fingerprint,
    outcome: c.state,
    decision: c.decision,
    rationale: c.rationale ?? "",
    decidedBy: [...(c.decidedBy ?? [])],
    reviewers:
      c.decidedReviewers ?? (c.decidedBy ?? []).map((subject) => ({ subject, role: null, agency: null })),
    decidedAt: c.decidedAt,
  };
}

export function armsDraftKey(oasysPk: number, storedVersion: number, mappingVersion: string, draft: unknown) {
  return `arms-draft:${oasysPk}:v${storedVersion}:m${mappingVersion}:${shortDigest(draft)}`;
}

export function partnerUpdateKey(u: PartnerRiskUpdate): string {
  return `partner-update:${u.arms.armsAssessmentId}:r${u.arms.revision}:${u.subject.oasysAssessmentPk}:${shortDigest(u)}`;
}

/** The police draft and the probation update this reconciliation proposes, as outbox messages. */
export function outboundMessages(input: MessageInput): OutboundPlan {
  const r = input.reconciliation;
  const live = [...(input.conflicts?.live ?? r.conflicts)].sort(byRuleThenFingerprint);
  const decisions = (input.conflicts?.decided ?? [])
    .map(decisionOf)
    .filter((d): d is ReconciliationDecision => d !== null)
    .sort((a, b) => a.ruleId.localeCompare(b.ruleId) || a.fingerprint.localeCompare(b.fingerprint));
  const push = input.conflicts
    ? pushGate(
        live.map((c) => ({ ...c, status: (c as ConflictView).state })),
        input.policy,
      )
    : r.push;
  const outbound = input.conflicts
    ? outboundFor({
        oasys: r.oasys,
        arms: r.arms,
        match: r.match,
        draft: r.draft,
        draftRefusal: r.draftRefusal,
        conflicts: live,
        push,
      })
    : r.outbound;

  const messages: OutboundMessage[] = [];
  const withheld = [...outbound.withheld];
  const oasysSource =
    r.oasys && input.oasysStoredVersion !== null
      ? {
          assessmentPk: r.oasys.assessmentPk,
          storedVersion: input.oasysStoredVersion,
          digest: recordDigest(r.oasys),
        }
      : null;

  if (outbound.police && oasysSource) {
    const draft = outbound.police;
    messages.push({
      recipient: "ARMS",
      kind: "ARMS_DRAFT",
      idempotencyKey: armsDraftKey(
        oasysSource.assessmentPk,
        oasysSource.storedVersion,
        draft.mappingVersion,
        draft,
      ),
      contentType: CONTENT_TYPE.json,
      body: JSON.stringify(draft),
      sources: { oasys: oasysSource, arms: null, mappingVersion: draft.mappingVersion },
      correctsKey: null,
    });
  } else if (outbound.police) {
    withheld.push("police: the OASys assessment is not held in the store");
  }

  if (outbound.probation && r.oasys && r.arms && oasysSource) {
    const update = partnerRiskUpdate(r.oasys, r.arms, live, decisions);
    messages.push({
      recipient: "OASYS",
      kind: "PARTNER_RISK_UPDATE",
      idempotencyKey: partnerUpdateKey(update),
      contentType: CONTENT_TYPE.xml,
      body: renderPartnerUpdateXml(update),
      sources: {
        oasys: oasysSource,
        arms: {
          armsAssessmentId: r.arms.armsAssessmentId,
          revision: r.arms.revision,
          digest: recordDigest(r.arms),
        },
        mappingVersion: null,
      },
      correctsKey: null,
    });
  } else if (outbound.probation) {
    withheld.push("probation: the OASys assessment is not held in the store");
  }
  return { messages, withheld };
}
