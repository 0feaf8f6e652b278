/**
 * `bridge worker` in a process of its own, for the database-restart test: configuration from the
 * environment, the store opened and sized as src/cli/worker.ts does it, the worker started with the outbox
 * sweeper, and no handler for uncaught errors or rejections beyond what the bridge itself installs (so an
 * unhandled 'error' event ends this process, as it would end the real one). Test timings only: short
 * backoff (TEST_BACKOFF_BASE_MS / TEST_BACKOFF_CAP_MS) and push lease (TEST_LEASE_MS).
 * Logs go to stdout as JSON lines; prints "ready" once the workers are running. SIGTERM: graceful stop, exit 0.
 */
import { loadConfig } from "../../src/config.ts";
import { dbPoolSize, startWorker } from "../../src/queue/worker.ts";
import { openStore } from "../../src/store/index.ts";

const config = loadConfig();
const db = await openStore({
  databaseUrl: config.databaseUrl ?? undefined,
  schema: config.databaseSchema,
  poolSize: dbPoolSize(config, { api: false, worker: true }),
});
const worker = await startWorker({
  config,
  db,
  graceMs: 5_000,
  pushLeaseMs: Number(process.env.TEST_LEASE_MS),
  backoff: {
    baseMs: Number(process.env.TEST_BACKOFF_BASE_MS),
    capMs: Number(process.env.TEST_BACKOFF_CAP_MS),
    maxRetryAfterMs: 10_000,
  },
});
process.stdout.write("ready\n");
process.once("SIGTERM", () => {
  void worker
    .close()
    .then(() => db.close())
    .then(() => process.exit(0));
});
