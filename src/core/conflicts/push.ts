/**
 * PU family (brief §7 "Push and reconcile safety", §8.1 DPA 2018 s.38): nothing leaves the bridge while a
 * BLOCK is open, every pushed value carries its provenance, and corrections after a push are notified.
 */
import type { Prefill } from "../arms/model.ts";
import { canonicalSha256 } from "../canonical-json.ts";
import { conflict, fromBridge } from "./evidence.ts";
import type {
  Conflict,
  Evidence,
  PushPolicy,
  RuleContext,
  RuleDefinition,
  RuleMeta,
  Severity,
} from "./types.ts";

const PU1: RuleMeta = {
  id: "PU-1",
  family: "PU",
  kind: "GATE",
  severity: "BLOCK",
  meaning:
    "No push while any conflict for the person whose severity holds pushes (BLOCK, and WARN by default) is open or acknowledged (not resolved or dismissed); INFO never holds",
  thresholdKeys: ["pushPolicy"],
  source: "§7 PU-1",
  optionalInputs: [],
};
const PU2: RuleMeta = {
  id: "PU-2",
  family: "PU",
  kind: "RULE",
  severity: "BLOCK",
  meaning:
    "A pre-filled value to be pushed lacks source system, source PK, source date, fact/assessment basis or a signed source assessor",
  thresholdKeys: [],
  source: "§7 PU-2, §8.1 DPA 2018 s.38(2), s.38(5)(b) [P:leg-s38]",
  optionalInputs: ["draft"],
};
const PU3: RuleMeta = {
  id: "PU-3",
  family: "PU",
  kind: "RULE",
  severity: "WARN",
  meaning:
    "A source record was corrected after it was pushed (new ARMS revision, changed OASys content): notify the recipient without delay",
  thresholdKeys: [],
  source: "§7 PU-3, §8.1 DPA 2018 s.38(5)(c) [P:leg-s38]",
  optionalInputs: ["pushes"],
};

/** Conflict lifecycle states in which a conflict still awaits a decision (PU-1). */
const UNDECIDED = new Set(["OPEN", "ACKNOWLEDGED"]);

export interface GateInput {
  ruleId: string;
  severity: Severity;
  fingerprint: string;
  /** Lifecycle state; a freshly evaluated conflict without one is open. */
  status?: string;
}

/** PU-1's answer: may the person's records be pushed, and which conflicts hold them back. */
export interface PushGate {
  allowed: boolean;
  /** Fingerprints of the undecided conflicts holding the push, sorted. */
  blockedBy: string[];
  /** How many of those each severity accounts for (only severities that hold appear). */
  heldBySeverity: Partial<Record<Severity, number>>;
}

/**
 * PU-1: may the person's records be pushed? Every undecided (OPEN or ACKNOWLEDGED) conflict whose
 * severity's policy holds pushes holds them back (mappings/conflict-thresholds.yaml `pushPolicy`).
 */
export function pushGate(conflicts: readonly GateInput[], policy: PushPolicy): PushGate {
  const holding = conflicts.filter((c) => policy[c.severity].holdsPush && UNDECIDED.has(c.status ?? "OPEN"));
  const heldBySeverity: Partial<Record<Severity, number>> = {};
  for (const c of holding) heldBySeverity[c.severity] = (heldBySeverity[c.severity] ?? 0) + 1;
  const blockedBy = holding.map((c) => c.fingerprint).sort();
  return { allowed: blockedBy.length === 0, blockedBy, heldBySeverity };
}

/** `2 BLOCK and 1 WARN`: what a gate's hold is made of, most severe first. */
export function describeHold(gate: PushGate): string {
  return (["BLOCK", "WARN", "INFO"] as const)
    .filter((s) => gate.heldBySeverity[s])
    .map((s) => `${gate.heldBySeverity[s]} ${s}`)
    .join(" and ");
}

interface FoundPrefill {
  /** JSON pointer of the pre-filled field. */
  path: string;
  prefill: Partial<Prefill>;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object";

/**
 * Every provenance record in a draft: inline `prefill` objects (factors, evidence items, static risk,
 * MAPPA) and the `prefillProvenance` map of scalar leaves, each with the JSON pointer of its field.
 */
function prefills(node: unknown, path = ""): FoundPrefill[] {
  if (Array.isArray(node)) return node.flatMap((item, i) => prefills(item, `${path}/${i}`));
  if (!isObject(node)) return [];
  return Object.entries(node).flatMap(([key, value]): FoundPrefill[] => {
    if (key === "prefill" && isObject(value)) return [{ path: path || "/", prefill: value }];
    if (key === "prefillProvenance" && path === "" && isObject(value)) {
      return Object.entries(value).map(([pointer, p]) => ({ path: pointer, prefill: isObject(p) ? p : {} }));
    }
    return prefills(value, `${path}/${key}`);
  });
}

/** The draft carries, or the bridge holds, the signed OASys assessment a value came from. */
function assessorSigned(p: Partial<Prefill>, ctx: RuleContext): boolean {
  const carried = ctx.draft?.sourceAssessment;
  if (carried && carried.assessmentPk === p.assessmentPk && carried.assessorSignedDate) return true;
  return (
    ctx.oasys !== null && ctx.oasys.assessmentPk === p.assessmentPk && ctx.oasys.assessorSignedDate !== null
  );
}

const BASES = new Set(["FACT", "ASSESSMENT", "DERIVED"]);

/** What a pushed value must carry (s.38(2) basis, s.38(5)(b) information to judge accuracy and currency). */
const REQUIREMENTS: readonly {
  about: string;
  label: string;
  missing: (p: Partial<Prefill>, ctx: RuleContext) => boolean;
}[] = [
  { about: "SOURCE_SYSTEM", label: "source system", missing: (p) => p.source !== "OASYS" },
  {
    about: "SOURCE_ID",
    label: "source assessment pk",
    missing: (p) => !Number.isInteger(p.assessmentPk) || (p.assessmentPk as number) < 1,
  },
  {
    about: "SOURCE_DATE",
    label: "source date",
    missing: (p) => typeof p.sourceDate !== "string" || p.sourceDate.trim() === "",
  },
  { about: "BASIS", label: "fact/assessment basis", missing: (p) => !BASES.has(p.basis as string) },
  { about: "ASSESSOR", label: "signed source assessor", missing: (p, ctx) => !assessorSigned(p, ctx) },
];

function pu2(ctx: RuleContext): Conflict[] {
  if (!ctx.draft) return [];
  const found = prefills(ctx.draft);
  return REQUIREMENTS.flatMap((r) => {
    const lacking = found.filter((f) => r.missing(f.prefill, ctx));
    if (lacking.length === 0) return [];
    const evidence: Evidence[] = lacking.map((f) => ({
      ...fromBridge(f.path, `missing ${r.label}`, ctx.today),
      record: `draft:${ctx.draft?.armsAssessmentId}`,
    }));
    return [
      conflict(
        PU2,
        r.about,
        `${lacking.length} pre-filled value(s) lack the ${r.label}: the draft cannot be pushed`,
        evidence,
      ),
    ];
  });
}

/** SHA-256 of the canonical JSON of a source record: what delivery stores with each push (PU-3). */
export const recordDigest = (record: unknown): string => canonicalSha256(record);

function pu3(ctx: RuleContext): Conflict[] {
  const out: Conflict[] = [];
  for (const push of ctx.pushes ?? []) {
    const pushed = {
      ...fromBridge("push.sourceDigest", push.sourceDigest, push.pushedOn),
      record: push.sourceRevision === null ? push.sourceId : `${push.sourceId}@${push.sourceRevision}`,
    };
    const about = `${push.recipient}:${push.source}:${push.sourceId}`;
    if (push.source === "OASYS" && ctx.oasys && String(ctx.oasys.assessmentPk) === push.sourceId) {
      const now = recordDigest(ctx.oasys);
      if (now !== push.sourceDigest) {
        out.push(
          conflict(
            PU3,
            about,
            `OASys assessment ${push.sourceId} changed after it was sent to ${push.recipient.toLowerCase()}: notify the recipient`,
            [pushed, { ...fromBridge("current.sourceDigest", now, ctx.today), record: push.sourceId }],
          ),
        );
      }
    }
    const arms = ctx.arms;
    if (push.source === "ARMS" && arms && arms.armsAssessmentId === push.sourceId) {
      const now = recordDigest(arms);
      const newer = push.sourceRevision !== null && arms.revision > push.sourceRevision;
      const changed = push.sourceRevision === arms.revision && now !== push.sourceDigest;
      if (newer || changed) {
        out.push(
          conflict(
            PU3,
            about,
            `ARMS assessment ${push.sourceId} was revised after it was sent to ${push.recipient.toLowerCase()}: notify the recipient`,
            [
              pushed,
              {
                ...fromBridge("current.sourceDigest", now, ctx.today),
                record: `${arms.armsAssessmentId}@${arms.revision}`,
              },
            ],
          ),
        );
      }
    }
  }
  return out;
}

export const PUSH_RULES: readonly RuleDefinition[] = [
  PU1,
  { ...PU2, evaluate: pu2 },
  { ...PU3, evaluate: pu3 },
];
