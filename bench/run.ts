/**
 * `npm run bench [-- --only ingest] [--ingest-mb=25]`: runs every suite in bench/suites/ (or those named)
 * and writes bench/RESULTS.md with the machine's details and each suite's section. A later step adds a
 * benchmark by adding a file to bench/suites/ that exports `suite: BenchSuite` (bench/lib/types.ts).
 * Numeric settings come from `--name=value` flags or `BENCH_NAME` environment variables.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { machineTable } from "./lib/machine.ts";
import type { BenchContext, BenchSuite } from "./lib/types.ts";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..");

function parseFlags(argv: string[]): {
  only: string[] | null;
  settings: Map<string, string>;
  output: string;
} {
  const settings = new Map<string, string>();
  let only: string[] | null = null;
  let output = join(here, "RESULTS.md");
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [flag, inline] = arg.split("=", 2) as [string, string | undefined];
    const value = () => inline ?? argv[++i] ?? "";
    if (flag === "--only") only = value().split(",");
    else if (flag === "--output") output = resolve(value());
    else if (flag.startsWith("--")) settings.set(flag.slice(2), value());
    else throw new Error(`unexpected argument ${arg}`);
  }
  return { only, settings, output };
}

async function loadSuites(only: string[] | null): Promise<BenchSuite[]> {
  const files = readdirSync(join(here, "suites"))
    .filter((f) => f.endsWith(".ts"))
    .sort();
  const suites: BenchSuite[] = [];
  for (const f of files) {
    const mod = (await import(pathToFileURL(join(here, "suites", f)).href)) as { suite?: BenchSuite };
    if (!mod.suite) throw new Error(`bench/suites/${f} does not export a suite`);
    if (!only || only.includes(mod.suite.name)) suites.push(mod.suite);
  }
  if (only) {
    const missing = only.filter((name) => !suites.some((s) => s.name === name));
    if (missing.length) throw new Error(`no such suite: ${missing.join(", ")}`);
  }
  return suites;
}

/** RESULTS.md is committed, so it is laid out by the repository's formatter (`npm run check` passes). */
function formatMarkdown(file: string, log: (message: string) => void): void {
  if (!file.startsWith(`${root}/`)) return;
  const biome = join(root, "node_modules/.bin/biome");
  const run = spawnSync(biome, ["format", "--write", file], { cwd: root, encoding: "utf8" });
  if (run.status !== 0) log(`could not format ${file} with biome: ${run.stderr || run.error?.message}`);
}

async function main(): Promise<void> {
  const { only, settings, output } = parseFlags(process.argv.slice(2));
  const outDir = join(here, "out");
  mkdirSync(outDir, { recursive: true });
  const ctx: BenchContext = {
    root,
    outDir,
    setting(name, fallback) {
      const raw = settings.get(name) ?? process.env[`BENCH_${name.toUpperCase().replace(/-/g, "_")}`];
      if (raw === undefined || raw === "") return fallback;
      const n = Number(raw);
      if (!Number.isFinite(n) || n <= 0)
        throw new Error(`setting ${name} must be a positive number, got "${raw}"`);
      return n;
    },
    log: (message) => process.stderr.write(`[bench] ${message}\n`),
  };
  const startedAt = new Date();
  const t0 = performance.now();
  const sections: string[] = [];
  for (const suite of await loadSuites(only)) {
    ctx.log(`suite ${suite.name}`);
    const s0 = performance.now();
    const body = await suite.run(ctx);
    const seconds = (performance.now() - s0) / 1000;
    sections.push(
      `## ${suite.title}\n\n${body.trim()}\n\n_Suite \`${suite.name}\` took ${seconds.toFixed(0)} s._\n`,
    );
  }
  const total = (performance.now() - t0) / 1000;
  const doc = [
    "# Benchmark results",
    "",
    "Written by `npm run bench` (bench/run.ts); see bench/README.md for what each suite measures and how",
    "to run it. Do not edit by hand: run the bench again.",
    "",
    "## Machine",
    "",
    machineTable(root, startedAt),
    "",
    ...sections,
    `Total bench time: ${total.toFixed(0)} s.`,
    "",
  ].join("\n");
  writeFileSync(output, doc);
  formatMarkdown(output, ctx.log);
  ctx.log(`wrote ${output} in ${total.toFixed(0)} s`);
}

await main();
