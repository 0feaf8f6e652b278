/**
 * The worker's periodic erasure run (RETENTION_INTERVAL_MS; off unless set): a minute after start-up and
 * then every interval, the retention job (src/pipeline/retention.ts) with the policy validated at start-up. Several workers may
 * run it: a run is skipped when any process recorded one (its ERASURE entries in the audit trail) less
 * than an interval ago, and the runs' batches serialise in the database anyway. A failed run is logged
 * and tried again at the next interval.
 */
import type { Logger } from "pino";
import type { RetentionPolicy } from "../core/retention/policy.ts";
import { lastRetentionRun, runRetention } from "../pipeline/retention.ts";
import type { Db } from "../store/index.ts";

export interface RetentionScheduleOptions {
  db: Db;
  policy: RetentionPolicy;
  intervalMs: number;
  /** The first run's delay after start-up (default a minute, or the interval when shorter). */
  firstDelayMs?: number;
  now: () => Date;
  log: Logger;
}

export interface RetentionSchedule {
  /** No further runs; waits for a run in progress. */
  stop(): Promise<void>;
}

export function startRetentionSchedule(options: RetentionScheduleOptions): RetentionSchedule {
  const { db, log, intervalMs } = options;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;

  const run = async () => {
    const now = options.now();
    const last = await lastRetentionRun(db);
    if (last && now.getTime() - Date.parse(last) < intervalMs) {
      log.debug({ last }, "retention run skipped: one ran less than an interval ago");
      return;
    }
    const report = await runRetention(db, options.policy, {
      now: now.toISOString(),
      correlationId: `retention:${now.toISOString()}`,
    });
    const erased = Object.fromEntries(report.classes.map((c) => [c.dataClass, c.count]));
    log.info(
      { erased, policyVersion: report.policyVersion },
      "retention run: erased what was past its period",
    );
  };

  const schedule = (delay: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = run().catch((error: unknown) =>
        log.warn({ err: (error as Error).message }, "retention run failed; tried again at the next interval"),
      );
      running.finally(() => {
        running = null;
        schedule(intervalMs);
      });
    }, delay);
    timer.unref();
  };
  schedule(options.firstDelayMs ?? Math.min(intervalMs, 60_000));

  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
