/**
 * Conflict thresholds: YAML text -> validated `Thresholds`. Parsing is pure (text in, value or error out);
 * `load-thresholds.ts` does the one file read. Every error names the file, line and column, so a data team
 * editing the YAML sees exactly what to fix.
 */
import { changelogProblems, type DataFileProblem, parseDataFile } from "../data-file.ts";
import type { PushPolicy, Thresholds, ThresholdValues } from "./types.ts";

export const THRESHOLDS_SCHEMA = "conflict-thresholds.schema.json";

export interface ThresholdsFile {
  version: string;
  changelog: { version: string; date: string; change: string }[];
  thresholds: ThresholdValues;
  pushPolicy: PushPolicy;
}

/** Checks the schema cannot express. Each names the pointer of the offending value. */
function semanticProblems(file: ThresholdsFile): DataFileProblem[] {
  const t = file.thresholds;
  const problems: DataFileProblem[] = [];
  if (t.levelGapInfo >= t.levelGapWarn) {
    problems.push({ path: "/thresholds/levelGapInfo", reason: "must be smaller than levelGapWarn" });
  }
  const overlap = t.factorPresentRatings.filter((r) => t.factorAbsentRatings.includes(r));
  if (overlap.length > 0) {
    problems.push({
      path: "/thresholds/factorAbsentRatings",
      reason: `rating(s) ${overlap.join(", ")} cannot mean both present and absent`,
    });
  }
  return [...problems, ...changelogProblems(file)];
}

/** Parse and validate the thresholds YAML. Throws `BRIDGE_E_THRESHOLDS_INVALID` naming file:line:column. */
export function parseThresholds(text: string, file: string): Thresholds {
  const parsed = parseDataFile<ThresholdsFile>(text, file, {
    schema: THRESHOLDS_SCHEMA,
    code: "BRIDGE_E_THRESHOLDS_INVALID",
    problems: semanticProblems,
  });
  return { version: parsed.version, ...parsed.thresholds, pushPolicy: parsed.pushPolicy };
}
