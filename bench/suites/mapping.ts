/**
 * Mapping suite: how fast OASys assessments become pre-filled ARMS drafts, and what mapping adds to the cost
 * of ingest (target: under 20%). On one generated export (shared with the ingest suite when sizes match):
 * 1. ingest alone: the streaming XML reader to canonical assessments;
 * 2. mapping alone: `applyMapping` (including the draft's schema validation) over the same assessments, in
 *    memory, repeated until it has run for a few seconds;
 * 3. ingest + mapping streamed together, as `bridge prefill` runs.
 * After a warm-up read, 1 and 3 run interleaved twice and the cheaper run of each counts;
 * plus the share of mapping spent validating the draft against the ARMS schema.
 *
 * Settings: --mapping-mb / BENCH_MAPPING_MB (export size, default 25), --mapping-seed (default 2026),
 * --mapping-seconds (minimum measuring time for the in-memory loop, default 3).
 */
import { createWriteStream, existsSync } from "node:fs";
import { join } from "node:path";
import { finished } from "node:stream/promises";
import { writeExport } from "../../scripts/lib/generate.ts";
import { applyMapping } from "../../src/core/mapping/apply.ts";
import { loadMapping } from "../../src/core/mapping/load.ts";
import type { OasysAssessment } from "../../src/core/oasys/model.ts";
import { validateAgainst } from "../../src/core/schemas.ts";
import { readOasysExportFile } from "../../src/ingest/xml/reader.ts";
import type { BenchContext, BenchSuite } from "../lib/types.ts";

const AVERAGE_BYTES = 13_000;
const TODAY = "2026-11-20";
const TARGET_OVERHEAD = 0.2;

const cpuMs = (since: NodeJS.CpuUsage): number => {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
};

async function exportFile(ctx: BenchContext, mb: number, seed: number): Promise<string> {
  const count = Math.max(1, Math.round((mb * 1_000_000) / AVERAGE_BYTES));
  const file = join(ctx.outDir, `export-${count}x-seed${seed}.xml`);
  if (!existsSync(file)) {
    ctx.log(`generating ${count} assessments (~${mb} MB) into ${file}`);
    const out = createWriteStream(file);
    await writeExport({ count, seed }, out);
    out.end();
    await finished(out);
  }
  return file;
}

interface Run {
  cpuMs: number;
  wallMs: number;
  count: number;
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString("en-GB", { minimumFractionDigits: digits, maximumFractionDigits: digits });

export const suite: BenchSuite = {
  name: "mapping",
  title: "Mapping: OASys assessments to pre-filled ARMS drafts",
  async run(ctx) {
    const mb = ctx.setting("mapping-mb", 25);
    const seed = ctx.setting("mapping-seed", 2026);
    const minSeconds = ctx.setting("mapping-seconds", 3);
    const file = await exportFile(ctx, mb, seed);
    const mapping = loadMapping();

    // Warm-up pass (JIT, file cache), keeping the assessments for the in-memory loop.
    ctx.log("  warm-up read");
    const assessments: OasysAssessment[] = [];
    for await (const r of readOasysExportFile(file, { today: TODAY }))
      if (r.ok) assessments.push(r.assessment);

    // 2. Mapping alone, in memory: warm up, then loop until minSeconds of CPU.
    ctx.log("  mapping alone");
    for (const a of assessments.slice(0, 200)) applyMapping(mapping, a, { today: TODAY });
    let mapped = 0;
    let drafts = 0;
    let filled = 0;
    const refusals = new Map<string, number>();
    let c0 = process.cpuUsage();
    const t0 = performance.now();
    do {
      for (const a of assessments) {
        const result = applyMapping(mapping, a, { today: TODAY });
        mapped += 1;
        if (result.ok) {
          drafts += 1;
          filled += result.summary.filled;
        } else refusals.set(result.refusal.reason, (refusals.get(result.refusal.reason) ?? 0) + 1);
      }
    } while (cpuMs(c0) < minSeconds * 1000);
    const mapping1: Run = { cpuMs: cpuMs(c0), wallMs: performance.now() - t0, count: mapped };

    // Share of mapping spent on the draft's schema validation.
    const sample = assessments.flatMap((a) => {
      const r = applyMapping(mapping, a, { today: TODAY });
      return r.ok ? [r.draft] : [];
    });
    c0 = process.cpuUsage();
    for (const d of sample) validateAgainst("arms-interchange.schema.json", d);
    const validationMsPerDraft = sample.length ? cpuMs(c0) / sample.length : 0;

    // 1 and 3, interleaved twice, keeping the cheaper run of each: ingest alone, then ingest + mapping.
    const pass = async (map: boolean): Promise<Run> => {
      const c = process.cpuUsage();
      const t = performance.now();
      let count = 0;
      for await (const r of readOasysExportFile(file, { today: TODAY })) {
        if (!r.ok) continue;
        if (map) applyMapping(mapping, r.assessment, { today: TODAY });
        count += 1;
      }
      return { cpuMs: cpuMs(c), wallMs: performance.now() - t, count };
    };
    const cheaper = (a: Run, b: Run): Run => (a.cpuMs <= b.cpuMs ? a : b);
    let ingest: Run | null = null;
    let both: Run | null = null;
    for (let round = 1; round <= 2; round++) {
      ctx.log(`  ingest alone, then ingest + mapping streamed (round ${round})`);
      const i = await pass(false);
      ingest = ingest ? cheaper(ingest, i) : i;
      const b = await pass(true);
      both = both ? cheaper(both, b) : b;
    }
    if (!ingest || !both) throw new Error("no measurement");

    const ingestPer = ingest.cpuMs / ingest.count;
    const mapPer = mapping1.cpuMs / mapping1.count;
    const bothPer = both.cpuMs / both.count;
    const overheadInMemory = mapPer / ingestPer;
    const overheadStreamed = (bothPer - ingestPer) / ingestPer;
    const verdict = (x: number) => (x < TARGET_OVERHEAD ? "within" : "**over**");
    const refused = [...refusals.entries()].map(([k, v]) => `${fmt(v)} ${k}`).join(", ") || "no";
    return [
      `Export: \`${file.slice(ctx.root.length + 1)}\` (${fmt(ingest.count)} accepted assessments), mapping ${mapping.spec.version}.`,
      "",
      "| step | assessments | CPU s | wall s | per CPU-second | CPU ms each |",
      "|---|---:|---:|---:|---:|---:|",
      `| ingest alone (XML to canonical, streamed) | ${fmt(ingest.count)} | ${fmt(ingest.cpuMs / 1000, 2)} | ${fmt(ingest.wallMs / 1000, 2)} | ${fmt(ingest.count / (ingest.cpuMs / 1000))} | ${fmt(ingestPer, 3)} |`,
      `| mapping alone (applyMapping, in memory) | ${fmt(mapping1.count)} | ${fmt(mapping1.cpuMs / 1000, 2)} | ${fmt(mapping1.wallMs / 1000, 2)} | ${fmt(mapping1.count / (mapping1.cpuMs / 1000))} | ${fmt(mapPer, 3)} |`,
      `| ingest + mapping, streamed (\`bridge prefill\`) | ${fmt(both.count)} | ${fmt(both.cpuMs / 1000, 2)} | ${fmt(both.wallMs / 1000, 2)} | ${fmt(both.count / (both.cpuMs / 1000))} | ${fmt(bothPer, 3)} |`,
      "",
      `- **Drafts per CPU-second (mapping alone): ${fmt(mapping1.count / (mapping1.cpuMs / 1000))}**; ${fmt(drafts)} drafts and ${refused} refusals over ${fmt(mapped)} mappings; ${fmt(drafts ? filled / drafts : 0, 1)} ARMS fields pre-filled per draft on average.`,
      `- Mapping costs ${fmt(overheadInMemory * 100, 1)}% of ingest per assessment measured in memory, and adds ${fmt(overheadStreamed * 100, 1)}% when streamed together: ${verdict(Math.max(overheadInMemory, overheadStreamed))} the ${fmt(TARGET_OVERHEAD * 100)}% target.`,
      `- Validating a draft against the ARMS schema takes ${fmt(validationMsPerDraft, 3)} CPU ms, ${fmt(mapPer > 0 ? (100 * validationMsPerDraft) / mapPer : 0)}% of mapping.`,
    ].join("\n");
  },
};
