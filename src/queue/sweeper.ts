/**
 * The recovery sweep. The store is the system of record: a job in Redis is only a reminder, and Redis can
 * lose it (a restart without persistence, an enqueue that failed after its commit, a 503 the sender did
 * not re-post). So at start-up and every interval the sweep reads the work the store has accepted and no
 * stage has finished (src/store/repositories/recovery.ts: raw exports not ingested, accepted events not
 * pulled, OASys versions and ARMS revisions not reconciled, outbox rows not delivered, each an index scan
 * of the unfinished rows only) and makes sure each has a job:
 *
 * - work younger than the grace period is left alone: its job is most likely queued or running;
 * - work with an open dead letter is left alone: a person decides, by replaying it. Work whose latest
 *   letter was replayed is looked after under the replay's job key;
 * - no job under the work's key in Redis: the job is queued again under its key (job ids are derived from
 *   job keys, so this never doubles a job Redis still holds, and `processed_jobs` makes a re-run of a
 *   finished key a no-op);
 * - a failed job with no dead letter (its worker died before writing one): the letter is written from
 *   what BullMQ recorded (`deadLetterFailedJob`);
 * - any other job (waiting, active, delayed, completed) is in progress: nothing to do.
 *
 * One pass at a time; each pass pages through every source to its end, then the next is scheduled. A
 * failed pass is logged and the next one tries again.
 */
import type { Logger } from "pino";
import type { Db } from "../store/index.ts";
import { latestLettersFor } from "../store/repositories/dead-letters.ts";
import {
  type SweepCursor,
  UNFINISHED_SOURCES,
  type Unfinished,
  type UnfinishedSource,
  unfinishedPage,
} from "../store/repositories/recovery.ts";
import { deadLetterFailedJob } from "./failure.ts";
import { bullJobId, jobIds, QUEUES, type QueueName, replayKey } from "./jobs.ts";
import { type AnyJob, type BullProducer, pushQueueOf } from "./producer.ts";

export interface SweepReport {
  /** Unfinished work that had no job in Redis, queued again, by source. */
  requeued: Partial<Record<UnfinishedSource, number>>;
  /** Failed jobs found without a dead letter, lettered. */
  deadLettered: number;
}

export interface Sweeper {
  /** One pass now. */
  sweep(): Promise<SweepReport>;
  /** Stops scheduling passes and waits for a pass in progress. */
  stop(): Promise<void>;
}

export interface SweeperOptions {
  db: Db;
  producer: Pick<BullProducer, "queues" | "add">;
  intervalMs: number;
  /** Unfinished work accepted (or due) less than this long ago is left to its job (default 0). */
  graceMs?: number;
  now: () => Date;
  log: Logger;
  /** Rows read per statement (default 500). */
  batch?: number;
  /** The first pass runs at once (default), or after one interval. */
  atStart?: boolean;
}

interface QueuedWork {
  queue: QueueName;
  data: AnyJob;
  key: string;
}

/** The job that finishes a piece of unfinished work, under the key its stage uses (`jobIds`). */
export function jobFor(work: Unfinished): QueuedWork {
  switch (work.source) {
    case "OASYS_EXPORT": {
      const data = { type: "OASYS_EXPORT", exportId: work.exportId } as const;
      return { queue: QUEUES.ingest, data, key: jobIds.ingest(data) };
    }
    case "OASYS_EVENT": {
      const { crn, assessmentPk, eventId } = work;
      const data = { type: "OASYS_EVENT", crn, assessmentPk, eventId } as const;
      return { queue: QUEUES.ingest, data, key: jobIds.ingest(data) };
    }
    case "OASYS": {
      const data = { source: "OASYS", record: String(work.assessmentPk), revision: work.version } as const;
      return { queue: QUEUES.reconcile, data, key: jobIds.reconcile(data) };
    }
    case "ARMS": {
      const data = { source: "ARMS", record: work.armsAssessmentId, revision: work.revision } as const;
      return { queue: QUEUES.reconcile, data, key: jobIds.reconcile(data) };
    }
    case "OUTBOX": {
      const data = { outboxId: work.outboxId };
      return { queue: pushQueueOf(work.recipient), data, key: jobIds.push(data) };
    }
  }
}

export function startSweeper(options: SweeperOptions): Sweeper {
  const { db, producer, log } = options;
  const batch = options.batch ?? 500;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<SweepReport> | null = null;

  /** Makes sure each piece of work on one page has a job (see the file's comment). */
  const settle = async (page: Unfinished[], report: SweepReport, at: string) => {
    const work = page.map((row) => ({ source: row.source, ...jobFor(row) }));
    const letters = await latestLettersFor(
      db,
      work.map((w) => w.key),
    );
    const current = work.flatMap((w) => {
      const letter = letters.get(w.key);
      if (!letter) return [w];
      if (!letter.replayed) return [];
      return [{ ...w, key: replayKey(letter.jobKey, letter.replayCount) }];
    });
    const held = await Promise.all(current.map((w) => producer.queues[w.queue].getJob(bullJobId(w.key))));
    for (const [i, w] of current.entries()) {
      const job = held[i];
      if (!job) {
        await producer.add(w.queue, w.data, w.key);
        report.requeued[w.source] = (report.requeued[w.source] ?? 0) + 1;
      } else if (job.finishedOn && (await job.isFailed())) {
        const letter = await deadLetterFailedJob(db, w.queue, job, at);
        if (letter?.recorded) report.deadLettered += 1;
      }
    }
  };

  const sweep = async (): Promise<SweepReport> => {
    const report: SweepReport = { requeued: {}, deadLettered: 0 };
    const now = options.now();
    const cutoff = new Date(now.getTime() - (options.graceMs ?? 0)).toISOString();
    for (const source of UNFINISHED_SOURCES) {
      let after: SweepCursor | null = null;
      for (;;) {
        const page = await unfinishedPage(db, source, cutoff, after, batch);
        if (page.length > 0) await settle(page, report, now.toISOString());
        if (page.length < batch || stopped) break;
        const last = page[page.length - 1] as Unfinished;
        after = { at: last.at, id: last.id };
      }
    }
    return report;
  };

  const schedule = (delay: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = sweep();
      running.then(
        (report) => {
          if (report.deadLettered > 0 || Object.keys(report.requeued).length > 0) {
            log.info(
              report,
              "recovery sweep: unfinished work without a job queued again, failed jobs lettered",
            );
          }
          schedule(options.intervalMs);
        },
        (error: unknown) => {
          log.warn({ err: (error as Error).message }, "recovery sweep failed; the next pass tries again");
          schedule(options.intervalMs);
        },
      );
    }, delay);
  };
  schedule(options.atStart === false ? options.intervalMs : 0);

  return {
    sweep,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running?.catch(() => undefined);
    },
  };
}
