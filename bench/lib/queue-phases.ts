/**
 * The measured phases of the queue bench (bench/suites/queue.ts):
 * - `rawCeiling`: the pipeline's stages on BullMQ with no-op processors (bench/workers/bullmq-noop.ts);
 * - `closedLoopRun`: records POSTed with a fixed number in flight, timed until both pushes arrived;
 * - `openLoopRun`: records POSTed on a fixed schedule, each timed from its POST to its second push.
 * Every phase reports queue depths over time, BullMQ's per-stage timings and each process's CPU.
 */
import { loadConfig } from "../../src/config.ts";
import { deleteKeysUnder } from "../../src/queue/connection.ts";
import { createProducer } from "../../src/queue/producer.ts";
import { closedLoop, openLoop, type Sent } from "./load.ts";
import {
  type CpuSource,
  type PhaseReport,
  type StageProfile,
  selfCpu,
  stageProfile,
  startMonitor,
} from "./monitor.ts";
import type { PipelineRecord } from "./pipeline-records.ts";
import { type Arrival, arrivals, outboxStates, type Stack } from "./queue-stack.ts";
import { cpuMeter, startService } from "./service.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface Throughput {
  records: number;
  seconds: number;
  perSecond: number;
  report: PhaseReport;
  stages: StageProfile[];
  /** POSTs not answered 202, and pushes other than one draft and one update per record. */
  refused: number;
  unexpected: number;
}

const machineCpu = (): CpuSource[] => [
  { label: "Redis", read: cpuMeter("redis-server") },
  { label: "PostgreSQL (all its processes)", read: cpuMeter("postgres") },
  selfCpu(),
];

const stackCpu = (stack: Stack): CpuSource[] => [
  { label: "bridge worker", read: stack.services.worker.cpuMs },
  { label: "bridge serve (API)", read: stack.services.api.cpuMs },
  { label: "bridge simulate", read: stack.services.simulators.cpuMs },
  ...machineCpu(),
];

// ---------------------------------------------------------------- raw BullMQ

export interface RawOptions {
  root: string;
  redisUrl: string;
  prefix: string;
  records: number;
  warmUp: number;
  concurrency: number;
  inFlight: number;
}

/** Ingest jobs added through the bridge's producer, timed until both no-op pushes of the last finished. */
export async function rawCeiling(o: RawOptions): Promise<Throughput> {
  const worker = startService("bullmq no-op worker", o.root, "bin/run-ts.js", [
    "bench/workers/bullmq-noop.ts",
    o.redisUrl,
    o.prefix,
    String(o.concurrency),
  ]);
  const producer = createProducer({
    redisUrl: o.redisUrl,
    prefix: o.prefix,
    attempts: loadConfig({}).worker.pushAttempts,
  });
  const pushesAt = async (n: number) => {
    const line = await worker.waitForLine(
      (l) => l.startsWith("{") && ((JSON.parse(l) as { pushes?: number }).pushes ?? 0) >= n,
      600_000,
    );
    return (JSON.parse(line) as { at: number }).at;
  };
  // The worker reports every 100th push: keep both counts multiples of 50 records.
  const warm = Math.ceil(o.warmUp / 50) * 50;
  const n = Math.ceil(o.records / 50) * 50;
  try {
    await worker.waitForLine((l) => l.includes('"ready":true'), 60_000);
    const add = (tag: string) => async (i: number) => {
      await producer.ingest({ type: "OASYS_EXPORT", exportId: `${tag}-${i}` });
      return 202;
    };
    await closedLoop(warm, o.inFlight, add("warm"));
    await pushesAt(warm * 2);
    const monitor = startMonitor(producer.queues, [
      { label: "BullMQ no-op worker", read: worker.cpuMs },
      ...machineCpu(),
    ]);
    const start = Date.now();
    await closedLoop(n, o.inFlight, add("record"));
    const end = await pushesAt((warm + n) * 2);
    const report = await monitor.stop();
    const seconds = (end - start) / 1000;
    const stages = await stageProfile(producer.queues, start, end);
    return { records: n, seconds, perSecond: n / seconds, report, stages, refused: 0, unexpected: 0 };
  } finally {
    await worker.stop();
    await producer.close();
    await deleteKeysUnder(o.redisUrl, o.prefix);
  }
}

// ---------------------------------------------------------------- the bridge

export async function postExport(stack: Stack, record: PipelineRecord): Promise<number> {
  const res = await fetch(`${stack.api}/v1/oasys/exports`, {
    method: "POST",
    headers: { "content-type": "application/xml", ...stack.auth.oasys },
    body: record.exportXml,
  });
  await res.arrayBuffer();
  return res.status;
}

/** Setup, not measured: the records' ARMS assessments, 200 per request. */
export async function postArms(stack: Stack, records: PipelineRecord[]): Promise<void> {
  for (let i = 0; i < records.length; i += 200) {
    const res = await fetch(`${stack.api}/v1/arms/assessments`, {
      method: "POST",
      headers: { "content-type": "application/json", ...stack.auth.arms },
      body: JSON.stringify(records.slice(i, i + 200).map((r) => r.arms)),
    });
    await res.arrayBuffer();
    if (res.status !== 202) throw new Error(`POST /v1/arms/assessments answered ${res.status}`);
  }
}

/** Polls until `target` outbox rows are DELIVERED or `timeoutMs` passes; returns whether it got there. */
export async function deliveredCount(stack: Stack, target: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (((await outboxStates(stack.db)).DELIVERED ?? 0) >= target) return true;
    if (Date.now() > deadline) return false;
    await sleep(250);
  }
}

interface Completion {
  /** When the later of its two pushes arrived, per record; null when not both arrived. */
  doneAtMs: (number | null)[];
  unexpected: number;
}

function completion(records: PipelineRecord[], got: Arrival[]): Completion {
  const byPk = new Map<number, Arrival[]>();
  for (const a of got) byPk.set(a.assessmentPk, [...(byPk.get(a.assessmentPk) ?? []), a]);
  let expected = 0;
  const doneAtMs = records.map((r) => {
    const list = byPk.get(r.assessmentPk) ?? [];
    const police = list.find((a) => a.recipient === "ARMS" && a.documentType === "arms-interchange/1");
    const probation = list.find((a) => a.recipient === "OASYS" && a.documentType === "partnerRiskUpdate");
    expected += (police ? 1 : 0) + (probation ? 1 : 0);
    return police && probation ? Math.max(police.receivedAtMs, probation.receivedAtMs) : null;
  });
  return { doneAtMs, unexpected: got.length - expected };
}

const deliveredSoFar = async (stack: Stack) => (await outboxStates(stack.db)).DELIVERED ?? 0;

/** `records` POSTed with `inFlight` outstanding, timed from the first POST to the last push arriving. */
export async function closedLoopRun(
  stack: Stack,
  records: PipelineRecord[],
  o: { inFlight: number; timeoutMs: number },
): Promise<Throughput> {
  const before = await deliveredSoFar(stack);
  const monitor = startMonitor(stack.queues, stackCpu(stack));
  const start = Date.now();
  const sent = await closedLoop(records.length, o.inFlight, (i) =>
    postExport(stack, records[i] as PipelineRecord),
  );
  await deliveredCount(stack, before + records.length * 2, o.timeoutMs);
  const report = await monitor.stop();
  const done = completion(records, await arrivals(stack, true));
  const end = Math.max(...done.doneAtMs.map((t) => t ?? Number.NaN));
  const seconds = (end - start) / 1000;
  return {
    records: records.length,
    seconds,
    perSecond: records.length / seconds,
    report,
    stages: await stageProfile(stack.queues, start, Date.now()),
    refused: sent.filter((x) => x.status !== 202).length,
    unexpected: done.unexpected,
  };
}

export interface Steady {
  rate: number;
  sent: Sent[];
  startMs: number;
  feedEndMs: number;
  doneAtMs: (number | null)[];
  /** Whether every record reached both agencies within the drain window. */
  drained: boolean;
  drainSeconds: number;
  unexpected: number;
  report: PhaseReport;
  stages: StageProfile[];
}

/** `records` started at `rate` per second whatever the service does; then up to `drainSeconds` to finish. */
export async function openLoopRun(
  stack: Stack,
  records: PipelineRecord[],
  o: { rate: number; drainSeconds: number },
): Promise<Steady> {
  const before = await deliveredSoFar(stack);
  const monitor = startMonitor(stack.queues, stackCpu(stack));
  const fed = await openLoop(records.length, o.rate, (i) => postExport(stack, records[i] as PipelineRecord));
  const drained = await deliveredCount(stack, before + records.length * 2, o.drainSeconds * 1000);
  const report = await monitor.stop();
  const done = completion(records, await arrivals(stack, true));
  const stages = await stageProfile(stack.queues, fed.startMs, Date.now());
  return {
    rate: o.rate,
    ...fed,
    doneAtMs: done.doneAtMs,
    drained,
    drainSeconds: o.drainSeconds,
    unexpected: done.unexpected,
    report,
    stages,
  };
}
