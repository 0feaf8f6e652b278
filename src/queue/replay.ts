/**
 * Replaying a dead letter: the same work goes back through the same pipeline, under the original job key
 * plus a replay suffix (`...:replay-<n>`, n = the letter's replay count), so it is new to BullMQ and to
 * processed_jobs while staying recognisably the same work. A PUSH letter also reopens its outbox row
 * (DEAD -> PENDING) so the delivery can be claimed again. The letter is kept and stamped, never deleted.
 */
import { BridgeError } from "../errors.ts";
import type { Db } from "../store/index.ts";
import { getDeadLetter, markReplayed } from "../store/repositories/dead-letters.ts";
import { reopenDead } from "../store/repositories/outbox.ts";
import { QUEUES, type QueueName, replayKey } from "./jobs.ts";
import type { AnyJob } from "./producer.ts";

export interface ReplayProducer {
  add(queue: QueueName, data: AnyJob, jobKey: string): Promise<void>;
}

export interface Replayed {
  deadLetterId: string;
  queue: QueueName;
  jobKey: string;
  replayCount: number;
}

const KNOWN_QUEUES = new Set<string>(Object.values(QUEUES));

export async function replayDeadLetter(
  db: Db,
  producer: ReplayProducer,
  id: string,
  now: Date = new Date(),
): Promise<Replayed> {
  const letter = await getDeadLetter(db, id);
  if (!letter) throw new BridgeError("BRIDGE_E_NOT_FOUND", "no dead letter with that id", { id });
  const { queue, jobKey, data } = letter.subject as { queue?: unknown; jobKey?: unknown; data?: unknown };
  if (typeof queue !== "string" || !KNOWN_QUEUES.has(queue) || typeof jobKey !== "string" || !data) {
    throw new BridgeError("BRIDGE_E_USAGE", "this dead letter does not name a job that can be replayed", {
      id,
    });
  }
  const at = now.toISOString();
  const stamped = await db.transaction(async (tx) => {
    if (letter.stage === "PUSH") {
      const outboxId = (data as { outboxId?: unknown }).outboxId;
      if (typeof outboxId === "string") await reopenDead(tx, outboxId, at);
    }
    return markReplayed(tx, id, at);
  });
  if (!stamped) throw new BridgeError("BRIDGE_E_NOT_FOUND", "no dead letter with that id", { id });
  const key = replayKey(jobKey, stamped.replayCount);
  await producer.add(queue as QueueName, data as AnyJob, key);
  return { deadLetterId: id, queue: queue as QueueName, jobKey: key, replayCount: stamped.replayCount };
}
