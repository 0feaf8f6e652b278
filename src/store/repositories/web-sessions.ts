/**
 * The web's server-side sessions (migration 0008; src/web/session.ts decides when they start, are seen and
 * end). Rows are keyed by a keyed hash of the cookie's id: the id itself never reaches the database.
 * Times are ISO instants; a session is live while `expires_at` is after the time the caller gives.
 */
import type { Principal } from "../../auth/principal.ts";
import type { Db } from "../db.ts";

export interface StoredWebSession {
  principal: Principal;
  idToken: string | null;
  csrfSecret: string;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
}

export async function insertWebSession(db: Db, idHash: string, session: StoredWebSession): Promise<void> {
  await db.query(
    `INSERT INTO web_sessions (id_hash, principal, id_token, csrf_secret, created_at, last_seen_at, expires_at)
     VALUES ($1, $2::jsonb, $3, $4, $5::timestamptz, $6::timestamptz, $7::timestamptz)`,
    [
      idHash,
      JSON.stringify(session.principal),
      session.idToken,
      session.csrfSecret,
      session.createdAt,
      session.lastSeenAt,
      session.expiresAt,
    ],
  );
}

/** The live session under this hash at `now`, or null (none, or expired). */
export async function findWebSession(db: Db, idHash: string, now: string): Promise<StoredWebSession | null> {
  const rows = await db.query<StoredWebSession>(
    `SELECT principal, id_token AS "idToken", csrf_secret AS "csrfSecret", created_at AS "createdAt",
            last_seen_at AS "lastSeenAt", expires_at AS "expiresAt"
       FROM web_sessions WHERE id_hash = $1 AND expires_at > $2::timestamptz`,
    [idHash, now],
  );
  return rows[0] ?? null;
}

/** Records a request at `now`: the session lives on to `expiresAt` (never past its absolute limit). */
export async function touchWebSession(db: Db, idHash: string, now: string, expiresAt: string): Promise<void> {
  await db.query(
    `UPDATE web_sessions SET last_seen_at = $2::timestamptz, expires_at = $3::timestamptz
      WHERE id_hash = $1 AND expires_at > $2::timestamptz`,
    [idHash, now, expiresAt],
  );
}

/** Ends a session (signing out); true when there was one. */
export async function deleteWebSession(db: Db, idHash: string): Promise<boolean> {
  const rows = await db.query(`DELETE FROM web_sessions WHERE id_hash = $1 RETURNING id_hash`, [idHash]);
  return rows.length > 0;
}

/** Deletes up to `limit` sessions expired at `now`; returns how many. */
export async function deleteExpiredWebSessions(db: Db, now: string, limit = 500): Promise<number> {
  const rows = await db.query(
    `DELETE FROM web_sessions WHERE id_hash IN (
       SELECT id_hash FROM web_sessions WHERE expires_at <= $1::timestamptz ORDER BY expires_at LIMIT $2)
     RETURNING id_hash`,
    [now, limit],
  );
  return rows.length;
}
