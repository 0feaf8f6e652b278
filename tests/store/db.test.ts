import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Db, dropSchema, openDb } from "../../src/store/db.ts";
import { DATABASE_URL, DRIVERS, rejectionCode, uniqueSchema } from "./support.ts";

describe.each(DRIVERS)("Db on $driver", (driver) => {
  let db: Db;
  beforeAll(async () => {
    db = await openDb(driver.config(uniqueSchema()));
    await db.exec("CREATE TABLE probe (id integer PRIMARY KEY, note text)");
  });
  afterAll(async () => {
    await dropSchema(db);
    await db.close();
  });

  it("reports its driver and works inside its own schema", async () => {
    expect(db.driver).toBe(driver.driver);
    const [row] = await db.query<{ schema: string }>("SELECT current_schema() AS schema");
    expect(row?.schema).toBe(db.schema);
  });

  it("reads values the same way on both drivers", async () => {
    const [row] = await db.query(
      `SELECT '2026-10-03 14:05:00+01'::timestamptz AS at, 9007199254740991::bigint AS big, '2026-02-01'::date AS day,
              '{"a":[1,{"b":null}]}'::jsonb AS doc, ARRAY['x','y'] AS list, '\\x0102ff'::bytea AS bytes`,
    );
    expect(row).toMatchObject({
      at: "2026-10-03T13:05:00.000Z",
      big: 9007199254740991,
      day: "2026-02-01",
      doc: { a: [1, { b: null }] },
      list: ["x", "y"],
    });
    expect(Array.from(row!.bytes as Uint8Array)).toEqual([1, 2, 255]);
  });

  it("refuses a bigint that would lose precision rather than rounding it", async () => {
    await expect(db.query("SELECT 9007199254740993::bigint AS n")).rejects.toThrow(/safe integer/);
  });

  it("commits a transaction that resolves and rolls back one that throws", async () => {
    await db.transaction(async (tx) => {
      await tx.query("INSERT INTO probe VALUES (1, 'kept')");
    });
    await expect(
      db.transaction(async (tx) => {
        await tx.query("INSERT INTO probe VALUES (2, 'lost')");
        throw new Error("stop");
      }),
    ).rejects.toThrow("stop");
    const rows = await db.query<{ id: number }>("SELECT id FROM probe ORDER BY id");
    expect(rows.map((r) => r.id)).toEqual([1]);
  });

  it("nests transactions as savepoints: an inner failure undoes only the inner work", async () => {
    await db.transaction(async (tx) => {
      await tx.query("INSERT INTO probe VALUES (10, 'outer')");
      await expect(
        tx.transaction(async (inner) => {
          await inner.query("INSERT INTO probe VALUES (11, 'inner')");
          await inner.query("INSERT INTO probe VALUES (10, 'duplicate')");
        }),
      ).rejects.toMatchObject({ code: "23505" });
      await tx.query("INSERT INTO probe VALUES (12, 'after')");
    });
    const rows = await db.query<{ id: number }>("SELECT id FROM probe WHERE id >= 10 ORDER BY id");
    expect(rows.map((r) => r.id)).toEqual([10, 12]);
  });

  it("keeps SQL errors' SQLSTATE for callers", async () => {
    expect(await rejectionCode(db.query("INSERT INTO probe VALUES (1, 'again')"))).toBe("23505");
  });
});

describe("Db configuration", () => {
  it("refuses a schema name that is not a plain identifier", async () => {
    expect(await rejectionCode(openDb({ schema: 'x"; DROP TABLE y; --' }))).toBe("BRIDGE_E_CONFIG_INVALID");
  });

  it("reports an unreachable PostgreSQL as BRIDGE_E_STORE_UNAVAILABLE", async () => {
    const code = await rejectionCode(openDb({ databaseUrl: "postgresql://postgres@127.0.0.1:1/test" }));
    expect(code).toBe("BRIDGE_E_STORE_UNAVAILABLE");
  });

  it("keeps working when a table its prepared statements read changes shape under them", async () => {
    // One connection, so the second read meets the statement the first one prepared.
    const db = await openDb({ databaseUrl: DATABASE_URL, schema: uniqueSchema(), poolSize: 1 });
    const read = "SELECT * FROM reshaped WHERE id = $1";
    try {
      await db.exec("CREATE TABLE reshaped (id integer PRIMARY KEY); INSERT INTO reshaped VALUES (1)");
      expect(await db.query(read, [1])).toEqual([{ id: 1 }]);
      expect(await db.transaction((tx) => tx.query(read, [1]))).toEqual([{ id: 1 }]);
      // What a newer deployment's migration does while this process runs.
      await db.exec("ALTER TABLE reshaped ADD COLUMN note text DEFAULT 'added'");
      expect(await db.transaction((tx) => tx.query(read, [1]))).toEqual([{ id: 1, note: "added" }]);
      await db.exec("ALTER TABLE reshaped ADD COLUMN flag boolean DEFAULT true");
      expect(await db.query(read, [1])).toEqual([{ id: 1, note: "added", flag: true }]);
    } finally {
      await dropSchema(db);
      await db.close();
    }
  });

  it("isolates schemas on one PostgreSQL: a table in one is invisible from another", async () => {
    const a = await openDb({ databaseUrl: DATABASE_URL, schema: uniqueSchema() });
    const b = await openDb({ databaseUrl: DATABASE_URL, schema: uniqueSchema() });
    try {
      await a.exec("CREATE TABLE only_in_a (id integer)");
      expect(await rejectionCode(b.query("SELECT * FROM only_in_a"))).toBe("42P01");
    } finally {
      await dropSchema(a);
      await dropSchema(b);
      await Promise.all([a.close(), b.close()]);
    }
  });

  it("keeps an embedded PGlite store in a data directory across restarts", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "bridge-pglite-"));
    try {
      const first = await openDb({ dataDir });
      await first.exec("CREATE TABLE kept (note text); INSERT INTO kept VALUES ('still here')");
      await first.close();
      const second = await openDb({ dataDir });
      expect(await second.query("SELECT note FROM kept")).toEqual([{ note: "still here" }]);
      await second.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
