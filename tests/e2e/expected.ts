/**
 * What the agencies should receive, computed rather than written down: the same inputs reconciled
 * in-process the way `bridge reconcile` does (src/cli/inputs.ts readInputs + src/core/reconcile), so the
 * expectation follows the rules, the mapping and the examples as they change.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { readInputs } from "../../src/cli/inputs.ts";
import type { ArmsDraft } from "../../src/core/arms/draft.ts";
import { loadThresholds } from "../../src/core/conflicts/load-thresholds.ts";
import { loadMapping } from "../../src/core/mapping/load.ts";
import type { OasysAssessment } from "../../src/core/oasys/model.ts";
import { groupPersons } from "../../src/core/reconcile/persons.ts";
import {
  outboundFor,
  type PersonReconciliation,
  reconcilePerson,
} from "../../src/core/reconcile/reconcile.ts";

const PAIRS = "examples/pairs";
const SINGLES = "examples/oasys";

const pairDirs = () =>
  readdirSync(PAIRS, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => join(PAIRS, d.name))
    .sort();

/** Every bundled OASys export: one per pair, and the single-scenario files. */
export const oasysExportFiles = (): string[] => [
  ...pairDirs().map((d) => join(d, "oasys.xml")),
  ...readdirSync(SINGLES)
    .filter((f) => f.endsWith(".xml"))
    .sort()
    .map((f) => join(SINGLES, f)),
];

export const armsFiles = (): string[] => pairDirs().map((d) => join(d, "arms.json"));

/** The ARMS documents of a file in arrival order (a file holds one document or an array of them). */
export function armsDocuments(file: string): unknown[] {
  const parsed: unknown = JSON.parse(readFileSync(file, "utf8"));
  return Array.isArray(parsed) ? parsed : [parsed];
}

export interface PolicePush {
  personKey: string;
  oasysAssessmentPk: string;
  draft: ArmsDraft;
}

export interface ProbationPush {
  personKey: string;
  oasysAssessmentPk: string;
  armsAssessmentId: string;
}

export interface Expected {
  police: PolicePush[];
  probation: ProbationPush[];
  /** People with something to send who are held back: a conflict that holds pushes awaits a decision. */
  heldByBlock: PersonReconciliation[];
  /** People with both records whose identity match is not confirmed (MISMATCH, AMBIGUOUS). */
  heldByWeakMatch: PersonReconciliation[];
  /** Exports the API must refuse whole (not well-formed, DOCTYPE...): nothing of them is stored. */
  refusedExports: string[];
  /** One INGEST dead letter per stored export with rejected records, under the first rejection's code. */
  deadLetters: { stage: string; error_code: string }[];
  results: PersonReconciliation[];
}

/**
 * Reconciles the bundled examples plus `pulled` (assessments the service pulls from ORDS) and any later
 * ARMS documents, as of `today`.
 */
export async function expectedPushes(
  pulled: OasysAssessment[],
  today: string,
  extraArmsFiles: string[] = [],
): Promise<Expected> {
  const inputs = await readInputs(oasysExportFiles(), [...armsFiles(), ...extraArmsFiles], today);
  const deps = { mapping: loadMapping(), thresholds: loadThresholds(), today };
  const results = groupPersons([...inputs.oasys, ...pulled], inputs.arms, today).map((g) =>
    reconcilePerson(g, deps),
  );
  return expectationOf(results, inputs);
}

/**
 * The expectation once reviewers have decided every conflict that holds the given people's pushes: for
 * them the push gate is open, and what is sent follows the reconciliation's other rules (identity, draft)
 * exactly as `outboundFor` decides them in the service (src/deliver/messages.ts re-applies it with the
 * store's decided conflicts).
 */
export function afterDecisions(expected: Expected, decided: ReadonlySet<string>): Expected {
  const results = expected.results.map((r) => {
    if (!decided.has(r.personKey)) return r;
    const push = { allowed: true, blockedBy: [], heldBySeverity: {} };
    return { ...r, push, outbound: outboundFor({ ...r, push }) };
  });
  return {
    ...expectationOf(results, null),
    refusedExports: expected.refusedExports,
    deadLetters: expected.deadLetters,
  };
}

function expectationOf(
  results: PersonReconciliation[],
  inputs: Awaited<ReturnType<typeof readInputs>> | null,
): Expected {
  const police: PolicePush[] = [];
  const probation: ProbationPush[] = [];
  for (const r of results) {
    const pk = String(r.subject.oasysAssessmentPk);
    if (r.outbound.police)
      police.push({ personKey: r.personKey, oasysAssessmentPk: pk, draft: r.outbound.police });
    if (r.outbound.probation) {
      probation.push({
        personKey: r.personKey,
        oasysAssessmentPk: pk,
        armsAssessmentId: r.outbound.probation.arms.armsAssessmentId,
      });
    }
  }
  const firstCodeByFile = new Map<string, string>();
  for (const r of inputs?.rejected ?? []) {
    if (r.kind === "OASYS" && !firstCodeByFile.has(r.file)) firstCodeByFile.set(r.file, r.error.code);
  }
  return {
    refusedExports: (inputs?.failed ?? []).map((f) => f.file).sort(),
    deadLetters: [...firstCodeByFile.values()].sort().map((code) => ({ stage: "INGEST", error_code: code })),
    police,
    probation,
    heldByBlock: results.filter((r) => !r.push.allowed && r.oasys !== null),
    heldByWeakMatch: results.filter(
      (r) =>
        r.oasys !== null && r.arms !== null && r.match.status !== "MATCHED" && r.match.status !== "NO_MATCH",
    ),
    results,
  };
}
