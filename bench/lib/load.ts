/**
 * Load generation for the benches: a closed loop (a fixed number of requests in flight, as fast as the
 * service answers) and an open loop (requests started on a fixed schedule whatever the service does, so
 * a slow service builds a backlog instead of slowing the sender, as real traffic would), plus percentiles.
 */

export interface Sent {
  index: number;
  /** Epoch ms when the request was started, and when its answer was read. */
  sentAtMs: number;
  answeredAtMs: number;
  status: number;
}

/** Sends `count` requests with at most `inFlight` outstanding at a time. */
export async function closedLoop(
  count: number,
  inFlight: number,
  send: (index: number) => Promise<number>,
): Promise<Sent[]> {
  const sent: Sent[] = new Array(count);
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const index = next++;
      const sentAtMs = Date.now();
      const status = await send(index).catch(() => 0);
      sent[index] = { index, sentAtMs, answeredAtMs: Date.now(), status };
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, count) }, lane));
  return sent;
}

/**
 * Starts request `i` at `start + i / ratePerSecond`, never waiting for answers; resolves when every
 * answer is in. `feedEndMs` is when the last request was started.
 */
export async function openLoop(
  count: number,
  ratePerSecond: number,
  send: (index: number) => Promise<number>,
): Promise<{ sent: Sent[]; startMs: number; feedEndMs: number }> {
  const sent: Sent[] = new Array(count);
  const pending: Promise<void>[] = [];
  const interval = 1000 / ratePerSecond;
  const t0 = performance.now();
  const startMs = Date.now();
  for (let i = 0; i < count; i++) {
    const wait = t0 + i * interval - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    const sentAtMs = Date.now();
    pending.push(
      send(i)
        .catch(() => 0)
        .then((status) => {
          sent[i] = { index: i, sentAtMs, answeredAtMs: Date.now(), status };
        }),
    );
  }
  const feedEndMs = Date.now();
  await Promise.all(pending);
  return { sent, startMs, feedEndMs };
}

/** The `p`-th percentile (0..100) of `values`, nearest rank; NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] as number;
}
