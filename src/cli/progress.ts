/**
 * A one-line progress bar for long reads, drawn on stderr only when stderr is a terminal: bytes read of
 * the file's size, records so far and records per second. Redraws are throttled; `done()` clears the
 * line so the report that follows starts clean. On a pipe or a file it draws nothing at all.
 */

export interface ProgressState {
  label: string;
  bytesRead: number;
  /** File size in bytes; null when unknown (stdin). */
  totalBytes: number | null;
  records: number;
  elapsedMs: number;
}

export interface Progress {
  /** Record progress; redraws at most once per `minIntervalMs`. */
  update(bytesRead: number, records: number): void;
  /** Erase the bar. Safe to call more than once. */
  done(): void;
}

export interface ProgressOptions {
  stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  label: string;
  totalBytes: number | null;
  /** Milliseconds clock (injected for tests). */
  now: () => number;
  minIntervalMs?: number;
}

const MB = 1024 * 1024;
const BAR = 24;

const mb = (bytes: number) => (bytes / MB).toFixed(1);

/** The text of one progress line (no control characters), fitted to `width` columns. */
export function renderProgressLine(s: ProgressState, width = 80): string {
  const seconds = s.elapsedMs / 1000;
  const rate = seconds > 0 ? Math.round(s.records / seconds) : 0;
  let head: string;
  if (s.totalBytes !== null && s.totalBytes > 0) {
    const fraction = Math.min(1, s.bytesRead / s.totalBytes);
    const filled = Math.round(fraction * BAR);
    head = `[${"#".repeat(filled)}${"-".repeat(BAR - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}% ${mb(s.bytesRead)}/${mb(s.totalBytes)} MB`;
  } else {
    head = `${mb(s.bytesRead)} MB`;
  }
  const line = `${s.label} ${head} ${s.records} records ${rate}/s`;
  return line.length > width - 1 ? line.slice(0, width - 1) : line;
}

const NOOP: Progress = { update: () => {}, done: () => {} };

export function createProgress(options: ProgressOptions): Progress {
  const { stream, label, totalBytes, now } = options;
  if (!stream.isTTY) return NOOP;
  const minInterval = options.minIntervalMs ?? 100;
  const started = now();
  let lastDraw = Number.NEGATIVE_INFINITY;
  let drawn = false;
  return {
    update(bytesRead, records) {
      const t = now();
      if (t - lastDraw < minInterval) return;
      lastDraw = t;
      drawn = true;
      const line = renderProgressLine(
        { label, bytesRead, totalBytes, records, elapsedMs: t - started },
        stream.columns ?? 80,
      );
      stream.write(`\r${line}\x1b[K`);
    },
    done() {
      if (drawn) stream.write("\r\x1b[K");
      drawn = false;
    },
  };
}
