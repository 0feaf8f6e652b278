/**
 * Stopping a long-running command (`bridge serve`, `bridge worker`) within its grace period
 * (SHUTDOWN_GRACE_MS, or `--grace-ms`): the time from SIGTERM to the process's end, inside the
 * orchestrator's own (Kubernetes sends SIGKILL 30 s after SIGTERM by default).
 *
 * Each component is closed in turn, given what is left of the grace period; a close that fails is logged
 * and the next one goes on. A close still running when the period ends is abandoned (logged, naming the
 * component), and the command then ends the process itself (`CliIo.exit`), since what did not close (a
 * Redis connection retrying, a request in flight) would otherwise hold it open. Even when everything
 * closed, a library's timer may hold the process open a little longer (BullMQ's retry delays after a lost
 * Redis, seen holding it 2 s): `exitByDeadline` ends it at the deadline if it is still there. Nothing is
 * lost by that: jobs still running are taken again by BullMQ's stalled-job check, and everything else is
 * in the store.
 */
import type { Logger } from "pino";

export interface Closer {
  name: string;
  close: () => Promise<void>;
}

/** Jobs in flight get the grace period less this share of it (at most 5 s) for closing connections. */
export function drainMs(graceMs: number): number {
  return Math.max(0, graceMs - Math.min(5_000, Math.floor(graceMs / 4)));
}

/** Closes `closers` in order by `deadline` (ms); true when every one ended (closed or failed) in time. */
export async function closeWithin(
  closers: readonly Closer[],
  deadline: number,
  log: Logger,
): Promise<boolean> {
  for (const { name, close } of closers) {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<"late">((resolve) => {
      timer = setTimeout(() => resolve("late"), Math.max(0, deadline - Date.now()));
    });
    const ended = close().then(
      () => "closed" as const,
      (error: unknown) => {
        log.warn({ component: name, err: (error as Error)?.message }, "error while closing");
        return "failed" as const;
      },
    );
    const outcome = await Promise.race([ended, late]);
    clearTimeout(timer);
    if (outcome === "late") {
      log.warn({ component: name }, "shutdown grace period over: left unclosed");
      return false;
    }
  }
  return true;
}

/**
 * After closing: ends the process now when something was left open, else at `deadline` should anything
 * still hold it then (an unref'd timer: it never keeps the process alive itself). No-op without `exit`.
 */
export function exitByDeadline(
  exit: ((code: number) => void) | undefined,
  closed: boolean,
  deadline: number,
) {
  if (!exit) return;
  if (!closed) {
    exit(0);
    return;
  }
  setTimeout(() => exit(0), Math.max(0, deadline - Date.now())).unref();
}
