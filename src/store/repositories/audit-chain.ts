/**
 * Reading the audit chain back: verifying it, and exporting what it says about one subject.
 *
 * `verifyChain` recomputes every entry's hash HERE, from the stored columns, with the bridge's canonical
 * JSON (RFC 8785 for the log's values) and node:crypto: an implementation independent of the database's
 * `audit_append()`, as a regulator's would be (definition in src/store/README.md). It walks the chain in
 * seq order from the start (or the last erasure checkpoint, or `fromSeq`) and reports the first broken
 * link: a seq missing, an entry whose prev_hash is not its predecessor's hash, or an entry whose content
 * no longer hashes to its hash. The head row must agree with the last entry (a deleted tail is a missing
 * seq), and a checkpoint the walk starts from must be attested by an ERASURE entry in the chain.
 */
import { createHash } from "node:crypto";
import { canonicalJson } from "../../core/canonical-json.ts";
import type { Db } from "../db.ts";
import { AUDIT_COLUMNS, type AuditEvent } from "./audit.ts";

export const GENESIS_HASH = "0".repeat(64);

export type BreakReason = "MISSING_SEQ" | "BROKEN_PREV_LINK" | "ALTERED_CONTENT" | "UNATTESTED_CHECKPOINT";

export interface ChainBreak {
  seq: number;
  reason: BreakReason;
  /** Person-free: seqs and hashes only. */
  detail: string;
}

export interface VerifyReport {
  ok: boolean;
  /** Entries whose hash and link were checked. */
  checked: number;
  fromSeq: number;
  /** The chain's head: last seq appended (0 before the first). */
  headSeq: number;
  /** The erasure checkpoint the chain now starts after, if any. */
  checkpoint: { throughSeq: number; hash: string } | null;
  broken: ChainBreak | null;
}

/** The entry as it is hashed: every stored column but the hash itself and the surrogate id. */
export function hashedEntry(e: Omit<AuditEvent, "id" | "hash">): Record<string, unknown> {
  return {
    seq: e.seq,
    prevHash: e.prevHash,
    at: e.at,
    category: e.category,
    action: e.action,
    actor: e.actor,
    role: e.role,
    agency: e.agency,
    subjectType: e.subjectType,
    subjectId: e.subjectId,
    personId: e.personId,
    subjectIds: e.subjectIds,
    sources: e.sources,
    justification: e.justification,
    correlationId: e.correlationId,
    details: e.details,
  };
}

/** SHA-256 (lowercase hex) of the UTF-8 canonical JSON of the entry. */
export const entryHash = (e: Omit<AuditEvent, "id" | "hash">): string =>
  createHash("sha256")
    .update(canonicalJson(hashedEntry(e)), "utf8")
    .digest("hex");

const PAGE = 2_000;

async function head(db: Db): Promise<{ lastSeq: number; lastHash: string }> {
  const rows = await db.query<{ lastSeq: number; lastHash: string }>(
    `SELECT last_seq AS "lastSeq", last_hash AS "lastHash" FROM audit_head WHERE id = 1`,
  );
  return rows[0] ?? { lastSeq: 0, lastHash: GENESIS_HASH };
}

async function latestCheckpoint(db: Db): Promise<{ throughSeq: number; hash: string } | null> {
  const rows = await db.query<{ throughSeq: number; hash: string }>(
    `SELECT through_seq AS "throughSeq", hash FROM audit_checkpoints ORDER BY through_seq DESC LIMIT 1`,
  );
  return rows[0] ?? null;
}

/** Whether an ERASURE entry after the checkpoint names it (seq and hash). */
async function attested(db: Db, checkpoint: { throughSeq: number; hash: string }): Promise<boolean> {
  const rows = await db.query(
    `SELECT 1 FROM audit_events WHERE category = 'ERASURE' AND seq > $1
        AND details -> 'checkpoint' ->> 'throughSeq' = $2 AND details -> 'checkpoint' ->> 'hash' = $3 LIMIT 1`,
    [checkpoint.throughSeq, String(checkpoint.throughSeq), checkpoint.hash],
  );
  return rows.length > 0;
}

export async function verifyChain(db: Db, options: { fromSeq?: number } = {}): Promise<VerifyReport> {
  const top = await head(db);
  const checkpoint = await latestCheckpoint(db);
  const fromSeq = Math.max(options.fromSeq ?? 1, (checkpoint?.throughSeq ?? 0) + 1);
  const report = (checked: number, broken: ChainBreak | null): VerifyReport => ({
    ok: broken === null,
    checked,
    fromSeq,
    headSeq: top.lastSeq,
    checkpoint,
    broken,
  });

  let prevHash: string;
  if (fromSeq === 1) prevHash = GENESIS_HASH;
  else if (checkpoint && fromSeq === checkpoint.throughSeq + 1) {
    if (!(await attested(db, checkpoint))) {
      return report(0, {
        seq: fromSeq,
        reason: "UNATTESTED_CHECKPOINT",
        detail: `the chain starts after checkpoint ${checkpoint.throughSeq}, which no ERASURE entry attests`,
      });
    }
    prevHash = checkpoint.hash;
  } else {
    const before = await db.query<{ hash: string }>("SELECT hash FROM audit_events WHERE seq = $1", [
      fromSeq - 1,
    ]);
    if (!before[0]) {
      return report(0, {
        seq: fromSeq - 1,
        reason: "MISSING_SEQ",
        detail: `entry ${fromSeq - 1} is missing`,
      });
    }
    prevHash = before[0].hash;
  }

  let expected = fromSeq;
  let checked = 0;
  for (;;) {
    const page = await db.query<AuditEvent>(
      `SELECT ${AUDIT_COLUMNS} FROM audit_events WHERE seq >= $1 ORDER BY seq LIMIT $2`,
      [expected, PAGE],
    );
    for (const entry of page) {
      if (entry.seq !== expected) {
        return report(checked, {
          seq: expected,
          reason: "MISSING_SEQ",
          detail: `entry ${expected} is missing (the next held is ${entry.seq})`,
        });
      }
      if (entry.prevHash !== prevHash) {
        return report(checked, {
          seq: entry.seq,
          reason: "BROKEN_PREV_LINK",
          detail: `prev_hash ${entry.prevHash} is not the hash of entry ${entry.seq - 1} (${prevHash})`,
        });
      }
      const recomputed = entryHash(entry);
      if (recomputed !== entry.hash) {
        return report(checked, {
          seq: entry.seq,
          reason: "ALTERED_CONTENT",
          detail: `the entry hashes to ${recomputed}, not to its recorded hash ${entry.hash}`,
        });
      }
      prevHash = entry.hash;
      expected += 1;
      checked += 1;
    }
    if (page.length < PAGE) break;
  }
  const last = expected - 1;
  if (last < top.lastSeq) {
    return report(checked, {
      seq: expected,
      reason: "MISSING_SEQ",
      detail: `entry ${expected} is missing (the chain's head is at ${top.lastSeq})`,
    });
  }
  if (last > top.lastSeq) {
    return report(checked, {
      seq: top.lastSeq + 1,
      reason: "BROKEN_PREV_LINK",
      detail: `entry ${top.lastSeq + 1} lies past the chain's head`,
    });
  }
  if (last >= fromSeq && prevHash !== top.lastHash) {
    return report(checked, {
      seq: last,
      reason: "ALTERED_CONTENT",
      detail: `the chain's head records hash ${top.lastHash} for entry ${last}, not ${prevHash}`,
    });
  }
  return report(checked, null);
}

/** Whether anything was ever appended (an empty embedded store says so instead of "no events"). */
export async function chainLength(db: Db): Promise<number> {
  return (await head(db)).lastSeq;
}

/** A person to export the trail of: by person id, or by canonical CRN or PNC (never logged). */
export type AuditSubject = { personId: string } | { crn: string } | { pnc: string };

/**
 * The typed subject ids (`subject_ids` values) of everything the store holds about the subject: the
 * persons holding the key, their OASys assessments and ARMS assessments (by PNC or CRN), and the exports
 * those assessments came from. One statement.
 */
export async function subjectIdsOf(db: Db, subject: AuditSubject): Promise<string[]> {
  const personId = "personId" in subject ? subject.personId : null;
  const pnc = "pnc" in subject ? subject.pnc : null;
  const crn = "crn" in subject ? subject.crn : null;
  const rows = await db.query<{ ids: string[] | null }>(
    `WITH p AS (SELECT id, pnc, crn FROM persons WHERE id = $1::uuid OR pnc = $2 OR crn = $3),
          k AS (SELECT pnc, crn FROM p UNION ALL SELECT $2::text, $3::text),
          o AS (SELECT assessment_pk, export_id FROM oasys_assessments
                 WHERE pnc IN (SELECT pnc FROM k) OR crn IN (SELECT crn FROM k)),
          ids AS (SELECT 'person:' || id::text AS s FROM p
                  UNION SELECT 'oasys_assessment:' || assessment_pk::text FROM o
                  UNION SELECT 'export:' || export_id::text FROM o WHERE export_id IS NOT NULL
                  UNION SELECT 'arms_assessment:' || arms_assessment_id FROM arms_revisions
                   WHERE pnc IN (SELECT pnc FROM k) OR crn IN (SELECT crn FROM k))
     SELECT array_agg(s ORDER BY s) AS ids FROM ids`,
    [personId, pnc, crn],
  );
  return rows[0]?.ids ?? [];
}

/** Every entry naming one of the ids, at or after `from` and before `to` (ISO instants), in seq order. */
export async function auditEventsAbout(
  db: Db,
  ids: readonly string[],
  period: { from: string; to: string },
): Promise<AuditEvent[]> {
  if (ids.length === 0) return [];
  return db.query<AuditEvent>(
    `SELECT ${AUDIT_COLUMNS} FROM audit_events
      WHERE subject_ids && $1::text[] AND at >= $2::timestamptz AND at < $3::timestamptz ORDER BY seq`,
    [ids, period.from, period.to],
  );
}
