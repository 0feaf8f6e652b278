/**
 * `bridge mapping <test|diff|coverage>`: tools for the data team that owns the OASys -> ARMS mapping.
 * `runGoldenCases` is exported for the vitest suite, which runs the same golden cases.
 */
import { readdir, readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { londonToday } from "../clock.ts";
import { type ApplyOptions, applyMapping } from "../core/mapping/apply.ts";
import { coverageOf } from "../core/mapping/coverage.ts";
import { type DiffInput, diffMappings } from "../core/mapping/diff.ts";
import {
  formatMismatches,
  type GoldenExpectation,
  type GoldenOutcome,
  type Mismatch,
  subsetMismatches,
} from "../core/mapping/golden.ts";
import { loadMapping } from "../core/mapping/load.ts";
import { formatCoverage } from "../core/mapping/report.ts";
import type { Mapping } from "../core/mapping/spec.ts";
import type { OasysAssessment } from "../core/oasys/model.ts";
import { BridgeError } from "../errors.ts";
import { readOasysExportFile } from "../ingest/xml/reader.ts";
import { type CliIo, EXIT } from "./io.ts";
import { formatDiff } from "./mapping-report.ts";
import { writer } from "./output.ts";
import { mapFiles } from "./prefill.ts";
import { parseOptions, quoteArg, usageError, usageLine } from "./usage.ts";

export const HELP = `usage: bridge mapping <command> [options]

  test [--mapping <path>] [--dir <dir>] [--json]
      Run the golden cases beside the mapping (<dir>/<scenario>/input.xml + expected.json; default
      mappings/tests). Each expected.json lists claims about the outcome of every input record; a failed
      claim prints expected and actual. Exit 1 on any failure.
  diff --from <mapping> --to <mapping> <file.xml>... [--json]
      Apply both mapping versions to the same assessments and report, field by field, what the new
      version would add, remove or change (counts, commonest transitions, examples by assessment pk),
      and how the number of filled ARMS fields per draft moves. Exit 0 (2 if input records were rejected).
  coverage <file.xml>... [--mapping <path>] [--json]
      How many fields of a blank ARMS form the mapping fills for complete LAYER3 assessments (median,
      range, per field, with the commonest reason a field stays empty).
`;

export const USAGE = usageLine(HELP);

/** Each sub-command's one-line usage, as HELP gives it. */
const SUB_USAGE: Readonly<Record<string, string>> = Object.fromEntries(
  [...HELP.matchAll(/^ {2}(test|diff|coverage) (.*)$/gm)].map(([, sub, rest]) => [
    sub,
    `bridge mapping ${sub} ${rest}`,
  ]),
);

export const DEFAULT_GOLDEN_DIR = fileURLToPath(new URL("../../mappings/tests/", import.meta.url));

export interface GoldenResult {
  scenario: string;
  outcomes: GoldenOutcome[];
  mismatches: Mismatch[];
}

/** Map one scenario's input.xml exactly as `bridge prefill` would, as outcomes in input order. */
export async function goldenOutcomes(
  file: string,
  mapping: Mapping,
  options: ApplyOptions,
): Promise<GoldenOutcome[]> {
  const outcomes: GoldenOutcome[] = [];
  for await (const r of readOasysExportFile(file, { today: options.today })) {
    if (!r.ok) {
      const { code, path, reason } = r.error;
      const pk = r.error.assessmentPk === null ? null : Number(r.error.assessmentPk);
      outcomes.push({ assessmentPk: pk, ok: false, rejected: { code, path, reason } });
      continue;
    }
    const result = applyMapping(mapping, r.assessment, options);
    const assessmentPk = r.assessment.assessmentPk;
    outcomes.push(
      result.ok
        ? { assessmentPk, ok: true, draft: result.draft, summary: result.summary }
        : { assessmentPk, ok: false, refusal: result.refusal },
    );
  }
  return outcomes;
}

/** Run every golden case under `dir` (one sub-folder per scenario), in name order. */
export async function runGoldenCases(
  mapping: Mapping,
  dir: string = DEFAULT_GOLDEN_DIR,
): Promise<GoldenResult[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const scenarios = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  const results: GoldenResult[] = [];
  for (const scenario of scenarios) {
    const expectedPath = join(dir, scenario, "expected.json");
    let expected: GoldenExpectation;
    try {
      expected = JSON.parse(await readFile(expectedPath, "utf8")) as GoldenExpectation;
    } catch (e) {
      throw new BridgeError("BRIDGE_E_USAGE", `${expectedPath}: not readable JSON (${(e as Error).message})`);
    }
    const outcomes = await goldenOutcomes(join(dir, scenario, "input.xml"), mapping, {
      today: expected.today,
    });
    results.push({ scenario, outcomes, mismatches: subsetMismatches(expected.outcomes, outcomes) });
  }
  return results;
}

const OPTIONS = {
  mapping: { type: "string" },
  dir: { type: "string" },
  from: { type: "string" },
  to: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

export async function mappingCommand(argv: string[], io: CliIo): Promise<number> {
  const parsed = parseOptions(io, SUB_USAGE[argv[0] ?? ""] ?? USAGE, {
    args: argv,
    options: OPTIONS,
    allowPositionals: true,
  });
  if (!parsed) return EXIT.FATAL;
  const { values, positionals } = parsed;
  const [sub, ...files] = positionals;
  if (values.help) {
    io.stdout.write(HELP);
    return EXIT.OK;
  }
  if (!sub) return usageError(io, USAGE, "a command is needed: test, diff or coverage");
  const out = writer(io.stdout);
  const today = londonToday(io.now());
  switch (sub) {
    case "test":
      if (files.length > 0) return usageError(io, SUB_USAGE.test ?? USAGE, "test takes no file");
      return mappingTest(values, io);
    case "diff": {
      if (!values.from || !values.to || files.length === 0)
        return usageError(io, SUB_USAGE.diff ?? USAGE, "--from, --to and at least one file are required");
      const from = loadMapping(values.from);
      const to = loadMapping(values.to);
      const inputs: DiffInput[] = [];
      let rejected = 0;
      let failed = 0;
      for await (const record of mapFiles(files, [from, to], { today }, io)) {
        if (record.kind === "mapped") {
          const [before, after] = record.results as [DiffInput["before"], DiffInput["after"]];
          inputs.push({ assessmentPk: record.assessment.assessmentPk, before, after });
        } else if (record.kind === "rejected") rejected += 1;
        else {
          failed += 1;
          io.stderr.write(`bridge mapping diff: ${record.file}: ${record.code}: ${record.message}\n`);
        }
      }
      const diff = diffMappings(
        { version: from.spec.version, file: from.file },
        { version: to.spec.version, file: to.file },
        inputs,
      );
      if (values.json) await out(`${JSON.stringify({ ...diff, rejectedInputs: rejected }, null, 2)}\n`);
      else {
        await out(`${formatDiff(diff, to)}\n`);
        if (rejected > 0) await out(`\n${rejected} input record(s) rejected by ingest were not compared.\n`);
      }
      return failed > 0 ? EXIT.FATAL : rejected > 0 ? EXIT.REJECTED : EXIT.OK;
    }
    case "coverage": {
      if (files.length === 0)
        return usageError(io, SUB_USAGE.coverage ?? USAGE, "at least one file is required");
      const mapping = loadMapping(values.mapping);
      const mapped: { assessment: OasysAssessment; result: DiffInput["before"] }[] = [];
      let failed = 0;
      for await (const record of mapFiles(files, [mapping], { today }, io)) {
        if (record.kind === "mapped")
          mapped.push({ assessment: record.assessment, result: record.results[0] as DiffInput["before"] });
        else if (record.kind === "failed") {
          failed += 1;
          io.stderr.write(`bridge mapping coverage: ${record.file}: ${record.code}: ${record.message}\n`);
        }
      }
      const report = coverageOf(mapped);
      await out(
        values.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatCoverage(report, mapping)}\n`,
      );
      return failed > 0 ? EXIT.FATAL : EXIT.OK;
    }
    default:
      return usageError(io, USAGE, `unknown command ${quoteArg(sub)}: test, diff or coverage`);
  }
}

async function mappingTest(
  values: { mapping?: string; dir?: string; json?: boolean },
  io: CliIo,
): Promise<number> {
  const mapping = loadMapping(values.mapping);
  const dir = values.dir ? resolve(values.dir) : DEFAULT_GOLDEN_DIR;
  const results = await runGoldenCases(mapping, dir);
  const failed = results.filter((r) => r.mismatches.length > 0);
  const out = writer(io.stdout);
  if (values.json) {
    const report = results.map((r) => ({
      scenario: r.scenario,
      passed: r.mismatches.length === 0,
      mismatches: r.mismatches,
    }));
    await out(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    for (const r of results)
      await out(
        r.mismatches.length === 0
          ? `ok   ${r.scenario}\n`
          : `${formatMismatches(r.scenario, r.mismatches)}\n`,
      );
    await out(
      `\nmapping ${mapping.spec.version}: ${results.length - failed.length} of ${results.length} golden case(s) passed\n`,
    );
  }
  return failed.length > 0 || results.length === 0 ? EXIT.FATAL : EXIT.OK;
}
