/**
 * `bridge simulate`: runs the agency simulators (contract §5) and the development identity provider (the
 * one `bridge idp` runs, on a port of its own) until interrupted. This file and idp.ts are the only links
 * from `src/` to `simulators/`, and they load them lazily, so the bridge itself never depends on its test
 * tools.
 */
import { existsSync, statSync } from "node:fs";
import { londonToday } from "../clock.ts";
import { DEFAULT_IDP_PORT, describeIdp } from "./idp.ts";
import { type CliIo, EXIT } from "./io.ts";
import { parseOptions, usageError } from "./usage.ts";

export const HELP = `usage: bridge simulate [--port N] [--host H] [--faults SPEC] [--seed S] [--data DIR]
                       [--client-id ID] [--client-secret SECRET] [--token-ttl S]
                       [--idempotency replay|conflict] [--ords-open] [--quiet]
                       [--idp-port N] [--idp-issuer URL]

Runs simulated agencies on one port, for the demo and the end-to-end tests (never in production):
  POST /oauth/token                      OAuth2 client credentials (Basic or form client auth)
  POST /arms/v1/prefilled-assessments    police: ARMS drafts (JSON), Bearer + Idempotency-Key
  POST /oasys/v1/partner-risk-updates    probation: partner risk updates (XML), Bearer + Idempotency-Key
  GET  /eor/oasys/ass/...                OASys ORDS pull paths, served from --data
Control: GET /__received?recipient=ARMS|OASYS, POST /__reset, GET|POST /__faults, POST /__tokens/expire,
POST /__config {"idempotency":"conflict"}, GET /__health.
The development identity provider (OpenID Connect; see bridge idp --help) runs beside them on its own
port, --idp-port (default ${DEFAULT_IDP_PORT}): the API's AUTH_ISSUER; its users and clients are printed.

Options
  --port N            listen port (default 9090; 0 = any free port)
  --host H            listen address (default 127.0.0.1; 0.0.0.0 in a container)
  --faults SPEC       e.g. "5xx=0.2,429=0.1,retry-after=1,timeout=0.01,reset=0.01,latency=20~30,
                      scope=arms+oasys+ords,next=reset+429" (see simulators/README.md)
  --seed S            seed for fault decisions (default 1): the same seed replays the same decisions
  --data DIR          OASys XML exports and ORDS JSON folders to serve on the ORDS paths
                      (default: the bundled examples/)
  --client-id ID, --client-secret SECRET
                      the one client the token endpoint accepts (default bridge / bridge-secret)
  --token-ttl S       access token lifetime in seconds (default 300)
  --idempotency M     a repeated Idempotency-Key with the same body: replay (200 + the original
                      receipt, default) or conflict (409 "already have it")
  --ords-open         serve the ORDS paths without a bearer token
  --quiet             no line per request on stderr
  --idp-port N        the identity provider's port (default ${DEFAULT_IDP_PORT}; any free port when --port is 0)
  --idp-issuer URL    the issuer its tokens name, when callers reach it by another address (a container)
`;

export const USAGE = "bridge simulate [--port N] [--faults SPEC] [--seed S] [--data DIR] [options]";

export async function simulateCommand(argv: string[], io: CliIo, stop?: AbortSignal): Promise<number> {
  const parsed = parse(argv, io);
  if (!parsed) return EXIT.FATAL;
  const { values } = parsed;
  if (values.help) {
    io.stdout.write(HELP);
    return EXIT.OK;
  }
  if (process.env.BRIDGE_ENV?.trim() === "production") {
    io.stderr.write("bridge simulate: a development tool; it does not run with BRIDGE_ENV=production\n");
    return EXIT.FATAL;
  }
  const sim = await import("../../simulators/index.ts");
  const usage = (message: string) => usageError(io, USAGE, message);
  const port = Number(values.port ?? "9090");
  if (!Number.isInteger(port) || port < 0 || port > 65_535) return usage("--port must be 0 to 65535");
  const idpPort = Number(values["idp-port"] ?? (port === 0 ? "0" : String(DEFAULT_IDP_PORT)));
  if (!Number.isInteger(idpPort) || idpPort < 0 || idpPort > 65_535) {
    return usage("--idp-port must be 0 to 65535");
  }
  const idpIssuer = values["idp-issuer"];
  if (idpIssuer !== undefined && !/^https?:\/\/\S+$/.test(idpIssuer)) {
    return usage("--idp-issuer must be an http(s) URL");
  }
  const seed = Number(values.seed ?? "1");
  if (!Number.isInteger(seed)) return usage("--seed must be a whole number");
  const ttl = Number(values["token-ttl"] ?? "300");
  if (!Number.isInteger(ttl) || ttl < 1) return usage("--token-ttl must be a whole number of seconds");
  const idempotency = values.idempotency ?? "replay";
  if (idempotency !== "replay" && idempotency !== "conflict") {
    return usage("--idempotency must be replay or conflict");
  }
  let faults: Record<string, unknown> | undefined;
  try {
    faults = values.faults ? sim.parseFaultSpec(values.faults) : undefined;
    if (faults) sim.applyFaultChanges(sim.NO_FAULTS, faults);
  } catch (e) {
    return usage(`--faults: ${(e as Error).message}`);
  }

  const dataDir = values.data ?? sim.DEFAULT_DATA_DIR;
  if (!existsSync(dataDir) || !statSync(dataDir).isDirectory()) return usage("--data must be a directory");
  const { store, report } = await sim.loadOrdsData(dataDir, { today: londonToday(io.now()) });
  for (const line of report.skipped) io.stderr.write(`bridge simulate: ORDS data: skipped ${line}\n`);

  const running = await sim.startSimulators({
    port,
    host: values.host ?? "127.0.0.1",
    seed,
    faults,
    idempotency,
    ords: store,
    ordsAuth: !values["ords-open"],
    tokenTtlS: ttl,
    clients: [
      {
        clientId: values["client-id"] ?? sim.DEFAULT_CLIENT.clientId,
        clientSecret: values["client-secret"] ?? sim.DEFAULT_CLIENT.clientSecret,
      },
    ],
    log: values.quiet ? undefined : (line) => io.stderr.write(`simulate: ${line}\n`),
  });
  io.stdout.write(
    `bridge simulate: agencies listening on ${running.url} (ORDS: ${report.assessments} assessments from ${report.files} files; faults: ${values.faults ?? "none"}; seed ${seed})\n`,
  );
  const { startIdp } = await import("../../simulators/idp/index.ts");
  let idp: Awaited<ReturnType<typeof startIdp>>;
  try {
    idp = await startIdp({
      port: idpPort,
      host: values.host ?? "127.0.0.1",
      ...(idpIssuer ? { issuer: idpIssuer } : {}),
    });
  } catch (e) {
    await running.close();
    return usage(`the identity provider could not start: ${(e as Error).message}`);
  }
  io.stdout.write(describeIdp(idp).replaceAll("bridge idp: ", "bridge simulate: identity provider: "));

  await new Promise<void>((resolve) => {
    if (stop) {
      if (stop.aborted) resolve();
      stop.addEventListener("abort", () => resolve(), { once: true });
    } else {
      process.once("SIGINT", () => resolve());
      process.once("SIGTERM", () => resolve());
    }
  });
  await idp.close();
  await running.close();
  io.stdout.write("bridge simulate: stopped\n");
  return EXIT.OK;
}

function parse(argv: string[], io: CliIo) {
  return parseOptions(io, USAGE, {
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      port: { type: "string" },
      host: { type: "string" },
      faults: { type: "string" },
      seed: { type: "string" },
      data: { type: "string" },
      "client-id": { type: "string" },
      "client-secret": { type: "string" },
      "token-ttl": { type: "string" },
      idempotency: { type: "string" },
      "ords-open": { type: "boolean" },
      quiet: { type: "boolean" },
      "idp-port": { type: "string" },
      "idp-issuer": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
}
