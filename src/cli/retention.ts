/**
 * `bridge retention run [--dry-run]`: the erasure job by hand (src/pipeline/retention.ts) on the
 * service's store, with the periods of mappings/retention.yaml (or RETENTION_PATH). Prints, per class,
 * the period, the cut-off and how much was (or, dry, would be) erased; never content.
 */
import { loadConfig } from "../config.ts";
import { loadRetention } from "../core/retention/load.ts";
import { type ClassReport, DEFAULT_BATCH_SIZE, runRetention } from "../pipeline/retention.ts";
import { openStore } from "../store/index.ts";
import { type CliIo, EXIT } from "./io.ts";
import { parseOptions, usageError, usageLine } from "./usage.ts";

export const HELP = `usage: bridge retention run [--dry-run] [--batch-size <n>] [--json]

Erases what is past its retention period, per data class (mappings/retention.yaml, or RETENTION_PATH):
raw exports' bytes, superseded OASys records (with their drafts), ARMS revisions that are no longer
current, drafts other than each person's latest, delivered outbox bodies, replayed dead letters, and the
oldest audit entries (through a checkpoint that keeps the chain verifiable). Never what a live process
still needs: an export not yet ingested, an outbox row not yet delivered, a person's latest records.
Each class leaves an ERASURE entry in the audit trail with counts and id ranges (never content); erasure
runs in batches of --batch-size (default ${DEFAULT_BATCH_SIZE}), each with its own transaction and entry.

--dry-run counts what is due and changes nothing. The worker runs the job every RETENTION_INTERVAL_MS
when that is set (it is off by default).

Reads DATABASE_URL/DB_SCHEMA (or BRIDGE_DATA_DIR, an embedded store's directory; without either there is
no store to erase from, and it says so).

Exit codes: 0 done, 1 usage error, invalid periods file, or failure.
`;

export const NO_STORE =
  "DATABASE_URL is not set, so this would run on a new, empty embedded store (in memory), not on the service's data. Set DATABASE_URL (and DB_SCHEMA) to the service's PostgreSQL, or BRIDGE_DATA_DIR to an embedded store's directory.";

export const USAGE = usageLine(HELP);

const usage = (io: CliIo, why: string): number => usageError(io, USAGE, why);

function line(c: ClassReport, dryRun: boolean): string {
  if (!c.period) return `${c.dataClass.padEnd(16)}  kept (period: never)\n`;
  const verb = dryRun ? "due" : "erased";
  const ids = c.count > 0 ? `, ids ${c.ids.first}..${c.ids.last}` : "";
  const related = Object.entries(c.related)
    .filter(([, n]) => n > 0)
    .map(([name, n]) => `, ${name} ${n}`)
    .join("");
  return `${c.dataClass.padEnd(16)}  ${c.period.padEnd(5)}  before ${c.cutoff}  ${verb} ${c.count}${ids}${related}\n`;
}

export async function retentionCommand(argv: string[], io: CliIo): Promise<number> {
  const parsed = parse(argv, io);
  if (!parsed) return EXIT.FATAL;
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout.write(HELP);
    return EXIT.OK;
  }
  if (positionals[0] !== "run" || positionals.length > 1) return usage(io, "the action is run");
  const batchSize = values["batch-size"] === undefined ? DEFAULT_BATCH_SIZE : Number(values["batch-size"]);
  if (!Number.isSafeInteger(batchSize) || batchSize < 1 || batchSize > 1_000_000) {
    return usage(io, "--batch-size must be a whole number from 1 to 1000000");
  }
  const config = loadConfig();
  if (!config.databaseUrl && !config.dataDir) {
    io.stderr.write(`bridge retention: ${NO_STORE}\n`);
    return EXIT.FATAL;
  }
  const policy = loadRetention(config.retention.path ?? undefined);
  const db = await openStore({
    ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
    ...(config.dataDir ? { dataDir: config.dataDir } : {}),
    schema: config.databaseSchema,
  });
  try {
    const now = io.now().toISOString();
    const dryRun = values["dry-run"] === true;
    const report = await runRetention(db, policy, {
      now,
      dryRun,
      batchSize,
      correlationId: `retention:${now}`,
    });
    if (values.json) io.stdout.write(`${JSON.stringify(report)}\n`);
    else {
      io.stdout.write(
        `retention ${dryRun ? "dry run (nothing changed)" : "run"} at ${now}, periods ${report.policyVersion}\n`,
      );
      for (const c of report.classes) io.stdout.write(line(c, dryRun));
    }
    return EXIT.OK;
  } finally {
    await db.close();
  }
}

/** The arguments, or null after the shared usage error (src/cli/usage.ts). */
function parse(argv: string[], io: CliIo) {
  return parseOptions(io, USAGE, {
    args: argv,
    allowPositionals: true,
    options: {
      "dry-run": { type: "boolean" },
      "batch-size": { type: "string" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
}
