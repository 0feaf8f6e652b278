/**
 * `bridge serve [--with-worker]`: the HTTP API (src/http/app.ts), and with `--with-worker` the queue
 * processors and outbox sweeper in the same process (src/queue/worker.ts), for small installs.
 *
 * Start-up: configuration from the environment (validated as a whole), the store opened and migrated,
 * the API's own BullMQ producer, then listening on HTTP_HOST:HTTP_PORT.
 * Shutdown on SIGTERM or SIGINT, within SHUTDOWN_GRACE_MS whatever is down (src/cli/shutdown.ts): stop
 * accepting requests and finish those in flight, close the Redis connections and the producer, stop the
 * worker (in-flight jobs get most of the grace period), then the database.
 */
import { appAuth } from "../auth/index.ts";
import { apiAuth, loadConfig } from "../config.ts";
import { BridgeError } from "../errors.ts";
import { buildApp } from "../http/app.ts";
import { type ReadinessChecks, redisCheck, storeChecks } from "../http/readiness.ts";
import { createLogger } from "../log.ts";
import { createMetrics } from "../observability/metrics.ts";
import { bullmqQueueDepths } from "../observability/queue-depth.ts";
import { createProducer, producerOptionsFrom } from "../queue/producer.ts";
import { dbPoolSize, startWorker } from "../queue/worker.ts";
import { openStore } from "../store/index.ts";
import { countLiveConflicts } from "../store/repositories/conflicts.ts";
import { webSettings } from "../web/settings.ts";
import { type CliIo, EXIT } from "./io.ts";
import { closeWithin, drainMs, exitByDeadline } from "./shutdown.ts";
import { parseOptions, usageLine } from "./usage.ts";

export const HELP = `usage: bridge serve [--with-worker]

Runs the HTTP API (OpenAPI at /docs). Every route but /health and /ready needs a bearer token (a JWT
from the issuer AUTH_ISSUER, keys at AUTH_JWKS_URL, default <issuer>/jwks outside production) and a role
the access policy (mappings/access-policy.yaml) allows there; it does not start without AUTH_ISSUER:
run \`bridge idp\` (or \`bridge simulate\`) locally and set AUTH_ISSUER to the issuer it prints.
The data team's web pages are served at / (sign in with the issuer; docs/web.md): their client is
WEB_CLIENT_ID and WEB_CLIENT_SECRET, sessions keyed by WEB_SESSION_SECRET, WEB_SESSION_IDLE_S and
WEB_SESSION_MAX_S; production needs those three and an https PUBLIC_BASE_URL.
Configuration comes from the environment: BRIDGE_ENV, AUTH_ISSUER, AUTH_JWKS_URL, AUTH_AUDIENCE,
AUTH_CLOCK_SKEW_S, ACCESS_POLICY_PATH, DATABASE_URL, DB_SCHEMA,
REDIS_URL, REDIS_CONNECT_TIMEOUT_MS, REDIS_COMMAND_TIMEOUT_MS, QUEUE_PREFIX, HTTP_HOST, HTTP_PORT,
HTTP_BODY_LIMIT_BYTES, HTTP_ARMS_BODY_LIMIT_BYTES, RATE_LIMIT_MAX, RATE_LIMIT_WINDOW_MS, SHUTDOWN_GRACE_MS,
LOG_LEVEL, XML_* limits and, with
--with-worker, WORKER_CONCURRENCY, PUSH_ATTEMPTS, OUTBOX_SWEEP_INTERVAL_MS and each agency's
<AGENCY>_BASE_URL, _TIMEOUT_MS, _TOKEN_URL, _CLIENT_ID, _CLIENT_SECRET (see docs/service.md).

Options
  --with-worker   also run the queue processors and the outbox sweeper in this process
  -h, --help      this text

Stops gracefully on SIGTERM or SIGINT, within SHUTDOWN_GRACE_MS (default 25000) whatever is down.
`;

export const USAGE = usageLine(HELP);

export interface ServeOptions {
  env?: Readonly<Record<string, string | undefined>>;
  /** Stops the server as SIGTERM would (tests). */
  stop?: AbortSignal;
  /** Called once listening, with the address (tests use port 0). */
  onListening?: (address: { host: string; port: number }) => void;
}

function waitForStop(stop: AbortSignal | undefined): Promise<string> {
  return new Promise((resolve) => {
    const onSignal = (signal: string) => {
      process.off("SIGTERM", onSignal);
      process.off("SIGINT", onSignal);
      resolve(signal);
    };
    process.once("SIGTERM", onSignal);
    process.once("SIGINT", onSignal);
    if (stop?.aborted) onSignal("abort");
    stop?.addEventListener("abort", () => onSignal("abort"), { once: true });
  });
}

export async function serveCommand(argv: string[], io: CliIo, options: ServeOptions = {}): Promise<number> {
  const parsed = parseOptions(io, USAGE, {
    args: argv,
    options: { "with-worker": { type: "boolean" }, help: { type: "boolean", short: "h" } },
    strict: true,
    allowPositionals: false,
  });
  if (!parsed) return EXIT.FATAL;
  const { values } = parsed;
  if (values.help) {
    io.stdout.write(HELP);
    return EXIT.OK;
  }

  const config = loadConfig(options.env ?? process.env);
  // Before anything opens: without a token issuer the API does not run (never an open API).
  const auth = appAuth(apiAuth(config));
  // The web pages' sign-in (src/web/): their redirect URI is PUBLIC_BASE_URL's, else the listening address.
  const listening = { host: config.http.host, port: config.http.port };
  const web = { settings: webSettings(config, () => listening) };
  const logger = createLogger({ level: config.logLevel, name: "bridge-api" }, io.stdout);
  const db = await openStore({
    ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
    ...(config.dataDir ? { dataDir: config.dataDir } : {}),
    schema: config.databaseSchema,
    poolSize: dbPoolSize(config, { api: true, worker: Boolean(values["with-worker"]) }),
  });
  const closers: { name: string; close: () => Promise<void> }[] = [
    { name: "database", close: () => db.close() },
  ];
  // Within the grace period whatever is down (src/cli/shutdown.ts): false when something was left open.
  let deadline = Number.POSITIVE_INFINITY;
  const closeAll = () => {
    deadline = Date.now() + config.shutdownGraceMs;
    return closeWithin([...closers].reverse(), deadline, logger);
  };
  let closed = false;

  try {
    const depths = bullmqQueueDepths({ redisUrl: config.redisUrl, prefix: config.queuePrefix });
    closers.push({ name: "queue depths", close: () => depths.close() });
    // One registry for the API and an in-process worker.
    const metrics = createMetrics({ queueCounts: depths.read, conflictCounts: () => countLiveConflicts(db) });

    const worker = values["with-worker"]
      ? await startWorker({
          config,
          db,
          log: logger.child({ component: "worker" }),
          now: io.now,
          metrics,
          graceMs: drainMs(config.shutdownGraceMs),
        })
      : null;
    if (worker) closers.push({ name: "worker", close: () => worker.close() });
    // The API's own producer, even beside a worker: it answers 503 at once when Redis is away, where the
    // worker's connection waits for Redis to come back.
    const producer = createProducer(producerOptionsFrom(config));
    closers.push({ name: "producer", close: () => producer.close() });

    const redis = redisCheck(config.redisUrl);
    closers.push({ name: "readiness", close: () => redis.close() });
    const readiness: ReadinessChecks = {
      ...storeChecks(db),
      redis: redis.check,
      ...(worker
        ? {
            worker: async () => {
              if (!(await worker.ready()))
                throw new BridgeError("BRIDGE_E_QUEUE_UNAVAILABLE", "worker not running");
            },
          }
        : {}),
    };
    const app = buildApp({
      db,
      producer,
      config,
      logger,
      now: io.now,
      readiness,
      metrics,
      auth,
      web,
      openapi: { authIssuer: config.auth.issuer },
    });
    closers.push({ name: "http", close: () => app.close() });
    await app.listen({ host: config.http.host, port: config.http.port });
    const address = app.server.address();
    const port = typeof address === "object" && address ? address.port : config.http.port;
    listening.port = port;
    logger.info({ host: config.http.host, port, withWorker: Boolean(worker) }, "bridge serving");
    options.onListening?.({ host: config.http.host, port });

    const signal = await waitForStop(options.stop);
    logger.info({ signal }, "bridge stopping");
  } finally {
    // Reverse order of start: HTTP first (no new work; requests in flight finish), then Redis clients, the
    // producer, the worker (jobs in flight get most of the grace period), and the database last.
    closed = await closeAll();
  }
  if (closed) logger.info("bridge stopped");
  else logger.warn({ graceMs: config.shutdownGraceMs }, "bridge stopped with something left open: exiting");
  exitByDeadline(io.exit, closed, deadline);
  return EXIT.OK;
}
