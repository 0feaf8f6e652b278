/**
 * Raw exports: the bytes exactly as received, stored once per content. Posting identical bytes again is
 * recognised by their sha256 and answered with the first export's id (`duplicate: true`), so nothing is
 * processed twice. Safe under concurrent posts of the same bytes (the unique hash decides).
 */
import type { Db } from "../db.ts";
import { sha256Hex } from "../hash.ts";

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

export async function saveRawExport(
  db: Db,
  bytes: Uint8Array,
  source: string,
  receivedAt: string = new Date().toISOString(),
): Promise<SavedExport> {
  const hash = sha256Hex(bytes);
  const inserted = await db.query<Omit<SavedExport, "duplicate">>(
    `INSERT INTO raw_exports (content_sha256, content, byte_length, source, received_at)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (content_sha256) DO NOTHING
     RETURNING ${COLUMNS}`,
    [
      hash,
      Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
      bytes.byteLength,
      source,
      receivedAt,
    ],
  );
  if (inserted[0]) return { ...inserted[0], duplicate: false };
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
