/**
 * Retention periods per data class: YAML text -> validated `RetentionPolicy` (pure; `load.ts` reads the
 * file), and the cut-off instant a period gives at a moment. Errors name file, line and column, through
 * the same reader as the conflict thresholds (src/core/data-file.ts).
 */
import { BridgeError } from "../../errors.ts";
import { changelogProblems, parseDataFile } from "../data-file.ts";

export const RETENTION_SCHEMA = "retention.schema.json";

/** The classes, in the order a run erases them (the audit trail last, after the others' entries). */
export const DATA_CLASSES = [
  "rawExports",
  "oasysRecords",
  "armsRevisions",
  "drafts",
  "deliveredBodies",
  "deadLetters",
  "audit",
] as const;
export type DataClass = (typeof DATA_CLASSES)[number];

/** `P<n>D|W|M|Y`; null for `never`. */
export interface Period {
  count: number;
  unit: "D" | "W" | "M" | "Y";
  /** As written (`P90D`), for reports and audit entries. */
  text: string;
}

export interface RetentionPolicy {
  version: string;
  periods: Record<DataClass, Period | null>;
}

interface RetentionFile {
  version: string;
  changelog: { version: string; date: string; change: string }[];
  periods: Record<DataClass, string>;
}

export function parsePeriod(text: string): Period | null {
  if (text === "never") return null;
  const m = /^P([1-9][0-9]{0,3})([DWMY])$/.exec(text);
  if (!m) throw new BridgeError("BRIDGE_E_RETENTION_INVALID", "not a retention period", { period: text });
  return { count: Number(m[1]), unit: m[2] as Period["unit"], text };
}

/** Parse and validate the retention YAML. Throws `BRIDGE_E_RETENTION_INVALID` naming file:line:column. */
export function parseRetention(text: string, file: string): RetentionPolicy {
  const parsed = parseDataFile<RetentionFile>(text, file, {
    schema: RETENTION_SCHEMA,
    code: "BRIDGE_E_RETENTION_INVALID",
    describe: (e) =>
      e.keyword === "pattern" ? "must be a period: P<n>D, P<n>W, P<n>M, P<n>Y or never" : null,
    problems: changelogProblems,
  });
  const periods = Object.fromEntries(DATA_CLASSES.map((c) => [c, parsePeriod(parsed.periods[c])])) as Record<
    DataClass,
    Period | null
  >;
  return { version: parsed.version, periods };
}

const DAY_MS = 86_400_000;

/**
 * The instant a period before `now` (UTC): what was stored before it is past its period. Months and years
 * are calendar ones, the day clamped to the month's end (31 March less one month is 28 or 29 February).
 */
export function cutoffOf(period: Period, now: string): string {
  const at = new Date(now);
  if (Number.isNaN(at.getTime())) throw new BridgeError("BRIDGE_E_INTERNAL", "retention needs a time");
  if (period.unit === "D" || period.unit === "W") {
    return new Date(at.getTime() - period.count * (period.unit === "W" ? 7 : 1) * DAY_MS).toISOString();
  }
  const months = period.count * (period.unit === "Y" ? 12 : 1);
  const total = at.getUTCFullYear() * 12 + at.getUTCMonth() - months;
  const year = Math.floor(total / 12);
  const month = total - year * 12;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const day = Math.min(at.getUTCDate(), lastDay);
  const msOfDay = at.getTime() - Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate());
  return new Date(Date.UTC(year, month, day) + msOfDay).toISOString();
}
