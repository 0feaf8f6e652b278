/**
 * ARMS revisions. Every revision received is kept as history (`arms_revisions`, immutable); the current one
 * per ARMS assessment (`arms_current`) only ever moves forward, in one statement:
 *
 *   INSERT .. ON CONFLICT (arms_assessment_id) DO UPDATE .. WHERE excluded.revision > arms_current.revision
 *
 * so a higher revision supersedes, a late older one is stored but never becomes current, and two writers
 * racing end with the higher revision current whatever the order they commit in. The same revision again
 * with the same content is a duplicate; with different content it is refused
 * (BRIDGE_E_ARMS_REVISION_CONFLICT): the first one held is kept (see src/core/arms/revisions.ts).
 */
import type { ArmsAssessment } from "../../core/arms/model.ts";
import { pncPivotYear } from "../../core/identity/identifiers.ts";
import { armsKeys } from "../../core/reconcile/persons.ts";
import { BridgeError } from "../../errors.ts";
import type { Db } from "../db.ts";
import { documentSha256 } from "../hash.ts";
import { type AuditEventInput, type AuditSource, recordAudits, SYSTEM_ACTOR } from "./audit.ts";
import type { RecordSelectors } from "./oasys.ts";
import { keysFrom, type PersonKeys } from "./persons.ts";

export type ArmsSaveOutcome = "STORED_CURRENT" | "STORED_HISTORY" | "DUPLICATE";

export interface SavedArms {
  outcome: ArmsSaveOutcome;
  /** True when this call wrote a new revision row. */
  stored: boolean;
  /** True when this revision is (now) the current one. */
  current: boolean;
  currentRevision: number;
  /** The revision this one replaced as current, when it did. */
  supersededRevision?: number;
}

export interface StoredArms {
  armsAssessmentId: string;
  revision: number;
  force: string;
  status: ArmsAssessment["status"];
  assessedOn: string;
  receivedAt: string;
  document: ArmsAssessment;
}

/** The audit events of a revision stored: COLLECTION, and ALTERATION when it superseded the current one. */
function storedEvents(doc: ArmsAssessment, saved: SavedArms, at: string, correlationId: string | null) {
  const base = {
    ...SYSTEM_ACTOR,
    at,
    subjectType: "ARMS_ASSESSMENT" as const,
    subjectId: doc.armsAssessmentId,
    correlationId,
  };
  const revision = (version: number): AuditSource => ({
    type: "ARMS_REVISION",
    id: doc.armsAssessmentId,
    version,
  });
  const events: AuditEventInput[] = [
    {
      ...base,
      action: "ARMS_REVISION_RECEIVED",
      sources: [revision(doc.revision)],
      details: { outcome: saved.outcome, currentRevision: saved.currentRevision },
    },
  ];
  if (saved.supersededRevision !== undefined) {
    events.push({
      ...base,
      action: "ARMS_REVISION_SUPERSEDED",
      sources: [revision(saved.supersededRevision), revision(doc.revision)],
      details: { supersededRevision: saved.supersededRevision, currentRevision: doc.revision },
    });
  }
  return events;
}

/**
 * Stores a revision (the rules above). A revision stored is audited in the same transaction: into
 * `options.audit` when given, for a caller to append with its own events at the end of its transaction.
 */
export async function saveArmsRevision(
  db: Db,
  doc: ArmsAssessment,
  receivedAt: string,
  options: { correlationId?: string | null; audit?: AuditEventInput[] } = {},
): Promise<SavedArms> {
  return db.transaction(async (tx) => {
    const saved = await storeRevision(tx, doc, receivedAt);
    if (!saved.stored) return saved;
    const events = storedEvents(doc, saved, receivedAt, options.correlationId ?? null);
    if (options.audit) options.audit.push(...events);
    else await recordAudits(tx, events);
    return saved;
  });
}

async function storeRevision(tx: Db, doc: ArmsAssessment, receivedAt: string): Promise<SavedArms> {
  const hash = documentSha256(doc);
  const keys = keysFrom(armsKeys(doc, pncPivotYear(receivedAt)));
  const inserted = await tx.query(
    `INSERT INTO arms_revisions (arms_assessment_id, revision, force, status, assessed_on, crn, pnc, document,
        content_sha256, received_at)
     VALUES ($1, $2, $3, $4, $5::date, $6, $7, $8::jsonb, $9, $10)
     ON CONFLICT (arms_assessment_id, revision) DO NOTHING
     RETURNING revision`,
    [
      doc.armsAssessmentId,
      doc.revision,
      doc.force,
      doc.status,
      doc.assessedOn,
      keys.crn,
      keys.pnc,
      JSON.stringify(doc),
      hash,
      receivedAt,
    ],
  );

  if (!inserted[0]) {
    const held = await tx.query<{ contentSha256: string; currentRevision: number }>(
      `SELECT r.content_sha256 AS "contentSha256", c.revision AS "currentRevision"
         FROM arms_revisions r JOIN arms_current c USING (arms_assessment_id)
        WHERE r.arms_assessment_id = $1 AND r.revision = $2`,
      [doc.armsAssessmentId, doc.revision],
    );
    const row = held[0]!;
    if (row.contentSha256 !== hash) {
      throw new BridgeError(
        "BRIDGE_E_ARMS_REVISION_CONFLICT",
        "revision already held with different content",
        {
          armsAssessmentId: doc.armsAssessmentId,
          revision: doc.revision,
        },
      );
    }
    return {
      outcome: "DUPLICATE",
      stored: false,
      current: row.currentRevision === doc.revision,
      currentRevision: row.currentRevision,
    };
  }

  const moved = await tx.query<{ previousRevision: number | null }>(
    `INSERT INTO arms_current (arms_assessment_id, revision, previous_revision, updated_at)
     VALUES ($1, $2, NULL, $3)
     ON CONFLICT (arms_assessment_id) DO UPDATE SET
        previous_revision = arms_current.revision, revision = excluded.revision, updated_at = excluded.updated_at
     WHERE excluded.revision > arms_current.revision
     RETURNING previous_revision AS "previousRevision"`,
    [doc.armsAssessmentId, doc.revision, receivedAt],
  );
  if (moved[0]) {
    const previous = moved[0].previousRevision;
    return {
      outcome: "STORED_CURRENT",
      stored: true,
      current: true,
      currentRevision: doc.revision,
      ...(previous === null ? {} : { supersededRevision: previous }),
    };
  }
  const current = await tx.query<{ revision: number }>(
    "SELECT revision FROM arms_current WHERE arms_assessment_id = $1",
    [doc.armsAssessmentId],
  );
  return { outcome: "STORED_HISTORY", stored: true, current: false, currentRevision: current[0]!.revision };
}

const SELECT_REVISION = `SELECT r.arms_assessment_id AS "armsAssessmentId", r.revision, r.force, r.status,
    r.assessed_on AS "assessedOn", r.received_at AS "receivedAt", r.document
  FROM arms_revisions r`;

export async function currentArms(db: Db, armsAssessmentId: string): Promise<StoredArms | null> {
  const rows = await db.query<StoredArms>(
    `${SELECT_REVISION} JOIN arms_current c USING (arms_assessment_id, revision) WHERE c.arms_assessment_id = $1`,
    [armsAssessmentId],
  );
  return rows[0] ?? null;
}

/** Current revisions of every ARMS assessment sharing a PNC or CRN with the person, latest assessed first. */
export async function currentArmsForPerson(db: Db, personId: string): Promise<StoredArms[]> {
  return db.query<StoredArms>(
    `${SELECT_REVISION} JOIN arms_current c USING (arms_assessment_id, revision)
       JOIN persons p ON (r.pnc = p.pnc OR r.crn = p.crn)
      WHERE p.id = $1::uuid
      ORDER BY r.assessed_on DESC, r.arms_assessment_id`,
    [personId],
  );
}

/** Current revisions of every ARMS assessment sharing a PNC or CRN with the keys, latest assessed first. */
export async function currentArmsFor(db: Db, keys: PersonKeys): Promise<StoredArms[]> {
  if (!keys.pnc && !keys.crn) return [];
  return db.query<StoredArms>(
    `${SELECT_REVISION} JOIN arms_current c USING (arms_assessment_id, revision)
      WHERE r.pnc = $1 OR r.crn = $2
      ORDER BY r.assessed_on DESC, r.arms_assessment_id`,
    [keys.pnc ?? null, keys.crn ?? null],
  );
}

/** Current revisions with one of the PNCs or CRNs, or of the one ARMS assessment (one statement). */
export async function currentArmsMatching(db: Db, by: RecordSelectors): Promise<StoredArms[]> {
  return db.query<StoredArms>(
    `${SELECT_REVISION} JOIN arms_current c USING (arms_assessment_id, revision)
      WHERE r.arms_assessment_id = $1 OR r.pnc = ANY($2::text[]) OR r.crn = ANY($3::text[])
      ORDER BY r.assessed_on DESC, r.arms_assessment_id`,
    [by.armsAssessmentId ?? null, by.pnc, by.crn],
  );
}

/** Every revision held of one ARMS assessment, oldest first. */
export async function armsHistory(db: Db, armsAssessmentId: string): Promise<StoredArms[]> {
  return db.query<StoredArms>(`${SELECT_REVISION} WHERE r.arms_assessment_id = $1 ORDER BY r.revision`, [
    armsAssessmentId,
  ]);
}

/** The current revision of every ARMS assessment, in id order, a page at a time (keyset on the id). */
export async function currentArmsPage(db: Db, afterId = "", limit = 500): Promise<StoredArms[]> {
  return db.query<StoredArms>(
    `${SELECT_REVISION} JOIN arms_current c USING (arms_assessment_id, revision)
      WHERE r.arms_assessment_id > $1 ORDER BY r.arms_assessment_id LIMIT $2`,
    [afterId, limit],
  );
}
