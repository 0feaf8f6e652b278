/**
 * Watching a bench phase: queue depths sampled on an interval (which stage's queue grows is where the
 * pipeline falls behind) and the CPU time each process used over the phase.
 */
import type { Queue } from "bullmq";
import type { QueueName } from "../../src/queue/jobs.ts";
import { type Depths, queueDepths } from "./queue-stack.ts";

export interface DepthSample {
  atMs: number;
  depths: Depths;
}

export interface CpuSource {
  label: string;
  /** CPU ms used so far (monotonic). */
  read(): number;
}

export interface PhaseReport {
  wallMs: number;
  samples: DepthSample[];
  /** CPU ms per source over the phase. */
  cpu: { label: string; ms: number }[];
}

export function startMonitor(
  queues: Readonly<Record<QueueName, Queue>> | null,
  sources: CpuSource[],
  everyMs = 500,
): { stop(): Promise<PhaseReport> } {
  const t0 = Date.now();
  const before = sources.map((s) => s.read());
  const samples: DepthSample[] = [];
  let running = true;
  const loop = (async () => {
    while (running && queues) {
      const atMs = Date.now();
      try {
        samples.push({ atMs, depths: await queueDepths(queues) });
      } catch {
        // a sample lost to a busy Redis is not worth failing the bench for
      }
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return {
        wallMs: Date.now() - t0,
        samples,
        cpu: sources.map((s, i) => ({ label: s.label, ms: s.read() - (before[i] ?? 0) })),
      };
    },
  };
}

/** The sample closest to `atMs` (null when there are none). */
export function sampleAt(samples: readonly DepthSample[], atMs: number): DepthSample | null {
  let best: DepthSample | null = null;
  for (const s of samples) {
    if (!best || Math.abs(s.atMs - atMs) < Math.abs(best.atMs - atMs)) best = s;
  }
  return best;
}

/** The largest number of jobs waiting on each queue over the samples. */
export function maxWaiting(samples: readonly DepthSample[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of samples) {
    for (const [name, d] of Object.entries(s.depths)) out[name] = Math.max(out[name] ?? 0, d.waiting);
  }
  return out;
}

export const selfCpu = (): CpuSource => ({
  label: "bench (load generator)",
  read: () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  },
});

export interface StageProfile {
  queue: QueueName;
  jobs: number;
  /** Time from being added to being taken by a worker, ms. */
  waitMeanMs: number;
  /** Time the processor ran, ms. */
  runMeanMs: number;
  runP95Ms: number;
}

/**
 * Where the time went, per stage, for the jobs added from `sinceMs` to `untilMs` that completed: BullMQ
 * stamps every job when it is added (`timestamp`), taken (`processedOn`) and finished (`finishedOn`).
 */
export async function stageProfile(
  queues: Readonly<Record<QueueName, Queue>>,
  sinceMs: number,
  untilMs: number,
): Promise<StageProfile[]> {
  const out: StageProfile[] = [];
  for (const [name, queue] of Object.entries(queues) as [QueueName, Queue][]) {
    const jobs = (await queue.getJobs(["completed"], 0, -1)).filter(
      (j) => j.timestamp >= sinceMs && j.timestamp <= untilMs && j.processedOn && j.finishedOn,
    );
    const waits = jobs.map((j) => (j.processedOn as number) - j.timestamp);
    const runs = jobs.map((j) => (j.finishedOn as number) - (j.processedOn as number)).sort((a, b) => a - b);
    const mean = (v: number[]) => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : Number.NaN);
    out.push({
      queue: name,
      jobs: jobs.length,
      waitMeanMs: mean(waits),
      runMeanMs: mean(runs),
      runP95Ms: runs.length
        ? (runs[Math.min(runs.length - 1, Math.ceil(0.95 * runs.length) - 1)] as number)
        : Number.NaN,
    });
  }
  return out;
}
