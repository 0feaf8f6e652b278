/**
 * Versioned, forward-only migrations: `migrations/NNNN_name.sql`, applied in version order at start-up,
 * all pending ones in ONE transaction (all or nothing), each recorded in `schema_migrations` with the
 * sha256 of its text. A migration that was applied and has since been edited stops start-up
 * (BRIDGE_E_STORE_MIGRATION): fix forward with a new file instead. A database that holds a migration this
 * code does not know (the code is older than the database) is refused the same way.
 *
 * The run holds a transaction-scoped advisory lock keyed on the schema, so two processes starting together
 * on one PostgreSQL do not both migrate: the second waits, then finds nothing pending.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { BridgeError } from "../errors.ts";
import type { Db } from "./db.ts";

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export interface AppliedMigration {
  version: number;
  name: string;
  checksum: string;
  appliedAt: string;
}

const FILE_NAME = /^(\d{4})_([a-z0-9_]+)\.sql$/;
const MIGRATIONS_DIR = fileURLToPath(new URL("./migrations/", import.meta.url));

export function checksumOf(sql: string): string {
  return createHash("sha256").update(sql, "utf8").digest("hex");
}

/** Reads and orders the migration files; refuses gaps, duplicates and badly named files. */
export function loadMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  const migrations = readdirSync(dir)
    .filter((file) => file.endsWith(".sql"))
    .map((file) => {
      const match = FILE_NAME.exec(file);
      if (!match) throw new BridgeError("BRIDGE_E_STORE_MIGRATION", `badly named migration file ${file}`);
      const sql = readFileSync(`${dir}/${file}`, "utf8");
      return { version: Number(match[1]), name: match[2]!, sql, checksum: checksumOf(sql) };
    })
    .sort((a, b) => a.version - b.version);
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new BridgeError("BRIDGE_E_STORE_MIGRATION", `migration versions must run 1..n without gaps`, {
        version: m.version,
      });
    }
  });
  return migrations;
}

const CREATE_LEDGER = `
  CREATE TABLE IF NOT EXISTS schema_migrations (
    version    integer PRIMARY KEY,
    name       text NOT NULL,
    checksum   text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`;

async function appliedIn(db: Db): Promise<AppliedMigration[]> {
  const exists = await db.query<{ present: boolean }>(
    "SELECT to_regclass('schema_migrations') IS NOT NULL AS present",
  );
  if (!exists[0]?.present) return [];
  return db.query<AppliedMigration>(
    `SELECT version, name, checksum, applied_at AS "appliedAt" FROM schema_migrations ORDER BY version`,
  );
}

/** Compares what the database recorded with the files; returns the ones still to apply. */
function pendingGiven(applied: AppliedMigration[], migrations: Migration[]): Migration[] {
  const known = new Map(migrations.map((m) => [m.version, m]));
  for (const done of applied) {
    const file = known.get(done.version);
    if (!file) {
      throw new BridgeError(
        "BRIDGE_E_STORE_MIGRATION",
        "the database has a migration this code does not know",
        {
          version: done.version,
          name: done.name,
        },
      );
    }
    if (file.checksum !== done.checksum) {
      throw new BridgeError("BRIDGE_E_STORE_MIGRATION", "an applied migration has been edited since", {
        version: done.version,
        name: done.name,
      });
    }
  }
  const appliedVersions = new Set(applied.map((m) => m.version));
  return migrations.filter((m) => !appliedVersions.has(m.version));
}

/** Migrations not yet applied (for readiness checks). Throws when the ledger contradicts the files. */
export async function pendingMigrations(
  db: Db,
  migrations: Migration[] = loadMigrations(),
): Promise<Migration[]> {
  return pendingGiven(await appliedIn(db), migrations);
}

/** Applies what is pending, in order, in one transaction under an advisory lock; returns what it applied. */
export async function migrate(db: Db, migrations: Migration[] = loadMigrations()): Promise<Migration[]> {
  return db.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`oasys-arms-bridge:migrate:${tx.schema}`]);
    await tx.exec(CREATE_LEDGER);
    const pending = pendingGiven(await appliedIn(tx), migrations);
    for (const migration of pending) {
      try {
        await tx.exec(migration.sql);
      } catch (error) {
        throw new BridgeError(
          "BRIDGE_E_STORE_MIGRATION",
          `migration ${migration.version} (${migration.name}) failed`,
          { version: migration.version },
          { cause: error },
        );
      }
      await tx.query("INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)", [
        migration.version,
        migration.name,
        migration.checksum,
      ]);
    }
    return pending;
  });
}
