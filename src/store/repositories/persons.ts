/**
 * Persons and identity matches.
 *
 * A person is known by a canonical PNC and/or CRN, each unique across persons. `upsertPerson` finds the
 * person by PNC first, then CRN (the matching order of the identity rules), and only ever FILLS a key the
 * person lacks when no other person holds it. It never overwrites a held key and never merges two persons:
 * a contradiction (the PNC's person holds a different CRN, or the CRN belongs to someone else) is reported
 * back, for the identity rules to raise, not resolved here. Keys are taken under transaction-scoped advisory
 * locks so two writers cannot create the same person twice.
 */
import type { MatchResult, MatchStatus } from "../../core/identity/match-types.ts";
import { BridgeError } from "../../errors.ts";
import type { Db } from "../db.ts";
import { type AuditEventInput, recordAudits } from "./audit.ts";

/** Person keys in canonical form (PNC `YYYY/NNNNNNNC`, CRN upper case); either may be absent. */
export interface PersonKeys {
  pnc?: string | null;
  crn?: string | null;
}

export interface Person {
  id: string;
  pnc: string | null;
  crn: string | null;
  force: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export type KeyName = "pnc" | "crn";

export interface KeyContradiction {
  key: KeyName;
  /** DIFFERS: the person holds another value; HELD_BY_OTHER: another person holds the given value. */
  kind: "DIFFERS" | "HELD_BY_OTHER";
  otherPersonId: string | null;
}

export interface UpsertedPerson {
  person: Person;
  created: boolean;
  filled: KeyName[];
  contradictions: KeyContradiction[];
}

/** `["pnc:2008/0056560Z", "crn:X123456"]` (core key strings) -> `{ pnc, crn }`. */
export function keysFrom(keys: readonly string[]): { pnc: string | null; crn: string | null } {
  const of = (kind: KeyName) => keys.find((k) => k.startsWith(`${kind}:`))?.slice(kind.length + 1) ?? null;
  return { pnc: of("pnc"), crn: of("crn") };
}

const SELECT_PERSON = `SELECT id, pnc, crn, force, version, created_at AS "createdAt", updated_at AS "updatedAt"
  FROM persons`;

/** The persons holding either key: the PNC's person first. At most two. */
export async function findPersonByKeys(db: Db, keys: PersonKeys): Promise<Person[]> {
  return db.query<Person>(
    `${SELECT_PERSON} WHERE pnc = $1 OR crn = $2 ORDER BY (pnc IS NOT DISTINCT FROM $1) DESC, created_at`,
    [keys.pnc ?? null, keys.crn ?? null],
  );
}

/**
 * The persons a NOMIS number names: those sharing a PNC or CRN with a stored OASys assessment, or a current
 * ARMS revision, that records it (canonical `A1234BC`). Persons are not keyed by NOMIS number, so this
 * reads the records' documents (no index: a look-up, not a bulk path). Oldest first, at most `limit`.
 */
export async function findPersonsByNomisId(db: Db, nomisId: string, limit = 20): Promise<Person[]> {
  return db.query<Person>(
    `WITH keyed AS (
       SELECT pnc, crn FROM oasys_assessments
        WHERE canonical->'offender'->'nomisId'->>'canonical' = $1
       UNION
       SELECT r.pnc, r.crn FROM arms_current c
         JOIN arms_revisions r ON r.arms_assessment_id = c.arms_assessment_id AND r.revision = c.revision
        WHERE upper(replace(r.document->'subject'->>'nomisId', ' ', '')) = $1
     )
     ${SELECT_PERSON}
      WHERE id IN (SELECT p.id FROM persons p JOIN keyed k ON p.pnc = k.pnc OR p.crn = k.crn)
      ORDER BY created_at, id LIMIT $2`,
    [nomisId, limit],
  );
}

export async function getPerson(db: Db, personId: string): Promise<Person | null> {
  const rows = await db.query<Person>(`${SELECT_PERSON} WHERE id = $1::uuid`, [personId]);
  return rows[0] ?? null;
}

/** The advisory lock keys of a person's keys, sorted: every caller takes them in this order. */
export function personLockKeys(keys: PersonKeys): string[] {
  const pnc = keys.pnc ?? null;
  const crn = keys.crn ?? null;
  return [pnc && `person:pnc:${pnc}`, crn && `person:crn:${crn}`].filter((k): k is string => !!k).sort();
}

/** Takes the transaction-scoped advisory locks (already sorted) in one statement, in the order given. */
export async function lockAdvisory(tx: Db, lockKeys: readonly string[]): Promise<void> {
  if (lockKeys.length === 0) return;
  if (lockKeys.length === 1) {
    await tx.query("SELECT pg_advisory_xact_lock(hashtext($1))", [lockKeys[0]]);
    return;
  }
  // A function scan yields the array's elements in order, so the locks are taken in the order given.
  await tx.query("SELECT count(pg_advisory_xact_lock(hashtext(k))) FROM unnest($1::text[]) AS k", [lockKeys]);
}

export async function upsertPerson(
  db: Db,
  keys: PersonKeys & { force?: string | null },
  now: string,
): Promise<UpsertedPerson> {
  if (!keys.pnc && !keys.crn) throw new BridgeError("BRIDGE_E_INTERNAL", "a person needs a PNC or a CRN");
  return db.transaction(async (tx) => {
    await lockAdvisory(tx, personLockKeys(keys));
    return upsertLockedPerson(tx, keys, now);
  });
}

/**
 * `upsertPerson` for a caller whose transaction already holds the person's key locks (`personLockKeys`).
 * With `bumpVersion` the person's version counts up in the same statement (a reconciliation's new version;
 * a new person starts at 1), which also holds the person's row lock to the end of the transaction.
 */
export async function upsertLockedPerson(
  tx: Db,
  keys: PersonKeys & { force?: string | null },
  now: string,
  options: { bumpVersion?: boolean } = {},
): Promise<UpsertedPerson> {
  const pnc = keys.pnc ?? null;
  const crn = keys.crn ?? null;
  if (!pnc && !crn) throw new BridgeError("BRIDGE_E_INTERNAL", "a person needs a PNC or a CRN");
  const bump = options.bumpVersion ? 1 : 0;
  const held = await tx.query<Person>(`${SELECT_PERSON} WHERE pnc = $1 OR crn = $2`, [pnc, crn]);
  const byPnc = pnc ? held.find((p) => p.pnc === pnc) : undefined;
  const byCrn = crn ? held.find((p) => p.crn === crn) : undefined;
  const found = byPnc ?? byCrn;
  if (!found) {
    const created = await tx.query<Person>(
      `INSERT INTO persons (pnc, crn, force, version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)
       RETURNING id, pnc, crn, force, version, created_at AS "createdAt", updated_at AS "updatedAt"`,
      [pnc, crn, keys.force ?? null, bump, now],
    );
    return { person: created[0]!, created: true, filled: [], contradictions: [] };
  }

  const contradictions: KeyContradiction[] = [];
  const filled: KeyName[] = [];
  const given = { pnc, crn };
  const holder = { pnc: byPnc, crn: byCrn };
  for (const key of ["pnc", "crn"] as const) {
    const value = given[key];
    if (!value) continue;
    const other = holder[key];
    if (other && other.id !== found.id) {
      contradictions.push({ key, kind: "HELD_BY_OTHER", otherPersonId: other.id });
    } else if (found[key] === null) {
      filled.push(key);
    } else if (found[key] !== value) {
      contradictions.push({ key, kind: "DIFFERS", otherPersonId: null });
    }
  }
  const force = keys.force ?? found.force;
  const changed = filled.length > 0 || force !== found.force;
  if (!changed && bump === 0) return { person: found, created: false, filled, contradictions };
  const updated = await tx.query<Person>(
    `UPDATE persons SET pnc = COALESCE(pnc, $2), crn = COALESCE(crn, $3), force = $4,
        updated_at = CASE WHEN $6 THEN $5::timestamptz ELSE updated_at END, version = version + $7
      WHERE id = $1
      RETURNING id, pnc, crn, force, version, created_at AS "createdAt", updated_at AS "updatedAt"`,
    [
      found.id,
      filled.includes("pnc") ? pnc : null,
      filled.includes("crn") ? crn : null,
      force,
      now,
      changed,
      bump,
    ],
  );
  return { person: updated[0]!, created: false, filled, contradictions };
}

export interface MatchInput {
  personId: string;
  assessmentPk: number | null;
  armsAssessmentId: string | null;
  armsRevision: number | null;
  result: MatchResult;
  evaluatedAt: string;
  actor?: string;
  correlationId?: string | null;
}

export interface StoredMatch {
  id: number;
  personId: string;
  assessmentPk: number | null;
  armsAssessmentId: string | null;
  armsRevision: number | null;
  status: MatchStatus;
  details: MatchResult;
  evaluatedAt: string;
}

/** Appends one match evaluation (and its audit event); the latest evaluation is the one in force. */
export async function saveMatch(db: Db, input: MatchInput): Promise<number> {
  return db.transaction(async (tx) => {
    const audit: AuditEventInput[] = [];
    const id = await appendMatch(tx, input, audit);
    await recordAudits(tx, audit);
    return id;
  });
}

/** `saveMatch` inside the caller's transaction: its audit event is added to `audit` for the caller to record. */
export async function appendMatch(tx: Db, input: MatchInput, audit: AuditEventInput[]): Promise<number> {
  const rows = await tx.query<{ id: number }>(
    `INSERT INTO person_matches (person_id, assessment_pk, arms_assessment_id, arms_revision, status, details,
        evaluated_at)
     VALUES ($1::uuid, $2, $3, $4, $5, $6::jsonb, $7) RETURNING id`,
    [
      input.personId,
      input.assessmentPk,
      input.armsAssessmentId,
      input.armsRevision,
      input.result.status,
      JSON.stringify(input.result),
      input.evaluatedAt,
    ],
  );
  audit.push({
    at: input.evaluatedAt,
    actor: input.actor ?? "bridge",
    action: "IDENTITY_MATCHED",
    subjectType: "PERSON",
    subjectId: input.personId,
    personId: input.personId,
    correlationId: input.correlationId ?? null,
    details: {
      status: input.result.status,
      assessmentPk: input.assessmentPk,
      armsAssessmentId: input.armsAssessmentId,
      armsRevision: input.armsRevision,
    },
  });
  return rows[0]!.id;
}

export async function latestMatch(db: Db, personId: string): Promise<StoredMatch | null> {
  const rows = await db.query<StoredMatch>(
    `SELECT id, person_id AS "personId", assessment_pk AS "assessmentPk", arms_assessment_id AS "armsAssessmentId",
            arms_revision AS "armsRevision", status, details, evaluated_at AS "evaluatedAt"
       FROM person_matches WHERE person_id = $1::uuid
      ORDER BY evaluated_at DESC, id DESC LIMIT 1`,
    [personId],
  );
  return rows[0] ?? null;
}

/**
 * A stored record the person's latest match evaluation was made from (its OASys assessment, else its ARMS
 * assessment): where a re-reconciliation of the person starts. Null when the person has no match recorded.
 */
export async function latestMatchedRecord(
  db: Db,
  personId: string,
): Promise<{ assessmentPk: number | null; armsAssessmentId: string | null } | null> {
  const rows = await db.query<{ assessmentPk: string | null; armsAssessmentId: string | null }>(
    `SELECT assessment_pk AS "assessmentPk", arms_assessment_id AS "armsAssessmentId"
       FROM person_matches WHERE person_id = $1::uuid ORDER BY evaluated_at DESC, id DESC LIMIT 1`,
    [personId],
  );
  const row = rows[0];
  if (!row) return null;
  return {
    assessmentPk: row.assessmentPk === null ? null : Number(row.assessmentPk),
    armsAssessmentId: row.armsAssessmentId,
  };
}
