/**
 * The PostgreSQL store rides out a database restart (issue 10, defect 2), on a private server this file
 * restarts (tests/support/private-postgres.ts), never the shared one. While transactions hold clients
 * checked out of the pool (one in the middle of a statement, one between statements), the server is
 * restarted with `pg_ctl -m fast` (sessions terminated, 57P01) and `-m immediate` (no clean shutdown):
 * - no 'error' event goes unheard: in a real process that is an uncaught exception and the end of it;
 * - each interrupted transaction rejects with BRIDGE_E_STORE_UNAVAILABLE, the transient code the queue
 *   retries on, and none of its work is kept;
 * - while the server is down, statements and transactions reject with the same code;
 * - once it is back, the same Db works again, on fresh connections (no dead one is lent out).
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { BridgeError } from "../../src/errors.ts";
import { classify } from "../../src/queue/failure.ts";
import { type Db, openDb } from "../../src/store/db.ts";
import { waitFor } from "../queue/support.ts";
import { type PrivatePostgres, startPrivatePostgres } from "../support/private-postgres.ts";
import { rejectionCode, uniqueSchema } from "./support.ts";

const POOL_SIZE = 4;
const RESTART_TIMEOUT_MS = 90_000;

let server: PrivatePostgres;
let db: Db;
let observer: Db;
const uncaught: unknown[] = [];
const onUncaught = (error: unknown) => uncaught.push(error);

beforeAll(async () => {
  server = await startPrivatePostgres();
  const schema = uniqueSchema();
  db = await openDb({ databaseUrl: server.url, schema, poolSize: POOL_SIZE });
  await db.exec("CREATE TABLE probe (id integer PRIMARY KEY, note text)");
  // A second handle, only to watch the server's sessions.
  observer = await openDb({ databaseUrl: server.url, schema, poolSize: 1 });
  process.on("uncaughtException", onUncaught);
}, RESTART_TIMEOUT_MS);

afterAll(async () => {
  process.off("uncaughtException", onUncaught);
  await observer?.close().catch(() => {});
  await db?.close().catch(() => {});
  await server?.stop();
});

beforeEach(async () => {
  uncaught.length = 0;
  await db.query("DELETE FROM probe");
});

afterEach(() => {
  expect(uncaught.map(String), "errors nobody handled (each would have ended the process)").toEqual([]);
});

/** Sessions of this schema's pool doing `what` (pg_stat_activity), as seen from the observer. */
async function sessions(state: string, queryLike: string): Promise<number> {
  const [row] = await observer.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE application_name = 'oasys-arms-bridge' AND state = $1 AND query LIKE $2 AND pid <> pg_backend_pid()`,
    [state, queryLike],
  );
  return row?.n ?? 0;
}

describe.each(["fast", "immediate"] as const)("a PostgreSQL restart (-m %s)", (mode) => {
  it(
    "fails the transactions it interrupts as BRIDGE_E_STORE_UNAVAILABLE, crashes nothing, and the same Db works afterwards",
    async () => {
      // One transaction in the middle of a statement...
      const sleeping = rejectionCode(
        db.transaction(async (tx) => {
          await tx.query("INSERT INTO probe VALUES (1, 'sleeping')");
          await tx.query("SELECT pg_sleep(20)");
        }),
      );
      // ...and one holding its client between statements, until told to go on.
      let goOn!: () => void;
      const gate = new Promise<void>((resolve) => {
        goOn = resolve;
      });
      let holding!: () => void;
      const held = new Promise<void>((resolve) => {
        holding = resolve;
      });
      const idle = rejectionCode(
        db.transaction(async (tx) => {
          await tx.query("INSERT INTO probe VALUES (2, 'idle')");
          holding();
          await gate;
          await tx.query("INSERT INTO probe VALUES (3, 'after the restart')");
        }),
      );
      await held;
      await waitFor(
        "the statement running on the server",
        async () => (await sessions("active", "SELECT pg_sleep%")) === 1,
      );

      const whileDown: { query?: string | undefined; transaction?: string | undefined } = {};
      await server.restart({
        mode,
        whileDown: async () => {
          whileDown.query = await rejectionCode(db.query("SELECT 1"));
          whileDown.transaction = await rejectionCode(db.transaction((tx) => tx.query("SELECT 1")));
        },
      });
      goOn();

      expect(await sleeping).toBe("BRIDGE_E_STORE_UNAVAILABLE");
      expect(await idle).toBe("BRIDGE_E_STORE_UNAVAILABLE");
      expect(whileDown).toEqual({
        query: "BRIDGE_E_STORE_UNAVAILABLE",
        transaction: "BRIDGE_E_STORE_UNAVAILABLE",
      });

      // Back: the same Db answers again, by itself.
      await waitFor("the Db to answer again", async () => (await db.query("SELECT 1 AS one"))[0]?.one === 1);
      // Every client the pool lends now works: more transactions at once than the pool holds, so every
      // connection in it is used, each inserting and reading back.
      const ids = Array.from({ length: POOL_SIZE * 2 }, (_, i) => 100 + i);
      await Promise.all(
        ids.map((id) =>
          db.transaction(async (tx) => {
            await tx.query("INSERT INTO probe VALUES ($1, 'after')", [id]);
            await tx.query("SELECT pg_sleep(0.05)");
          }),
        ),
      );
      const rows = await db.query<{ id: number }>("SELECT id FROM probe ORDER BY id");
      // Nothing of the interrupted transactions was kept.
      expect(rows.map((r) => r.id)).toEqual(ids);
    },
    RESTART_TIMEOUT_MS,
  );
});

describe("how the queue reads a store outage", () => {
  it("BRIDGE_E_STORE_UNAVAILABLE is transient: retried with backoff, not dead-lettered on a first attempt", () => {
    const fault = classify(new BridgeError("BRIDGE_E_STORE_UNAVAILABLE", "57P01"));
    expect(fault).toMatchObject({ permanent: false, code: "BRIDGE_E_STORE_UNAVAILABLE" });
  });
});
