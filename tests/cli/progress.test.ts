import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.ts";
import {
  createCountProgress,
  createProgress,
  renderCountLine,
  renderProgressLine,
} from "../../src/cli/progress.ts";
import { CapturedStream, captureIo } from "./capture.ts";

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

describe("counted progress", () => {
  it("shows items done of the total and the rate", () => {
    expect(
      renderCountLine({ label: "reconciling", done: 2000, total: 5000, noun: "persons", elapsedMs: 4000 }),
    ).toBe("reconciling [##########--------------]  40% 2000/5000 persons 500/s");
    expect(renderCountLine({ label: "r", done: 0, total: 0, noun: "persons", elapsedMs: 0 })).toContain(
      "100%",
    );
  });

  it("draws nothing when the stream is not a terminal, and clears itself on one", () => {
    let t = 0;
    const piped = new CapturedStream({ tty: false });
    const quiet = createCountProgress({
      stream: piped,
      label: "r",
      total: 2,
      noun: "persons",
      now: () => (t += 1000),
    });
    quiet.update(1, 0);
    quiet.done();
    expect(piped.text).toBe("");
    const tty = new CapturedStream({ tty: true });
    const bar = createCountProgress({
      stream: tty,
      label: "r",
      total: 2,
      noun: "persons",
      now: () => (t += 1000),
    });
    bar.update(1, 0);
    bar.update(2, 0);
    bar.done();
    expect(tty.text).toContain("\rr [########################] 100% 2/2 persons");
    expect(tty.text.endsWith("\r\x1b[K")).toBe(true);
  });
});

const EX = "examples/oasys";
const MAPPING = "mappings/oasys-to-arms.yaml";
const PAIRS = ["matched-consistent", "rosh-high-arms-low"].map((p) => `examples/pairs/${p}`);
const ESC = String.fromCharCode(27);
/** A bar's draws and clears: `\r<line>ESC[K` and `\rESC[K`. */
const BAR_WRITES = new RegExp(`\r[^\r\n]*${ESC}\\[K`, "g");

/** Every bar drawn is cleared before anything else is written, and at the end. */
function expectClearedBeforeText(text: string) {
  let drawn = false;
  let at = 0;
  for (const m of text.matchAll(BAR_WRITES)) {
    if (m.index > at) expect(drawn, JSON.stringify(text.slice(at, m.index))).toBe(false);
    drawn = m[0] !== `\r${ESC}[K`;
    at = m.index + m[0].length;
  }
  expect(drawn).toBe(false);
}

describe("long commands show progress on a terminal, and nothing extra when piped", () => {
  it.each([
    [
      [
        "prefill",
        "--json",
        `${EX}/complete-layer3-sexual-items.xml`,
        `${EX}/malformed-one-of-three.xml`,
        `${EX}/hostile-doctype.xml`,
      ],
    ],
    [
      [
        "mapping",
        "coverage",
        `${EX}/complete-layer3-sexual-items.xml`,
        `${EX}/female-offender.xml`,
        `${EX}/hostile-doctype.xml`,
      ],
    ],
    [
      [
        "mapping",
        "diff",
        "--from",
        MAPPING,
        "--to",
        MAPPING,
        `${EX}/complete-layer3-sexual-items.xml`,
        `${EX}/malformed-one-of-three.xml`,
      ],
    ],
    [
      [
        "reconcile",
        "--oasys",
        ...PAIRS.map((p) => `${p}/oasys.xml`),
        `${EX}/malformed-one-of-three.xml`,
        "--arms",
        ...PAIRS.map((p) => `${p}/arms.json`),
      ],
    ],
    [
      [
        "reconcile",
        "--json",
        "--oasys",
        ...PAIRS.map((p) => `${p}/oasys.xml`),
        "--arms",
        ...PAIRS.map((p) => `${p}/arms.json`),
      ],
    ],
  ])("%j", async (argv) => {
    const piped = captureIo({ stepMs: 1000 });
    const pipedCode = await main(argv, piped.io);
    const tty = captureIo({ tty: true, stepMs: 1000 });
    const ttyCode = await main(argv, tty.io);
    expect(ttyCode).toBe(pipedCode);
    // A bar per export read, with its size, cleared before anything else is written to stderr.
    expect(tty.stderr.text).toMatch(/\r[^\r]*\.xml \[#+-*\] +\d+% [\d.]+\/[\d.]+ MB \d+ records/);
    expectClearedBeforeText(tty.stderr.text);
    // Piped: no control characters, and exactly what the terminal got without the bar.
    for (const text of [piped.stderr.text, piped.stdout.text, tty.stdout.text]) {
      expect(text.includes("\r") || text.includes(ESC)).toBe(false);
    }
    expect(tty.stderr.text.replace(BAR_WRITES, "")).toBe(piped.stderr.text);
    expect(tty.stdout.text).toBe(piped.stdout.text);
  });

  it("reconcile also counts the persons it reconciles", async () => {
    const tty = captureIo({ tty: true, stepMs: 1000 });
    const argv = [
      "reconcile",
      "--oasys",
      ...PAIRS.map((p) => `${p}/oasys.xml`),
      "--arms",
      ...PAIRS.map((p) => `${p}/arms.json`),
    ];
    await main(argv, tty.io);
    expect(tty.stderr.text).toContain("\rreconciling [########################] 100% 2/2 persons");
  });

  it("prefill draws no bar over drafts written to the terminal", async () => {
    const tty = captureIo({ tty: true, stepMs: 1000 });
    tty.stdout.isTTY = true;
    expect(await main(["prefill", `${EX}/complete-layer3-sexual-items.xml`], tty.io)).toBe(0);
    expect(tty.stderr.text).toBe("");
    expect(tty.stdout.text).toContain("filled 19 of 34");
  });
});
