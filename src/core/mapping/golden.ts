/**
 * Golden cases for the mapping (`mappings/tests/<scenario>/input.xml` + `expected.json`): the expected file
 * states what the scenario proves as a SUBSET of the actual outcome, so each case reads as a list of claims
 * ("11.11 = 2 gives PRESENT, with this provenance") rather than a full snapshot. Pure matching and
 * rendering here; reading the files is the CLI's job.
 */

/** One input record's outcome, in input order. */
export type GoldenOutcome =
  | { assessmentPk: number | null; ok: true; draft: unknown; summary: unknown }
  | { assessmentPk: number | null; ok: false; refusal: unknown }
  | { assessmentPk: number | null; ok: false; rejected: { code: string; path: string; reason: string } };

export interface GoldenExpectation {
  description: string;
  /** The `today` passed to the mapping (age reference when an assessment has no completion date). */
  today: string;
  outcomes: unknown[];
}

export interface Mismatch {
  path: string;
  expected: unknown;
  actual: unknown;
  problem: string;
}

/** In expected files: the key must be absent (or undefined). */
export const ABSENT = "$absent";
/** In expected files: any present value. */
export const ANY = "$any";

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

/** Every claim of `expected` that `actual` does not satisfy. Arrays must match in length and order. */
export function subsetMismatches(expected: unknown, actual: unknown, path = ""): Mismatch[] {
  if (expected === ANY) {
    return actual === undefined ? [{ path, expected, actual, problem: "missing" }] : [];
  }
  if (isObject(expected)) {
    if (!isObject(actual)) return [{ path, expected, actual, problem: "expected an object" }];
    return Object.entries(expected).flatMap(([k, v]) => {
      const p = `${path}/${k}`;
      if (v === ABSENT) {
        return actual[k] === undefined
          ? []
          : [{ path: p, expected: ABSENT, actual: actual[k], problem: "should be absent" }];
      }
      if (!(k in actual)) return [{ path: p, expected: v, actual: undefined, problem: "missing" }];
      return subsetMismatches(v, actual[k], p);
    });
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return [{ path, expected, actual, problem: "expected an array" }];
    if (expected.length !== actual.length) {
      return [
        {
          path,
          expected: `${expected.length} items`,
          actual: `${actual.length} items`,
          problem: "wrong length",
        },
      ];
    }
    return expected.flatMap((v, i) => subsetMismatches(v, actual[i], `${path}/${i}`));
  }
  return Object.is(expected, actual) ? [] : [{ path, expected, actual, problem: "differs" }];
}

const shown = (v: unknown): string => {
  const s = v === undefined ? "(nothing)" : JSON.stringify(v);
  return s.length > 160 ? `${s.slice(0, 157)}...` : s;
};

/** A readable diff: one block per mismatch, `-` expected, `+` actual. */
export function formatMismatches(scenario: string, mismatches: Mismatch[]): string {
  const lines = [`FAIL ${scenario}: ${mismatches.length} claim(s) not met`];
  for (const m of mismatches) {
    lines.push(
      `  at ${m.path || "/"} (${m.problem})`,
      `    - expected ${shown(m.expected)}`,
      `    + actual   ${shown(m.actual)}`,
    );
  }
  return lines.join("\n");
}

/** Every mapping `rule` id found in provenance anywhere in a value (which rules a case exercised). */
export function rulesIn(value: unknown, into: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) for (const v of value) rulesIn(v, into);
  else if (isObject(value)) {
    if (value.source === "OASYS" && typeof value.rule === "string" && "mappingVersion" in value)
      into.add(value.rule);
    for (const v of Object.values(value)) rulesIn(v, into);
  }
  return into;
}
