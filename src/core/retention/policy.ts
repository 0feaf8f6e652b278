/**
 * Retention periods per data class: YAML text -> validated `RetentionPolicy` (pure; `load.ts` reads the
 * file), and the cut-off instant a period gives at a moment. Errors name file, line and column, as the
 * conflict thresholds' do (src/core/conflicts/thresholds.ts).
 */
import { LineCounter, parseDocument } from "yaml";
import { BridgeError } from "../../errors.ts";
import { nodeAt, positionOf } from "../conflicts/thresholds.ts";
import { schemaValidator } from "../schemas.ts";

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

function invalid(file: string, at: { line: number; column: number } | null, path: string, reason: string) {
  const where = at ? `${file}:${at.line}:${at.column}` : file;
  return new BridgeError("BRIDGE_E_RETENTION_INVALID", `${where} ${path} ${reason}`, {
    file,
    line: at?.line ?? null,
    column: at?.column ?? null,
    path,
  });
}

export function parsePeriod(text: string): Period | null {
  if (text === "never") return null;
  const m = /^P([1-9][0-9]{0,3})([DWMY])$/.exec(text);
  if (!m) throw new BridgeError("BRIDGE_E_RETENTION_INVALID", "not a retention period", { period: text });
  return { count: Number(m[1]), unit: m[2] as Period["unit"], text };
}

/** Parse and validate the retention YAML. Throws `BRIDGE_E_RETENTION_INVALID` naming file:line:column. */
export function parseRetention(text: string, file: string): RetentionPolicy {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true });
  const syntax = doc.errors[0];
  if (syntax) {
    const pos = syntax.linePos?.[0];
    throw invalid(
      file,
      pos ? { line: pos.line, column: pos.col } : null,
      "/",
      syntax.message.split("\n")[0] ?? "",
    );
  }
  const data = doc.toJS() as unknown;
  const validate = schemaValidator(RETENTION_SCHEMA);
  if (!validate(data)) {
    const e = validate.errors?.[0];
    const extra = e?.keyword === "additionalProperties" ? (e.params as { additionalProperty: string }) : null;
    const node = nodeAt(doc, e?.instancePath ?? "", extra?.additionalProperty);
    const reason = extra
      ? `has an unknown setting "${extra.additionalProperty}"`
      : e?.keyword === "pattern"
        ? "must be a period: P<n>D, P<n>W, P<n>M, P<n>Y or never"
        : (e?.message ?? "is invalid");
    throw invalid(file, positionOf(node, lines), e?.instancePath || "/", reason);
  }
  const parsed = data as RetentionFile;
  if (!parsed.changelog.some((c) => c.version === parsed.version)) {
    throw invalid(
      file,
      positionOf(nodeAt(doc, "/version"), lines),
      "/version",
      `has no changelog entry for version ${parsed.version}`,
    );
  }
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
