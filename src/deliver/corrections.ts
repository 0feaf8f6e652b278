/**
 * Corrections after a push (rule PU-3, DPA 2018 s.38(5)(c)): when a record already DELIVERED to an agency
 * was built from a source that has since been corrected or superseded, the recipient is told, naming the
 * delivery by its idempotency key. Pure.
 *
 * A delivered record's source has changed when:
 * - OASys: the assessment's canonical content now differs from what was sent (CORRECTED), or OASys now
 *   says a later complete assessment exists (`laterCompleteAssessmentExists`, SUPERSEDED);
 * - ARMS: the assessment has a newer revision (REVISED), or the same revision with other content
 *   (CORRECTED).
 * The notice's key is derived from the delivery's key and the sources' current state, so reconciling the
 * same state again yields the same notice (queued once), and a further change yields another one.
 */

import type { ArmsAssessment } from "../core/arms/model.ts";
import { recordDigest } from "../core/conflicts/push.ts";
import type { OasysAssessment } from "../core/oasys/model.ts";
import { renderCorrectionNoticeXml } from "./partner-update-xml.ts";
import {
  CONTENT_TYPE,
  type OutboundMessage,
  type OutboxKind,
  type OutboxSources,
  type Recipient,
} from "./types.ts";

export type SourceChangeKind = "CORRECTED" | "SUPERSEDED" | "REVISED";

export interface SourceChange {
  source: "OASYS" | "ARMS";
  /** OASys assessment pk or ARMS assessment id. */
  record: string;
  change: SourceChangeKind;
  /** Stored OASys version or ARMS revision behind the delivery, and now. */
  delivered: number;
  current: number;
}

/** The notice's content; JSON for police, XML (`correctionNotice`) for probation. */
export interface CorrectionNotice {
  schema: "bridge-correction-notice/1";
  recipient: Recipient;
  /** Idempotency key of the delivery being corrected. */
  corrects: string;
  subject: { oasysAssessmentPk: number | null; armsAssessmentId: string | null };
  changes: SourceChange[];
  /** Idempotency key of the message queued now to replace it, when there is one. */
  replacement: string | null;
}

/** What was delivered, as the outbox row records it. */
export interface DeliveredRecord {
  idempotencyKey: string;
  recipient: Recipient;
  kind: OutboxKind;
  sources: OutboxSources;
}

/** The sources as the store holds them now. */
export interface CurrentSources {
  oasys: ReadonlyMap<number, { assessment: OasysAssessment; storedVersion: number }>;
  /** The current revision of each ARMS assessment. */
  arms: ReadonlyMap<string, ArmsAssessment>;
}

const short = (value: unknown): string => recordDigest(value).slice(0, 16);

/** How the sources behind one delivery have changed since; empty when they have not. */
export function sourceChanges(delivered: OutboxSources, current: CurrentSources): SourceChange[] {
  const changes: SourceChange[] = [];
  const o = delivered.oasys;
  const nowOasys = o ? current.oasys.get(o.assessmentPk) : undefined;
  if (o && nowOasys && recordDigest(nowOasys.assessment) !== o.digest) {
    changes.push({
      source: "OASYS",
      record: String(o.assessmentPk),
      change: nowOasys.assessment.later.laterCompleteAssessmentExists === true ? "SUPERSEDED" : "CORRECTED",
      delivered: o.storedVersion,
      current: nowOasys.storedVersion,
    });
  }
  const a = delivered.arms;
  const nowArms = a ? current.arms.get(a.armsAssessmentId) : undefined;
  if (a && nowArms) {
    const revised = nowArms.revision > a.revision;
    if (revised || (nowArms.revision === a.revision && recordDigest(nowArms) !== a.digest)) {
      changes.push({
        source: "ARMS",
        record: a.armsAssessmentId,
        change: revised ? "REVISED" : "CORRECTED",
        delivered: a.revision,
        current: nowArms.revision,
      });
    }
  }
  return changes;
}

/** The same sources as they stand now (what a correction notice was built from). */
function currentSourcesOf(delivered: OutboxSources, current: CurrentSources): OutboxSources {
  const o = delivered.oasys ? current.oasys.get(delivered.oasys.assessmentPk) : undefined;
  const a = delivered.arms ? current.arms.get(delivered.arms.armsAssessmentId) : undefined;
  return {
    oasys:
      delivered.oasys && o
        ? {
            assessmentPk: delivered.oasys.assessmentPk,
            storedVersion: o.storedVersion,
            digest: recordDigest(o.assessment),
          }
        : delivered.oasys,
    arms: a
      ? { armsAssessmentId: a.armsAssessmentId, revision: a.revision, digest: recordDigest(a) }
      : delivered.arms,
    mappingVersion: delivered.mappingVersion,
  };
}

/** The correction notice a delivery needs now, or null when its sources are unchanged. */
export function correctionFor(
  delivered: DeliveredRecord,
  current: CurrentSources,
  replacement: string | null,
): OutboundMessage | null {
  if (delivered.kind === "CORRECTION_NOTICE") return null;
  const changes = sourceChanges(delivered.sources, current);
  if (changes.length === 0) return null;
  const notice: CorrectionNotice = {
    schema: "bridge-correction-notice/1",
    recipient: delivered.recipient,
    corrects: delivered.idempotencyKey,
    subject: {
      oasysAssessmentPk: delivered.sources.oasys?.assessmentPk ?? null,
      armsAssessmentId: delivered.sources.arms?.armsAssessmentId ?? null,
    },
    changes,
    replacement,
  };
  // The key follows the change, not the replacement: one notice per change, however often it is seen.
  const currentDigests = changes.map((c) =>
    c.source === "OASYS"
      ? recordDigest(current.oasys.get(Number(c.record))?.assessment)
      : recordDigest(current.arms.get(c.record)),
  );
  const police = delivered.recipient === "ARMS";
  return {
    recipient: delivered.recipient,
    kind: "CORRECTION_NOTICE",
    idempotencyKey: `correction:${delivered.idempotencyKey}:${short({ changes, currentDigests })}`,
    contentType: police ? CONTENT_TYPE.json : CONTENT_TYPE.xml,
    body: police ? JSON.stringify(notice) : renderCorrectionNoticeXml(notice),
    sources: currentSourcesOf(delivered.sources, current),
    correctsKey: delivered.idempotencyKey,
  };
}
