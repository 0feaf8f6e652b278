/**
 * `bridge worker`: the BullMQ processors for every queue and the outbox sweeper, until SIGTERM or SIGINT;
 * then a graceful shutdown (src/queue/worker.ts) within the grace period, whatever is down
 * (src/cli/shutdown.ts), and exit 0.
 */
import { loadConfig } from "../config.ts";
import { BridgeError } from "../errors.ts";
import { createLogger } from "../log.ts";
import { dbPoolSize, startWorker } from "../queue/worker.ts";
import { openStore } from "../store/index.ts";
import { type CliIo, EXIT } from "./io.ts";
import { closeWithin, drainMs, exitByDeadline } from "./shutdown.ts";
import { parseOptions, usageError, usageLine } from "./usage.ts";

export const HELP = `usage: bridge worker [--grace-ms <ms>]

Runs the pipeline's queue processors (ingest, reconcile, push-arms, push-oasys) and the outbox sweeper
against Redis (REDIS_URL, QUEUE_PREFIX) and PostgreSQL (DATABASE_URL, DB_SCHEMA), with WORKER_CONCURRENCY
jobs at a time per queue, until SIGTERM or SIGINT. Then it stops taking jobs, lets jobs in flight finish,
closes its connections and exits 0, all within the grace period (--grace-ms, default SHUTDOWN_GRACE_MS or
25000), even with Redis or PostgreSQL unreachable; jobs still running then are picked up by another
worker's stalled-job check.

Pushes go to ARMS_BASE_URL and OASYS_BASE_URL (with <AGENCY>_TOKEN_URL/_CLIENT_ID/_CLIENT_SECRET for
OAuth2 client credentials); event pulls to ORDS_BASE_URL.

Exit codes: 0 stopped cleanly, 1 configuration or start-up failure.
`;

export const USAGE = usageLine(HELP);

export async function workerCommand(argv: string[], io: CliIo): Promise<number> {
  const parsed = parseOptions(io, USAGE, {
    args: argv,
    options: { "grace-ms": { type: "string" }, help: { type: "boolean", short: "h" } },
  });
  if (!parsed) return EXIT.FATAL;
  const { values } = parsed;
  if (values.help) {
    io.stdout.write(HELP);
    return EXIT.OK;
  }
  const config = loadConfig();
  const graceMs = values["grace-ms"] === undefined ? config.shutdownGraceMs : Number(values["grace-ms"]);
  if (!Number.isInteger(graceMs) || graceMs < 0)
    return usageError(io, USAGE, "--grace-ms must be a whole number of milliseconds");
  if (!config.databaseUrl) {
    throw new BridgeError(
      "BRIDGE_E_CONFIG_INVALID",
      "DATABASE_URL is required: the worker shares the store with the API (use `bridge serve --with-worker` for one process)",
    );
  }
  const log = createLogger({ level: config.logLevel, name: "bridge-worker" });
  const db = await openStore({
    databaseUrl: config.databaseUrl,
    schema: config.databaseSchema,
    poolSize: dbPoolSize(config, { api: false, worker: true }),
  });
  let worker: Awaited<ReturnType<typeof startWorker>>;
  try {
    worker = await startWorker({ config, db, log, graceMs: drainMs(graceMs) });
  } catch (error) {
    await db.close();
    throw error;
  }

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once("SIGTERM", () => resolve("SIGTERM"));
    process.once("SIGINT", () => resolve("SIGINT"));
  });
  log.info({ signal }, "shutting down");
  const closers = [
    { name: "worker", close: () => worker.close() },
    { name: "database", close: () => db.close() },
  ];
  const deadline = Date.now() + graceMs;
  const closed = await closeWithin(closers, deadline, log);
  if (!closed) log.warn({ graceMs }, "worker stopped with something left open: exiting");
  exitByDeadline(io.exit, closed, deadline);
  return EXIT.OK;
}
