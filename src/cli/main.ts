/**
 * `bridge <command> [...]`: one file per command in this folder, loaded on demand so a command's
 * dependencies (database drivers, HTTP server) cost nothing to the others.
 */
import { BridgeError } from "../errors.ts";
import { type CliIo, type Command, EXIT, processIo } from "./io.ts";
import { OutputClosed } from "./output.ts";
import { quoteArg, usageError } from "./usage.ts";

const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  parse: {
    summary: "read OASys XML exports and report what is accepted and rejected (--json, --ndjson)",
    load: async () => (await import("./parse.ts")).parseCommand,
  },
  prefill: {
    summary: "pre-fill ARMS drafts from OASys XML exports, with provenance per field (--json, --mapping)",
    load: async () => (await import("./prefill.ts")).prefillCommand,
  },
  mapping: {
    summary: "mapping tools for the data team: test (golden cases), diff (impact of a new version), coverage",
    load: async () => (await import("./mapping.ts")).mappingCommand,
  },
  reconcile: {
    summary:
      "reconcile OASys and ARMS assessments per person: match, draft, conflicts, what to send (--json)",
    load: async () => (await import("./reconcile.ts")).reconcileCommand,
  },
  demo: {
    summary: "the main job on the bundled examples: ingest, store, pre-fill, reconcile, summary (no servers)",
    load: async () => (await import("./demo.ts")).demoCommand,
  },
  simulate: {
    summary: "run the simulated agencies (ORDS pull, police and probation push, OAuth2) with fault switches",
    load: async () => (await import("./simulate.ts")).simulateCommand,
  },
  idp: {
    summary: "run the development identity provider (OpenID Connect) and print how to get a token per role",
    load: async () => (await import("./idp.ts")).idpCommand,
  },
  serve: {
    summary: "run the HTTP API (OpenAPI at /docs); --with-worker also runs the queue processors",
    load: async () => (await import("./serve.ts")).serveCommand,
  },
  worker: {
    summary: "run the queue processors (ingest, reconcile, pushes) and the outbox sweeper until SIGTERM",
    load: async () => (await import("./worker.ts")).workerCommand,
  },
  dlq: {
    summary: "dead letters: list, show <id>, replay <id> through the same pipeline (--json)",
    load: async () => (await import("./dlq.ts")).dlqCommand,
  },
  audit: {
    summary: "the audit trail: verify the hash chain (exit 2 at the first broken link), export by subject",
    load: async () => (await import("./audit.ts")).auditCommand,
  },
  retention: {
    summary: "erase what is past its retention period (mappings/retention.yaml), logging it (--dry-run)",
    load: async () => (await import("./retention.ts")).retentionCommand,
  },
  // name: { summary, load: async () => (await import("./name.ts")).nameCommand },
};

/** The commands `bridge` runs, in the order `bridge --help` lists them. */
export const commandNames = (): string[] => Object.keys(COMMANDS);

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `usage: bridge <command> [options]\n\ncommands:\n${lines.join("\n")}\n\nRun 'bridge <command> --help' for a command's options.\n`;
}

export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    io.stdout.write(usage());
    return name ? EXIT.OK : EXIT.FATAL;
  }
  const command = COMMANDS[name];
  if (!command) {
    return usageError(
      io,
      "bridge <command> [options]",
      `unknown command ${quoteArg(name)} ('bridge --help' lists them)`,
    );
  }
  try {
    return await (await command.load())(rest, io);
  } catch (e) {
    if (e instanceof OutputClosed) return EXIT.FATAL;
    if (e instanceof BridgeError) {
      io.stderr.write(`bridge ${name}: ${e.code}: ${e.message}\n`);
    } else {
      io.stderr.write(`bridge ${name}: ${(e as Error).stack ?? String(e)}\n`);
    }
    return EXIT.FATAL;
  }
}
