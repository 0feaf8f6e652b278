/**
 * One database interface over two drivers that speak the same SQL (PostgreSQL 15+):
 * - `pg` (node-postgres) against a PostgreSQL server when a database URL is configured: the system of record;
 * - PGlite (PostgreSQL compiled to WebAssembly, in-process) otherwise: in memory by default, or persistent
 *   in a data directory, so the CLI and the demo run with no server at all.
 *
 * Every session runs with `search_path` set to the configured schema (created when absent) and
 * `TimeZone=UTC`, so tests and parallel workers can each own a schema and timestamps read back in UTC.
 */
import { PGlite, type Transaction as PgliteTransaction } from "@electric-sql/pglite";
import pg from "pg";
import { BridgeError } from "../errors.ts";
import { SCHEMA_NAME, TEXT_PARSERS } from "./types.ts";

export type Driver = "postgres" | "pglite";

export interface Db {
  readonly driver: Driver;
  readonly schema: string;
  /** One statement, `$1..$n` parameters; returns the rows. Pass jsonb as `JSON.stringify(v)` with `::jsonb`. */
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** A script of several statements, no parameters (migrations). */
  exec(script: string): Promise<void>;
  /**
   * Runs `fn` in a transaction and commits when it resolves, rolls back when it throws. Inside a transaction
   * this nests as a savepoint. On PostgreSQL a serialization failure or deadlock re-runs `fn` (up to 3 times),
   * so `fn` must do nothing but database work. A connection lost meanwhile (a database restart or failover)
   * is not re-run here: the transaction rejects with BRIDGE_E_STORE_UNAVAILABLE, for the caller to retry.
   */
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface DbConfig {
  /** `postgresql://...`: use the PostgreSQL server. Absent: embedded PGlite. */
  databaseUrl?: string;
  /** Schema owning every table (default `bridge`). */
  schema?: string;
  /** PGlite only: a directory for a persistent embedded store (default: in memory). */
  dataDir?: string;
  /** PostgreSQL only. */
  poolSize?: number;
  statementTimeoutMs?: number;
}

export const DEFAULT_SCHEMA = "bridge";
const DEFAULT_POOL_SIZE = 10;
const DEFAULT_STATEMENT_TIMEOUT_MS = 30_000;
const TRANSACTION_ATTEMPTS = 3;
/** SQLSTATEs worth re-running a whole transaction for: serialization failure, deadlock. */
const RETRYABLE = new Set(["40001", "40P01"]);
/** Connection loss, shutdown, time-outs: the store is unavailable, the caller may retry later. */
const UNAVAILABLE = /^(08|57P0[1-3]|57014|53300)/;
const NETWORK = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EHOSTUNREACH", "ENOTFOUND", "EPIPE"]);
/** node-postgres' own words for a connection that is gone (it gives these errors no code). */
const LOST_CONNECTION =
  /Connection terminated|timeout exceeded when trying to connect|is not queryable|Client has encountered a connection error/;

export async function openDb(config: DbConfig = {}): Promise<Db> {
  const schema = config.schema ?? DEFAULT_SCHEMA;
  if (!SCHEMA_NAME.test(schema)) {
    throw new BridgeError("BRIDGE_E_CONFIG_INVALID", "schema must be a lower-case SQL identifier", {
      schema,
    });
  }
  return config.databaseUrl ? openPostgres(config.databaseUrl, schema, config) : openPglite(schema, config);
}

function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/** Keeps SQL errors as they are (callers test their SQLSTATE); turns loss of the database into a code. */
function translate(error: unknown): unknown {
  if (error instanceof BridgeError) return error;
  const code = sqlState(error);
  if (code && (UNAVAILABLE.test(code) || NETWORK.has(code))) {
    return new BridgeError("BRIDGE_E_STORE_UNAVAILABLE", code, { sqlState: code }, { cause: error });
  }
  if (error instanceof Error && LOST_CONNECTION.test(error.message)) {
    return new BridgeError("BRIDGE_E_STORE_UNAVAILABLE", "connection lost", {}, { cause: error });
  }
  return error;
}

/** The error a transaction ends with when its connection broke: the store is unavailable. */
function connectionLost(error: unknown, broken: Error): BridgeError {
  const translated = translate(error);
  if (translated instanceof BridgeError && translated.code === "BRIDGE_E_STORE_UNAVAILABLE")
    return translated;
  const fault = translate(broken);
  if (fault instanceof BridgeError && fault.code === "BRIDGE_E_STORE_UNAVAILABLE") return fault;
  return new BridgeError("BRIDGE_E_STORE_UNAVAILABLE", "connection lost", {}, { cause: broken });
}

const createSchemaSql = (schema: string) => `CREATE SCHEMA IF NOT EXISTS "${schema}"`;

async function ensureSchema(db: Db, schema: string): Promise<void> {
  try {
    await db.query(createSchemaSql(schema));
  } catch (error) {
    // Two processes creating the same schema at once: the loser sees a duplicate, which is fine.
    if (!["23505", "42P06"].includes(sqlState(error) ?? "")) throw error;
  }
}

/* ------------------------------------------------------------------ node-postgres */

interface Queryable {
  query(config: pg.QueryConfig): Promise<{ rows: unknown[] }>;
}

/**
 * Statements with parameters run as named prepared statements: PostgreSQL parses and plans each text once
 * per connection instead of on every call (most of its CPU per statement on the hot path). A name stands
 * for one text for the life of the process; the bridge's texts are a fixed set, and past the cap any
 * further texts (there should be none) simply run unnamed.
 */
const statementNames = new Map<string, string>();
const MAX_NAMED_STATEMENTS = 1000;
let statementsNamed = 0;

function statementName(sql: string): string | undefined {
  let name = statementNames.get(sql);
  if (name === undefined && statementNames.size < MAX_NAMED_STATEMENTS) {
    name = `bridge_${++statementsNamed}`;
    statementNames.set(sql, name);
  }
  return name;
}

/**
 * A table a prepared statement reads changed shape under it (a migration applied by a newer deployment
 * while this process runs): PostgreSQL refuses the old plan ("cached plan must not change result type").
 * Every text then gets a fresh name, prepared anew on each connection, and the statement is run again:
 * at once outside a transaction, by re-running the transaction inside one.
 */
const isStalePlan = (error: unknown): boolean =>
  sqlState(error) === "0A000" && /cached plan/.test((error as Error).message);

async function runQuery<T>(target: Queryable, sql: string, params?: readonly unknown[]): Promise<T[]> {
  try {
    const result = await target.query(
      params ? { text: sql, values: [...params], name: statementName(sql) } : { text: sql },
    );
    return result.rows as T[];
  } catch (error) {
    if (isStalePlan(error)) statementNames.clear();
    throw translate(error);
  }
}

/** Outside a transaction: a statement refused for a stale plan runs once more under a fresh name. */
async function runPooled<T>(pool: pg.Pool, sql: string, params?: readonly unknown[]): Promise<T[]> {
  try {
    return await runQuery<T>(pool, sql, params);
  } catch (error) {
    if (!isStalePlan(error)) throw error;
    return runQuery<T>(pool, sql, params);
  }
}

function savepointTransaction(tx: Db, counter: { n: number }) {
  return async <T>(fn: (tx: Db) => Promise<T>): Promise<T> => {
    const name = `sp_${++counter.n}`;
    await tx.query(`SAVEPOINT ${name}`);
    try {
      const result = await fn(tx);
      await tx.query(`RELEASE SAVEPOINT ${name}`);
      return result;
    } catch (error) {
      await tx.query(`ROLLBACK TO SAVEPOINT ${name}`);
      throw error;
    }
  };
}

function refuseClose(): Promise<void> {
  return Promise.reject(new BridgeError("BRIDGE_E_INTERNAL", "close() called inside a transaction"));
}

function clientDb(client: pg.PoolClient, schema: string): Db {
  const counter = { n: 0 };
  const tx: Db = {
    driver: "postgres",
    schema,
    query: (sql, params) => runQuery(client, sql, params),
    exec: async (script) => {
      await runQuery(client, script);
    },
    transaction: (fn) => savepointTransaction(tx, counter)(fn),
    close: refuseClose,
  };
  return tx;
}

async function openPostgres(url: string, schema: string, config: DbConfig): Promise<Db> {
  const timeout = config.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS;
  const pool = new pg.Pool({
    connectionString: url,
    max: config.poolSize ?? DEFAULT_POOL_SIZE,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 5_000,
    application_name: "oasys-arms-bridge",
    options: `-c search_path=${schema} -c TimeZone=UTC -c DateStyle=ISO -c statement_timeout=${timeout}`,
    types: {
      getTypeParser: ((oid: number, format?: string) =>
        TEXT_PARSERS[oid] ?? pg.types.getTypeParser(oid, format as "text")) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client losing its connection (a database restart terminates every session) must not crash
  // the process: the pool discards it, and the next query opens a fresh connection.
  pool.on("error", () => {});

  const db: Db = {
    driver: "postgres",
    schema,
    query: (sql, params) => runPooled(pool, sql, params),
    exec: async (script) => {
      await runQuery(pool, script);
    },
    async transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
      for (let attempt = 1; ; attempt++) {
        let client: pg.PoolClient;
        try {
          client = await pool.connect();
        } catch (error) {
          throw translate(error);
        }
        // While a client is checked out the pool does not listen to it, and node-postgres emits 'error' on it
        // when its connection breaks (the server terminating sessions on shutdown, 57P01; a crash; a network
        // cut), even in the middle of a statement. Unheard, that event ends the process. Heard, it marks the
        // client broken: the transaction fails as BRIDGE_E_STORE_UNAVAILABLE (transient, so the job is
        // retried) and the client goes back with the error, so the pool discards it instead of lending out a
        // dead connection.
        let broken: Error | undefined;
        const onError = (error: Error) => {
          broken ??= error;
        };
        client.on("error", onError);
        try {
          await runQuery(client, "BEGIN");
          const result = await fn(clientDb(client, schema));
          await runQuery(client, "COMMIT");
          return result;
        } catch (error) {
          if (!broken) {
            try {
              await client.query("ROLLBACK");
            } catch (rollbackError) {
              broken ??= rollbackError as Error;
            }
          }
          // A lost connection is the cause, whatever `fn` made of the statement that failed with it.
          if (broken) throw connectionLost(error, broken);
          const again = RETRYABLE.has(sqlState(error) ?? "") || isStalePlan(error);
          if (attempt < TRANSACTION_ATTEMPTS && again) continue;
          throw translate(error);
        } finally {
          client.off("error", onError);
          client.release(broken);
        }
      }
    },
    close: () => pool.end(),
  };
  try {
    await ensureSchema(db, schema);
  } catch (error) {
    await pool.end().catch(() => {});
    throw translate(error);
  }
  return db;
}

/* ------------------------------------------------------------------ PGlite */

async function runPglite<T>(
  target: PGlite | PgliteTransaction,
  sql: string,
  params?: readonly unknown[],
): Promise<T[]> {
  const result = await target.query<T>(sql, params ? [...params] : undefined);
  return result.rows;
}

function pgliteTxDb(tx: PgliteTransaction, schema: string): Db {
  const counter = { n: 0 };
  const db: Db = {
    driver: "pglite",
    schema,
    query: (sql, params) => runPglite(tx, sql, params),
    exec: async (script) => {
      await tx.exec(script);
    },
    transaction: (fn) => savepointTransaction(db, counter)(fn),
    close: refuseClose,
  };
  return db;
}

async function openPglite(schema: string, config: DbConfig): Promise<Db> {
  const pglite = await PGlite.create({
    ...(config.dataDir ? { dataDir: config.dataDir } : {}),
    parsers: TEXT_PARSERS as Record<number, (value: string) => unknown>,
  });
  // PGlite is one session: settings made here hold for every later statement.
  await pglite.exec(`${createSchemaSql(schema)}; SET search_path TO "${schema}"; SET TIME ZONE 'UTC';`);
  return {
    driver: "pglite",
    schema,
    query: (sql, params) => runPglite(pglite, sql, params),
    exec: async (script) => {
      await pglite.exec(script);
    },
    transaction: (fn) => pglite.transaction((tx) => fn(pgliteTxDb(tx, schema))),
    close: () => pglite.close(),
  };
}

/** Drops a schema and everything in it (tests and tooling only). */
export async function dropSchema(db: Db, schema: string = db.schema): Promise<void> {
  if (!SCHEMA_NAME.test(schema)) throw new BridgeError("BRIDGE_E_CONFIG_INVALID", "bad schema name");
  await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
}
