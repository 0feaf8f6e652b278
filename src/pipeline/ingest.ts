/**
 * Ingest into the store: the raw bytes are kept first (content-hashed, stored once), then each accepted
 * assessment or ARMS revision is saved. Record rejections never stop the other records. An OASys export
 * that fails whole (not well-formed, hostile, over a limit) saves none of its assessments: they are
 * written in one transaction that the failure rolls back, while the raw bytes stay for a person to inspect.
 */
import { Readable } from "node:stream";
import type { IngestResult, OasysAssessment, RecordError } from "../core/oasys/model.ts";
import { isBridgeError } from "../errors.ts";
import { type ArmsReadResult, type ArmsRecordError, readArmsText } from "../ingest/arms/reader.ts";
import { readOasysExport } from "../ingest/xml/reader.ts";
import type { Db } from "../store/index.ts";
import { type ArmsSaveOutcome, saveArmsRevision } from "../store/repositories/arms.ts";
import { type AuditEventInput, recordAudits } from "../store/repositories/audit.ts";
import { saveRawExport } from "../store/repositories/exports.ts";
import { type OasysSaveOutcome, type SavedOasys, saveOasysAssessment } from "../store/repositories/oasys.ts";

export interface OasysIngestReport extends ExportAssessmentsReport {
  exportId: string;
  duplicate: boolean;
}

/** What parsing a stored export saved: the assessments, each with its stored version, and the rejections. */
export interface ExportAssessmentsReport {
  accepted: OasysAssessment[];
  /** One per accepted assessment, in order: its pk, save outcome and stored version. */
  saved: SavedOasys[];
  outcomes: Record<OasysSaveOutcome, number>;
  rejected: RecordError[];
  failure: { code: string; message: string } | null;
}

export async function ingestOasysExport(
  db: Db,
  input: { bytes: Uint8Array; source: string; today: string; now: string },
): Promise<OasysIngestReport> {
  const saved = await saveRawExport(db, input.bytes, input.source, input.now);
  if (saved.duplicate) {
    return { exportId: saved.exportId, duplicate: true, ...emptyReport() };
  }
  const report = await saveExportAssessments(db, {
    exportId: saved.exportId,
    bytes: input.bytes,
    today: input.today,
    now: input.now,
  });
  return { exportId: saved.exportId, duplicate: false, ...report };
}

const emptyReport = (): ExportAssessmentsReport => ({
  accepted: [],
  saved: [],
  outcomes: { CREATED: 0, UPDATED: 0, UNCHANGED: 0, STALE: 0 },
  rejected: [],
  failure: null,
});

/**
 * Parses an export already held in raw_exports and saves its assessments in one transaction (a whole-file
 * fault saves none of them and is reported in `failure`). Saving the same export again is harmless: each
 * assessment comes back UNCHANGED with its stored version.
 *
 * An export holding at most one accepted assessment (event-sized, the common case on the queue) is read
 * to its end before anything is saved: it is then known whole, and its one save is a single statement
 * (with its audit event), so it needs no transaction or savepoint of its own. Any larger export is read again inside the transaction,
 * from the start, so the transaction can be re-run after a deadlock.
 */
export async function saveExportAssessments(
  db: Db,
  input: { exportId: string; bytes: Uint8Array; today: string; now: string; correlationId?: string | null },
): Promise<ExportAssessmentsReport> {
  const report = emptyReport();
  const read = () => readOasysExport(Readable.from([input.bytes]), { today: input.today });
  const take = async (tx: Db, r: IngestResult, audit?: AuditEventInput[]) => {
    if (!r.ok) {
      report.rejected.push(r.error);
      return;
    }
    const saving = {
      assessment: r.assessment,
      sourceKind: "XML_EXPORT" as const,
      exportId: input.exportId,
      sourceAsOf: r.source.generatedAt ?? input.now,
      ingestedAt: input.now,
      correlationId: input.correlationId ?? null,
    };
    const outcome = await saveOasysAssessment(tx, saving, audit);
    report.outcomes[outcome.outcome] += 1;
    report.accepted.push(r.assessment);
    report.saved.push(outcome);
  };
  try {
    const head: IngestResult[] = [];
    let accepted = 0;
    const ahead = read();
    for await (const r of ahead) {
      head.push(r);
      if (r.ok && ++accepted > 1) break; // (leaving the loop closes the reader)
    }
    if (accepted <= 1) {
      for (const r of head) await take(db, r);
      return report;
    }
    // Each save's audit event is collected and the lot appended at the end: the audit chain's head is
    // locked from the append to the commit, so a long export must not hold it while it reads.
    await db.transaction(async (tx) => {
      Object.assign(report, emptyReport());
      const audit: AuditEventInput[] = [];
      for await (const r of read()) await take(tx, r, audit);
      await recordAudits(tx, audit);
    });
  } catch (e) {
    if (!isBridgeError(e)) throw e;
    return { ...emptyReport(), rejected: report.rejected, failure: { code: e.code, message: e.message } };
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
