/**
 * The store's front door: open the configured database and bring its schema up to date in one call.
 * Everything else is imported from the repositories directly.
 */
import { type Db, type DbConfig, openDb } from "./db.ts";
import { migrate } from "./migrate.ts";

export type { Db, DbConfig } from "./db.ts";

/** Opens the database (PostgreSQL when `databaseUrl` is set, else embedded PGlite) and applies pending migrations. */
export async function openStore(config: DbConfig = {}): Promise<Db> {
  const db = await openDb(config);
  try {
    await migrate(db);
  } catch (error) {
    await db.close().catch(() => {});
    throw error;
  }
  return db;
}
