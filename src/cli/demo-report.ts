/** The demo's summary: what a data team wants to read first, most urgent first. Ids only, no names. */
import type { PushPolicy, Severity } from "../core/conflicts/types.ts";
import { formatPerDraft, PREFILLED_FIELD, prefillTotals } from "../core/mapping/prefilled.ts";
import type { Mapping } from "../core/mapping/spec.ts";
import type { RecordError } from "../core/oasys/model.ts";
import type { StoredReconciliation } from "../pipeline/reconcile.ts";
import { formatTotals, totalsOf } from "./reconcile-report.ts";

export interface DemoTally {
  store: string;
  exportsRead: number;
  exportsDuplicate: number;
  exportsFailed: { file: string; code: string; message: string }[];
  accepted: number;
  rejected: { file: string; error: RecordError }[];
  warnings: Record<string, number>;
  armsStored: number;
  armsHistory: number;
  armsRejected: number;
  reconciled: StoredReconciliation[];
}

const byCount = (m: Record<string, number>) =>
  Object.entries(m)
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .map(([k, n]) => `${k} ${n}`)
    .join(", ") || "none";

/** What the push policy says of an undecided conflict of this severity, in the summary's words. */
function holdText(policy: PushPolicy, severity: Severity): string {
  const p = policy[severity];
  if (!p.holdsPush) return "they do not hold a push; a decision is recorded for the next one";
  const who =
    p.reviewers === 2
      ? "two different reviewers resolve or dismiss them"
      : "a reviewer resolves or dismisses them";
  return `nothing is sent for these people until ${who}`;
}

export function formatDemo(
  t: DemoTally,
  storeCounts: readonly { table: string; n: number }[],
  options: { json: boolean; policy: PushPolicy; mapping: Mapping },
): string {
  const results = t.reconciled.map((s) => s.reconciliation);
  const totals = totalsOf(results);
  // Counted as `bridge mapping coverage` counts (prefilledFields, the one definition).
  const prefill = prefillTotals(
    options.mapping,
    results.flatMap((r) => (r.draft ? [r.draft] : [])),
  );
  const conflicts = results.flatMap((r) => r.conflicts.map((c) => ({ person: r.personKey, ...c })));
  if (options.json) {
    return `${JSON.stringify(
      {
        store: t.store,
        ingest: {
          exportsRead: t.exportsRead,
          exportsDuplicate: t.exportsDuplicate,
          exportsFailed: t.exportsFailed,
          accepted: t.accepted,
          rejected: t.rejected,
          warnings: t.warnings,
          arms: { current: t.armsStored, historyOnly: t.armsHistory, rejected: t.armsRejected },
        },
        totals,
        prefill,
        outbox: t.reconciled.flatMap((s) =>
          s.outbox.map((row) => ({
            person: s.reconciliation.personKey,
            recipient: row.recipient,
            kind: row.kind,
          })),
        ),
        conflicts: conflicts.map((c) => ({
          person: c.person,
          ruleId: c.ruleId,
          severity: c.severity,
          explanation: c.explanation,
        })),
        stored: Object.fromEntries(storeCounts.map((c) => [c.table, c.n])),
      },
      null,
      2,
    )}\n`;
  }
  const lines = [
    "OASys <-> ARMS bridge: the main job on the bundled examples",
    `Store: ${t.store}`,
    "",
    "Ingest",
    `  OASys exports read: ${t.exportsRead} (${t.exportsDuplicate} identical to one already held: stored once, not reprocessed)`,
    ...t.exportsFailed.map((f) => `  refused whole: ${f.file}: ${f.code}`),
    `  assessments accepted: ${t.accepted}; rejected: ${t.rejected.length}`,
    ...t.rejected.map(
      ({ file, error: e }) =>
        `    ${file}: assessment ${e.assessmentPk ?? "?"} (#${e.index ?? "?"}) at ${e.path}: ${e.reason}`,
    ),
    `  warnings on accepted assessments: ${byCount(t.warnings)}`,
    `  ARMS revisions: ${t.armsStored} current, ${t.armsHistory} kept as history only (a late, older revision), ${t.armsRejected} rejected`,
    "",
  ];
  const block = conflicts.filter((c) => c.severity === "BLOCK");
  const warn = conflicts.filter((c) => c.severity === "WARN");
  lines.push(
    `Needs a reviewer first: ${block.length} BLOCK conflict(s); ${holdText(options.policy, "BLOCK")}`,
  );
  for (const c of block) lines.push(`  ${c.ruleId.padEnd(5)} ${c.person}: ${c.explanation}`);
  lines.push("", `For review: ${warn.length} WARN conflict(s); ${holdText(options.policy, "WARN")}`);
  for (const c of warn) lines.push(`  ${c.ruleId.padEnd(5)} ${c.person}: ${c.explanation}`);
  lines.push(
    "",
    `Pre-filled ARMS drafts: ${prefill.drafts}, every pre-filled field with its OASys source`,
    `  ${formatPerDraft(prefill.perDraft, prefill.formFields, prefill.fields)} (${prefill.ratings} of them factor ratings for the assessor to confirm)`,
    `  ${PREFILLED_FIELD}`,
    "",
    formatTotals(totals),
    "",
    `The store now holds: ${storeCounts.map((c) => `${c.table} ${c.n}`).join(", ")}`,
    "",
    "Next: 'npm run demo -- --serve' to review these conflicts in the browser: open http://localhost:3000 and",
    "      sign in as data.team.1 (a second reviewer, data.team.2, completes a BLOCK; the command prints the password);",
    "      'bridge reconcile --oasys examples/pairs/*/oasys.xml --arms examples/pairs/*/arms.json' for the per-person report,",
    "      'bridge prefill examples/oasys/complete-layer3-sexual-items.xml --json' for a draft with its provenance.",
  );
  return `${lines.join("\n")}\n`;
}
