/**
 * Retry timing for every queue: exponential backoff with full jitter (base 1 s, cap 5 min by default):
 * attempt n waits a uniformly random time in [0, min(cap, base * 2^(n-1))). Full jitter spreads the retries
 * of many jobs that failed together (an agency outage) instead of sending them back in waves.
 *
 * A failure may ask for a minimum wait (`retryAfterMs`, from an agency's Retry-After header): the next
 * attempt is then never earlier than that, bounded by `maxRetryAfterMs` so a wild header cannot park a
 * job for days.
 */
import type { BackoffStrategy } from "bullmq";

export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
  maxRetryAfterMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1_000, capMs: 300_000, maxRetryAfterMs: 3_600_000 };

/** The name jobs give in `backoff.type` so BullMQ calls `backoffStrategy` below. */
export const BACKOFF_TYPE = "bridge-full-jitter";

/** Delay before retry number `attempt` (1 = the first retry). `random` returns [0, 1). */
export function fullJitterDelay(
  attempt: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 52);
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** exponent);
  return Math.floor(random() * ceiling);
}

/** The wait before the next attempt: the jittered delay, but never less than a bounded Retry-After. */
export function retryDelay(
  attempt: number,
  policy: BackoffPolicy,
  retryAfterMs: number | null | undefined,
  random: () => number = Math.random,
): number {
  const jittered = fullJitterDelay(attempt, policy, random);
  if (retryAfterMs == null || !Number.isFinite(retryAfterMs) || retryAfterMs <= 0) return jittered;
  return Math.max(jittered, Math.min(Math.ceil(retryAfterMs), policy.maxRetryAfterMs));
}

/** `retryAfterMs` carried by the error (HttpError, RetryLater), when it has one. */
export function retryAfterOf(error: unknown): number | null {
  const value = (error as { retryAfterMs?: unknown } | null | undefined)?.retryAfterMs;
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

/** BullMQ's `settings.backoffStrategy` for workers: `attemptsMade` counts the failures so far. */
export function backoffStrategy(policy: BackoffPolicy = DEFAULT_BACKOFF): BackoffStrategy {
  return (attemptsMade, _type, error) => retryDelay(attemptsMade, policy, retryAfterOf(error));
}
