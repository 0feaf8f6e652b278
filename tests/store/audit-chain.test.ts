/**
 * The audit chain (migration 0006, src/store/repositories/audit.ts and audit-chain.ts) on both drivers:
 * appends number entries gap-free and link each to the one before; the hash is the definition written in
 * src/store/README.md; verification (an implementation independent of the database's) finds an altered
 * entry, a re-hashed one, a deleted one and a deleted tail at their seq; rolled-back appends leave no gap;
 * an erased prefix verifies through its attested checkpoint; entries recorded before the chain join it.
 * On PostgreSQL, many transactions appending at once make one unbroken chain.
 */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Db, dropSchema, openDb } from "../../src/store/db.ts";
import { loadMigrations, migrate } from "../../src/store/migrate.ts";
import { type AuditEventInput, auditTrail, recordAudits } from "../../src/store/repositories/audit.ts";
import { entryHash, GENESIS_HASH, verifyChain } from "../../src/store/repositories/audit-chain.ts";
import { DATABASE_URL, DRIVERS, freshStore, uniqueSchema } from "./support.ts";

const PERSON = "6f1c1b8e-2a52-4a3e-9d2b-0c8f9a0b1c2d";

const event = (n: number, over: Partial<AuditEventInput> = {}): AuditEventInput => ({
  at: `2026-11-20T10:00:${String(n % 60).padStart(2, "0")}.000Z`,
  actor: "bridge",
  action: "EXPORT_RECEIVED",
  subjectType: "EXPORT",
  subjectId: `export-${n}`,
  details: { n },
  ...over,
});

/** Edits the chain behind the database's back, as an attacker with the table's owner rights could. */
async function tamper(db: Db, sql: string, params: unknown[] = []): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only");
    await tx.query(sql, params);
    await tx.query("ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only");
  });
}

describe.each(DRIVERS)("the audit chain on $driver", (driver) => {
  let db: Db;
  let done: () => Promise<void>;

  beforeEach(async () => {
    ({ db, done } = await freshStore(driver));
    return () => done();
  });

  it("appends each batch in order, numbered 1..n, each entry linked to the one before", async () => {
    expect(await recordAudits(db, [event(1), event(2)])).toBe(2);
    expect(await recordAudits(db, [])).toBeNull();
    expect(await recordAudits(db, [event(3, { action: "RECORD_PUSHED", subjectType: "OUTBOX" })])).toBe(3);
    const rows = await db.query<{ seq: number; category: string; prevHash: string; hash: string }>(
      `SELECT seq, category, prev_hash AS "prevHash", hash FROM audit_events ORDER BY seq`,
    );
    expect(rows.map((r) => [r.seq, r.category])).toEqual([
      [1, "COLLECTION"],
      [2, "COLLECTION"],
      [3, "DISCLOSURE"],
    ]);
    expect(rows[0]?.prevHash).toBe(GENESIS_HASH);
    expect(rows[1]?.prevHash).toBe(rows[0]?.hash);
    expect(rows[2]?.prevHash).toBe(rows[1]?.hash);
    expect(await verifyChain(db)).toMatchObject({ ok: true, checked: 3, headSeq: 3, broken: null });
  });

  it("hashes the entry exactly as src/store/README.md defines it (RFC 8785 JSON, SHA-256)", async () => {
    await recordAudits(db, [
      {
        at: "2026-11-20T10:00:00.5Z",
        actor: "reviewer-7",
        agency: "PROBATION",
        action: "CONFLICT_RESOLVED",
        subjectType: "CONFLICT",
        subjectId: "c-1",
        personId: PERSON,
        sources: [{ type: "ARMS_REVISION", id: "ARMS-1", version: 3 }],
        justification: 'four-eyes "done"\n',
        correlationId: "req-1",
        details: { state: "RESOLVED", b: [2, 1], a: null },
      },
    ]);
    // Written out by hand: keys sorted, no spaces, the stored forms (ms-precision UTC time, typed ids).
    const canonical =
      '{"action":"CONFLICT_RESOLVED","actor":"reviewer-7","agency":"PROBATION","at":"2026-11-20T10:00:00.500Z",' +
      '"category":"ALTERATION","correlationId":"req-1","details":{"a":null,"b":[2,1],"state":"RESOLVED"},' +
      '"justification":"four-eyes \\"done\\"\\n","personId":"6f1c1b8e-2a52-4a3e-9d2b-0c8f9a0b1c2d",' +
      `"prevHash":"${GENESIS_HASH}","role":"REVIEWER","seq":1,` +
      '"sources":[{"id":"ARMS-1","type":"ARMS_REVISION","version":3}],"subjectId":"c-1",' +
      '"subjectIds":["conflict:c-1","person:6f1c1b8e-2a52-4a3e-9d2b-0c8f9a0b1c2d"],"subjectType":"CONFLICT"}';
    const [row] = await db.query<{ hash: string }>("SELECT hash FROM audit_events WHERE seq = 1");
    expect(row?.hash).toBe(createHash("sha256").update(canonical, "utf8").digest("hex"));
  });

  it("reports an altered entry at its seq, and a re-hashed one at the next entry's link", async () => {
    await recordAudits(db, [event(1), event(2), event(3), event(4)]);
    await tamper(db, `UPDATE audit_events SET details = '{"n": 99}' WHERE seq = 2`);
    expect((await verifyChain(db)).broken).toMatchObject({ seq: 2, reason: "ALTERED_CONTENT" });

    // The attacker recomputes the altered entry's hash: its successor's prev_hash no longer matches.
    await tamper(db, `UPDATE audit_events SET hash = $1 WHERE seq = 2`, ["f".repeat(64)]);
    const report = await verifyChain(db);
    expect(report.broken?.seq).toBe(2); // its content no longer hashes to the forged value...
    const [two] = await auditTrail(db, { subjectType: "EXPORT", subjectId: "export-2" });
    await tamper(db, `UPDATE audit_events SET hash = $1 WHERE seq = 2`, [entryHash(two!)]);
    expect((await verifyChain(db)).broken).toMatchObject({ seq: 3, reason: "BROKEN_PREV_LINK" });
  });

  it("reports a deleted entry, and a deleted last entry, as a missing seq", async () => {
    await recordAudits(db, [event(1), event(2), event(3)]);
    await tamper(db, "DELETE FROM audit_events WHERE seq = 3");
    expect((await verifyChain(db)).broken).toMatchObject({ seq: 3, reason: "MISSING_SEQ" });
    await tamper(db, "DELETE FROM audit_events WHERE seq = 2");
    expect((await verifyChain(db)).broken).toMatchObject({ seq: 2, reason: "MISSING_SEQ" });
    expect((await verifyChain(db, { fromSeq: 3 })).broken).toMatchObject({ seq: 2, reason: "MISSING_SEQ" });
  });

  it("verifies from a given seq onwards", async () => {
    await recordAudits(db, [event(1), event(2), event(3), event(4)]);
    await tamper(db, `UPDATE audit_events SET details = '{"n": 99}' WHERE seq = 1`);
    expect(await verifyChain(db, { fromSeq: 3 })).toMatchObject({ ok: true, checked: 2, fromSeq: 3 });
    expect((await verifyChain(db)).broken?.seq).toBe(1);
  });

  it("leaves no gap when an appending transaction rolls back", async () => {
    await recordAudits(db, [event(1)]);
    await expect(
      db.transaction(async (tx) => {
        await recordAudits(tx, [event(2), event(3)]);
        throw new Error("the work failed after its audit events");
      }),
    ).rejects.toThrow("the work failed");
    expect(await recordAudits(db, [event(4)])).toBe(2);
    expect(await verifyChain(db)).toMatchObject({ ok: true, checked: 2 });
  });

  it("keeps verifying after a prefix is erased through an attested checkpoint, and not without", async () => {
    await recordAudits(db, [event(1), event(2), event(3), event(4)]);
    const [hash2] = await db.query<{ hash: string }>("SELECT hash FROM audit_events WHERE seq = 2");
    await db.transaction(async (tx) => {
      await tx.query("SELECT audit_erase_through(2, $1, 'bridge', 'test')", ["2026-11-21T00:00:00Z"]);
      await recordAudits(tx, [
        event(5, {
          action: "RETENTION_ERASED",
          subjectType: "DATA_CLASS",
          subjectId: "audit",
          details: { checkpoint: { throughSeq: 2, hash: hash2!.hash } },
        }),
      ]);
    });
    expect(await verifyChain(db)).toMatchObject({
      ok: true,
      checked: 3,
      fromSeq: 3,
      checkpoint: { throughSeq: 2, hash: hash2!.hash },
    });
    // A checkpoint no ERASURE entry attests (slipped in to hide deleted entries) is refused.
    await db.transaction(async (tx) => {
      await tx.query("SELECT audit_erase_through(3, $1, 'bridge', 'test')", ["2026-11-21T00:00:00Z"]);
    });
    expect((await verifyChain(db)).broken).toMatchObject({ seq: 4, reason: "UNATTESTED_CHECKPOINT" });
  });
});

describe.each(DRIVERS)("entries recorded before the chain, on $driver", (driver) => {
  it("join it in id order when migration 0006 runs, and verify", async () => {
    const db = await openDb(driver.config(uniqueSchema()));
    try {
      const migrations = loadMigrations();
      await migrate(db, migrations.slice(0, 5));
      await db.query(
        `INSERT INTO audit_events (at, actor, action, subject_type, subject_id, person_id, details) VALUES
           ('2026-11-01T10:00:00.123456Z', 'bridge', 'EXPORT_RECEIVED', 'EXPORT', 'e-1', NULL, '{}'),
           ('2026-11-01T10:01:00Z', 'reviewer-a', 'CONFLICT_ACKNOWLEDGED', 'CONFLICT', 'c-1', $1, '{"n": 1}'),
           ('2026-11-01T10:02:00Z', 'bridge', 'RECORD_PUSHED', 'OUTBOX', 'o-1', $1, '{}')`,
        [PERSON],
      );
      await migrate(db, migrations);
      const trail = await auditTrail(db, { personId: PERSON });
      expect(trail.map((e) => [e.seq, e.category, e.role, e.subjectIds])).toEqual([
        [2, "ALTERATION", "REVIEWER", ["conflict:c-1", `person:${PERSON}`]],
        [3, "DISCLOSURE", "SYSTEM", ["outbox:o-1", `person:${PERSON}`]],
      ]);
      expect(await verifyChain(db)).toMatchObject({ ok: true, checked: 3 });
      expect(await recordAudits(db, [event(4)])).toBe(4);
      expect(await verifyChain(db)).toMatchObject({ ok: true, checked: 4 });
    } finally {
      await dropSchema(db);
      await db.close();
    }
  });
});

describe("the audit chain on PostgreSQL, many transactions appending at once", () => {
  let db: Db;
  beforeAll(async () => {
    db = await openDb({ databaseUrl: DATABASE_URL, schema: uniqueSchema(), poolSize: 12 });
    await migrate(db);
  });
  afterAll(async () => {
    await dropSchema(db);
    await db.close();
  });

  it("makes one unbroken chain, each transaction's batch contiguous, the rolled-back ones leaving no gap", async () => {
    const writers = 40;
    const results = await Promise.allSettled(
      Array.from({ length: writers }, (_, w) =>
        db.transaction(async (tx) => {
          // Work before the append, as a reconciliation does, then the batch, last.
          await tx.query("SELECT pg_sleep(0.001 * $1::int)", [w % 5]);
          await recordAudits(
            tx,
            [0, 1, 2].map((i) => event(w * 3 + i, { correlationId: `w-${w}` })),
          );
          if (w % 7 === 3) throw new Error("rolled back after appending");
        }),
      ),
    );
    const committed = results.filter((r) => r.status === "fulfilled").length;
    expect(committed).toBe(
      writers - Array.from({ length: writers }, (_, w) => w).filter((w) => w % 7 === 3).length,
    );
    const rows = await db.query<{ seq: number; correlationId: string }>(
      `SELECT seq, correlation_id AS "correlationId" FROM audit_events ORDER BY seq`,
    );
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: committed * 3 }, (_, i) => i + 1));
    for (let i = 0; i < rows.length; i += 3) {
      expect(new Set(rows.slice(i, i + 3).map((r) => r.correlationId)).size).toBe(1);
    }
    expect(await verifyChain(db)).toMatchObject({ ok: true, checked: committed * 3, headSeq: committed * 3 });
  });
});
