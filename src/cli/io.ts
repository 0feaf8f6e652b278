/** What a command may touch of the process: its streams. Tests pass buffers; `bin/bridge.js` passes the real ones. */
export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  /** Standard input, for commands that read `-`; tests pass their own stream. */
  stdin?: NodeJS.ReadableStream;
  /** Today's date-time; commands pass it down to the pure core. */
  now: () => Date;
  /**
   * Ends the process at once: for a long-running command whose shutdown outlasted its grace period while
   * something it opened still holds the process open. Tests pass none (nothing is ended).
   */
  exit?: (code: number) => void;
}

export const processIo = (): CliIo => ({
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  now: () => new Date(),
  exit: (code) => process.exit(code),
});

/** Exit codes shared by every command. */
export const EXIT = { OK: 0, FATAL: 1, REJECTED: 2 } as const;

export type Command = (argv: string[], io: CliIo) => Promise<number>;
