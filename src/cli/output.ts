/** Writing a command's output to a stream that may be slow (backpressure) or may go away (a closed pipe). */

/** The reader of our output went away (e.g. `bridge parse --json f.xml | head`). */
export class OutputClosed extends Error {
  /** The stream error's code (`EPIPE`, `ENOSPC`...), when it had one. */
  readonly code: string | undefined;

  constructor(cause?: Error) {
    super("the output stream was closed", cause ? { cause } : undefined);
    this.name = "OutputClosed";
    this.code = (cause as NodeJS.ErrnoException | undefined)?.code;
  }
}

export type Write = (text: string) => Promise<void>;

/** Writes text and waits for 'drain' when the buffer is full, so a slow consumer keeps memory flat. */
export function writer(stream: NodeJS.WritableStream): Write {
  let failed: Error | null = null;
  stream.on("error", (e: Error) => {
    failed = e;
  });
  return async (text) => {
    if (failed) throw new OutputClosed(failed);
    if (!stream.write(text)) {
      await new Promise<void>((resolve) => {
        const settle = () => {
          stream.off("drain", settle);
          stream.off("error", settle);
          stream.off("close", settle);
          resolve();
        };
        stream.on("drain", settle);
        stream.on("error", settle);
        stream.on("close", settle);
      });
    }
    if (failed) throw new OutputClosed(failed);
  };
}
