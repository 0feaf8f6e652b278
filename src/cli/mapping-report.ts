/**
 * `bridge mapping diff` for people: the impact of moving from one mapping version to another, for a data
 * team deciding whether to deploy. Its table is laid out by cli-table3 (columns as wide as their widest
 * cell, so every row keeps the same cell boundaries whatever the values); --json output is the diff itself.
 */
import Table from "cli-table3";
import type { MappingDiff } from "../core/mapping/diff.ts";
import type { Mapping } from "../core/mapping/spec.ts";

const pct = (n: number, d: number) => (d === 0 ? "0%" : `${Math.round((n / d) * 100)}%`);

const shown = (v: string | null) => (v === null ? "(empty)" : v.includes("\n") ? JSON.stringify(v) : v);

/** No borders: columns two spaces apart, as the other reports are laid out. */
const PLAIN = {
  chars: {
    top: "",
    "top-mid": "",
    "top-left": "",
    "top-right": "",
    bottom: "",
    "bottom-mid": "",
    "bottom-left": "",
    "bottom-right": "",
    left: "",
    "left-mid": "",
    mid: "",
    "mid-mid": "",
    right: "",
    "right-mid": "",
    middle: "  ",
  },
  style: { head: [], border: [], "padding-left": 0, "padding-right": 0 },
};

/** Rows of cells as lines: the widest cell sets each column; no trailing spaces. */
export function formatTable(
  head: string[],
  rows: string[][],
  align: ("left" | "right")[] = head.map(() => "left"),
): string[] {
  const table = new Table({ ...PLAIN, head, colAligns: align });
  table.push(...rows);
  return table
    .toString()
    .split("\n")
    .map((line) => line.trimEnd());
}

export function formatDiff(diff: MappingDiff, to: Mapping): string {
  const lines = [
    `Mapping impact: ${diff.from.version} (${diff.from.file ?? "in memory"}) -> ${diff.to.version} (${diff.to.file ?? "in memory"})`,
  ];
  const newer = to.spec.changelog.filter((c) => c.version !== diff.from.version);
  if (newer.length > 0 && diff.from.version !== diff.to.version) {
    lines.push("Changelog of the new version:");
    for (const c of newer.slice(0, 5)) lines.push(`  ${c.version} (${c.date}): ${c.summary}`);
  }
  lines.push(
    `Assessments compared: ${diff.assessments}`,
    `Drafts that would change: ${diff.changedAssessments} of ${diff.assessments} (${pct(diff.changedAssessments, diff.assessments)})`,
    `Filled ARMS fields per draft (mean): ${diff.filledPerDraft.before} -> ${diff.filledPerDraft.after}`,
    `Outcomes: ${diff.outcomes.map((o) => `${o.before} -> ${o.after}: ${o.count}`).join("; ") || "none"}`,
    `Field changes: ${diff.totals.added} added, ${diff.totals.removed} removed, ${diff.totals.changed} changed, ${diff.totals.provenance} provenance or reason only`,
  );
  if (diff.fields.length === 0) {
    lines.push("", "No field of any draft would change.");
    return lines.join("\n");
  }
  const rows: string[][] = [];
  for (const f of diff.fields) {
    const transitions =
      f.kind === "provenance"
        ? "same value; provenance note or unfilled reason differs"
        : f.transitions.map((t) => `${shown(t.before)} -> ${shown(t.after)} x${t.count}`).join("; ");
    rows.push([f.field, f.kind, String(f.count), transitions]);
    for (const e of f.examples) {
      rows.push(["", "", "", `e.g. assessment ${e.assessmentPk}: ${shown(e.before)} -> ${shown(e.after)}`]);
    }
  }
  lines.push(
    "",
    ...formatTable(["field", "change", "count", "commonest transitions"], rows, [
      "left",
      "left",
      "right",
      "left",
    ]),
  );
  return lines.join("\n");
}
