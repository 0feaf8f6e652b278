/**
 * The transactional outbox (docs/service.md "Guarantees"). A reconciliation writes its outbound messages
 * in its own transaction; push workers claim one row at a time, deliver it, and record the outcome.
 *
 * - Idempotency: `idempotency_key` is unique, inserts are `ON CONFLICT DO NOTHING`, so writing the same
 *   message twice queues nothing new.
 * - Ordering: rows carry the person's version. `newerRowExists` tells a worker its row is stale (it is then
 *   SUPERSEDED, never sent). A claim holds a lease (`claimed_until`) and is refused while another row for
 *   the same person and recipient is in flight, so one person's deliveries to one agency never overlap and
 *   an older message cannot overtake a newer one on the wire.
 * - A worker that dies mid-delivery leaves an IN_FLIGHT row whose lease runs out: it is due again.
 */
import type {
  OutboundMessage,
  OutboxKind,
  OutboxSources,
  OutboxState,
  Recipient,
} from "../../deliver/types.ts";
import { BridgeError } from "../../errors.ts";
import type { Db } from "../db.ts";
import { decodeCursor, encodeCursor, isUuid } from "../paging.ts";
import { type AuditEventInput, auditAppendSql, auditEntries } from "./audit.ts";
import { type PersonScope, scopeClauses } from "./visibility.ts";

export interface NewOutboxRow extends OutboundMessage {
  personId: string;
  personVersion: number;
  correlationId: string | null;
}

export interface OutboxRow extends NewOutboxRow {
  id: string;
  state: OutboxState;
  /** Claims so far (each claim is one delivery attempt). */
  attempts: number;
  availableAt: string;
  claimedBy: string | null;
  claimedUntil: string | null;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
}

/** A row without its body (listings: bodies carry personal data and can be large). */
export type OutboxSummary = Omit<OutboxRow, "body">;

export interface QueuedRow {
  id: string;
  recipient: Recipient;
  kind: OutboxKind;
  idempotencyKey: string;
}

const SUMMARY_COLUMNS = `id, person_id AS "personId", person_version AS "personVersion", recipient, kind,
  idempotency_key AS "idempotencyKey", content_type AS "contentType", correlation_id AS "correlationId",
  sources, corrects_key AS "correctsKey", state, attempts, available_at AS "availableAt",
  claimed_by AS "claimedBy", claimed_until AS "claimedUntil", last_error AS "lastError",
  created_at AS "createdAt", delivered_at AS "deliveredAt"`;
const COLUMNS = `${SUMMARY_COLUMNS}, body`;

export const isOutboxId = isUuid;

/** Inserts the rows that are new (by idempotency key) and returns those, in the order given. One statement. */
export async function insertOutboxRows(
  db: Db,
  rows: readonly NewOutboxRow[],
  now: string,
): Promise<QueuedRow[]> {
  if (rows.length === 0) return [];
  const written = await db.query<QueuedRow>(
    `INSERT INTO outbox (person_id, person_version, recipient, kind, idempotency_key, content_type, body,
        correlation_id, sources, corrects_key, state, available_at, created_at)
     SELECT r.person_id, r.person_version, r.recipient, r.kind, r.idempotency_key, r.content_type, r.body,
            r.correlation_id, r.sources::jsonb, r.corrects_key, 'PENDING', $11::timestamptz, $11::timestamptz
       FROM unnest($1::uuid[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                   $8::text[], $9::text[], $10::text[]) WITH ORDINALITY
            AS r(person_id, person_version, recipient, kind, idempotency_key, content_type, body, correlation_id,
                 sources, corrects_key, n)
      ORDER BY r.n
     ON CONFLICT (idempotency_key) DO NOTHING
     RETURNING id, recipient, kind, idempotency_key AS "idempotencyKey"`,
    [
      rows.map((r) => r.personId),
      rows.map((r) => r.personVersion),
      rows.map((r) => r.recipient),
      rows.map((r) => r.kind),
      rows.map((r) => r.idempotencyKey),
      rows.map((r) => r.contentType),
      rows.map((r) => r.body),
      rows.map((r) => r.correlationId),
      rows.map((r) => JSON.stringify(r.sources)),
      rows.map((r) => r.correctsKey),
      now,
    ],
  );
  const byKey = new Map(written.map((w) => [w.idempotencyKey, w]));
  return rows.flatMap((r) => {
    const w = byKey.get(r.idempotencyKey);
    byKey.delete(r.idempotencyKey); // a key given twice was inserted once
    return w ?? [];
  });
}

/** A row as the queueing rules and corrections need it (no body). */
export interface OutboxHead {
  id: string;
  personId: string;
  recipient: Recipient;
  kind: OutboxKind;
  idempotencyKey: string;
  personVersion: number;
  createdAt: string;
  state: OutboxState;
  sources: OutboxSources;
}

/** What the store holds for some persons' outboxes, read in one statement. */
export interface PersonsOutbox {
  /** The newest row (as `latestRowFor` orders) per person, recipient and kind: `outboxSlot(..)`. */
  latest: Map<string, OutboxHead>;
  /** The newest DELIVERED row per person, recipient and kind. */
  delivered: Map<string, OutboxHead>;
  /** Which of the asked idempotency keys are held (by any person). */
  heldKeys: Set<string>;
}

export const outboxSlot = (personId: string, recipient: Recipient, kind: OutboxKind): string =>
  `${personId}|${recipient}|${kind}`;

const HEAD_COLUMNS = `id, person_id AS "personId", recipient, kind, idempotency_key AS "idempotencyKey",
  person_version AS "personVersion", created_at AS "createdAt", state, sources`;
const NEWEST_FIRST = "person_id, recipient, kind, person_version DESC, created_at DESC, id DESC";

export async function readPersonsOutbox(
  db: Db,
  personIds: readonly string[],
  keys: readonly string[],
): Promise<PersonsOutbox> {
  const rows = await db.query<OutboxHead & { role: "latest" | "delivered" | "held" }>(
    `SELECT 'latest' AS role, l.* FROM (
       SELECT DISTINCT ON (person_id, recipient, kind) ${HEAD_COLUMNS} FROM outbox
        WHERE person_id = ANY($1::uuid[]) ORDER BY ${NEWEST_FIRST}) l
     UNION ALL
     SELECT 'delivered', d.* FROM (
       SELECT DISTINCT ON (person_id, recipient, kind) ${HEAD_COLUMNS} FROM outbox
        WHERE person_id = ANY($1::uuid[]) AND state = 'DELIVERED' ORDER BY ${NEWEST_FIRST}) d
     UNION ALL
     SELECT 'held', ${HEAD_COLUMNS} FROM outbox WHERE idempotency_key = ANY($2::text[])`,
    [personIds, keys],
  );
  const state: PersonsOutbox = { latest: new Map(), delivered: new Map(), heldKeys: new Set() };
  for (const { role, ...row } of rows) {
    if (role === "held") state.heldKeys.add(row.idempotencyKey);
    else state[role].set(outboxSlot(row.personId, row.recipient, row.kind), row);
  }
  return state;
}

/** The keys `planQueue` may look up for these rows: each key, and its `:p<version>` re-queue form. */
export const candidateKeys = (rows: readonly NewOutboxRow[]): string[] =>
  rows.flatMap((r) =>
    r.kind === "CORRECTION_NOTICE" ? [] : [r.idempotencyKey, `${r.idempotencyKey}:p${r.personVersion}`],
  );

/**
 * The queueing rules of `queueMessages`, applied in memory to what `readPersonsOutbox` read: the rows to
 * insert, with their final keys. `outbox` is updated as if they were inserted (so a later call, or the
 * corrections, see them as the newest rows).
 */
export function planQueue(rows: readonly NewOutboxRow[], outbox: PersonsOutbox, now: string): NewOutboxRow[] {
  const planned: NewOutboxRow[] = [];
  for (const row of rows) {
    let key = row.idempotencyKey;
    if (row.kind !== "CORRECTION_NOTICE") {
      const slot = outboxSlot(row.personId, row.recipient, row.kind);
      const latestKey = outbox.latest.get(slot)?.idempotencyKey;
      if (latestKey === key || latestKey?.startsWith(`${key}:p`)) continue;
      if (outbox.heldKeys.has(key)) key = `${key}:p${row.personVersion}`;
      // Inserting a held key does nothing (ON CONFLICT DO NOTHING), so it changes nothing here either.
      if (outbox.heldKeys.has(key)) continue;
      const latest = outbox.latest.get(slot);
      if (!latest || row.personVersion >= latest.personVersion) {
        outbox.latest.set(slot, {
          id: "",
          personId: row.personId,
          recipient: row.recipient,
          kind: row.kind,
          idempotencyKey: key,
          personVersion: row.personVersion,
          createdAt: now,
          state: "PENDING",
          sources: row.sources,
        });
      }
    }
    outbox.heldKeys.add(key);
    planned.push({ ...row, idempotencyKey: key });
  }
  return planned;
}

/**
 * Queues a reconciliation's messages for one person (inside its transaction, under the person's lock):
 * - a message whose key is the newest row's for its person, recipient and kind is unchanged: nothing new;
 * - a message that is new is inserted;
 * - a message whose key an OLDER row already has (the state went back to an earlier one, A-B-A) is queued
 *   again under `<key>:p<personVersion>`, so the newest state is always the newest row and gets sent.
 * Correction notices are inserted as they are (their key already names the change). Returns what it queued.
 * Two statements: one read (`readPersonsOutbox`), one insert.
 */
export async function queueMessages(
  db: Db,
  rows: readonly NewOutboxRow[],
  now: string,
): Promise<QueuedRow[]> {
  if (rows.length === 0) return [];
  const main = rows.filter((r) => r.kind !== "CORRECTION_NOTICE");
  const outbox = main.length
    ? await readPersonsOutbox(db, [...new Set(main.map((r) => r.personId))], candidateKeys(main))
    : { latest: new Map(), delivered: new Map(), heldKeys: new Set<string>() };
  return insertOutboxRows(db, planQueue(rows, outbox, now), now);
}

/** Bumps the person's version for a reconciliation; outbox rows written by it carry the new value. */
export async function nextPersonVersion(db: Db, personId: string): Promise<number> {
  const rows = await db.query<{ version: number }>(
    "UPDATE persons SET version = version + 1 WHERE id = $1::uuid RETURNING version",
    [personId],
  );
  if (!rows[0]) throw new BridgeError("BRIDGE_E_NOT_FOUND", "no such person", { personId });
  return rows[0].version;
}

export async function getOutboxRow(db: Db, id: string): Promise<OutboxRow | null> {
  if (!isOutboxId(id)) return null;
  const rows = await db.query<OutboxRow>(`SELECT ${COLUMNS} FROM outbox WHERE id = $1::uuid`, [id]);
  return rows[0] ?? null;
}

export async function getOutboxRowByKey(db: Db, idempotencyKey: string): Promise<OutboxRow | null> {
  const rows = await db.query<OutboxRow>(`SELECT ${COLUMNS} FROM outbox WHERE idempotency_key = $1`, [
    idempotencyKey,
  ]);
  return rows[0] ?? null;
}

/** The newest row (highest person version, then latest written) for a person, recipient and kind. */
export async function latestRowFor(
  db: Db,
  personId: string,
  recipient: Recipient,
  kind: OutboxKind,
  state?: OutboxState,
): Promise<OutboxRow | null> {
  const rows = await db.query<OutboxRow>(
    `SELECT ${COLUMNS} FROM outbox
      WHERE person_id = $1::uuid AND recipient = $2 AND kind = $3 AND ($4::text IS NULL OR state = $4)
      ORDER BY person_version DESC, created_at DESC, id DESC LIMIT 1`,
    [personId, recipient, kind, state ?? null],
  );
  return rows[0] ?? null;
}

/** Is there a row for the same person, recipient and kind written by a later reconciliation? */
export async function newerRowExists(
  db: Db,
  personId: string,
  recipient: Recipient,
  kind: OutboxKind,
  personVersion: number,
): Promise<boolean> {
  const rows = await db.query<{ newer: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM outbox WHERE person_id = $1::uuid AND recipient = $2 AND kind = $3
                      AND person_version > $4) AS newer`,
    [personId, recipient, kind, personVersion],
  );
  return rows[0]?.newer === true;
}

const plusMs = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();

/**
 * Claims a row for one delivery attempt: PENDING and due (or IN_FLIGHT with a lapsed lease) becomes
 * IN_FLIGHT for `leaseMs`, and `attempts` counts up. Null when the row is DELIVERED, DEAD, SUPERSEDED, not
 * due yet (an agency's Retry-After), leased to someone, or another row for the same person and recipient
 * is in flight. Atomic: of two claimers, one wins.
 */
export async function claimForDelivery(
  db: Db,
  id: string,
  worker: string,
  leaseMs: number,
  now: string = new Date().toISOString(),
): Promise<OutboxRow | null> {
  return (await claimNewestForDelivery(db, id, worker, leaseMs, now))?.row ?? null;
}

/**
 * A row IN_FLIGHT under this same claimer's name is claimed again at once: its own earlier attempt was
 * cut short after claiming (the store went down before the outcome could be settled), and only the push
 * job for this row runs it, so nobody else is sending it. Waiting out its own lease would stall the row
 * for a minute after every database restart. A re-send goes under the same Idempotency-Key, which the
 * agency recognises.
 *
 * `claimForDelivery`, also saying whether, at the claim, a row for the same person, recipient and kind
 * written by a later reconciliation exists (`newerRowExists`): the claim and the check are one statement.
 */
export async function claimNewestForDelivery(
  db: Db,
  id: string,
  worker: string,
  leaseMs: number,
  now: string = new Date().toISOString(),
): Promise<{ row: OutboxRow; newerExists: boolean } | null> {
  if (!isOutboxId(id)) return null;
  if (!Number.isInteger(leaseMs) || leaseMs < 1) {
    throw new BridgeError("BRIDGE_E_INTERNAL", "a claim needs a positive lease");
  }
  return db.transaction(async (tx) => {
    // Serialise claims for one person and recipient, so the "none in flight" check below cannot race.
    const target = await tx.query(
      `SELECT pg_advisory_xact_lock(hashtext('outbox:' || COALESCE(person_id::text, id::text) || ':' || recipient))
         FROM outbox WHERE id = $1::uuid`,
      [id],
    );
    if (!target[0]) return null;
    const claimed = await tx.query<OutboxRow & { newerExists: boolean }>(
      `UPDATE outbox o SET state = 'IN_FLIGHT', claimed_by = $2, claimed_until = $4, attempts = attempts + 1
        WHERE o.id = $1::uuid
          AND ((o.state = 'PENDING' AND o.available_at <= $3)
               OR (o.state = 'IN_FLIGHT' AND (o.claimed_until <= $3 OR o.claimed_by = $2)))
          AND NOT EXISTS (
            SELECT 1 FROM outbox b
             WHERE b.person_id = o.person_id AND b.recipient = o.recipient AND b.id <> o.id
               AND b.state = 'IN_FLIGHT' AND b.claimed_until > $3)
        RETURNING ${COLUMNS},
          EXISTS (SELECT 1 FROM outbox n WHERE n.person_id = o.person_id AND n.recipient = o.recipient
                     AND n.kind = o.kind AND n.person_version > o.person_version) AS "newerExists"`,
      [id, worker, now, plusMs(now, leaseMs)],
    );
    const first = claimed[0];
    if (!first) return null;
    const { newerExists, ...row } = first;
    return { row, newerExists };
  });
}

/** IN_FLIGHT (or PENDING) -> DELIVERED. False when the row was already settled. */
export async function markDelivered(db: Db, id: string, at: string): Promise<boolean> {
  const rows = await db.query(
    `UPDATE outbox SET state = 'DELIVERED', delivered_at = $2, claimed_by = NULL, claimed_until = NULL,
            last_error = NULL
      WHERE id = $1::uuid AND state IN ('PENDING', 'IN_FLIGHT') RETURNING id`,
    [id, at],
  );
  return rows.length === 1;
}

/**
 * A newer row for the same person, recipient and kind exists: this one is never sent. With `audit`, the
 * change is audited (OUTBOX_SUPERSEDED) in the same statement, when it happens.
 */
export async function markSuperseded(db: Db, id: string, audit?: AuditEventInput): Promise<boolean> {
  const rows = await db.query(
    `WITH s AS (
       UPDATE outbox SET state = 'SUPERSEDED', claimed_by = NULL, claimed_until = NULL
        WHERE id = $1::uuid AND state IN ('PENDING', 'IN_FLIGHT') RETURNING id
     )
     SELECT id${audit ? `, ${auditAppendSql(2)} AS seq` : ""} FROM s`,
    audit ? [id, auditEntries([audit])] : [id],
  );
  return rows.length === 1;
}

/** Permanent failure (or attempts exhausted): the row stays for a person to look at and replay. */
export async function markDead(db: Db, id: string, error: string): Promise<boolean> {
  const rows = await db.query(
    `UPDATE outbox SET state = 'DEAD', claimed_by = NULL, claimed_until = NULL, last_error = $2
      WHERE id = $1::uuid AND state IN ('PENDING', 'IN_FLIGHT') RETURNING id`,
    [id, error],
  );
  return rows.length === 1;
}

/** A transient failure: back to PENDING, due again at `availableAt` (the sweeper's fallback time). */
export async function releaseForRetry(
  db: Db,
  id: string,
  availableAt: string,
  error: string,
): Promise<boolean> {
  const rows = await db.query(
    `UPDATE outbox SET state = 'PENDING', claimed_by = NULL, claimed_until = NULL, available_at = $2,
            last_error = $3
      WHERE id = $1::uuid AND state = 'IN_FLIGHT' RETURNING id`,
    [id, availableAt, error],
  );
  return rows.length === 1;
}

/** A dead letter replayed: DEAD -> PENDING, due now. False unless the row was DEAD. */
export async function reopenDead(db: Db, id: string, now: string): Promise<boolean> {
  if (!isOutboxId(id)) return false;
  const rows = await db.query(
    `UPDATE outbox SET state = 'PENDING', available_at = $2 WHERE id = $1::uuid AND state = 'DEAD' RETURNING id`,
    [id, now],
  );
  return rows.length === 1;
}

/** Rows the sweeper should (re-)enqueue: PENDING and due, or IN_FLIGHT with a lapsed lease. Oldest first. */
export async function pendingDue(
  db: Db,
  now: string,
  limit = 500,
): Promise<{ id: string; recipient: Recipient; availableAt: string }[]> {
  return db.query(
    `SELECT id, recipient, available_at AS "availableAt" FROM outbox
      WHERE (state = 'PENDING' AND available_at <= $1) OR (state = 'IN_FLIGHT' AND claimed_until <= $1)
      ORDER BY available_at, id LIMIT $2`,
    [now, limit],
  );
}

export interface OutboxFilters {
  state?: OutboxState | readonly OutboxState[];
  recipient?: Recipient;
  kind?: OutboxKind;
  personId?: string;
  /** Only the persons a caller may see (their force, limited access): src/auth/visibility.ts. */
  scope?: PersonScope;
  /** 1..500, default 50. */
  limit?: number;
  /** From a previous page's `nextCursor`. */
  cursor?: string | null;
}

export interface OutboxPage {
  items: OutboxSummary[];
  /** Null on the last page. */
  nextCursor: string | null;
}

export const MAX_OUTBOX_PAGE = 500;

/** Outbox rows (without bodies) matching every filter, newest first, keyset-paged on (created_at, id). */
export async function listOutbox(db: Db, filters: OutboxFilters = {}): Promise<OutboxPage> {
  const limit = filters.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_OUTBOX_PAGE) {
    throw new BridgeError("BRIDGE_E_USAGE", `limit must be a whole number from 1 to ${MAX_OUTBOX_PAGE}`);
  }
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (clause: (p: string) => string, value: unknown) => {
    params.push(value);
    where.push(clause(`$${params.length}`));
  };
  if (filters.state) {
    add(
      (p) => `state = ANY(${p}::text[])`,
      typeof filters.state === "string" ? [filters.state] : filters.state,
    );
  }
  if (filters.recipient) add((p) => `recipient = ${p}`, filters.recipient);
  if (filters.kind) add((p) => `kind = ${p}`, filters.kind);
  if (filters.personId) {
    if (!isOutboxId(filters.personId)) return { items: [], nextCursor: null };
    add((p) => `person_id = ${p}::uuid`, filters.personId);
  }
  if (filters.scope) where.push(...scopeClauses(filters.scope, "person_id", params));
  if (filters.cursor) {
    const [createdAt, id] = decodeCursor(filters.cursor);
    params.push(createdAt, id);
    where.push(`(created_at, id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
  }
  params.push(limit + 1);
  const rows = await db.query<OutboxSummary>(
    `SELECT ${SUMMARY_COLUMNS} FROM outbox ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
      ORDER BY created_at DESC, id DESC LIMIT $${params.length}`,
    params,
  );
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(last.createdAt, last.id) : null };
}

export type { OutboxKind, OutboxSources, OutboxState, Recipient };
