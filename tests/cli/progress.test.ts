import { describe, expect, it } from "vitest";
import { createProgress, renderProgressLine } from "../../src/cli/progress.ts";
import { CapturedStream } from "./capture.ts";

const MB = 1024 * 1024;

describe("renderProgressLine", () => {
  it("shows the bar, percentage, megabytes and records per second for a file of known size", () => {
    const line = renderProgressLine({
      label: "big.xml",
      bytesRead: 25 * MB,
      totalBytes: 100 * MB,
      records: 2000,
      elapsedMs: 4000,
    });
    expect(line).toBe("big.xml [######------------------]  25% 25.0/100.0 MB 2000 records 500/s");
  });

  it("shows megabytes read when the size is unknown (stdin)", () => {
    const line = renderProgressLine({
      label: "<stdin>",
      bytesRead: 3 * MB,
      totalBytes: null,
      records: 10,
      elapsedMs: 0,
    });
    expect(line).toBe("<stdin> 3.0 MB 10 records 0/s");
  });

  it("never draws past 100% and fits the terminal width", () => {
    const line = renderProgressLine(
      { label: "x".repeat(200), bytesRead: 2 * MB, totalBytes: MB, records: 1, elapsedMs: 1000 },
      60,
    );
    expect(line.length).toBe(59);
    expect(
      renderProgressLine({ label: "f", bytesRead: 2 * MB, totalBytes: MB, records: 1, elapsedMs: 1 }),
    ).toContain("100%");
  });
});

describe("createProgress", () => {
  it("draws nothing at all when the stream is not a terminal", () => {
    const stream = new CapturedStream({ tty: false });
    let t = 0;
    const progress = createProgress({ stream, label: "f", totalBytes: 100, now: () => (t += 1000) });
    progress.update(50, 1);
    progress.update(100, 2);
    progress.done();
    expect(stream.text).toBe("");
  });

  it("throttles redraws on a terminal and clears the line when done", () => {
    const stream = new CapturedStream({ tty: true });
    let t = 0;
    const progress = createProgress({
      stream,
      label: "f",
      totalBytes: 100,
      now: () => t,
      minIntervalMs: 100,
    });
    t = 10;
    progress.update(10, 1);
    t = 50;
    progress.update(20, 2); // within 100 ms of the last draw: skipped
    t = 200;
    progress.update(60, 3);
    progress.done();
    progress.done();
    const draws = stream.text.split("\r").filter((s) => s.startsWith("f "));
    expect(draws).toHaveLength(2);
    expect(draws[1]).toContain("60%");
    expect(stream.text.endsWith("\r\x1b[K")).toBe(true);
    expect(stream.text.split("\r\x1b[K")).toHaveLength(2);
  });
});
