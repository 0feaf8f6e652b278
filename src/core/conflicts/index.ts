/** Public surface of the conflict engine. */
export { compareConflicts, evaluateConflicts } from "./engine.ts";
export { describeHold, type PushGate, pushGate, recordDigest } from "./push.ts";
export { RULE_CATALOGUE, RULES_BY_ID } from "./registry.ts";
export { parseThresholds } from "./thresholds.ts";
export type * from "./types.ts";
