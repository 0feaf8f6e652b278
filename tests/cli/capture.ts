/** Test doubles for CliIo: writable streams that keep what was written, optionally posing as a TTY. */
import { PassThrough, Writable } from "node:stream";
import type { CliIo } from "../../src/cli/io.ts";

export class CapturedStream extends Writable {
  text = "";
  isTTY: boolean;
  columns = 200;

  constructor(options: { tty?: boolean; highWaterMark?: number; slow?: boolean } = {}) {
    super({ highWaterMark: options.highWaterMark ?? 16 * 1024, decodeStrings: false });
    this.isTTY = options.tty ?? false;
    this.slow = options.slow ?? false;
  }

  private readonly slow: boolean;

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: (error?: Error | null) => void) {
    this.text += typeof chunk === "string" ? chunk : chunk.toString("utf8");
    if (this.slow) setImmediate(done);
    else done();
  }
}

export interface CapturedIo {
  io: CliIo;
  stdout: CapturedStream;
  stderr: CapturedStream;
}

/**
 * A CliIo whose clock starts at a fixed instant and moves `stepMs` every time it is read, so throttled
 * progress redraws happen deterministically.
 */
export function captureIo(
  options: { stdin?: string; tty?: boolean; slowStdout?: boolean; stepMs?: number } = {},
): CapturedIo {
  const stdout = new CapturedStream({
    slow: options.slowStdout ?? false,
    highWaterMark: options.slowStdout ? 1024 : 16 * 1024,
  });
  const stderr = new CapturedStream({ tty: options.tty ?? false });
  let t = Date.parse("2026-11-20T10:00:00Z");
  const io: CliIo = {
    stdout,
    stderr,
    now: () => {
      t += options.stepMs ?? 0;
      return new Date(t);
    },
  };
  if (options.stdin !== undefined) {
    const stdin = new PassThrough();
    stdin.end(options.stdin);
    io.stdin = stdin;
  }
  return { io, stdout, stderr };
}
