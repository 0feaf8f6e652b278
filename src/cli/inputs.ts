/**
 * Reading a command's input files into memory: OASys XML exports and ARMS interchange documents. Record
 * rejections are collected (they never stop the other records); a file that fails whole is reported
 * with its error code and stops nothing else either.
 */
import type { ArmsAssessment } from "../core/arms/model.ts";
import type { OasysAssessment, RecordError } from "../core/oasys/model.ts";
import { isBridgeError } from "../errors.ts";
import { type ArmsRecordError, readArmsFile } from "../ingest/arms/reader.ts";
import type { CliIo } from "./io.ts";
import { readOasysFile } from "./oasys-files.ts";
import { fileProgress, NO_PROGRESS } from "./progress.ts";

export interface Rejection {
  file: string;
  kind: "OASYS" | "ARMS";
  error: RecordError | ArmsRecordError;
}

export interface FileFailure {
  file: string;
  code: string;
  message: string;
}

export interface Inputs {
  oasys: OasysAssessment[];
  arms: ArmsAssessment[];
  rejected: Rejection[];
  failed: FileFailure[];
}

function failure(file: string, e: unknown): FileFailure {
  if (!isBridgeError(e)) throw e;
  return { file, code: e.code, message: e.message };
}

/** Reads every file; given `progress`, a bar per OASys export on its stderr when that is a terminal. */
export async function readInputs(
  oasysFiles: string[],
  armsFiles: string[],
  today: string,
  progress?: CliIo,
): Promise<Inputs> {
  const inputs: Inputs = { oasys: [], arms: [], rejected: [], failed: [] };
  for (const file of oasysFiles) {
    const bar = progress ? await fileProgress(progress, file) : NO_PROGRESS;
    let bytesRead = 0;
    let records = 0;
    const onProgress = (n: number) => {
      bytesRead = n;
      bar.update(bytesRead, records);
    };
    try {
      for await (const r of readOasysFile(file, { today, onProgress })) {
        records += 1;
        bar.update(bytesRead, records);
        if (r.ok) inputs.oasys.push(r.assessment);
        else inputs.rejected.push({ file, kind: "OASYS", error: r.error });
      }
    } catch (e) {
      inputs.failed.push(failure(file, e));
    } finally {
      bar.done();
    }
  }
  for (const file of armsFiles) {
    try {
      for (const r of (await readArmsFile(file)).results) {
        if (r.ok) inputs.arms.push(r.arms);
        else inputs.rejected.push({ file, kind: "ARMS", error: r.error });
      }
    } catch (e) {
      inputs.failed.push(failure(file, e));
    }
  }
  return inputs;
}

/**
 * Splits `--oasys a.xml b.xml --arms c.json` into its file lists; a flag may also repeat. Returns the
 * unknown flags so the caller can refuse them.
 */
export function fileLists(
  argv: string[],
  listFlags: readonly string[],
  booleanFlags: readonly string[],
): { lists: Record<string, string[]>; flags: Set<string>; unknown: string[]; stray: string[] } {
  const lists: Record<string, string[]> = Object.fromEntries(listFlags.map((f) => [f, []]));
  const flags = new Set<string>();
  const unknown: string[] = [];
  const stray: string[] = [];
  let current: string | null = null;
  for (const arg of argv) {
    if (arg.startsWith("--")) {
      const name = arg.slice(2);
      if (listFlags.includes(name)) current = name;
      else if (booleanFlags.includes(name)) flags.add(name);
      else unknown.push(arg);
      continue;
    }
    if (arg === "-h") {
      flags.add("help");
      continue;
    }
    if (current === null) stray.push(arg);
    else lists[current]?.push(arg);
  }
  return { lists, flags, unknown, stray };
}
