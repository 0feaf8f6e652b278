/**
 * Canonical OASys assessments, one row per assessment pk.
 *
 * Re-ingest rule (same pk seen again): the incoming version replaces the stored one only when its content
 * differs AND it is not older: its `sourceAsOf` (the export's generatedAt, or the time of a REST pull) is at
 * or after the stored one's. Identical content is UNCHANGED; different content from an older source is
 * STALE and ignored (a back-fill file replayed after a fresher pull must not roll an assessment back).
 * The rule is one SQL statement (`ON CONFLICT .. DO UPDATE .. WHERE`), so concurrent ingests cannot
 * interleave it.
 *
 * "Valid" for reconciliation: status COMPLETE, a dateCompleted, and not flagged
 * `laterCompleteAssessmentExists` (rule ST-2: OASys itself says a later complete assessment exists, so this
 * one must not be used). The latest valid one is the greatest dateCompleted, then the greatest pk.
 */

import type { AssessmentSource, OasysAssessment } from "../../core/oasys/model.ts";
import { londonLocalToInstant } from "../../core/oasys/normalise.ts";
import { oasysKeys } from "../../core/reconcile/persons.ts";
import type { Db } from "../db.ts";
import { documentSha256 } from "../hash.ts";
import { type AuditEventInput, auditAppendSql, auditEntries, SYSTEM_ACTOR, subjectKey } from "./audit.ts";
import { keysFrom, type PersonKeys } from "./persons.ts";

export type OasysSaveOutcome = "CREATED" | "UPDATED" | "UNCHANGED" | "STALE";

export interface SaveOasysInput {
  assessment: OasysAssessment;
  sourceKind: AssessmentSource["kind"];
  /** Raw export the assessment came from (null for a REST pull). */
  exportId?: string | null;
  /** When the source produced this version (ISO instant): export generatedAt, or the pull time. */
  sourceAsOf: string;
  ingestedAt: string;
  correlationId?: string | null;
}

export interface SavedOasys {
  assessmentPk: number;
  outcome: OasysSaveOutcome;
  version: number;
}

export interface StoredOasys {
  assessmentPk: number;
  exportId: string | null;
  sourceKind: AssessmentSource["kind"];
  sourceAsOf: string;
  status: OasysAssessment["status"];
  dateCompleted: string | null;
  version: number;
  ingestedAt: string;
  assessment: OasysAssessment;
}

/** The audit event of a save that stored content: COLLECTION when created, ALTERATION when it replaced a version. */
function savedEvent(input: SaveOasysInput, version: number | null, created: boolean): AuditEventInput {
  const pk = String(input.assessment.assessmentPk);
  return {
    ...SYSTEM_ACTOR,
    at: input.ingestedAt,
    action: created ? "OASYS_ASSESSMENT_STORED" : "OASYS_ASSESSMENT_SUPERSEDED",
    subjectType: "OASYS_ASSESSMENT",
    subjectId: pk,
    subjectIds: input.exportId ? [subjectKey("EXPORT", input.exportId)] : [],
    correlationId: input.correlationId ?? null,
    sources: [
      { type: "OASYS_ASSESSMENT", id: pk, version },
      ...(input.exportId ? [{ type: "RAW_EXPORT" as const, id: input.exportId, version: null }] : []),
    ],
    details: { sourceKind: input.sourceKind, outcome: created ? "CREATED" : "UPDATED" },
  };
}

/**
 * Saves one assessment (the re-ingest rule above). A save that stores content is audited: into `audit`
 * when given, for a caller writing many to append once at the end of its transaction; otherwise in the
 * save's own statement (the new version filled in by the database), so a lone save stays one statement.
 */
export async function saveOasysAssessment(
  db: Db,
  input: SaveOasysInput,
  audit?: AuditEventInput[],
): Promise<SavedOasys> {
  const a = input.assessment;
  const keys = keysFrom(oasysKeys(a));
  const hash = documentSha256(a);
  const params = [
    a.assessmentPk,
    input.exportId ?? null,
    input.sourceKind,
    input.sourceAsOf,
    keys.crn,
    keys.pnc,
    a.status,
    a.dateCompleted ? londonLocalToInstant(a.dateCompleted).toISOString() : null,
    a.later.laterCompleteAssessmentExists,
    JSON.stringify(a),
    hash,
    input.ingestedAt,
  ];
  const upsert = `INSERT INTO oasys_assessments (assessment_pk, export_id, source_kind, source_as_of, crn, pnc, status,
        date_completed, later_complete_exists, canonical, content_sha256, first_ingested_at, ingested_at)
     VALUES ($1, $2::uuid, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11, $12, $12)
     ON CONFLICT (assessment_pk) DO UPDATE SET
        export_id = excluded.export_id, source_kind = excluded.source_kind, source_as_of = excluded.source_as_of,
        crn = excluded.crn, pnc = excluded.pnc, status = excluded.status, date_completed = excluded.date_completed,
        later_complete_exists = excluded.later_complete_exists, canonical = excluded.canonical,
        content_sha256 = excluded.content_sha256, ingested_at = excluded.ingested_at,
        version = oasys_assessments.version + 1
     WHERE oasys_assessments.content_sha256 <> excluded.content_sha256
       AND excluded.source_as_of >= oasys_assessments.source_as_of
     RETURNING version`;
  // Inline: the event for a creation (version 1), or the one for an update with its version set here.
  const written = audit
    ? await db.query<{ version: number }>(upsert, params)
    : await db.query<{ version: number }>(
        `WITH w AS (${upsert})
         SELECT version, CASE WHEN version = 1 THEN ${auditAppendSql(13)}
                ELSE audit_append(jsonb_set($14::jsonb, '{0,sources,0,version}', to_jsonb(version))) END AS seq
           FROM w`,
        [
          ...params,
          auditEntries([savedEvent(input, 1, true)]),
          auditEntries([savedEvent(input, null, false)]),
        ],
      );
  if (written[0]) {
    const version = written[0].version;
    if (audit) audit.push(savedEvent(input, version, version === 1));
    return { assessmentPk: a.assessmentPk, outcome: version === 1 ? "CREATED" : "UPDATED", version };
  }
  const held = await db.query<{ contentSha256: string; version: number }>(
    `SELECT content_sha256 AS "contentSha256", version FROM oasys_assessments WHERE assessment_pk = $1`,
    [a.assessmentPk],
  );
  const row = held[0]!;
  return {
    assessmentPk: a.assessmentPk,
    outcome: row.contentSha256 === hash ? "UNCHANGED" : "STALE",
    version: row.version,
  };
}

const SELECT_STORED = `SELECT assessment_pk AS "assessmentPk", export_id AS "exportId", source_kind AS "sourceKind",
    source_as_of AS "sourceAsOf", status, date_completed AS "dateCompleted", version, ingested_at AS "ingestedAt",
    canonical AS assessment
  FROM oasys_assessments`;

export async function getOasysAssessment(db: Db, assessmentPk: number): Promise<StoredOasys | null> {
  const rows = await db.query<StoredOasys>(`${SELECT_STORED} WHERE assessment_pk = $1`, [assessmentPk]);
  return rows[0] ?? null;
}

/** Every stored assessment sharing a PNC or CRN with the keys, latest completed first. */
export async function oasysAssessmentsFor(db: Db, keys: PersonKeys): Promise<StoredOasys[]> {
  return db.query<StoredOasys>(
    `${SELECT_STORED} WHERE pnc = $1 OR crn = $2
     ORDER BY date_completed DESC NULLS LAST, assessment_pk DESC`,
    [keys.pnc ?? null, keys.crn ?? null],
  );
}

/** What `oasysAssessmentsMatching` selects by: any of the PNCs or CRNs, or the one assessment pk. */
export interface RecordSelectors {
  pnc: readonly string[];
  crn: readonly string[];
  assessmentPk?: number | null;
  armsAssessmentId?: string | null;
}

/** Every stored assessment with one of the PNCs or CRNs, or with the pk (one statement), latest completed first. */
export async function oasysAssessmentsMatching(db: Db, by: RecordSelectors): Promise<StoredOasys[]> {
  return db.query<StoredOasys>(
    `${SELECT_STORED} WHERE assessment_pk = $1 OR pnc = ANY($2::text[]) OR crn = ANY($3::text[])
     ORDER BY date_completed DESC NULLS LAST, assessment_pk DESC`,
    [by.assessmentPk ?? null, by.pnc, by.crn],
  );
}

/**
 * The latest valid (see above) assessment for a person, given their canonical keys or their person id
 * (whose keys are looked up). Null when none is valid.
 */
export async function latestValidOasysFor(
  db: Db,
  who: PersonKeys | { personId: string },
): Promise<StoredOasys | null> {
  const keys =
    "personId" in who
      ? ((
          await db.query<PersonKeys>("SELECT pnc, crn FROM persons WHERE id = $1::uuid", [who.personId])
        )[0] ?? null)
      : who;
  if (!keys || (!keys.pnc && !keys.crn)) return null;
  const rows = await db.query<StoredOasys>(
    `${SELECT_STORED}
     WHERE (pnc = $1 OR crn = $2)
       AND status = 'COMPLETE' AND date_completed IS NOT NULL AND later_complete_exists IS NOT TRUE
     ORDER BY date_completed DESC, assessment_pk DESC
     LIMIT 1`,
    [keys.pnc ?? null, keys.crn ?? null],
  );
  return rows[0] ?? null;
}

/**
 * Every stored assessment, in assessment-pk order, a page at a time (keyset paging: pass the last pk of
 * the previous page). For whole-store jobs such as the demo and re-reconciliation after a mapping change.
 */
export async function oasysAssessmentPage(db: Db, afterPk = 0, limit = 500): Promise<StoredOasys[]> {
  return db.query<StoredOasys>(`${SELECT_STORED} WHERE assessment_pk > $1 ORDER BY assessment_pk LIMIT $2`, [
    afterPk,
    limit,
  ]);
}

export interface ExportedAssessment {
  assessmentPk: number;
  status: OasysAssessment["status"];
  version: number;
  ingestedAt: string;
}

/** The assessments whose stored version came from this export, by pk. */
export async function assessmentsOfExport(db: Db, exportId: string): Promise<ExportedAssessment[]> {
  return db.query<ExportedAssessment>(
    `SELECT assessment_pk AS "assessmentPk", status, version, ingested_at AS "ingestedAt"
       FROM oasys_assessments WHERE export_id = $1::uuid ORDER BY assessment_pk`,
    [exportId],
  );
}
