/**
 * `bridge prefill <files...> [--json] [--mapping path]`: read OASys XML exports and pre-fill one ARMS draft
 * per accepted assessment, each field with its provenance. Also exports `mapFiles`, the read-and-map loop
 * the `mapping` command shares.
 */
import { londonToday } from "../clock.ts";
import { type ApplyOptions, applyMapping, type MappingResult } from "../core/mapping/apply.ts";
import { loadMapping } from "../core/mapping/load.ts";
import { formatDraftSummary, formatRefusal } from "../core/mapping/report.ts";
import type { Mapping } from "../core/mapping/spec.ts";
import type { OasysAssessment, RecordError } from "../core/oasys/model.ts";
import { isBridgeError } from "../errors.ts";
import { type CliIo, EXIT } from "./io.ts";
import { readOasysFile } from "./oasys-files.ts";
import { writer } from "./output.ts";
import { fileProgress, NO_PROGRESS } from "./progress.ts";
import { parseOptions, usageError, usageLine } from "./usage.ts";

export const HELP = `usage: bridge prefill <file.xml>... [--json] [--mapping <mapping.yaml>]

Reads OASys assessment exports (urn:hmpps:oasys:export:1) and pre-fills one ARMS draft
(arms-interchange/1, status DRAFT) per accepted assessment. Every filled field carries its provenance;
every empty one the reason. Ratings are proposals for the ARMS assessor to confirm.

Options
  --mapping <path>  the OASys -> ARMS mapping to apply (default mappings/oasys-to-arms.yaml)
  --json            stdout: ONE JSON array of the drafts. stderr: one JSON object per line:
                      {"type":"refused","file":F,"refusal":{code,reason,assessmentPk,mappingVersion,detail}}
                      {"type":"rejected","file":F,"error":{code,exportId,assessmentPk,index,path,reason}}
                      {"type":"failed","file":F,"code":C,"message":M}
                      {"type":"summary","assessments":N,"drafts":N,"refused":N,"rejected":N,"failedFiles":N}
  (default)         a readable summary per draft: filled / evidence-only / unfilled counts, the gates
                    that applied, and why each field was left for the assessor

Exit codes
  0  every assessment was read and became a draft
  2  some records were rejected by ingest or refused by the mapping; every other draft was output
  1  usage error, an invalid mapping (file and line named), or a file that failed whole
`;

export const USAGE = usageLine(HELP);

export type MappedRecord =
  /** `results[i]` is the outcome under `mappings[i]`. */
  | { kind: "mapped"; file: string; assessment: OasysAssessment; results: MappingResult[] }
  | { kind: "rejected"; file: string; error: RecordError }
  | { kind: "failed"; file: string; code: string; message: string };

/**
 * Read each file (streaming) and map each accepted assessment. Whole-file faults become `failed` records.
 * Given `progress`, a bar for each file is drawn on its stderr when that is a terminal, and cleared
 * before a rejected or failed record is handed on (the caller may write it to stderr).
 */
export async function* mapFiles(
  files: string[],
  mappings: Mapping[],
  options: ApplyOptions,
  progress?: CliIo,
): AsyncGenerator<MappedRecord> {
  for (const file of files) {
    const bar = progress ? await fileProgress(progress, file) : NO_PROGRESS;
    let bytesRead = 0;
    let records = 0;
    const onProgress = (n: number) => {
      bytesRead = n;
      bar.update(bytesRead, records);
    };
    try {
      for await (const r of readOasysFile(file, { today: options.today, onProgress })) {
        records += 1;
        bar.update(bytesRead, records);
        if (!r.ok) {
          bar.done();
          yield { kind: "rejected", file, error: r.error };
          continue;
        }
        const results = mappings.map((m) => applyMapping(m, r.assessment, options));
        yield { kind: "mapped", file, assessment: r.assessment, results };
      }
    } catch (e) {
      if (!isBridgeError(e)) throw e;
      bar.done();
      yield { kind: "failed", file, code: e.code, message: e.message };
    } finally {
      bar.done();
    }
  }
}

const OPTIONS = {
  json: { type: "boolean" },
  mapping: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

export async function prefillCommand(argv: string[], io: CliIo): Promise<number> {
  const parsed = parseOptions(io, USAGE, { args: argv, options: OPTIONS, allowPositionals: true });
  if (!parsed) return EXIT.FATAL;
  const { values, positionals: files } = parsed;
  if (values.help) {
    io.stdout.write(HELP);
    return EXIT.OK;
  }
  if (files.length === 0) return usageError(io, USAGE, "no file given");
  const mapping = loadMapping(values.mapping);
  const out = writer(io.stdout);
  const err = writer(io.stderr);
  const counts = { assessments: 0, drafts: 0, refused: 0, rejected: 0, failedFiles: 0 };
  let first = true;
  if (values.json) await out("[\n");
  // Drafts written to a terminal show the progress themselves; a bar would be drawn over them.
  const progress = io.stdout.isTTY ? undefined : io;
  for await (const record of mapFiles(files, [mapping], { today: londonToday(io.now()) }, progress)) {
    if (record.kind === "failed") {
      counts.failedFiles += 1;
      if (values.json)
        await err(
          `${JSON.stringify({ type: "failed", file: record.file, code: record.code, message: record.message })}\n`,
        );
      else await err(`bridge prefill: ${record.file}: ${record.code}: ${record.message}\n`);
      continue;
    }
    counts.assessments += 1;
    if (record.kind === "rejected") {
      counts.rejected += 1;
      const e = record.error;
      if (values.json) await err(`${JSON.stringify({ type: "rejected", file: record.file, error: e })}\n`);
      else
        await out(
          `record ${e.index ?? "?"} of ${record.file} rejected, ${e.code} (assessment ${e.assessmentPk ?? "?"}) at ${e.path}: ${e.reason}\n\n`,
        );
      continue;
    }
    const result = record.results[0] as MappingResult;
    if (!result.ok) {
      counts.refused += 1;
      if (values.json)
        await err(`${JSON.stringify({ type: "refused", file: record.file, refusal: result.refusal })}\n`);
      else await out(`${formatRefusal(record.file, result.refusal)}\n\n`);
      continue;
    }
    counts.drafts += 1;
    if (values.json) {
      await out(`${first ? "" : ",\n"}${JSON.stringify(result.draft)}`);
      first = false;
    } else {
      await out(`${formatDraftSummary(result.draft, result.summary)}\n\n`);
    }
  }
  if (values.json) {
    await out(`${first ? "" : "\n"}]\n`);
    await err(`${JSON.stringify({ type: "summary", ...counts })}\n`);
  } else {
    await out(
      `mapping ${mapping.spec.version}: ${counts.assessments} assessment(s) read, ${counts.drafts} draft(s), ${counts.refused} refused, ${counts.rejected} rejected by ingest${counts.failedFiles ? `, ${counts.failedFiles} file(s) failed` : ""}\n`,
    );
  }
  if (counts.failedFiles > 0) return EXIT.FATAL;
  return counts.refused + counts.rejected > 0 ? EXIT.REJECTED : EXIT.OK;
}
