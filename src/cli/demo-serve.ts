/**
 * `bridge demo --serve`: after the demo, the service keeps running over the demo's store, with no servers
 * to install: the API and the web pages (src/http/app.ts with src/web/) on http://localhost:3000, the
 * bundled identity provider (one seeded person per role) and the simulated agencies in this process, and
 * the pipeline's stages run here too (src/queue/in-process.ts: the BullMQ processors, driven by the store's
 * unfinished work and outbox through the recovery sweep) instead of through Redis. `bridge serve` serves
 * the same web pages with DATABASE_URL and REDIS_URL. Like `bridge simulate`, it loads the simulators
 * lazily: the bridge never depends on its test tools. Ctrl-C or SIGTERM stops everything.
 */
import { appAuth } from "../auth/index.ts";
import { londonToday } from "../clock.ts";
import { apiAuth, type Config } from "../config.ts";
import { loadThresholds } from "../core/conflicts/load-thresholds.ts";
import { loadMapping } from "../core/mapping/load.ts";
import { buildApp } from "../http/app.ts";
import { storeChecks } from "../http/readiness.ts";
import { createLogger } from "../log.ts";
import { ordsClientFrom } from "../pipeline/pull.ts";
import { startInProcessPipeline } from "../queue/in-process.ts";
import { agencyClientsFrom } from "../queue/processors/push.ts";
import type { Db } from "../store/index.ts";
import { webSettings } from "../web/settings.ts";
import { type CliIo, EXIT } from "./io.ts";

export interface DemoServeOptions {
  /** The service's port (default 3000; 0: any free port). */
  port: number;
  /** The identity provider's port (default 9091; 0: any free port). */
  idpPort: number;
  /** Where the sign-in instructions go (stderr when the summary was --json). */
  out: "stdout" | "stderr";
  /** Stops as SIGTERM would (tests). */
  stop?: AbortSignal;
  /** Once serving: the addresses, and a wait for the pipeline to have nothing left to do (tests). */
  onServing?: (serving: DemoServing) => void;
}

export interface DemoServing {
  url: string;
  issuer: string;
  password: string;
  agenciesUrl: string;
  idle: () => Promise<void>;
}

const HOST = "127.0.0.1";

function untilStopped(stop: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      process.off("SIGINT", done);
      process.off("SIGTERM", done);
      resolve();
    };
    process.once("SIGINT", done);
    process.once("SIGTERM", done);
    if (stop?.aborted) done();
    stop?.addEventListener("abort", done, { once: true });
  });
}

export async function serveDemo(
  db: Db,
  config: Config,
  io: CliIo,
  options: DemoServeOptions,
): Promise<number> {
  const out = options.out === "stdout" ? io.stdout : io.stderr;
  if (config.environment === "production") {
    io.stderr.write("bridge demo --serve: a development tool; it does not run with BRIDGE_ENV=production\n");
    return EXIT.FATAL;
  }
  // Quiet by default (the terminal shows how to sign in); LOG_LEVEL asks for more.
  const logger = createLogger(
    { level: process.env.LOG_LEVEL ? config.logLevel : "warn", name: "bridge-demo" },
    io.stderr,
  );
  const closers: (() => Promise<void>)[] = [];
  try {
    const { startIdp } = await import("../../simulators/idp/index.ts");
    const sim = await import("../../simulators/index.ts");
    const idp = await startIdp({ port: options.idpPort, host: HOST });
    closers.push(() => idp.close());
    const { store } = await sim.loadOrdsData(sim.DEFAULT_DATA_DIR, { today: londonToday(io.now()) });
    const agencies = await sim.startSimulators({
      port: 0,
      host: HOST,
      ords: store,
      clients: [sim.DEFAULT_CLIENT],
    });
    closers.push(() => agencies.close());

    const endpoint = {
      baseUrl: agencies.url,
      timeoutMs: 10_000,
      tokenUrl: `${agencies.url}/oauth/token`,
      clientId: sim.DEFAULT_CLIENT.clientId,
      clientSecret: sim.DEFAULT_CLIENT.clientSecret,
    };
    const served: Config = {
      ...config,
      ords: endpoint,
      arms: endpoint,
      oasys: endpoint,
      auth: { ...config.auth, issuer: idp.issuer, jwksUrl: null },
      http: { ...config.http, host: HOST, port: options.port },
    };
    const reconcile = {
      mapping: loadMapping(config.mappingPath ?? undefined),
      thresholds: loadThresholds(config.thresholdsPath ?? undefined),
    };
    const pipeline = startInProcessPipeline({
      db,
      log: logger.child({ component: "pipeline" }),
      now: io.now,
      reconcile,
      agencies: agencyClientsFrom(served),
      ords: () => ordsClientFrom(served.ords),
      attempts: config.worker.pushAttempts,
      sweepIntervalMs: config.worker.sweepIntervalMs,
    });
    closers.push(() => pipeline.close());

    // People open http://localhost:<port>; the service listens on 127.0.0.1 and calls itself that.
    const listening = { host: "localhost", port: options.port };
    const app = buildApp({
      db,
      producer: pipeline.producer,
      config: served,
      logger,
      now: io.now,
      readiness: storeChecks(db),
      auth: appAuth(apiAuth(served)),
      web: { settings: webSettings(served, () => listening) },
      reconcile,
      openapi: { authIssuer: idp.issuer },
    });
    closers.push(() => app.close());
    await app.listen({ host: HOST, port: options.port });
    const address = app.server.address();
    listening.port = typeof address === "object" && address ? address.port : options.port;
    const url = `http://localhost:${listening.port}`;

    const width = Math.max(...idp.users.map((u) => u.username.length));
    out.write(
      [
        "",
        `The review screen and the API are running on ${url} over the demo's data (Ctrl-C stops everything).`,
        `  Sign in at ${url} as data.team.1 (or any person below), password ${idp.password}:`,
        ...idp.users.map((u) => `    ${u.username.padEnd(width)}  ${u.role}`),
        `  The API with a token: TOKEN=$(npx bridge idp token data.team.1 --issuer ${idp.issuer})`,
        `                        curl -H "Authorization: Bearer $TOKEN" ${url}/v1/conflicts`,
        `  Identity provider (development only): ${idp.issuer}; simulated agencies: ${agencies.url}`,
        "  The pipeline's stages run in this process (no Redis), driven by the store's outbox.",
        "",
      ].join("\n"),
    );
    options.onServing?.({
      url,
      issuer: idp.issuer,
      password: idp.password,
      agenciesUrl: agencies.url,
      idle: () => pipeline.idle(),
    });
    await untilStopped(options.stop);
    out.write("bridge demo: stopping\n");
    return EXIT.OK;
  } finally {
    // The server first (no new work), then the pipeline (the job running ends), the agencies, the issuer.
    for (const close of closers.reverse()) {
      await close().catch((error: unknown) => logger.warn({ err: (error as Error).message }, "close failed"));
    }
  }
}
