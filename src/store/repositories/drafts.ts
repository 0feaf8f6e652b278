/**
 * Pre-filled ARMS drafts, one per (OASys assessment, mapping version). Saving again replaces the draft only
 * when its content changed (a re-ingested assessment, a corrected mapping under the same version); the
 * outcome says which, and every new or changed draft is audited as PREFILL_GENERATED.
 */
import type { ArmsDraft } from "../../core/arms/draft.ts";
import type { ArmsAssessment } from "../../core/arms/model.ts";
import type { Db } from "../db.ts";
import { documentSha256 } from "../hash.ts";
import { type AuditEventInput, recordAudits } from "./audit.ts";

export type DraftOutcome = "CREATED" | "UPDATED" | "UNCHANGED";

export interface DraftInput {
  personId: string | null;
  assessmentPk: number;
  mappingVersion: string;
  draft: ArmsDraft | ArmsAssessment;
  now: string;
  correlationId?: string | null;
}

export interface StoredDraft {
  draftId: number;
  personId: string | null;
  assessmentPk: number;
  mappingVersion: string;
  draft: ArmsDraft | ArmsAssessment;
  createdAt: string;
  updatedAt: string;
}

export async function saveDraft(
  db: Db,
  input: DraftInput,
): Promise<{ draftId: number; outcome: DraftOutcome }> {
  return db.transaction(async (tx) => {
    const audit: AuditEventInput[] = [];
    const saved = await writeDraft(tx, input, audit);
    await recordAudits(tx, audit);
    return saved;
  });
}

/**
 * `saveDraft` inside the caller's transaction: the PREFILL_GENERATED event of a new or changed draft is
 * added to `audit` for the caller to record. One statement whether the draft is written or unchanged.
 */
export async function writeDraft(
  tx: Db,
  input: DraftInput,
  audit: AuditEventInput[],
): Promise<{ draftId: number; outcome: DraftOutcome }> {
  const written = await tx.query<{ draftId: number; created: boolean; written: boolean }>(
    `WITH w AS (
       INSERT INTO drafts (person_id, assessment_pk, mapping_version, draft, content_sha256, created_at, updated_at)
       VALUES ($1::uuid, $2, $3, $4::jsonb, $5, $6, $6)
       ON CONFLICT (assessment_pk, mapping_version) DO UPDATE SET
          person_id = COALESCE(excluded.person_id, drafts.person_id), draft = excluded.draft,
          content_sha256 = excluded.content_sha256, updated_at = excluded.updated_at
       WHERE drafts.content_sha256 <> excluded.content_sha256
       RETURNING id, (xmax::text = '0') AS created)
     SELECT id AS "draftId", created, true AS written FROM w
     UNION ALL
     SELECT id, false, false FROM drafts
      WHERE assessment_pk = $2 AND mapping_version = $3 AND NOT EXISTS (SELECT 1 FROM w)`,
    [
      input.personId,
      input.assessmentPk,
      input.mappingVersion,
      JSON.stringify(input.draft),
      documentSha256(input.draft),
      input.now,
    ],
  );
  const row = written[0];
  if (!row?.written) {
    // Unchanged. The statement's snapshot misses a draft committed by a concurrent writer after it began:
    // a fresh statement sees it.
    const draftId =
      row?.draftId ??
      (
        await tx.query<{ draftId: number }>(
          `SELECT id AS "draftId" FROM drafts WHERE assessment_pk = $1 AND mapping_version = $2`,
          [input.assessmentPk, input.mappingVersion],
        )
      )[0]!.draftId;
    return { draftId, outcome: "UNCHANGED" };
  }
  const outcome: DraftOutcome = row.created ? "CREATED" : "UPDATED";
  audit.push({
    at: input.now,
    actor: "bridge",
    action: "PREFILL_GENERATED",
    subjectType: "OASYS_ASSESSMENT",
    subjectId: String(input.assessmentPk),
    personId: input.personId,
    correlationId: input.correlationId ?? null,
    details: { draftId: row.draftId, mappingVersion: input.mappingVersion, outcome },
  });
  return { draftId: row.draftId, outcome };
}

export async function getDraft(
  db: Db,
  assessmentPk: number,
  mappingVersion: string,
): Promise<StoredDraft | null> {
  const rows = await db.query<StoredDraft>(
    `SELECT id AS "draftId", person_id AS "personId", assessment_pk AS "assessmentPk",
            mapping_version AS "mappingVersion", draft, created_at AS "createdAt", updated_at AS "updatedAt"
       FROM drafts WHERE assessment_pk = $1 AND mapping_version = $2`,
    [assessmentPk, mappingVersion],
  );
  return rows[0] ?? null;
}

export interface DraftSummary {
  draftId: number;
  assessmentPk: number;
  mappingVersion: string;
  updatedAt: string;
}

/** The person's most recently written draft (the one a reconciliation last produced), without its body. */
export async function latestDraftFor(db: Db, personId: string): Promise<DraftSummary | null> {
  const rows = await db.query<DraftSummary>(
    `SELECT id AS "draftId", assessment_pk AS "assessmentPk", mapping_version AS "mappingVersion",
            updated_at AS "updatedAt"
       FROM drafts WHERE person_id = $1::uuid ORDER BY updated_at DESC, id DESC LIMIT 1`,
    [personId],
  );
  return rows[0] ?? null;
}

/** `latestDraftFor` with the draft itself (`content`): the pre-filled draft the person view shows. */
export async function latestDraftWithContentFor(
  db: Db,
  personId: string,
): Promise<(DraftSummary & { content: ArmsDraft | ArmsAssessment }) | null> {
  const rows = await db.query<DraftSummary & { content: ArmsDraft | ArmsAssessment }>(
    `SELECT id AS "draftId", assessment_pk AS "assessmentPk", mapping_version AS "mappingVersion",
            draft AS content, updated_at AS "updatedAt"
       FROM drafts WHERE person_id = $1::uuid ORDER BY updated_at DESC, id DESC LIMIT 1`,
    [personId],
  );
  return rows[0] ?? null;
}
