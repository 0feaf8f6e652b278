import { afterEach, describe, expect, it } from "vitest";
import { type Db, dropSchema, openDb } from "../../src/store/db.ts";
import { openStore } from "../../src/store/index.ts";
import {
  checksumOf,
  loadMigrations,
  type Migration,
  migrate,
  pendingMigrations,
} from "../../src/store/migrate.ts";
import { recordAudit } from "../../src/store/repositories/audit.ts";
import { DATABASE_URL, DRIVERS, rejectionCode, uniqueSchema } from "./support.ts";

const migration = (version: number, name: string, sql: string): Migration => ({
  version,
  name,
  sql,
  checksum: checksumOf(sql),
});

describe.each(DRIVERS)("migrations on $driver", (driver) => {
  const opened: Db[] = [];
  const open = async (schema = uniqueSchema()) => {
    const db = await openDb(driver.config(schema));
    opened.push(db);
    return db;
  };
  afterEach(async () => {
    for (const db of opened.splice(0)) {
      await dropSchema(db).catch(() => {});
      await db.close();
    }
  });

  it("applies every migration in order, records them, and applies nothing on a second run", async () => {
    const db = await open();
    const files = loadMigrations();
    expect(files.map((m) => m.version)).toEqual(files.map((_, i) => i + 1));
    expect((await pendingMigrations(db)).map((m) => m.version)).toEqual(files.map((m) => m.version));

    expect((await migrate(db)).map((m) => m.version)).toEqual(files.map((m) => m.version));
    const ledger = await db.query<{ version: number; name: string; checksum: string; appliedAt: string }>(
      `SELECT version, name, checksum, applied_at AS "appliedAt" FROM schema_migrations ORDER BY version`,
    );
    expect(ledger.map(({ version, name, checksum }) => ({ version, name, checksum }))).toEqual(
      files.map(({ version, name, checksum }) => ({ version, name, checksum })),
    );
    expect(ledger[0]?.appliedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

    expect(await migrate(db)).toEqual([]);
    expect(await pendingMigrations(db)).toEqual([]);
    const tables = await db.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name",
      [db.schema],
    );
    expect(tables.map((t) => t.table_name)).toEqual(
      expect.arrayContaining([
        "raw_exports",
        "oasys_assessments",
        "arms_revisions",
        "arms_current",
        "persons",
      ]),
    );
    expect(tables.map((t) => t.table_name)).toEqual(
      expect.arrayContaining(["conflicts", "conflict_events", "audit_events", "outbox", "dead_letters"]),
    );
  });

  it("openStore opens the database and brings it up to date in one call", async () => {
    const db = await openStore(driver.config(uniqueSchema()));
    opened.push(db);
    expect(await pendingMigrations(db)).toEqual([]);
  });

  it("applies only the new migration when one is added later", async () => {
    const db = await open();
    const first = [migration(1, "one", "CREATE TABLE one (id integer)")];
    await migrate(db, first);
    const added = [...first, migration(2, "two", "CREATE TABLE two (id integer)")];
    expect((await pendingMigrations(db, added)).map((m) => m.name)).toEqual(["two"]);
    expect((await migrate(db, added)).map((m) => m.name)).toEqual(["two"]);
  });

  it("refuses to start when an applied migration has been edited", async () => {
    const db = await open();
    await migrate(db, [migration(1, "one", "CREATE TABLE one (id integer)")]);
    const edited = [migration(1, "one", "CREATE TABLE one (id bigint)")];
    expect(await rejectionCode(migrate(db, edited))).toBe("BRIDGE_E_STORE_MIGRATION");
    expect(await rejectionCode(pendingMigrations(db, edited))).toBe("BRIDGE_E_STORE_MIGRATION");
  });

  it("refuses a database that holds a migration the code does not know", async () => {
    const db = await open();
    await migrate(db, [migration(1, "one", "SELECT 1"), migration(2, "two", "SELECT 2")]);
    expect(await rejectionCode(migrate(db, [migration(1, "one", "SELECT 1")]))).toBe(
      "BRIDGE_E_STORE_MIGRATION",
    );
  });

  it("applies all pending migrations or none: a failing one rolls back the run", async () => {
    const db = await open();
    const broken = [
      migration(1, "good", "CREATE TABLE good (id integer)"),
      migration(2, "bad", "CREATE TABLE bad (id no_such_type)"),
    ];
    expect(await rejectionCode(migrate(db, broken))).toBe("BRIDGE_E_STORE_MIGRATION");
    expect(await rejectionCode(db.query("SELECT * FROM good"))).toBe("42P01");
    expect((await pendingMigrations(db, broken)).map((m) => m.name)).toEqual(["good", "bad"]);
  });

  it("keeps history tables append-only", async () => {
    const db = await open();
    await migrate(db);
    await recordAudit(db, {
      at: "2026-11-20T09:00:00.000Z",
      actor: "bridge",
      action: "EXPORT_RECEIVED",
      subjectType: "EXPORT",
      subjectId: "x",
    });
    expect(await rejectionCode(db.query("UPDATE audit_events SET actor = 'someone else'"))).toBe("23001");
    expect(await rejectionCode(db.query("DELETE FROM audit_events"))).toBe("23001");
    expect(await rejectionCode(db.query("TRUNCATE audit_events"))).toBe("23001");
    expect(await rejectionCode(db.query("TRUNCATE conflict_events"))).toBe("23001");
    // Rows are appended through audit_append() only, so none can be written outside the chain.
    expect(
      await rejectionCode(
        db.query(
          `INSERT INTO audit_events (seq, at, category, action, actor, actor_role, subject_type, subject_id,
              subject_ids, sources, justification, prev_hash, hash)
           SELECT 2, now(), 'COLLECTION', 'EXPORT_RECEIVED', 'bridge', 'SYSTEM', 'EXPORT', 'y', '{}', '[]',
              'j', hash, hash FROM audit_events`,
        ),
      ),
    ).toBe("23001");
  });
});

describe("migrations on PostgreSQL, two processes starting together", () => {
  it("migrates once: the advisory lock makes the second wait and find nothing pending", async () => {
    const schema = uniqueSchema();
    const processes = await Promise.all(
      Array.from({ length: 4 }, () => openDb({ databaseUrl: DATABASE_URL, schema, poolSize: 2 })),
    );
    try {
      const applied = await Promise.all(processes.map((db) => migrate(db)));
      const counts = applied.map((a) => a.length).sort();
      const total = loadMigrations().length;
      expect(counts).toEqual([0, 0, 0, total]);
      const [ledger] = await processes[0]!.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM schema_migrations",
      );
      expect(ledger?.n).toBe(total);
    } finally {
      await dropSchema(processes[0]!);
      await Promise.all(processes.map((db) => db.close()));
    }
  });
});
