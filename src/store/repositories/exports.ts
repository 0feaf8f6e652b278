/**
 * Raw exports: the bytes exactly as received, stored once per content. Posting identical bytes again is
 * recognised by their sha256 and answered with the first export's id (`duplicate: true`), so nothing is
 * processed twice. Safe under concurrent posts of the same bytes (the unique hash decides).
 *
 * `ingested_at` is null until an ingest job has finished with the export (src/queue/processors/ingest.ts):
 * the recovery sweep queues an ingest job again for an export left without one. A JSON bundle
 * (`BUNDLE_SOURCE`) is saved with its assessments at intake, so it is stored as ingested.
 */
import type { Db } from "../db.ts";
import { sha256Hex } from "../hash.ts";
import { type AuditEventInput, auditEntry, SYSTEM_ACTOR } from "./audit.ts";

export interface SavedExport {
  exportId: string;
  duplicate: boolean;
  contentSha256: string;
  byteLength: number;
  receivedAt: string;
}

export interface RawExport extends SavedExport {
  content: Uint8Array;
  source: string;
}

const COLUMNS = `id AS "exportId", content_sha256 AS "contentSha256", byte_length AS "byteLength",
  received_at AS "receivedAt"`;

/** The source of an export posted as a JSON bundle (`JSON_SOURCE` in src/http/intake/oasys-exports.ts). */
export const BUNDLE_SOURCE = "http:application/json";

/** The COLLECTION event of an export stored (its id filled in by the statement that stores it). */
function receivedEvent(
  hash: string,
  bytes: Uint8Array,
  source: string,
  at: string,
  correlationId: string | null,
) {
  return (exportId: string): AuditEventInput => ({
    ...SYSTEM_ACTOR,
    at,
    action: "EXPORT_RECEIVED",
    subjectType: "EXPORT",
    subjectId: exportId,
    correlationId,
    details: { source, byteLength: bytes.byteLength, contentSha256: hash },
  });
}

/**
 * Stores the bytes once per content. Storing new bytes is audited (EXPORT_RECEIVED, COLLECTION) in the
 * same statement, or into `options.audit` for a caller appending its events at the end of its transaction.
 */
export async function saveRawExport(
  db: Db,
  bytes: Uint8Array,
  source: string,
  receivedAt: string = new Date().toISOString(),
  options: { ingested?: boolean; correlationId?: string | null; audit?: AuditEventInput[] } = {},
): Promise<SavedExport> {
  const hash = sha256Hex(bytes);
  const ingested = options.ingested ?? source === BUNDLE_SOURCE;
  const event = receivedEvent(hash, bytes, source, receivedAt, options.correlationId ?? null);
  const insert = `INSERT INTO raw_exports (content_sha256, content, byte_length, source, received_at, ingested_at)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (content_sha256) DO NOTHING
     RETURNING ${COLUMNS}`;
  const params = [
    hash,
    Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    bytes.byteLength,
    source,
    receivedAt,
    ingested ? receivedAt : null,
  ];
  const inserted = options.audit
    ? await db.query<Omit<SavedExport, "duplicate">>(insert, params)
    : await db.query<Omit<SavedExport, "duplicate">>(
        `WITH ins AS (${insert})
         SELECT ins.* FROM ins CROSS JOIN LATERAL (SELECT audit_append(jsonb_build_array(
                  $7::jsonb || jsonb_build_object('subjectId', ins."exportId"::text))) AS seq) a`,
        [...params, JSON.stringify(auditEntry(event("")))],
      );
  if (inserted[0]) {
    options.audit?.push(event(inserted[0].exportId));
    return { ...inserted[0], duplicate: false };
  }
  // Already held (perhaps committed a moment ago by a concurrent post): a fresh statement sees it.
  const held = await db.query<Omit<SavedExport, "duplicate">>(
    `SELECT ${COLUMNS} FROM raw_exports WHERE content_sha256 = $1`,
    [hash],
  );
  return { ...held[0]!, duplicate: true };
}

export async function getRawExport(db: Db, exportId: string): Promise<RawExport | null> {
  const rows = await db.query<RawExport>(
    `SELECT ${COLUMNS}, content, source FROM raw_exports WHERE id = $1::uuid`,
    [exportId],
  );
  const row = rows[0];
  return row ? { ...row, duplicate: false, content: new Uint8Array(row.content) } : null;
}

/** The export already held with this content hash, without its bytes (duplicate check before parsing). */
export async function findRawExportByHash(db: Db, contentSha256: string): Promise<SavedExport | null> {
  const rows = await db.query<Omit<SavedExport, "duplicate">>(
    `SELECT ${COLUMNS} FROM raw_exports WHERE content_sha256 = $1`,
    [contentSha256],
  );
  return rows[0] ? { ...rows[0], duplicate: true } : null;
}

/** An export's metadata without its bytes. */
export async function getExportMeta(
  db: Db,
  exportId: string,
): Promise<(Omit<SavedExport, "duplicate"> & { source: string }) | null> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(exportId)) return null;
  const rows = await db.query<Omit<SavedExport, "duplicate"> & { source: string }>(
    `SELECT ${COLUMNS}, source FROM raw_exports WHERE id = $1::uuid`,
    [exportId],
  );
  return rows[0] ?? null;
}
