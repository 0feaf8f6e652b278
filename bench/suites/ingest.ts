/**
 * Ingest suite: how fast, and in how much memory, an OASys XML export is read. All candidates read the
 * SAME generated file in the same run, each in its own process (peak RSS per candidate). Then the
 * bridge's reader alone reads a smaller and a larger file, to show its memory stays flat as size grows.
 *
 * Settings: --ingest-mb / BENCH_INGEST_MB (main file size, default 100), --ingest-seed (default 2026).
 */
import { createWriteStream, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { finished } from "node:stream/promises";
import { type ExportSummary, writeExport } from "../../scripts/lib/generate.ts";
import { runWorker } from "../lib/child.ts";
import type { BenchContext, BenchSuite } from "../lib/types.ts";
import type { CandidateResult } from "../workers/xml-candidate.ts";

const TARGET_PER_CORE = 3000;
const AVERAGE_BYTES = 13_000;
const MB = 1_000_000;

const CANDIDATES: { name: string; what: string; maxOldSpaceMb?: number }[] = [
  { name: "baseline", what: "Node + TypeScript loader, reads nothing (RSS floor)" },
  { name: "ours", what: "bridge reader: saxes + extraction + normalisation + schema validation, streamed" },
  { name: "saxes", what: "saxes tokenizer only (same options), streamed, counts assessments" },
  { name: "fast-xml-parser", what: "whole file into a string, then one object tree", maxOldSpaceMb: 16_384 },
  { name: "xml2js", what: "whole file into a string, then one object tree", maxOldSpaceMb: 16_384 },
];

interface Input {
  file: string;
  summary: ExportSummary;
}

/** Generates (or reuses, if already generated with the same options) an export of about `mb` MB. */
async function input(ctx: BenchContext, mb: number, seed: number): Promise<Input> {
  const count = Math.max(1, Math.round((mb * MB) / AVERAGE_BYTES));
  const file = join(ctx.outDir, `export-${count}x-seed${seed}.xml`);
  const meta = `${file}.json`;
  if (existsSync(file) && existsSync(meta)) {
    return { file, summary: JSON.parse(readFileSync(meta, "utf8")) as ExportSummary };
  }
  ctx.log(`generating ${count} assessments (~${mb} MB) into ${file}`);
  const out = createWriteStream(file);
  const summary = await writeExport({ count, seed }, out);
  out.end();
  await finished(out);
  writeFileSync(meta, `${JSON.stringify(summary)}\n`);
  return { file, summary };
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString("en-GB", { minimumFractionDigits: digits, maximumFractionDigits: digits });

function countsCheck(r: CandidateResult, expected: ExportSummary): string {
  if (r.candidate === "baseline") return "";
  if (r.assessments !== expected.assessments) return `**count mismatch: ${r.assessments}**`;
  if (r.accepted !== null && r.accepted !== expected.expectedAccepted) {
    return `**accepted ${r.accepted}, expected ${expected.expectedAccepted}**`;
  }
  return r.accepted !== null
    ? `${fmt(r.accepted)} accepted, ${fmt(r.rejected ?? 0)} rejected`
    : "all counted";
}

async function measure(ctx: BenchContext, name: string, file: string, maxOldSpaceMb?: number) {
  ctx.log(`  ${name} on ${file}`);
  return runWorker<CandidateResult>(
    ctx.root,
    "bench/workers/xml-candidate.ts",
    [name, file],
    maxOldSpaceMb ? { maxOldSpaceMb } : {},
  );
}

export const suite: BenchSuite = {
  name: "ingest",
  title: "Ingest: reading OASys XML exports",
  async run(ctx) {
    const mb = ctx.setting("ingest-mb", 100);
    const seed = ctx.setting("ingest-seed", 2026);
    const main = await input(ctx, mb, seed);
    const sizeMb = main.summary.bytes / MB;
    const lines: string[] = [
      `Input: \`${main.file.slice(ctx.root.length + 1)}\`, ${fmt(sizeMb, 1)} MB, ${fmt(main.summary.assessments)} assessments (${fmt(main.summary.bytes / main.summary.assessments / 1000, 1)} KB each on average), generated with seed ${seed}; ${fmt(main.summary.expectedRejected)} malformed records the reader must reject.`,
      "",
      "Every candidate reads the same file in its own process. *CPU s* is user + system time of that process;",
      "the readers are single-threaded, so *assessments per CPU-second* is the rate one core sustains (the",
      "wall-clock rate is lower when the machine is shared). Peak RSS includes the runtime floor shown by",
      "*baseline*.",
      "",
      "| candidate | what it does | wall s | CPU s | MB/s (wall) | assessments/s (wall) | assessments per CPU-second | peak RSS MB | counts |",
      "|---|---|---:|---:|---:|---:|---:|---:|---|",
    ];
    let ours: CandidateResult | undefined;
    let tokenizer: CandidateResult | undefined;
    for (const c of CANDIDATES) {
      const run = await measure(ctx, c.name, main.file, c.maxOldSpaceMb);
      if (!run.ok || !run.result) {
        lines.push(`| ${c.name} | ${c.what} | – | – | – | – | – | – | failed: ${run.failure} |`);
        continue;
      }
      const r = run.result;
      if (c.name === "ours") ours = r;
      if (c.name === "saxes") tokenizer = r;
      const wall = r.wallMs / 1000;
      const cpu = r.cpuMs / 1000;
      const rate = (n: number, s: number) => (r.assessments > 0 && s > 0 ? fmt(n / s) : "–");
      lines.push(
        `| ${c.name} | ${c.what} | ${fmt(wall, 1)} | ${fmt(cpu, 1)} | ${r.assessments > 0 && wall > 0 ? fmt(sizeMb / wall, 1) : "–"} | ${rate(r.assessments, wall)} | ${rate(r.assessments, cpu)} | ${fmt(r.maxRssMb)} | ${countsCheck(r, main.summary)} |`,
      );
    }
    lines.push("");
    if (ours && ours.cpuMs > 0) {
      const perCore = ours.assessments / (ours.cpuMs / 1000);
      const verdict =
        perCore >= TARGET_PER_CORE
          ? `meets the target of ${fmt(TARGET_PER_CORE)}/s per core`
          : `is **below** the target of ${fmt(TARGET_PER_CORE)}/s per core (${fmt((100 * perCore) / TARGET_PER_CORE)}% of it)`;
      lines.push(
        `**Target:** the bridge reader sustains ${fmt(perCore)} assessments per CPU-second, which ${verdict}.`,
      );
      if (tokenizer && tokenizer.cpuMs < ours.cpuMs) {
        const share = (100 * (ours.cpuMs - tokenizer.cpuMs)) / ours.cpuMs;
        lines.push(
          `Tokenizing alone takes ${fmt(tokenizer.cpuMs / 1000, 1)} of the reader's ${fmt(ours.cpuMs / 1000, 1)} CPU-seconds; the other ${fmt(share)}% goes to extraction, normalisation and schema validation.`,
        );
      }
      lines.push("");
    }

    lines.push(
      "### Memory as the file grows (bridge reader)",
      "",
      "| file MB | assessments | wall s | assessments per CPU-second | peak RSS MB |",
      "|---:|---:|---:|---:|---:|",
    );
    const sizes = [Math.max(1, Math.round(mb / 4)), mb, mb * 3];
    for (const size of sizes) {
      const inp = size === mb ? main : await input(ctx, size, seed);
      const r = size === mb && ours ? { ok: true, result: ours } : await measure(ctx, "ours", inp.file);
      if (!r.ok || !r.result) {
        lines.push(`| ${fmt(inp.summary.bytes / MB, 1)} | ${fmt(inp.summary.assessments)} | failed | | |`);
        continue;
      }
      const x = r.result;
      lines.push(
        `| ${fmt(inp.summary.bytes / MB, 1)} | ${fmt(x.assessments)} | ${fmt(x.wallMs / 1000, 1)} | ${fmt(x.assessments / (x.cpuMs / 1000))} | ${fmt(x.maxRssMb)} |`,
      );
    }
    return lines.join("\n");
  },
};
