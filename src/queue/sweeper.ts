/**
 * The outbox sweeper: every interval, the PENDING outbox rows whose time has come (and IN_FLIGHT rows whose
 * lease ran out) are enqueued for delivery again. It covers a crash between a reconciliation's commit and
 * its enqueue, and retries scheduled only in the outbox. Push job ids are derived from the outbox id, so
 * re-enqueueing a row that already has a job waiting, delayed or recently done adds nothing.
 *
 * One pass at a time (the next is scheduled when the previous finishes); a failed pass is logged and the
 * next one tries again.
 */
import type { Logger } from "pino";
import type { Db } from "../store/index.ts";
import { pendingDue } from "../store/repositories/outbox.ts";
import type { JobProducer } from "./jobs.ts";

export interface Sweeper {
  /** One pass now; resolves with how many rows were (re-)enqueued. */
  sweep(): Promise<number>;
  /** Stops scheduling passes and waits for a pass in progress. */
  stop(): Promise<void>;
}

export interface SweeperOptions {
  db: Db;
  producer: JobProducer;
  intervalMs: number;
  now: () => Date;
  log: Logger;
  /** Rows per pass (default 500); a full pass is followed at once by another. */
  batch?: number;
}

export function startSweeper(options: SweeperOptions): Sweeper {
  const batch = options.batch ?? 500;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<number> | null = null;

  const sweep = async (): Promise<number> => {
    const due = await pendingDue(options.db, options.now().toISOString(), batch);
    for (const row of due) await options.producer.push(row.recipient, { outboxId: row.id });
    return due.length;
  };

  const schedule = (delay: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = sweep();
      running.then(
        (n) => {
          if (n > 0) options.log.info({ enqueued: n }, "outbox sweep");
          schedule(n >= batch ? 0 : options.intervalMs);
        },
        (error: unknown) => {
          options.log.warn({ err: error }, "outbox sweep failed");
          schedule(options.intervalMs);
        },
      );
    }, delay);
  };
  schedule(options.intervalMs);

  return {
    sweep,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running?.catch(() => 0);
    },
  };
}
