/**
 * A worker in a process of its own, for the stalled-job test (the test kills it with SIGKILL mid-job).
 * Configuration from the environment, as `bridge worker` reads it; BullMQ timings and the push lease from
 * TEST_LOCK_MS / TEST_STALLED_MS / TEST_LEASE_MS. Prints "ready" once the workers are running.
 */
import { loadConfig } from "../../src/config.ts";
import { startWorker } from "../../src/queue/worker.ts";
import { openStore } from "../../src/store/index.ts";

const config = loadConfig();
const db = await openStore({ databaseUrl: config.databaseUrl ?? undefined, schema: config.databaseSchema });
await startWorker({
  config,
  db,
  sweeper: false,
  workerId: "child",
  pushLeaseMs: Number(process.env.TEST_LEASE_MS),
  bullmq: {
    lockDuration: Number(process.env.TEST_LOCK_MS),
    stalledInterval: Number(process.env.TEST_STALLED_MS),
  },
});
process.stdout.write("ready\n");
