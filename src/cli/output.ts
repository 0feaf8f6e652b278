/** Writing a command's output to a stream that may be slow (backpressure) or may go away (a closed pipe). */

/** The reader of our output went away (e.g. `bridge parse --json f.xml | head`). */
export class OutputClosed extends Error {
  constructor() {
    super("the output stream was closed");
    this.name = "OutputClosed";
  }
}

export type Write = (text: string) => Promise<void>;

/** Writes text and waits for 'drain' when the buffer is full, so a slow consumer keeps memory flat. */
export function writer(stream: NodeJS.WritableStream): Write {
  let failed = false;
  stream.on("error", () => {
    failed = true;
  });
  return async (text) => {
    if (failed) throw new OutputClosed();
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
    if (failed) throw new OutputClosed();
  };
}
