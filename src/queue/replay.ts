/**
 * Replaying a dead letter: the same work goes back through the same pipeline, under the original job key
 * plus a replay suffix (`...:replay-<n>`, n = the letter's replay count), so it is new to BullMQ and to
 * processed_jobs while staying recognisably the same work. A PUSH letter also reopens its outbox row
 * (DEAD -> PENDING) so the delivery can be claimed again. The letter is kept and stamped, never deleted.
 *
 * A letter an administrator discarded is never replayed (BRIDGE_E_CONFLICT_TRANSITION).
 *
 * Idempotent and bounded: a letter is replayed once. The first replay claims the letter (one statement:
 * of two at once, one claims) and queues its job. Asking again queues no new work and writes no letter;
 * the answer says `replayed: false` and where the replay stands (`replayState`):
 * - DEAD_LETTERED: it failed again and left a letter of its own (`nextDeadLetterId`), which is what to
 *   replay next, if anything: each replay of a 39 MB export is one deliberate decision, never ten;
 * - DONE: its job finished (its key is in processed_jobs; for a push, the outbox row is settled);
 * - QUEUED: queued, running or waiting for a retry. Its job is added again under the same key, which
 *   BullMQ ignores while it holds the job and which restores it when the first replay's enqueue failed
 *   (Redis away: that request was answered 503) or Redis lost it.
 */
import { BridgeError } from "../errors.ts";
import type { Db } from "../store/index.ts";
import {
  claimReplay,
  type DeadLetter,
  findDeadLetterByJobKey,
  getDeadLetter,
} from "../store/repositories/dead-letters.ts";
import { getOutboxRow, reopenDead } from "../store/repositories/outbox.ts";
import { getProcessedJob } from "../store/repositories/processed-jobs.ts";
import { QUEUES, type QueueName, replayKey } from "./jobs.ts";
import type { AnyJob } from "./producer.ts";

export interface ReplayProducer {
  add(queue: QueueName, data: AnyJob, jobKey: string): Promise<void>;
}

export type ReplayState = "QUEUED" | "DONE" | "DEAD_LETTERED";

export interface Replayed {
  deadLetterId: string;
  queue: QueueName;
  /** The replay's job key. */
  jobKey: string;
  replayCount: number;
  /** True when this call put the work back; false when the letter had been replayed before. */
  replayed: boolean;
  replayState: ReplayState;
  /** DEAD_LETTERED: the letter the replay left. */
  nextDeadLetterId?: string;
}

const KNOWN_QUEUES = new Set<string>(Object.values(QUEUES));

interface ReplayableJob {
  queue: QueueName;
  jobKey: string;
  data: AnyJob;
}

function jobOf(letter: DeadLetter): ReplayableJob {
  const { queue, jobKey, data } = letter.subject as { queue?: unknown; jobKey?: unknown; data?: unknown };
  if (typeof queue !== "string" || !KNOWN_QUEUES.has(queue) || typeof jobKey !== "string" || !data) {
    throw new BridgeError("BRIDGE_E_USAGE", "this dead letter does not name a job that can be replayed", {
      id: letter.id,
    });
  }
  return { queue: queue as QueueName, jobKey, data: data as AnyJob };
}

const outboxIdOf = (data: AnyJob): string | null => {
  const outboxId = (data as { outboxId?: unknown }).outboxId;
  return typeof outboxId === "string" ? outboxId : null;
};

/** Where an earlier replay (under `key`) stands, from the store. */
async function stateOf(
  db: Db,
  letter: DeadLetter,
  job: ReplayableJob,
  key: string,
): Promise<{ state: ReplayState; nextDeadLetterId?: string }> {
  const next = await findDeadLetterByJobKey(db, letter.stage, key);
  if (next) return { state: "DEAD_LETTERED", nextDeadLetterId: next.id };
  const outboxId = letter.stage === "PUSH" ? outboxIdOf(job.data) : null;
  if (outboxId) {
    const row = await getOutboxRow(db, outboxId);
    return { state: row && (row.state === "PENDING" || row.state === "IN_FLIGHT") ? "QUEUED" : "DONE" };
  }
  return { state: (await getProcessedJob(db, key)) ? "DONE" : "QUEUED" };
}

export async function replayDeadLetter(
  db: Db,
  producer: ReplayProducer,
  id: string,
  now: Date = new Date(),
): Promise<Replayed> {
  const letter = await getDeadLetter(db, id);
  if (!letter) throw new BridgeError("BRIDGE_E_NOT_FOUND", "no dead letter with that id", { id });
  if (letter.discardedAt) {
    throw new BridgeError("BRIDGE_E_CONFLICT_TRANSITION", "a discarded dead letter is not replayed", { id });
  }
  const job = jobOf(letter);
  const at = now.toISOString();
  const claimed = await db.transaction(async (tx) => {
    const stamped = await claimReplay(tx, id, at);
    const outboxId = outboxIdOf(job.data);
    if (stamped && letter.stage === "PUSH" && outboxId) await reopenDead(tx, outboxId, at);
    return stamped;
  });
  const current = claimed ?? (await getDeadLetter(db, id)) ?? letter;
  if (!claimed && current.discardedAt) {
    throw new BridgeError("BRIDGE_E_CONFLICT_TRANSITION", "a discarded dead letter is not replayed", { id });
  }
  const key = replayKey(job.jobKey, current.replayCount);
  const answer = { deadLetterId: id, queue: job.queue, jobKey: key, replayCount: current.replayCount };
  if (claimed) {
    await producer.add(job.queue, job.data, key);
    return { ...answer, replayed: true, replayState: "QUEUED" };
  }
  const { state, nextDeadLetterId } = await stateOf(db, current, job, key);
  if (state === "QUEUED") await producer.add(job.queue, job.data, key);
  return {
    ...answer,
    replayed: false,
    replayState: state,
    ...(nextDeadLetterId ? { nextDeadLetterId } : {}),
  };
}
