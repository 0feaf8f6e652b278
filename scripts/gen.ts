/**
 * `npm run gen -- --count N --seed S [--out path] [--size-kb 13] [--malformed 0.005]`
 *
 * Writes a synthetic OASys export (contract §1) to a file or to stdout, streamed with backpressure, so
 * any size can be generated in bounded memory. Deterministic for a given set of options. The summary
 * (what a reader must accept and reject) goes to stderr as JSON.
 */
import { createWriteStream } from "node:fs";
import { finished } from "node:stream/promises";
import { parseArgs } from "node:util";
import { writeExport } from "./lib/generate.ts";

const HELP = `usage: npm run gen -- --count N --seed S [--out path] [--size-kb 13] [--malformed 0.005]

  --count N        number of assessments (required)
  --seed S         PRNG seed, a whole number (default 1); same options, same bytes
  --out path       write to this file (default: stdout)
  --size-kb K      average size of one assessment in KB (default 13)
  --malformed F    fraction of malformed assessments the reader must reject (default 0.005)
  --export-id ID   exportId written in the header
`;

function numberOption(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a non-negative number`);
  return n;
}

async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      count: { type: "string" },
      seed: { type: "string" },
      out: { type: "string" },
      "size-kb": { type: "string" },
      malformed: { type: "string" },
      "export-id": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (values.count === undefined) {
    process.stderr.write(`gen: --count is required\n\n${HELP}`);
    return 1;
  }
  const count = numberOption(values.count, "count", 0);
  const seed = numberOption(values.seed, "seed", 1);
  if (!Number.isInteger(count) || !Number.isInteger(seed))
    throw new Error("--count and --seed must be whole numbers");
  const out = values.out ? createWriteStream(values.out) : process.stdout;
  const summary = await writeExport(
    {
      count,
      seed,
      targetBytes: Math.round(numberOption(values["size-kb"], "size-kb", 13) * 1000),
      malformedRate: numberOption(values.malformed, "malformed", 0.005),
      ...(values["export-id"] ? { exportId: values["export-id"] } : {}),
    },
    out,
  );
  if (values.out) {
    out.end();
    await finished(out);
  }
  process.stderr.write(`${JSON.stringify(summary)}\n`);
  return 0;
}

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: NodeJS.ErrnoException) => {
    // The reader of stdout went away (e.g. `| head`): stop quietly, as Unix tools do.
    if (e.code === "EPIPE") {
      process.exitCode = 0;
      return;
    }
    process.stderr.write(`gen: ${e.message}\n`);
    process.exitCode = 1;
  },
);
