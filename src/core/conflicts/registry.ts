/** The rule catalogue: every rule and gate of brief §7, registered under its id. */
import { CURRENCY_RULES } from "./currency.ts";
import { FACTOR_RULES } from "./factor.ts";
import { IDENTITY_RULES } from "./identity.ts";
import { LEVEL_RULES } from "./level.ts";
import { MAPPA_RULES } from "./mappa.ts";
import { PROTECTIVE_RULES } from "./protective.ts";
import { PUSH_RULES } from "./push.ts";
import { STATIC_RULES } from "./static.ts";
import type { RuleDefinition, RuleMeta } from "./types.ts";

/** Every definition, in catalogue order (family, then number). */
export const RULES: readonly RuleDefinition[] = [
  ...IDENTITY_RULES,
  ...CURRENCY_RULES,
  ...LEVEL_RULES,
  ...STATIC_RULES,
  ...FACTOR_RULES,
  ...PROTECTIVE_RULES,
  ...MAPPA_RULES,
  ...PUSH_RULES,
];

export const RULES_BY_ID: ReadonlyMap<string, RuleDefinition> = (() => {
  const byId = new Map<string, RuleDefinition>();
  for (const rule of RULES) {
    if (byId.has(rule.id)) throw new Error(`rule ${rule.id} is registered twice`);
    if (!rule.id.startsWith(`${rule.family}-`))
      throw new Error(`rule ${rule.id} is filed under ${rule.family}`);
    if (rule.kind === "RULE" && (!rule.evaluate || rule.severity === null)) {
      throw new Error(`rule ${rule.id} must evaluate and have a severity`);
    }
    byId.set(rule.id, rule);
  }
  return byId;
})();

/** The catalogue as data (no functions): id, family, kind, severity, meaning, thresholds, source. */
export const RULE_CATALOGUE: readonly RuleMeta[] = RULES.map(
  ({ id, family, kind, severity, meaning, thresholdKeys, source, optionalInputs }) => ({
    id,
    family,
    kind,
    severity,
    meaning,
    thresholdKeys,
    source,
    optionalInputs,
  }),
);
