/**
 * The service's Prometheus metrics: one prom-client Registry per process, shared by the HTTP API and the
 * worker when they run together (`bridge serve --with-worker`). Labels carry ids of kinds (route, queue,
 * recipient, rule), never ids of people or records, so cardinality stays bounded and no personal data
 * reaches a scrape.
 *
 * Gauges that describe state held elsewhere (queue depths in Redis, live conflicts in PostgreSQL) are read
 * on scrape through functions given at start-up, so this module needs neither Redis nor a database and
 * tests can pass plain functions.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/** Job counts per state for one queue, as BullMQ's `getJobCounts` reports them. */
export type JobStateCounts = Readonly<Record<string, number>>;

/** Reads every queue's job counts (queue name -> state -> count). */
export type QueueCountsReader = () => Promise<Readonly<Record<string, JobStateCounts>>>;

/** Live (OPEN or ACKNOWLEDGED) conflicts, counted by rule and severity. */
export interface LiveConflictCount {
  ruleId: string;
  severity: string;
  count: number;
}
export type ConflictCountsReader = () => Promise<readonly LiveConflictCount[]>;

/** What happened to a job when a processor finished with it. */
export type JobOutcome = "completed" | "retried" | "failed" | "dead_lettered" | "skipped_duplicate";

/** What a push attempt came to (the deliveries table's outcome, lower-cased). */
export type PushOutcome = "delivered" | "already_held" | "retry" | "permanent_failure" | "timeout";

export interface MetricsOptions {
  queueCounts?: QueueCountsReader;
  conflictCounts?: ConflictCountsReader;
  /** Node process metrics (CPU, memory, event loop, GC). Default true. */
  processMetrics?: boolean;
}

export interface BridgeMetrics {
  readonly registry: Registry;
  /** One finished HTTP request; `route` is the route pattern (`/v1/conflicts/:id`), never the raw URL. */
  observeHttp(route: string, method: string, status: number, seconds: number): void;
  /** A job finished on a queue with this outcome. */
  jobFinished(queue: string, outcome: JobOutcome): void;
  /** One push attempt to an agency, with how long the request took. */
  pushAttempted(recipient: "ARMS" | "OASYS", outcome: PushOutcome, seconds: number): void;
  /** Prometheus text exposition of every metric. */
  render(): Promise<string>;
  readonly contentType: string;
}

/** Metric names: the contract with dashboards and alerts. */
export const METRIC_NAMES = {
  httpDuration: "bridge_http_request_duration_seconds",
  queueJobs: "bridge_queue_jobs",
  jobsTotal: "bridge_jobs_total",
  liveConflicts: "bridge_conflicts_live",
  pushDuration: "bridge_push_duration_seconds",
  pushFailures: "bridge_push_failures_total",
  scrapeErrors: "bridge_metrics_scrape_errors_total",
} as const;

const FAILED_PUSH: ReadonlySet<PushOutcome> = new Set(["retry", "permanent_failure", "timeout"]);

export function createMetrics(options: MetricsOptions = {}): BridgeMetrics {
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: "bridge_" });

  const httpDuration = new Histogram({
    name: METRIC_NAMES.httpDuration,
    help: "HTTP request duration by route pattern, method and status",
    labelNames: ["route", "method", "status"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });

  const queueJobs = new Gauge({
    name: METRIC_NAMES.queueJobs,
    help: "Jobs on each queue by state (waiting, active, delayed, failed, ...), read on scrape",
    labelNames: ["queue", "state"],
    registers: [registry],
  });

  const jobsTotal = new Counter({
    name: METRIC_NAMES.jobsTotal,
    help: "Jobs finished by queue and outcome",
    labelNames: ["queue", "outcome"],
    registers: [registry],
  });

  const liveConflicts = new Gauge({
    name: METRIC_NAMES.liveConflicts,
    help: "Live (open or acknowledged) conflicts by rule and severity, read on scrape",
    labelNames: ["rule", "severity"],
    registers: [registry],
  });

  const pushDuration = new Histogram({
    name: METRIC_NAMES.pushDuration,
    help: "Push request latency to each agency by outcome",
    labelNames: ["recipient", "outcome"],
    buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });

  const pushFailures = new Counter({
    name: METRIC_NAMES.pushFailures,
    help: "Push attempts that did not deliver, by recipient and outcome (retry, timeout, permanent_failure)",
    labelNames: ["recipient", "outcome"],
    registers: [registry],
  });

  const scrapeErrors = new Counter({
    name: METRIC_NAMES.scrapeErrors,
    help: "Gauges that could not be read at scrape time (the source was unavailable)",
    labelNames: ["source"],
    registers: [registry],
  });

  /** Resets a gauge and fills it from its source; a source that fails leaves it empty and is counted. */
  async function refresh<T>(
    source: string,
    read: (() => Promise<T>) | undefined,
    fill: (value: T) => void,
    gauge: Gauge,
  ): Promise<void> {
    gauge.reset();
    if (!read) return;
    try {
      fill(await read());
    } catch {
      scrapeErrors.inc({ source });
    }
  }

  return {
    registry,
    contentType: registry.contentType,
    observeHttp(route, method, status, seconds) {
      httpDuration.observe({ route, method, status: String(status) }, seconds);
    },
    jobFinished(queue, outcome) {
      jobsTotal.inc({ queue, outcome });
    },
    pushAttempted(recipient, outcome, seconds) {
      pushDuration.observe({ recipient, outcome }, seconds);
      if (FAILED_PUSH.has(outcome)) pushFailures.inc({ recipient, outcome });
    },
    async render() {
      // Read the state held elsewhere first, so one scrape shows it and any failure to read it.
      await Promise.all([
        refresh(
          "queues",
          options.queueCounts,
          (counts) => {
            for (const [queue, states] of Object.entries(counts)) {
              for (const [state, count] of Object.entries(states)) queueJobs.set({ queue, state }, count);
            }
          },
          queueJobs,
        ),
        refresh(
          "conflicts",
          options.conflictCounts,
          (rows) => {
            for (const row of rows)
              liveConflicts.set({ rule: row.ruleId, severity: row.severity }, row.count);
          },
          liveConflicts,
        ),
      ]);
      return registry.metrics();
    },
  };
}
