/**
 * `bridge parse <files...> [--json | --ndjson]`: read OASys XML exports (streamed, `-` for stdin) and
 * say what the bridge makes of them. See HELP for the output shapes and exit codes, which are a contract.
 */
import { stat } from "node:fs/promises";
import { londonToday } from "../clock.ts";
import type { IngestResult } from "../core/oasys/model.ts";
import { BridgeError, isBridgeError } from "../errors.ts";
import { readOasysExport } from "../ingest/xml/reader.ts";
import { type CliIo, EXIT } from "./io.ts";
import { readOasysFile } from "./oasys-files.ts";
import { OutputClosed, type Write, writer } from "./output.ts";
import {
  emptyTally,
  type FileTally,
  formatFileReport,
  formatTotals,
  tally,
  totalOf,
} from "./parse-report.ts";
import { createProgress, type Progress } from "./progress.ts";
import { parseOptions, usageError, usageLine } from "./usage.ts";

export const HELP = `usage: bridge parse <file.xml>... [--json | --ndjson]

Reads OASys assessment exports (urn:hmpps:oasys:export:1), streaming each file; '-' reads stdin.

Output
  (default)  a report on stdout: per file and in total, assessments accepted and rejected, accepted
             ones by status and by type, each rejected record (code, export id, position, assessment
             pk, path, reason) and warnings counted by code. Whole-file failures go to stderr.
  --json     stdout: ONE JSON array of the accepted canonical assessments (oasys-canonical/1), written
             as they are read. stderr: one JSON object per line:
               {"type":"rejected","file":F,"error":{code,exportId,assessmentPk,index,path,reason,...}}
               {"type":"failed","file":F,"code":C,"message":M}
               {"type":"summary","files":N,"assessments":N,"accepted":N,"rejected":N,"failedFiles":N}
  --ndjson   stdout: one JSON object per line, in file order, for accepted and rejected records alike:
               {"type":"accepted","file":F,"source":{...},"assessment":{...}}
               {"type":"rejected","file":F,"error":{...}}
             then the "failed" lines and the "summary" line above (stderr stays free of JSON).

A progress bar is drawn on stderr only when stderr is a terminal.

Exit codes
  0  every assessment of every file was accepted
  2  some assessments were rejected; all the others were output
  1  usage error, or a file could not be read or failed whole (not well-formed XML, DOCTYPE or
     entities, a size or shape limit, wrong root): the message names the file, line and column.
     Output written before the failure is incomplete and must not be used as the file's content.
`;

export const USAGE = usageLine(HELP);

type Mode = "report" | "json" | "ndjson";

interface Outputs {
  out: Write;
  err: Write;
}

/** Size of a file to read, or a whole-file fault saying why it cannot be read. `-` (stdin) has no size. */
async function sizeOf(file: string, io: CliIo): Promise<number | null> {
  if (file === "-") {
    if (!io.stdin) throw new BridgeError("BRIDGE_E_FILE_UNREADABLE", "no standard input to read");
    return null;
  }
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(file);
  } catch (e) {
    throw new BridgeError("BRIDGE_E_FILE_UNREADABLE", (e as NodeJS.ErrnoException).code ?? "cannot stat");
  }
  if (!info.isFile()) throw new BridgeError("BRIDGE_E_FILE_UNREADABLE", "not a regular file");
  return info.size;
}

async function parseFile(
  file: string,
  mode: Mode,
  io: CliIo,
  { out, err }: Outputs,
  today: string,
  first: { value: boolean },
): Promise<FileTally> {
  const t = emptyTally(file === "-" ? "<stdin>" : file);
  let bytesRead = 0;
  let progress: Progress | null = null;
  try {
    const totalBytes = await sizeOf(file, io);
    const bar = createProgress({
      stream: io.stderr,
      label: t.file,
      totalBytes,
      now: () => io.now().getTime(),
    });
    progress = bar;
    const onProgress = (n: number) => {
      bytesRead = n;
      bar.update(bytesRead, t.assessments);
    };
    const results: AsyncIterable<IngestResult> =
      file === "-"
        ? readOasysExport(io.stdin as NodeJS.ReadableStream, { today, onProgress })
        : readOasysFile(file, { today, onProgress });
    for await (const result of results) {
      tally(t, result);
      bar.update(bytesRead, t.assessments);
      if (mode === "json") {
        if (result.ok) {
          await out(`${first.value ? "" : ",\n"}${JSON.stringify(result.assessment)}`);
          first.value = false;
        } else {
          await err(`${JSON.stringify({ type: "rejected", file: t.file, error: result.error })}\n`);
        }
      } else if (mode === "ndjson") {
        const line = result.ok
          ? { type: "accepted", file: t.file, source: result.source, assessment: result.assessment }
          : { type: "rejected", file: t.file, error: result.error };
        await out(`${JSON.stringify(line)}\n`);
      }
    }
  } catch (e) {
    if (!isBridgeError(e)) throw e;
    t.fatal = { code: e.code, message: e.message };
  } finally {
    progress?.done();
  }
  return t;
}

const OPTIONS = {
  json: { type: "boolean" },
  ndjson: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

export async function parseCommand(argv: string[], io: CliIo): Promise<number> {
  const parsed = parseOptions(io, USAGE, { args: argv, options: OPTIONS, allowPositionals: true });
  if (!parsed) return EXIT.FATAL;
  const { values, positionals: files } = parsed;
  if (values.help) {
    io.stdout.write(HELP);
    return EXIT.OK;
  }
  if (files.length === 0) return usageError(io, USAGE, "no file given");
  if (values.json && values.ndjson) return usageError(io, USAGE, "--json and --ndjson are exclusive");
  if (files.filter((f) => f === "-").length > 1)
    return usageError(io, USAGE, "'-' (stdin) can be given once");
  const mode: Mode = values.json ? "json" : values.ndjson ? "ndjson" : "report";
  const outputs: Outputs = { out: writer(io.stdout), err: writer(io.stderr) };
  try {
    return await parseAll(files, mode, io, outputs);
  } catch (e) {
    if (!(e instanceof OutputClosed)) throw e;
    io.stderr.write("bridge parse: output closed before the end; stopped\n");
    return EXIT.FATAL;
  }
}

async function parseAll(files: string[], mode: Mode, io: CliIo, outputs: Outputs): Promise<number> {
  const { out, err } = outputs;
  const today = londonToday(io.now());
  const first = { value: true };
  const tallies: FileTally[] = [];
  if (mode === "json") await out("[\n");
  for (const file of files) {
    const t = await parseFile(file, mode, io, outputs, today, first);
    tallies.push(t);
    if (mode === "report") {
      await out(formatFileReport(t));
      if (t.fatal) await err(`bridge parse: ${t.file}: ${t.fatal.code}: ${t.fatal.message}\n`);
    } else if (t.fatal) {
      const failed = { type: "failed", file: t.file, code: t.fatal.code, message: t.fatal.message };
      await (mode === "json" ? err : out)(`${JSON.stringify(failed)}\n`);
    }
  }
  const total = totalOf(tallies);
  const failedFiles = tallies.filter((t) => t.fatal).length;
  if (mode === "report") {
    if (files.length > 1) await out(formatTotals(tallies));
  } else {
    if (mode === "json") await out(`${first.value ? "" : "\n"}]\n`);
    const summary = {
      type: "summary",
      files: tallies.length,
      assessments: total.assessments,
      accepted: total.accepted,
      rejected: total.rejected,
      failedFiles,
    };
    await (mode === "json" ? err : out)(`${JSON.stringify(summary)}\n`);
  }
  if (failedFiles > 0) return EXIT.FATAL;
  return total.rejected > 0 ? EXIT.REJECTED : EXIT.OK;
}
