/**
 * `bridge demo`: the main job on the bundled examples, with no servers. Ingests every OASys export and
 * ARMS document under examples/ into the store (embedded PGlite unless DATABASE_URL is set), pre-fills
 * the ARMS drafts, reconciles every person and prints what a data team would want to read first.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { londonToday } from "../clock.ts";
import { loadConfig } from "../config.ts";
import type { ArmsAssessment } from "../core/arms/model.ts";
import { loadThresholds } from "../core/conflicts/load-thresholds.ts";
import { loadMapping } from "../core/mapping/load.ts";
import type { OasysAssessment } from "../core/oasys/model.ts";
import { groupPersons } from "../core/reconcile/persons.ts";
import { ingestArmsDocuments, ingestOasysExport } from "../pipeline/ingest.ts";
import { reconcileAndStore, type StoredReconciliation } from "../pipeline/reconcile.ts";
import type { Db } from "../store/index.ts";
import { openStore } from "../store/index.ts";
import { currentArmsPage } from "../store/repositories/arms.ts";
import { oasysAssessmentPage } from "../store/repositories/oasys.ts";
import { type DemoTally, formatDemo } from "./demo-report.ts";
import type { DemoServeOptions } from "./demo-serve.ts";
import { type CliIo, EXIT } from "./io.ts";
import { parseOptions, usageError, usageLine } from "./usage.ts";

export const HELP = `usage: bridge demo [--examples <dir>] [--json] [--serve [--port N] [--idp-port N]]

Runs the bridge's main job on the bundled examples, in process and with no servers:
ingest (OASys XML exports, ARMS documents) -> store -> pre-fill ARMS drafts -> reconcile each person
(identity, conflicts, what each agency would be sent), then prints a summary for the data team.

The store is embedded PGlite, in memory, unless BRIDGE_DATA_DIR (a PGlite directory kept between runs)
or DATABASE_URL (PostgreSQL) is set.

Options
  --examples <dir>  where the examples are (default: the repository's examples/)
  --json            the same summary as JSON
  --serve           then keep the API and the review screen running over the demo's data, on
                    http://localhost:3000, with the development identity provider (one person per
                    role; it prints how to sign in), the simulated agencies and the pipeline's stages
                    in this process (no Redis), until Ctrl-C
  --port N          with --serve: the port (default 3000; 0: any free port)
  --idp-port N      with --serve: the identity provider's port (default 9091; 0: any free port)

Exit codes: 0 done (rejected example records are part of the demo), 1 fatal error.
`;

const DEFAULT_EXAMPLES = fileURLToPath(new URL("../../examples/", import.meta.url));

function filesUnder(dir: string, ending: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(path, ending));
    else if (entry.name.endsWith(ending)) out.push(path);
  }
  return out.sort();
}

async function everythingHeld(db: Db): Promise<{ oasys: OasysAssessment[]; arms: ArmsAssessment[] }> {
  const oasys: OasysAssessment[] = [];
  for (let page = await oasysAssessmentPage(db); page.length > 0; ) {
    oasys.push(...page.map((s) => s.assessment));
    page = await oasysAssessmentPage(db, page[page.length - 1]!.assessmentPk);
  }
  const arms: ArmsAssessment[] = [];
  for (let page = await currentArmsPage(db); page.length > 0; ) {
    arms.push(...page.map((s) => s.document));
    page = await currentArmsPage(db, page[page.length - 1]!.armsAssessmentId);
  }
  return { oasys, arms };
}

export async function demoCommand(
  argv: string[],
  io: CliIo,
  serving: Pick<DemoServeOptions, "stop" | "onServing"> = {},
): Promise<number> {
  const parsed = parseOptions(io, usageLine(HELP), {
    args: argv,
    options: {
      examples: { type: "string" },
      json: { type: "boolean" },
      serve: { type: "boolean" },
      port: { type: "string" },
      "idp-port": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (!parsed) return EXIT.FATAL;
  const { values } = parsed;
  if (values.help) {
    io.stdout.write(HELP);
    return EXIT.OK;
  }
  const port = portOption(values.port, 3000);
  const idpPort = portOption(values["idp-port"], 9091);
  if (port === null || idpPort === null || (!values.serve && (values.port || values["idp-port"]))) {
    return usageError(io, usageLine(HELP), "--port and --idp-port take 0 to 65535, with --serve only");
  }
  const config = loadConfig();
  const examples = values.examples ?? DEFAULT_EXAMPLES;
  const today = londonToday(io.now());
  const now = io.now().toISOString();
  const deps = {
    mapping: loadMapping(config.mappingPath ?? undefined),
    thresholds: loadThresholds(config.thresholdsPath ?? undefined),
    today,
  };
  const db = await openStore({
    ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
    ...(config.dataDir ? { dataDir: config.dataDir } : {}),
    schema: config.databaseSchema,
  });
  try {
    const tally: DemoTally = {
      store: config.databaseUrl
        ? "PostgreSQL"
        : config.dataDir
          ? `PGlite (${config.dataDir})`
          : "PGlite, in memory",
      exportsRead: 0,
      exportsDuplicate: 0,
      exportsFailed: [],
      accepted: 0,
      rejected: [],
      warnings: {},
      armsStored: 0,
      armsHistory: 0,
      armsRejected: 0,
      reconciled: [],
    };
    for (const file of filesUnder(examples, ".xml")) {
      const report = await ingestOasysExport(db, {
        bytes: readFileSync(file),
        source: `file:${relative(examples, file)}`,
        today,
        now,
      });
      tally.exportsRead += 1;
      if (report.duplicate) tally.exportsDuplicate += 1;
      if (report.failure) tally.exportsFailed.push({ file: relative(examples, file), ...report.failure });
      for (const r of report.rejected) tally.rejected.push({ file: relative(examples, file), error: r });
      for (const a of report.accepted) {
        for (const w of a.warnings) tally.warnings[w.code] = (tally.warnings[w.code] ?? 0) + 1;
      }
      tally.accepted += report.accepted.length;
    }
    for (const file of filesUnder(examples, ".json")) {
      const report = await ingestArmsDocuments(db, { text: readFileSync(file, "utf8"), now });
      for (const s of report.stored) {
        if (s.outcome === "STORED_CURRENT") tally.armsStored += 1;
        if (s.outcome === "STORED_HISTORY") tally.armsHistory += 1;
      }
      tally.armsRejected += report.rejected.length;
    }
    // Reconcile from what the store holds: the current ARMS revision (a late older one never wins), and
    // every OASys assessment, including those a persistent store kept from an earlier run.
    const { oasys: held, arms } = await everythingHeld(db);
    const results: StoredReconciliation[] = [];
    for (const group of groupPersons(held, arms, today)) {
      results.push(
        await reconcileAndStore(db, group, deps, { now, reason: "bridge demo: examples ingested" }),
      );
    }
    tally.reconciled = results;
    const counts = await db.query<{ table: string; n: number }>(
      `SELECT 'persons' AS table, count(*)::int AS n FROM persons
       UNION ALL SELECT 'open conflicts', count(*)::int FROM conflicts WHERE state = 'OPEN'
       UNION ALL SELECT 'drafts', count(*)::int FROM drafts
       UNION ALL SELECT 'audit events', count(*)::int FROM audit_events`,
    );
    io.stdout.write(
      formatDemo(tally, counts, {
        json: values.json === true,
        policy: deps.thresholds.pushPolicy,
        mapping: deps.mapping,
      }),
    );
    if (values.serve) {
      // Loaded only here: the plain demo does not load the HTTP server and the simulators.
      const { serveDemo } = await import("./demo-serve.ts");
      const out = values.json ? "stderr" : "stdout";
      return await serveDemo(db, config, io, { port, idpPort, out, ...serving });
    }
    return EXIT.OK;
  } finally {
    await db.close();
  }
}

/** A port option's value (0 to 65535), its default when absent, null when not a port. */
function portOption(value: string | undefined, fallback: number): number | null {
  if (value === undefined) return fallback;
  return /^\d{1,5}$/.test(value) && Number(value) <= 65_535 ? Number(value) : null;
}
