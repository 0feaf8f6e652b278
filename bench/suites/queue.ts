/**
 * Queue suite (step 4): end-to-end records per second through the queues and the store, next to raw
 * BullMQ no-op throughput on the same Redis in the same run, and latency from intake to both pushes at a
 * steady rate. A record is one OASys assessment the pipeline must deliver to BOTH agencies: a police ARMS
 * draft and a probation partner update.
 *
 * 1. Raw ceiling: `bench/workers/bullmq-noop.ts`, its own process, runs the pipeline's stages (ingest ->
 *    reconcile -> push-arms + push-oasys) with processors that only hand on, set up as `startWorker` sets
 *    up the bridge's; the bench adds ingest jobs through the bridge's producer.
 * 2. Throughput: `bridge simulate`, `bridge serve` and `bridge worker`, each its own process through the
 *    real CLI. Matching synthetic ARMS assessments are posted first (setup, not measured); then each record
 *    is POSTed to /v1/oasys/exports as an export of its own with `--queue-in-flight` outstanding, and
 *    timed until the simulated agencies have received both of its pushes.
 * 3. Latency: records POSTed on a fixed schedule, `--queue-rate` per second for `--queue-seconds`, each
 *    timed from the start of its POST to the later of its two pushes arriving at the simulators. When the
 *    throughput of (2) is below 80% of that rate the rate cannot be sustained: the run is then at 80% of
 *    the measured throughput for `--queue-seconds`, followed by `--queue-overload-seconds` at the asked
 *    rate to show where the backlog builds (allowed `--queue-overload-drain-seconds` to finish).
 *
 * Settings: --queue-raw-records (3,000), --queue-records (600), --queue-rate (200), --queue-seconds (30),
 * --queue-overload-seconds (5), --queue-overload-drain-seconds (10), --queue-drain-seconds (60),
 * --queue-concurrency (the worker's default, 4), --queue-in-flight (16), --queue-seed (41).
 */
import { randomBytes } from "node:crypto";
import os from "node:os";
import { londonToday } from "../../src/clock.ts";
import { loadConfig } from "../../src/config.ts";
import { closedLoop } from "../lib/load.ts";
import { recordSource } from "../lib/pipeline-records.ts";
import {
  closedLoopRun,
  deliveredCount,
  openLoopRun,
  postArms,
  postExport,
  rawCeiling,
  type Steady,
  type Throughput,
} from "../lib/queue-phases.ts";
import {
  budgetLine,
  cpuPerRecord,
  cpuTable,
  depthLine,
  fmt,
  latencyTable,
  type SteadySummary,
  stageTable,
  summarise,
  thirdsLine,
} from "../lib/queue-report.ts";
import { arrivals, type Stack, startStack, waitUntilIdle } from "../lib/queue-stack.ts";
import type { BenchContext, BenchSuite } from "../lib/types.ts";

const DATABASE_URL = process.env.DATABASE_URL || "postgresql://postgres@127.0.0.1:5432/test";
const REDIS_URL = process.env.REDIS_URL || "redis://127.0.0.1:6379";
const WARM_UP = 50;
/** Below this share of the asked rate, the closed-loop maximum says the rate cannot be sustained. */
const FEASIBLE = 0.8;

function settingsOf(ctx: BenchContext) {
  return {
    rawRecords: ctx.setting("queue-raw-records", 3000),
    records: ctx.setting("queue-records", 600),
    rate: ctx.setting("queue-rate", 200),
    seconds: ctx.setting("queue-seconds", 30),
    overloadSeconds: ctx.setting("queue-overload-seconds", 5),
    overloadDrainSeconds: ctx.setting("queue-overload-drain-seconds", 10),
    drainSeconds: ctx.setting("queue-drain-seconds", 60),
    concurrency: ctx.setting("queue-concurrency", loadConfig({}).worker.concurrency),
    inFlight: ctx.setting("queue-in-flight", 16),
    seed: ctx.setting("queue-seed", 41),
  };
}
type Settings = ReturnType<typeof settingsOf>;

interface SteadyRun {
  label: string;
  st: Steady;
  sum: SteadySummary;
}

interface PipelineResults {
  armsSetupS: number;
  /** Mean size of a record's export, bytes. */
  recordBytes: number;
  throughput: Throughput;
  /** At the asked rate when feasible, else at 80% of the throughput; then the overload run, if any. */
  steady: SteadyRun;
  overload: SteadyRun | null;
}

async function measurePipeline(
  ctx: BenchContext,
  s: Settings,
  stack: Stack,
  source: ReturnType<typeof recordSource>,
): Promise<PipelineResults> {
  const warm = await source.take(WARM_UP);
  const measured = await source.take(s.records);
  ctx.log(`posting ${warm.length + measured.length} ARMS assessments (setup, not measured)`);
  const a0 = Date.now();
  await postArms(stack, [...warm, ...measured]);
  await waitUntilIdle(stack, 900_000);
  const armsSetupS = (Date.now() - a0) / 1000;
  const recordBytes = measured.reduce((sum, r) => sum + Buffer.byteLength(r.exportXml), 0) / measured.length;

  ctx.log(`warm-up: ${WARM_UP} records`);
  await closedLoop(warm.length, s.inFlight, (i) => postExport(stack, warm[i] as (typeof warm)[number]));
  await deliveredCount(stack, WARM_UP * 2, 300_000);
  await arrivals(stack, true);

  ctx.log(`throughput: ${measured.length} records, ${s.inFlight} in flight`);
  const throughput = await closedLoopRun(stack, measured, { inFlight: s.inFlight, timeoutMs: 900_000 });
  ctx.log(`the bridge: ${fmt(throughput.perSecond)} records/s`);
  await waitUntilIdle(stack, 300_000);

  const steadyAt = async (
    label: string,
    rate: number,
    seconds: number,
    drainSeconds: number,
  ): Promise<SteadyRun> => {
    const records = await source.take(Math.max(1, Math.round(rate * seconds)));
    ctx.log(`${label}: posting ${records.length} ARMS assessments (setup, not measured)`);
    await postArms(stack, records);
    await waitUntilIdle(stack, 900_000);
    ctx.log(`${label}: ${records.length} records at ${fmt(rate)}/s`);
    const st = await openLoopRun(stack, records, { rate, drainSeconds });
    return { label, st, sum: summarise(st) };
  };

  if (throughput.perSecond >= FEASIBLE * s.rate) {
    const steady = await steadyAt(`${fmt(s.rate)}/s`, s.rate, s.seconds, s.drainSeconds);
    return { armsSetupS, recordBytes, throughput, steady, overload: null };
  }
  const sustainable = Math.max(1, Math.floor(FEASIBLE * throughput.perSecond));
  const steady = await steadyAt(
    `${fmt(sustainable)}/s (80% of the throughput)`,
    sustainable,
    s.seconds,
    s.drainSeconds,
  );
  await waitUntilIdle(stack, 900_000);
  const overload = await steadyAt(
    `${fmt(s.rate)}/s (asked)`,
    s.rate,
    s.overloadSeconds,
    s.overloadDrainSeconds,
  );
  return { armsSetupS, recordBytes, throughput, steady, overload };
}

/** The API's share of all the CPU a run used, %. */
function apiShare(t: Throughput): number {
  const total = t.report.cpu.reduce((sum, c) => sum + c.ms, 0);
  const api = t.report.cpu.find((c) => c.label.startsWith("bridge serve"))?.ms ?? 0;
  return (100 * api) / total;
}

/** Names the stage with the least capacity: where the pipeline's throughput is decided. */
function slowestStage(t: Throughput, concurrency: number): string {
  const [slowest] = [...t.stages].sort((a, b) => b.runMeanMs - a.runMeanMs);
  if (!slowest) return "";
  const capacity = (concurrency * 1000) / slowest.runMeanMs;
  return `The slowest stage is \`${slowest.queue}\`: ${fmt(slowest.runMeanMs)} ms a job, so at most about ${fmt(capacity)} jobs/s with ${concurrency} in parallel, against ${fmt(t.perSecond)} records/s end to end.`;
}

function latencySection(s: Settings, r: PipelineResults): string[] {
  const runs = [r.steady, ...(r.overload ? [r.overload] : [])];
  const out = [
    `### Latency at a steady ${fmt(s.rate)} records/s`,
    "",
    "Records started on a fixed schedule whatever the service does (an open loop, so a service that falls behind builds a backlog rather than slowing the sender); latency is from the start of a record's POST to the later of its two pushes arriving at the simulators.",
    "",
  ];
  if (r.overload) {
    const o = r.overload;
    out.push(
      `**${fmt(s.rate)} records/s cannot be sustained on this machine.** The closed-loop throughput above (${fmt(r.throughput.perSecond)} records/s) is the most the pipeline delivers; so the latency run is at ${fmt(r.steady.st.rate)} records/s (80% of it) for ${fmt(s.seconds)} s, then ${fmt(s.overloadSeconds)} s at ${fmt(s.rate)}/s shows where the backlog builds. At ${fmt(s.rate)}/s, ${fmt(o.sum.completedPerSecond, 1)} records/s were completed while feeding; when feeding stopped ${fmt(o.sum.backlog)} of ${fmt(o.st.sent.length)} records were still on their way, and the most jobs waiting per queue were ${depthLine(o.st.report, o.st.feedEndMs)}. Its latency percentiles measure the queue, not the pipeline${o.sum.missing ? `, and cover only the records that arrived within ${fmt(o.st.drainSeconds)} s after feeding stopped (the rest were still queued when the stack was stopped)` : ""}.`,
      "",
    );
  }
  out.push(...latencyTable(runs), "");
  for (const run of runs) {
    out.push(
      `${run.label}: latency p50 / p95 (ms) for the first, middle and last third of the records: ${thirdsLine(run.sum)}; completed while feeding ${fmt(run.sum.completedPerSecond, 1)}/s; most jobs waiting per queue ${depthLine(run.st.report, run.st.feedEndMs)}.${run.st.unexpected ? ` **${fmt(run.st.unexpected)} pushes other than one draft and one update per record.**` : ""}`,
      "",
      ...stageTable(run.st.stages, s.concurrency),
      "",
      // An overloaded run leaves records unfinished, so its CPU cannot be shared out per record.
      ...cpuTable(run.st.report, run.sum.missing ? Number.NaN : run.st.sent.length),
      "",
    );
  }
  return out;
}

export const suite: BenchSuite = {
  name: "queue",
  title: "Queue: end-to-end records per second and latency through BullMQ and PostgreSQL",
  async run(ctx: BenchContext) {
    const s = settingsOf(ctx);
    const loadBefore = os.loadavg()[0] ?? Number.NaN;
    const cores = os.availableParallelism();
    const suffix = `${process.pid}_${randomBytes(3).toString("hex")}`;
    const source = recordSource(s.seed, londonToday(new Date()));

    ctx.log(`raw BullMQ ceiling: ${s.rawRecords} records`);
    const raw = await rawCeiling({
      root: ctx.root,
      redisUrl: REDIS_URL,
      prefix: `bench-raw-${suffix}`,
      records: s.rawRecords,
      warmUp: 100,
      concurrency: s.concurrency,
      inFlight: s.inFlight,
    });
    ctx.log(`raw BullMQ: ${fmt(raw.perSecond)} records/s`);

    ctx.log("starting bridge simulate, serve and worker");
    const stack = await startStack({
      root: ctx.root,
      databaseUrl: DATABASE_URL,
      redisUrl: REDIS_URL,
      suffix,
      concurrency: s.concurrency,
      logLevel: "info",
    });
    let r: PipelineResults;
    try {
      r = await measurePipeline(ctx, s, stack, source);
    } finally {
      await stack.stop();
    }

    const t = r.throughput;
    const ratio = t.perSecond / raw.perSecond;
    const st = source.stats;
    return [
      `Records: generated OASys assessments (seed ${s.seed}), each with a synthetic completed ARMS assessment of the same person, keeping only people the reconciliation clears for both pushes (${fmt(st.generated - st.notBothPushes - st.sharedPerson - st.rejected)} of ${fmt(st.generated)} generated; the others were held back by a conflict or refused draft). Each record is an export of one assessment (${fmt(r.recordBytes / 1024, 1)} KB on average) POSTed to \`bridge serve\`, over HTTP as a client would (the API took ${fmt(apiShare(t), 0)}% of the CPU the throughput run used). \`bridge simulate\`, \`bridge serve\` and \`bridge worker\` run as separate processes through the CLI (LOG_LEVEL=info, WORKER_CONCURRENCY=${s.concurrency}, the other settings their defaults) on the local Redis and PostgreSQL. Before each phase its records' ARMS assessments were posted and reconciled (${fmt(r.armsSetupS)} s for the first ${fmt(WARM_UP + s.records)}, not measured); ${WARM_UP} records warmed the pipeline up.`,
      "",
      "### Throughput",
      "",
      "| run | stages | records | s | records/s |",
      "|---|---|---:|---:|---:|",
      `| raw BullMQ: no-op processors that only hand on (the bridge's producer, job options and ids; ${s.concurrency} per queue) | ingest -> reconcile -> push-arms + push-oasys | ${fmt(raw.records)} | ${fmt(raw.seconds, 1)} | ${fmt(raw.perSecond)} |`,
      `| the bridge: POST /v1/oasys/exports -> both pushes received by the simulated agencies | the same | ${fmt(t.records)} | ${fmt(t.seconds, 1)} | **${fmt(t.perSecond)}** |`,
      "",
      `End to end the bridge runs at **${fmt(100 * ratio, 1)}% of the raw BullMQ ceiling** for the same stages (target: at least 50%, ${ratio >= 0.5 ? "**met**" : "**not met**"}). Both runs keep ${s.inFlight} records in flight. ${t.refused ? `${fmt(t.refused)} POSTs were not answered 202. ` : ""}${t.unexpected ? `**${fmt(t.unexpected)} pushes other than one draft and one update per record.**` : "Every record reached police and probation exactly once."} Most jobs waiting per queue: raw ${depthLine(raw.report)}; the bridge ${depthLine(t.report)}.`,
      "",
      `Per stage, from BullMQ's own stamps on each job (added, taken, finished); _stage capacity_ is ${s.concurrency} jobs in parallel over the mean run time, the most that stage can pass on. The raw run:`,
      "",
      ...stageTable(raw.stages, s.concurrency),
      "",
      "The bridge:",
      "",
      ...stageTable(t.stages, s.concurrency),
      "",
      slowestStage(t, s.concurrency),
      "",
      `CPU over the raw run, then over the bridge's. One record costs the machine ${fmt(cpuPerRecord(t.report, t.records), 1)} ms of CPU in the bridge against ${fmt(cpuPerRecord(raw.report, raw.records), 1)} ms raw, so on this machine's ${cores} cores the bridge could not pass about ${fmt((cores * 1000) / cpuPerRecord(t.report, t.records))} records/s even with the cores to itself. Load average (1 min) before the suite ${fmt(loadBefore, 2)}, after ${fmt(os.loadavg()[0] ?? Number.NaN, 2)}: other work on the machine takes cores from these processes.`,
      "",
      ...cpuTable(raw.report, raw.records),
      "",
      ...cpuTable(t.report, t.records),
      "",
      budgetLine(t.report, t.records, cores, raw.perSecond / 2, "Half the raw ceiling"),
      "",
      budgetLine(t.report, t.records, cores, s.rate, "The latency target's steady rate"),
      "",
      ...latencySection(s, r),
    ].join("\n");
  },
};
