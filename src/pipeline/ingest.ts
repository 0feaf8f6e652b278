/**
 * Ingest into the store: the raw bytes are kept first (content-hashed, stored once), then each accepted
 * assessment or ARMS revision is saved. Record rejections never stop the other records. An OASys export
 * that fails whole (not well-formed, hostile, over a limit) saves none of its assessments: they are
 * written in one transaction that the failure rolls back, while the raw bytes stay for a person to inspect.
 */
import { Readable } from "node:stream";
import type { OasysAssessment, RecordError } from "../core/oasys/model.ts";
import { isBridgeError } from "../errors.ts";
import { type ArmsReadResult, type ArmsRecordError, readArmsText } from "../ingest/arms/reader.ts";
import { readOasysExport } from "../ingest/xml/reader.ts";
import type { Db } from "../store/index.ts";
import { type ArmsSaveOutcome, saveArmsRevision } from "../store/repositories/arms.ts";
import { saveRawExport } from "../store/repositories/exports.ts";
import { type OasysSaveOutcome, saveOasysAssessment } from "../store/repositories/oasys.ts";

export interface OasysIngestReport {
  exportId: string;
  duplicate: boolean;
  accepted: OasysAssessment[];
  outcomes: Record<OasysSaveOutcome, number>;
  rejected: RecordError[];
  failure: { code: string; message: string } | null;
}

export async function ingestOasysExport(
  db: Db,
  input: { bytes: Uint8Array; source: string; today: string; now: string },
): Promise<OasysIngestReport> {
  const saved = await saveRawExport(db, input.bytes, input.source, input.now);
  const report: OasysIngestReport = {
    exportId: saved.exportId,
    duplicate: saved.duplicate,
    accepted: [],
    outcomes: { CREATED: 0, UPDATED: 0, UNCHANGED: 0, STALE: 0 },
    rejected: [],
    failure: null,
  };
  if (saved.duplicate) return report;
  try {
    await db.transaction(async (tx) => {
      for await (const r of readOasysExport(Readable.from([input.bytes]), { today: input.today })) {
        if (!r.ok) {
          report.rejected.push(r.error);
          continue;
        }
        const outcome = await saveOasysAssessment(tx, {
          assessment: r.assessment,
          sourceKind: "XML_EXPORT",
          exportId: saved.exportId,
          sourceAsOf: r.source.generatedAt ?? input.now,
          ingestedAt: input.now,
        });
        report.outcomes[outcome.outcome] += 1;
        report.accepted.push(r.assessment);
      }
    });
  } catch (e) {
    if (!isBridgeError(e)) throw e;
    report.failure = { code: e.code, message: e.message };
    report.accepted = [];
    report.outcomes = { CREATED: 0, UPDATED: 0, UNCHANGED: 0, STALE: 0 };
  }
  return report;
}

export interface ArmsIngestReport {
  stored: { armsAssessmentId: string; revision: number; outcome: ArmsSaveOutcome }[];
  rejected: ArmsRecordError[];
  failure: { code: string; message: string } | null;
}

export async function ingestArmsDocuments(
  db: Db,
  input: { text: string; now: string },
): Promise<ArmsIngestReport> {
  const report: ArmsIngestReport = { stored: [], rejected: [], failure: null };
  let results: ArmsReadResult[];
  try {
    results = readArmsText(input.text).results;
  } catch (e) {
    if (!isBridgeError(e)) throw e;
    report.failure = { code: e.code, message: e.message };
    return report;
  }
  for (const r of results) {
    if (!r.ok) {
      report.rejected.push(r.error);
      continue;
    }
    const saved = await saveArmsRevision(db, r.arms, input.now);
    report.stored.push({
      armsAssessmentId: r.arms.armsAssessmentId,
      revision: r.arms.revision,
      outcome: saved.outcome,
    });
  }
  return report;
}
