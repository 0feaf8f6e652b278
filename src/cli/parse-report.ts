/**
 * What `bridge parse` counts and prints: per-file tallies of ingest results and their human-readable
 * report. Pure. Rejections are named by export id, assessment pk, index and path, never by the person;
 * warnings are summarised by code only (their messages can quote values such as identifiers).
 */
import type { IngestResult, RecordError } from "../core/oasys/model.ts";

/** Rejections kept per file for the report; the rest are counted. */
export const MAX_LISTED_REJECTIONS = 1000;

export interface FileTally {
  file: string;
  assessments: number;
  accepted: number;
  rejected: number;
  byStatus: Record<string, number>;
  byType: Record<string, number>;
  /** Warning code -> how many accepted records carry it (once per warning). */
  warnings: Record<string, number>;
  rejections: RecordError[];
  /** A whole-file fault: the file stopped here and its output is incomplete. */
  fatal: { code: string; message: string } | null;
}

export const emptyTally = (file: string): FileTally => ({
  file,
  assessments: 0,
  accepted: 0,
  rejected: 0,
  byStatus: {},
  byType: {},
  warnings: {},
  rejections: [],
  fatal: null,
});

const bump = (counts: Record<string, number>, key: string) => {
  counts[key] = (counts[key] ?? 0) + 1;
};

export function tally(t: FileTally, result: IngestResult): void {
  t.assessments++;
  if (result.ok) {
    t.accepted++;
    bump(t.byStatus, result.assessment.status);
    bump(t.byType, result.assessment.type);
    for (const w of result.assessment.warnings) bump(t.warnings, w.code);
  } else {
    t.rejected++;
    if (t.rejections.length < MAX_LISTED_REJECTIONS) t.rejections.push(result.error);
  }
}

export function totalOf(tallies: FileTally[]): FileTally {
  const total = emptyTally("total");
  for (const t of tallies) {
    total.assessments += t.assessments;
    total.accepted += t.accepted;
    total.rejected += t.rejected;
    for (const [target, source] of [
      [total.byStatus, t.byStatus],
      [total.byType, t.byType],
      [total.warnings, t.warnings],
    ] as const) {
      for (const [k, n] of Object.entries(source)) target[k] = (target[k] ?? 0) + n;
    }
  }
  return total;
}

const counts = (c: Record<string, number>) =>
  Object.entries(c)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, n]) => `${k} ${n}`)
    .join(", ") || "none";

/** One rejection on one line: code, export id, pk, position, path, reason (and line/column if known). */
export function formatRejection(e: RecordError): string {
  const where =
    e.line !== undefined ? ` (line ${e.line}${e.column !== undefined ? `, column ${e.column}` : ""})` : "";
  return `${e.code} export ${e.exportId ?? "?"} assessment #${e.index ?? "?"} pk ${e.assessmentPk ?? "?"} at ${e.path || "/"}${where}: ${e.reason}`;
}

export function formatFileReport(t: FileTally): string {
  const lines = [
    `${t.file}`,
    `  assessments ${t.assessments}: ${t.accepted} accepted, ${t.rejected} rejected`,
    `  accepted by status: ${counts(t.byStatus)}`,
    `  accepted by type: ${counts(t.byType)}`,
    `  warnings by code: ${counts(t.warnings)}`,
  ];
  if (t.rejected > 0) {
    lines.push("  rejected:");
    for (const e of t.rejections) lines.push(`    ${formatRejection(e)}`);
    const unlisted = t.rejected - t.rejections.length;
    if (unlisted > 0) lines.push(`    ... and ${unlisted} more`);
  }
  if (t.fatal)
    lines.push(`  FAILED: ${t.fatal.code}: ${t.fatal.message} (output for this file is incomplete)`);
  return `${lines.join("\n")}\n`;
}

export function formatTotals(tallies: FileTally[]): string {
  const total = totalOf(tallies);
  const failed = tallies.filter((t) => t.fatal).length;
  return [
    `total: ${tallies.length} file(s), ${total.assessments} assessments: ${total.accepted} accepted, ${total.rejected} rejected${failed ? `, ${failed} file(s) failed` : ""}`,
    `  accepted by status: ${counts(total.byStatus)}`,
    `  accepted by type: ${counts(total.byType)}`,
    `  warnings by code: ${counts(total.warnings)}`,
    "",
  ].join("\n");
}
