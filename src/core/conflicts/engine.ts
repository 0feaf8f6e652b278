/**
 * The conflict engine: evaluate every registered rule for one person and return the conflicts in a
 * deterministic order. Pure: same context and thresholds, same result. Conflicts are flags for a human,
 * never a change to anyone's risk judgement (brief §7, §8.1 DPA 2018 s.49/50).
 */
import { RULES } from "./registry.ts";
import type { Conflict, RuleContext, Severity, Thresholds } from "./types.ts";

const SEVERITY_ORDER: Readonly<Record<Severity, number>> = { BLOCK: 0, WARN: 1, INFO: 2 };

/** `FC-10` after `FC-9`: family, then the number. */
function compareRuleIds(a: string, b: string): number {
  const [fa = "", na = "0"] = a.split("-");
  const [fb = "", nb = "0"] = b.split("-");
  return fa < fb ? -1 : fa > fb ? 1 : Number(na) - Number(nb);
}

/** Severity (BLOCK first), then rule id, then fingerprint. */
export function compareConflicts(a: Conflict, b: Conflict): number {
  return (
    SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
    compareRuleIds(a.ruleId, b.ruleId) ||
    (a.fingerprint < b.fingerprint ? -1 : a.fingerprint > b.fingerprint ? 1 : 0)
  );
}

export function evaluateConflicts(ctx: RuleContext, thresholds: Thresholds): Conflict[] {
  const byFingerprint = new Map<string, Conflict>();
  for (const rule of RULES) {
    for (const c of rule.evaluate?.(ctx, thresholds) ?? []) {
      if (!byFingerprint.has(c.fingerprint)) byFingerprint.set(c.fingerprint, c);
    }
  }
  return [...byFingerprint.values()].sort(compareConflicts);
}
