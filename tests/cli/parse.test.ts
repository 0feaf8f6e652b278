import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.ts";
import { parseCommand } from "../../src/cli/parse.ts";
import { londonToday } from "../../src/clock.ts";
import type { OasysAssessment } from "../../src/core/oasys/model.ts";
import { captureIo } from "./capture.ts";

const EX = "examples/oasys";
const complete = `${EX}/complete-layer3-sexual-items.xml`;
const oneBad = `${EX}/malformed-one-of-three.xml`;
const hostile = `${EX}/hostile-doctype.xml`;

let dir: string;
let truncated: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "bridge-parse-"));
  truncated = join(dir, "truncated.xml");
  await writeFile(
    truncated,
    '<?xml version="1.0"?>\n<oasysExport xmlns="urn:hmpps:oasys:export:1" exportId="EXP-T">\n  <assessment assessmentPk="1" type="LAYER3" status="OPEN">\n  </oops>\n',
  );
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const lines = (text: string) =>
  text
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe("bridge parse (report)", () => {
  it("reports an all-accepted file and exits 0", async () => {
    const { io, stdout, stderr } = captureIo();
    expect(await parseCommand([complete], io)).toBe(0);
    expect(stdout.text).toContain(`${complete}\n  assessments 1: 1 accepted, 0 rejected`);
    expect(stdout.text).toContain("accepted by status: COMPLETE 1");
    expect(stdout.text).toContain("accepted by type: LAYER3 1");
    expect(stdout.text).toContain("warnings by code: none");
    expect(stderr.text).toBe("");
  });

  it("lists a rejected record by export id, position, pk and path, never the person, and exits 2", async () => {
    const { io, stdout } = captureIo();
    expect(await parseCommand([oneBad], io)).toBe(2);
    expect(stdout.text).toContain("assessments 3: 2 accepted, 1 rejected");
    expect(stdout.text).toMatch(
      /BRIDGE_E_RECORD_BAD_VALUE export EXP-20261120-0009 assessment #2 pk 9631502 at roshSummary\/riskLevel.*: RoSH level "Severe"/,
    );
    for (const personal of ["SECONDARY", "FIRSTLING", "X012345", "2020/0111222X", "1985-10-10"]) {
      expect(stdout.text).not.toContain(personal);
    }
  });

  it("summarises warnings by code only", async () => {
    const { io, stdout } = captureIo();
    expect(await parseCommand([`${EX}/invalid-pnc.xml`], io)).toBe(0);
    expect(stdout.text).toContain("warnings by code: IDENTIFIER_INVALID 1");
    expect(stdout.text).not.toContain("2017/0876543A");
  });

  it("refuses a hostile file whole, naming the file, line and column, and exits 1", async () => {
    const { io, stdout, stderr } = captureIo();
    expect(await parseCommand([hostile], io)).toBe(1);
    expect(stderr.text).toMatch(
      new RegExp(`^bridge parse: ${hostile}: BRIDGE_E_XML_DOCTYPE_REFUSED: .*line \\d+, column \\d+`),
    );
    expect(stdout.text).toContain("FAILED: BRIDGE_E_XML_DOCTYPE_REFUSED");
  });

  it("fails a file that is not well-formed with its line and column, and exits 1", async () => {
    const { io, stderr } = captureIo();
    expect(await parseCommand([truncated], io)).toBe(1);
    expect(stderr.text).toContain(`${truncated}: BRIDGE_E_XML_NOT_WELL_FORMED`);
    expect(stderr.text).toMatch(/line 4, column \d+/);
  });

  it("fails an unreadable file and still reports the others, with totals", async () => {
    const missing = join(dir, "no-such-file.xml");
    const { io, stdout, stderr } = captureIo();
    expect(await parseCommand([complete, missing, oneBad], io)).toBe(1);
    expect(stderr.text).toContain(`${missing}: BRIDGE_E_FILE_UNREADABLE`);
    expect(stdout.text).toContain(
      "total: 3 file(s), 4 assessments: 3 accepted, 1 rejected, 1 file(s) failed",
    );
    expect(stdout.text).toContain("accepted by status: COMPLETE 3");
  });

  it("refuses a directory as unreadable", async () => {
    const { io, stderr } = captureIo();
    expect(await parseCommand([dir], io)).toBe(1);
    expect(stderr.text).toContain("BRIDGE_E_FILE_UNREADABLE");
  });

  it("reads stdin for '-'", async () => {
    const { readFile } = await import("node:fs/promises");
    const { io, stdout } = captureIo({ stdin: await readFile(oneBad, "utf8") });
    expect(await parseCommand(["-"], io)).toBe(2);
    expect(stdout.text).toContain("<stdin>\n  assessments 3: 2 accepted, 1 rejected");
  });
});

describe("bridge parse --json", () => {
  it("writes one JSON array of the accepted canonical records and rejections as JSON lines on stderr", async () => {
    const { io, stdout, stderr } = captureIo();
    expect(await parseCommand(["--json", oneBad, complete], io)).toBe(2);
    const accepted = JSON.parse(stdout.text) as OasysAssessment[];
    expect(accepted.map((a) => a.assessmentPk)).toEqual([9631401, 9631603, 9630348]);
    expect(accepted.every((a) => a.schema === "oasys-canonical/1")).toBe(true);
    const events = lines(stderr.text);
    expect(events[0]).toMatchObject({
      type: "rejected",
      file: oneBad,
      error: {
        code: "BRIDGE_E_RECORD_BAD_VALUE",
        exportId: "EXP-20261120-0009",
        assessmentPk: "9631502",
        index: 2,
      },
    });
    expect(events.at(-1)).toEqual({
      type: "summary",
      files: 2,
      assessments: 4,
      accepted: 3,
      rejected: 1,
      failedFiles: 0,
    });
  });

  it("writes a valid empty array when nothing is accepted, and a failed line for a fatal file", async () => {
    const { io, stdout, stderr } = captureIo();
    expect(await parseCommand(["--json", hostile], io)).toBe(1);
    expect(JSON.parse(stdout.text)).toEqual([]);
    expect(lines(stderr.text)[0]).toMatchObject({
      type: "failed",
      file: hostile,
      code: "BRIDGE_E_XML_DOCTYPE_REFUSED",
    });
  });

  it("keeps to backpressure: a slow stdout still receives the whole array", async () => {
    const { io, stdout } = captureIo({ slowStdout: true });
    const files = [complete, complete, complete, complete, complete, complete];
    expect(await parseCommand(["--json", ...files], io)).toBe(0);
    expect((JSON.parse(stdout.text) as unknown[]).length).toBe(6);
  });

  it("stops with exit 1 when stdout is closed by its reader", async () => {
    const { io, stdout, stderr } = captureIo();
    stdout.destroy(Object.assign(new Error("write EPIPE"), { code: "EPIPE" }));
    expect(await parseCommand(["--json", complete], io)).toBe(1);
    expect(stderr.text).toContain("output closed before the end");
  });
});

describe("bridge parse --ndjson", () => {
  it("writes accepted and rejected records in file order, then the summary, all on stdout", async () => {
    const { io, stdout, stderr } = captureIo();
    expect(await parseCommand(["--ndjson", oneBad], io)).toBe(2);
    const events = lines(stdout.text);
    expect(events.map((e) => e.type)).toEqual(["accepted", "rejected", "accepted", "summary"]);
    expect(events[0]).toMatchObject({
      file: oneBad,
      source: { kind: "XML_EXPORT", exportId: "EXP-20261120-0009", index: 1 },
      assessment: { assessmentPk: 9631401 },
    });
    expect(stderr.text).toBe("");
  });
});

describe("bridge parse usage", () => {
  it.each([
    [[], "no file given"],
    [["--json", "--ndjson", complete], "exclusive"],
    [["--frobnicate", complete], "unknown option '--frobnicate'"],
    [["-", "-"], "stdin"],
  ])("exits 1 for %j", async (argv, message) => {
    const { io, stderr } = captureIo();
    expect(await parseCommand(argv, io)).toBe(1);
    expect(stderr.text).toContain(message);
  });

  it("documents output shapes and exit codes in --help", async () => {
    const { io, stdout } = captureIo();
    expect(await parseCommand(["--help"], io)).toBe(0);
    for (const s of ["--json", "--ndjson", '"type":"rejected"', "Exit codes", "  2  some assessments"]) {
      expect(stdout.text).toContain(s);
    }
  });

  it("is reachable through the bridge dispatcher", async () => {
    const { io, stdout } = captureIo();
    expect(await main(["parse", complete], io)).toBe(0);
    expect(stdout.text).toContain("1 accepted");
  });
});

describe("progress on stderr", () => {
  it("never draws progress when stderr is not a terminal", async () => {
    const { io, stderr } = captureIo({ stepMs: 1000 });
    expect(await parseCommand([complete, oneBad], io)).toBe(2);
    expect(stderr.text).toBe("");
  });

  it("draws a bar on a terminal and clears it before the report", async () => {
    const { io, stderr, stdout } = captureIo({ tty: true, stepMs: 1000 });
    expect(await parseCommand([complete], io)).toBe(0);
    expect(stderr.text).toMatch(/\r[^\r]*complete-layer3-sexual-items\.xml \[#+\] 100% [^\r]* 1 records/);
    expect(stderr.text.endsWith("\r\x1b[K")).toBe(true);
    expect(stdout.text).not.toContain("\r");
  });
});

describe("londonToday", () => {
  it("uses the London calendar date, not UTC's", () => {
    expect(londonToday(new Date("2026-07-01T23:30:00Z"))).toBe("2026-07-02");
    expect(londonToday(new Date("2026-12-31T23:30:00Z"))).toBe("2026-12-31");
  });
});
