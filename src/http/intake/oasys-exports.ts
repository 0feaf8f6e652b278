/**
 * Receiving an OASys export over HTTP. Two formats:
 *
 * XML (`application/xml`, `text/xml`; contract §1). The body is read to the end under the size limit and
 * hashed as it arrives. Identical bytes received before are a duplicate: answered at once with the first
 * export's id, not parsed or stored again. Otherwise the bytes are read by the streaming export reader to
 * report each assessment's acceptance (nothing is saved by this read); a whole-file fault (not well-formed,
 * DOCTYPE, entity, limit, encoding, wrong root) refuses the request with its registry code and stores
 * nothing. Then the raw bytes are stored (content-hashed, once) and an ingest job queued: the ingest
 * processor parses the stored bytes again and saves the accepted assessments, so the request never waits
 * for the store writes of a large file, and a crash after the response loses nothing.
 *
 * JSON bundle (`application/json`; schemas/http/export-bundle.schema.json): canonical assessments
 * (oasys-canonical/1) each validated against the canonical schema. A bundle is small and already
 * canonical, so it is ingested here, in one transaction (raw bytes + accepted assessments), and a
 * reconcile job is queued for each assessment that was created or changed. It is recorded with
 * source_kind XML_EXPORT, the store's kind for "a posted export"; the raw export's `source` says JSON.
 *
 * Posting a duplicate also queues the same job ids again: a no-op for work already done (job ids and
 * processed_jobs), and the recovery path when the first post's enqueue failed after its commit.
 */
import { Readable } from "node:stream";
import type { OasysAssessment } from "../../core/oasys/model.ts";
import { describeAjvError, schemaValidator } from "../../core/schemas.ts";
import type { XmlLimits } from "../../ingest/xml/limits.ts";
import { readOasysExport } from "../../ingest/xml/reader.ts";
import { type AuditEventInput, recordAudits } from "../../store/repositories/audit.ts";
import { findRawExportByHash, saveRawExport } from "../../store/repositories/exports.ts";
import { assessmentsOfExport, saveOasysAssessment } from "../../store/repositories/oasys.ts";
import type { RawBody } from "../body.ts";
import { enqueue, type RouteDeps } from "../deps.ts";

export interface AssessmentAcceptance {
  index: number;
  assessmentPk: string | null;
  accepted: boolean;
  error?: { code: string; path: string; reason: string; line?: number; column?: number };
}

export interface ExportAccepted {
  exportId: string;
  duplicate: boolean;
  format: "XML" | "JSON_BUNDLE";
  accepted: number;
  rejected: number;
  assessments: AssessmentAcceptance[];
}

export interface ExportBundle {
  exportId?: string;
  generatedAt?: string;
  assessments: unknown[];
}

export const XML_SOURCE = "http:application/xml";
export const JSON_SOURCE = "http:application/json";

function xmlLimits(config: RouteDeps["config"]): Partial<XmlLimits> {
  const limits: Partial<XmlLimits> = {};
  for (const [name, value] of Object.entries(config.xml)) {
    if (value !== null) limits[name as keyof typeof config.xml] = value;
  }
  return limits;
}

const summary = (
  exportId: string,
  duplicate: boolean,
  format: ExportAccepted["format"],
  assessments: AssessmentAcceptance[],
): ExportAccepted => ({
  exportId,
  duplicate,
  format,
  accepted: assessments.filter((a) => a.accepted).length,
  rejected: assessments.filter((a) => !a.accepted).length,
  assessments,
});

export async function acceptXmlExport(deps: RouteDeps, body: RawBody): Promise<ExportAccepted> {
  const held = await findRawExportByHash(deps.db, body.sha256);
  if (held) {
    await enqueue(() => deps.producer.ingest({ type: "OASYS_EXPORT", exportId: held.exportId }));
    return summary(held.exportId, true, "XML", []);
  }
  const now = deps.nowIso();
  const assessments: AssessmentAcceptance[] = [];
  // Throws the whole-file fault (a BridgeError with its registry code) before anything is stored.
  for await (const r of readOasysExport(Readable.from([body.bytes]), {
    today: now.slice(0, 10),
    ...xmlLimits(deps.config),
  })) {
    if (r.ok) {
      assessments.push({
        index: r.source.index ?? assessments.length + 1,
        assessmentPk: String(r.assessment.assessmentPk),
        accepted: true,
      });
    } else {
      const { code, path, reason, line, column, index, assessmentPk } = r.error;
      assessments.push({
        index: index ?? assessments.length + 1,
        assessmentPk,
        accepted: false,
        error: {
          code,
          path,
          reason,
          ...(line === undefined ? {} : { line }),
          ...(column === undefined ? {} : { column }),
        },
      });
    }
  }
  const saved = await saveRawExport(deps.db, body.bytes, XML_SOURCE, now);
  await enqueue(() => deps.producer.ingest({ type: "OASYS_EXPORT", exportId: saved.exportId }));
  return summary(saved.exportId, saved.duplicate, "XML", saved.duplicate ? [] : assessments);
}

const canonicalValidator = () => schemaValidator("oasys-assessment.schema.json");

/** One canonical assessment checked on its own: accepted, or refused with the first schema problem. */
export function checkCanonical(
  doc: unknown,
  index: number,
): { ok: true; assessment: OasysAssessment } | { ok: false; acceptance: AssessmentAcceptance } {
  const validate = canonicalValidator();
  if (validate(doc)) return { ok: true, assessment: doc as OasysAssessment };
  const first = validate.errors?.[0];
  const problem = first ? describeAjvError(first) : { path: "/", reason: "is invalid" };
  const pk = (doc as { assessmentPk?: unknown } | null)?.assessmentPk;
  return {
    ok: false,
    acceptance: {
      index,
      assessmentPk: Number.isSafeInteger(pk) ? String(pk) : null,
      accepted: false,
      error: { code: "BRIDGE_E_RECORD_SCHEMA", path: problem.path, reason: problem.reason },
    },
  };
}

export async function acceptJsonBundle(
  deps: RouteDeps,
  bundle: ExportBundle,
  raw: RawBody,
): Promise<ExportAccepted> {
  const held = await findRawExportByHash(deps.db, raw.sha256);
  if (held) {
    for (const a of await assessmentsOfExport(deps.db, held.exportId)) {
      await enqueue(() =>
        deps.producer.reconcile({ source: "OASYS", record: String(a.assessmentPk), revision: a.version }),
      );
    }
    return summary(held.exportId, true, "JSON_BUNDLE", []);
  }
  const now = deps.nowIso();
  const checked = bundle.assessments.map((doc, i) => checkCanonical(doc, i + 1));
  const result = await deps.db.transaction(async (tx) => {
    // The audit events (the export, each assessment stored) are appended together, last.
    const audit: AuditEventInput[] = [];
    const saved = await saveRawExport(tx, raw.bytes, JSON_SOURCE, now, { audit });
    const changed: { pk: number; version: number }[] = [];
    if (saved.duplicate) return { saved, changed };
    for (const c of checked) {
      if (!c.ok) continue;
      const outcome = await saveOasysAssessment(
        tx,
        {
          assessment: c.assessment,
          sourceKind: "XML_EXPORT",
          exportId: saved.exportId,
          sourceAsOf: bundle.generatedAt ?? now,
          ingestedAt: now,
        },
        audit,
      );
      if (outcome.outcome === "CREATED" || outcome.outcome === "UPDATED") {
        changed.push({ pk: outcome.assessmentPk, version: outcome.version });
      }
    }
    await recordAudits(tx, audit);
    return { saved, changed };
  });
  for (const { pk, version } of result.changed) {
    await enqueue(() => deps.producer.reconcile({ source: "OASYS", record: String(pk), revision: version }));
  }
  const assessments = checked.map((c, i) =>
    c.ok ? { index: i + 1, assessmentPk: String(c.assessment.assessmentPk), accepted: true } : c.acceptance,
  );
  return summary(
    result.saved.exportId,
    result.saved.duplicate,
    "JSON_BUNDLE",
    result.saved.duplicate ? [] : assessments,
  );
}
