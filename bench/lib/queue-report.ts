/** Markdown for the queue bench's results (bench/suites/queue.ts). */
import { QUEUES, type QueueName } from "../../src/queue/jobs.ts";
import { percentile } from "./load.ts";
import { maxWaiting, type PhaseReport, type StageProfile, sampleAt } from "./monitor.ts";
import type { Steady } from "./queue-phases.ts";

export const fmt = (n: number, digits = 0): string =>
  Number.isFinite(n)
    ? n.toLocaleString("en-GB", { minimumFractionDigits: digits, maximumFractionDigits: digits })
    : "–";

const QUEUE_ORDER = Object.values(QUEUES) as QueueName[];

/** CPU per process over a phase; with `records`, also CPU per record (what one record costs the machine). */
export function cpuTable(report: PhaseReport, records: number): string[] {
  const total = report.cpu.reduce((sum, c) => sum + c.ms, 0);
  const row = (label: string, ms: number) =>
    `| ${label} | ${fmt(ms / 1000, 1)} | ${fmt((100 * ms) / report.wallMs)}% | ${fmt(ms / records, 1)} |`;
  return [
    "| process | CPU s | share of one core | CPU ms per record |",
    "|---|---:|---:|---:|",
    ...report.cpu.map((c) => row(c.label, c.ms)),
    row("**all of these**", total),
  ];
}

/** CPU ms per record over a phase, all processes together. */
export const cpuPerRecord = (report: PhaseReport, records: number): number =>
  report.cpu.reduce((sum, c) => sum + c.ms, 0) / records;

/** Processes that are not the bridge: the load generator, the agency simulators and Redis. */
const OUTSIDE_THE_BRIDGE = [/^bench /, /^bridge simulate/, /^Redis/];

/**
 * What a target rate leaves each record on this machine: all cores' CPU over the rate, less what the
 * load generator, the simulators and Redis used per record in the run, against what the bridge's own
 * processes (API, worker, PostgreSQL) used. Says plainly when the harness alone already exceeds it.
 */
export function budgetLine(
  report: PhaseReport,
  records: number,
  cores: number,
  rate: number,
  what: string,
): string {
  const budget = (cores * 1000) / rate;
  const outside = report.cpu.filter((c) => OUTSIDE_THE_BRIDGE.some((re) => re.test(c.label)));
  const outsideMs = outside.reduce((sum, c) => sum + c.ms, 0) / records;
  const bridgeMs = cpuPerRecord(report, records) - outsideMs;
  const left = budget - outsideMs;
  const head = `${what} (${fmt(rate)} records/s) leaves each record ${fmt(budget, 1)} ms of this machine's CPU (${cores} cores). The load generator, the simulators and Redis used ${fmt(outsideMs, 1)} ms a record in this run`;
  const verdict =
    left <= 0
      ? `${head}: **more than the whole budget before the bridge does anything**, so no implementation of the bridge could reach that rate here; the bridge's own processes (API, worker, PostgreSQL) used ${fmt(bridgeMs, 1)} ms.`
      : `${head}, leaving ${fmt(left, 1)} ms for the bridge's own processes (API, worker, PostgreSQL), which used ${fmt(bridgeMs, 1)} ms: ${bridgeMs <= left ? "within it" : `${fmt(bridgeMs / left, 1)} times as much`}.`;
  const redisMs =
    report.cpu.filter((c) => /^Redis/.test(c.label)).reduce((sum, c) => sum + c.ms, 0) / records;
  return `${verdict} ${coresLine(rate, bridgeMs, outsideMs, redisMs)}`;
}

/**
 * The machine a rate would take at the CPU a record cost in this run: what to ask for when the target is
 * to be shown somewhere bigger. A rough guide, not a promise: the cost per record changes with the rate
 * (Redis and the sockets do more per wake-up at a low rate), and API, worker and PostgreSQL must be run as
 * several processes (the bridge's workers and API are stateless; PostgreSQL gives each connection a process).
 */
export function coresLine(rate: number, bridgeMs: number, outsideMs: number, redisMs: number): string {
  const bridgeCores = (rate * bridgeMs) / 1000;
  const allCores = (rate * (bridgeMs + outsideMs)) / 1000;
  const redisShare = (rate * redisMs) / 1000;
  const redis =
    redisShare > 1
      ? ` Redis runs on one thread, and at this run's ${fmt(redisMs, 1)} ms a record it would need ${fmt(redisShare * 100)}% of a core: so that rate also needs Redis to spend less per record than it did here (in the raw run above it spent less).`
      : "";
  return `At this run's CPU per record, ${fmt(rate)} records/s would keep about ${fmt(Math.ceil(bridgeCores))} cores busy with the bridge's own processes, and ${fmt(Math.ceil(allCores))} with the harness as well: the size of machine (or of machines, with the harness on its own) that showing this rate takes.${redis}`;
}

export function stageTable(stages: StageProfile[], concurrency: number): string[] {
  return [
    "| stage | jobs | mean wait ms | mean run ms | p95 run ms | stage capacity, jobs/s |",
    "|---|---:|---:|---:|---:|---:|",
    ...stages.map(
      (p) =>
        `| \`${p.queue}\` | ${fmt(p.jobs)} | ${fmt(p.waitMeanMs)} | ${fmt(p.runMeanMs, 1)} | ${fmt(p.runP95Ms)} | ${fmt((concurrency * 1000) / p.runMeanMs)} |`,
    ),
  ];
}

/** The most jobs seen waiting on each queue, and (given a time) how many were waiting then. */
export function depthLine(report: PhaseReport, atMs: number | null = null): string {
  const peak = maxWaiting(report.samples);
  const at = atMs === null ? null : sampleAt(report.samples, atMs);
  return QUEUE_ORDER.map((q) => {
    const then = at ? ` (${fmt(at.depths[q].waiting)} when feeding stopped)` : "";
    return `\`${q}\` ${fmt(peak[q] ?? 0)}${then}`;
  }).join(", ");
}

export interface SteadySummary {
  latencies: number[];
  answers: number[];
  feedSeconds: number;
  /** Records that had not reached both agencies when feeding stopped. */
  backlog: number;
  /** Records that never did within the drain window. */
  missing: number;
  /** Records completed per second while feeding. */
  completedPerSecond: number;
  /** p50 / p95 latency for the first, middle and last third of the records. */
  thirds: { p50: number; p95: number }[];
  lastDoneAfterFeedS: number;
  keptUp: boolean;
}

export function summarise(st: Steady): SteadySummary {
  const n = st.sent.length;
  const latencyOf = (i: number) => {
    const done = st.doneAtMs[i];
    const sent = st.sent[i];
    return done == null || !sent ? null : done - sent.sentAtMs;
  };
  const all = st.sent.map((_, i) => latencyOf(i));
  const latencies = all.filter((v): v is number => v !== null);
  const feedSeconds = (st.feedEndMs - st.startMs) / 1000;
  const backlog = st.doneAtMs.filter((t) => t === null || t > st.feedEndMs).length;
  const missing = st.doneAtMs.filter((t) => t === null).length;
  const thirds = [0, 1, 2].map((k) => {
    const slice = all.slice(Math.floor((k * n) / 3), Math.floor(((k + 1) * n) / 3));
    const values = slice.filter((v): v is number => v !== null);
    return { p50: percentile(values, 50), p95: percentile(values, 95) };
  });
  return {
    latencies,
    answers: st.sent.map((x) => x.answeredAtMs - x.sentAtMs),
    feedSeconds,
    backlog,
    missing,
    completedPerSecond: (n - backlog) / feedSeconds,
    thirds,
    lastDoneAfterFeedS: (Math.max(...st.doneAtMs.map((t) => t ?? Number.NaN)) - st.feedEndMs) / 1000,
    // Kept up: everything arrived, and what was still on its way at the end is under 2 s of input.
    keptUp: missing === 0 && backlog <= st.rate * 2,
  };
}

export function latencyTable(runs: { label: string; st: Steady; sum: SteadySummary }[]): string[] {
  const q = (v: number[], p: number) => fmt(percentile(v, p));
  return [
    "| rate | records | fed at | intake -> both pushes p50 ms | p95 ms | p99 ms | max ms | POST answered p50 / p95 ms | still on the way when feeding stopped | kept up |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ...runs.map(
      ({ label, st, sum }) =>
        `| ${label} | ${fmt(st.sent.length)} | ${fmt(st.sent.length / sum.feedSeconds, 1)}/s for ${fmt(sum.feedSeconds, 1)} s | ${q(sum.latencies, 50)} | **${q(sum.latencies, 95)}** | ${q(sum.latencies, 99)} | ${fmt(Math.max(...sum.latencies))} | ${q(sum.answers, 50)} / ${q(sum.answers, 95)} | ${fmt(sum.backlog)}${sum.missing ? ` (${fmt(sum.missing)} not within ${fmt(st.drainSeconds)} s after)` : ""} | ${sum.keptUp ? "yes" : "**no**"} |`,
    ),
  ];
}

export const thirdsLine = (sum: SteadySummary): string =>
  sum.thirds.map((t) => `${fmt(t.p50)} / ${fmt(t.p95)}`).join("; ");
