/**
 * A one-line progress bar for long commands, drawn on stderr only when stderr is a terminal: for a file
 * read, bytes read of the file's size, records so far and records per second (`createProgress`,
 * `fileProgress`); for work counted in items, items done of the total (`createCountProgress`). Redraws
 * are throttled; `done()` clears the line so what is written next starts clean. On a pipe or a file it
 * draws nothing at all.
 */
import { stat } from "node:fs/promises";
import type { CliIo } from "./io.ts";

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

/** The text of one line of counted progress: `label [###---]  40% 2000/5000 persons 500/s`. */
export function renderCountLine(
  s: { label: string; done: number; total: number; noun: string; elapsedMs: number },
  width = 80,
): string {
  const seconds = s.elapsedMs / 1000;
  const rate = seconds > 0 ? Math.round(s.done / seconds) : 0;
  const fraction = s.total > 0 ? Math.min(1, s.done / s.total) : 1;
  const filled = Math.round(fraction * BAR);
  const line = `${s.label} [${"#".repeat(filled)}${"-".repeat(BAR - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}% ${s.done}/${s.total} ${s.noun} ${rate}/s`;
  return line.length > width - 1 ? line.slice(0, width - 1) : line;
}

export const NO_PROGRESS: Progress = { update: () => {}, done: () => {} };

type Stream = ProgressOptions["stream"];

/** Draws `render(elapsedMs)` at most once per `minInterval`, only on a terminal. */
function throttledLine(
  stream: Stream,
  now: () => number,
  minInterval: number,
): { draw: (render: (elapsedMs: number, width: number) => string) => void; clear: () => void } {
  const started = now();
  let lastDraw = Number.NEGATIVE_INFINITY;
  let drawn = false;
  return {
    draw(render) {
      const t = now();
      if (t - lastDraw < minInterval) return;
      lastDraw = t;
      drawn = true;
      stream.write(`\r${render(t - started, stream.columns ?? 80)}\x1b[K`);
    },
    clear() {
      if (drawn) stream.write("\r\x1b[K");
      drawn = false;
    },
  };
}

export function createProgress(options: ProgressOptions): Progress {
  const { stream, label, totalBytes, now } = options;
  if (!stream.isTTY) return NO_PROGRESS;
  const line = throttledLine(stream, now, options.minIntervalMs ?? 100);
  return {
    update(bytesRead, records) {
      line.draw((elapsedMs, width) =>
        renderProgressLine({ label, bytesRead, totalBytes, records, elapsedMs }, width),
      );
    },
    done: line.clear,
  };
}

/** Progress through `total` items (`update(done)`; the second argument is ignored). */
export function createCountProgress(options: {
  stream: Stream;
  label: string;
  total: number;
  noun: string;
  now: () => number;
  minIntervalMs?: number;
}): Progress {
  const { stream, label, total, noun, now } = options;
  if (!stream.isTTY) return NO_PROGRESS;
  const line = throttledLine(stream, now, options.minIntervalMs ?? 100);
  return {
    update(done) {
      line.draw((elapsedMs, width) => renderCountLine({ label, done, total, noun, elapsedMs }, width));
    },
    done: line.clear,
  };
}

/** A bar for reading `file` on the command's stderr; its size from the file system (null if unknown). */
export async function fileProgress(io: CliIo, file: string): Promise<Progress> {
  if (!io.stderr.isTTY) return NO_PROGRESS;
  let totalBytes: number | null = null;
  try {
    totalBytes = (await stat(file)).size;
  } catch {
    // The reader says why the file cannot be read.
  }
  return createProgress({ stream: io.stderr, label: file, totalBytes, now: () => io.now().getTime() });
}
