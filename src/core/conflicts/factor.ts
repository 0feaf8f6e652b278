/**
 * FC family (brief §7 "Factor level", §2.5, §5.5): the four OASys sexual-offending items against the
 * ARMS risk factors with the same names: (11.11, R1), (11.12, R2), (6.12, R4), (12.9, R5).
 */
import type { FactorRating, RiskFactor } from "../arms/model.ts";
import { scoreOf, yesNoOf } from "../oasys/normalise.ts";
import { SEXUAL_ITEMS, SEXUAL_ITEMS_GATE } from "../oasys/questions.ts";
import { staleningEvents, temporalGap } from "./currency.ts";
import { conflict, fromArms, fromBridge, fromOasys } from "./evidence.ts";
import { comparable, rsoEvidence, usableOasys } from "./facts.ts";
import type { Conflict, Evidence, RuleContext, RuleDefinition, RuleMeta, Thresholds } from "./types.ts";

/** OASys item -> ARMS risk factor of the same construct (§2.5, §6 rows 1-4). */
export const SHARED_FACTORS: readonly (readonly [string, RiskFactor])[] = [
  ["11.11", "SEXUAL_PREOCCUPATION"],
  ["11.12", "OFFENCE_RELATED_SEXUAL_INTEREST"],
  ["6.12", "EMOTIONAL_CONGRUENCE_WITH_CHILDREN"],
  ["12.9", "HOSTILE_ORIENTATION"],
];

const FC1: RuleMeta = {
  id: "FC-1",
  family: "FC",
  kind: "RULE",
  severity: "WARN",
  meaning: "OASys item = 2 (significant problems) while ARMS rates the same factor absent",
  thresholdKeys: ["factorAbsentRatings"],
  source: "§7 FC-1, §2.5 sexual items [S:OAAK V1_98]",
  optionalInputs: [],
};
const FC2: RuleMeta = {
  id: "FC-2",
  family: "FC",
  kind: "RULE",
  severity: "WARN",
  meaning: "OASys item = 0 (no problems) while ARMS rates the same factor present",
  thresholdKeys: ["factorPresentRatings"],
  source: "§7 FC-2",
  optionalInputs: [],
};
const FC3: RuleMeta = {
  id: "FC-3",
  family: "FC",
  kind: "RULE",
  severity: "INFO",
  meaning: "OASys item = 1 (some problems) while ARMS rates the same factor absent",
  thresholdKeys: ["factorAbsentRatings"],
  source: "§7 FC-3",
  optionalInputs: [],
};
const FC4: RuleMeta = {
  id: "FC-4",
  family: "FC",
  kind: "RULE",
  severity: "INFO",
  meaning:
    "The person is an RSO but the OASys sexual items were not completed (6.11 not YES, or an item unanswered): no factor conflict is computed",
  thresholdKeys: [],
  source: "§7 FC-4, §2.5 (6.11 gate), §5.5",
  optionalInputs: ["registrations"],
};
const FC5: RuleMeta = {
  id: "FC-5",
  family: "FC",
  kind: "GATE",
  severity: "INFO",
  meaning:
    "FC-1..FC-3 are skipped when ST-5 or ST-6 applies; the disagreement is reported here as temporal instead",
  thresholdKeys: ["temporalGapMonths"],
  source: "§7 FC-5",
  optionalInputs: ["events"],
};

interface FactorPair {
  code: string;
  factor: RiskFactor;
  score: 0 | 1 | 2;
  rating: FactorRating;
  evidence: Evidence[];
}

/**
 * FC-4 in its gating role: the pairs that may be compared. Both records comparable, 6.11 = YES, the OASys
 * item answered (0/1/2), the ARMS factor rated. A blank is "not asked", never "absent" (§5.5).
 */
export function comparableFactorPairs(ctx: RuleContext): FactorPair[] {
  const pair = comparable(ctx);
  if (!pair || yesNoOf(pair.oasys.answers[SEXUAL_ITEMS_GATE]) !== "YES") return [];
  return SHARED_FACTORS.flatMap(([code, factor]) => {
    const score = scoreOf(pair.oasys.answers[code]);
    const rating = pair.arms.riskFactors[factor]?.rating;
    if (score === null || rating === undefined) return [];
    return [
      {
        code,
        factor,
        score,
        rating,
        evidence: [
          fromOasys(pair.oasys, code, pair.oasys.answers[code]?.raw ?? String(score)),
          fromArms(pair.arms, `riskFactors.${factor}.rating`, rating),
        ],
      },
    ];
  });
}

/** FC-5: why a factor disagreement should be read as temporal (ST-5 events, ST-6 gap); empty when not. */
export function temporalReasons(ctx: RuleContext, t: Thresholds): Evidence[] {
  const reasons = staleningEvents(ctx).map((e) => e.evidence);
  const gap = temporalGap(ctx, t);
  if (gap) reasons.push(fromBridge("daysApart", gap.days, ctx.today));
  return reasons;
}

function factorRule(
  meta: RuleMeta,
  applies: (p: FactorPair, t: Thresholds) => boolean,
  describe: (p: FactorPair) => string,
) {
  return (ctx: RuleContext, t: Thresholds): Conflict[] => {
    const matching = comparableFactorPairs(ctx).filter((p) => applies(p, t));
    if (matching.length === 0) return [];
    const temporal = temporalReasons(ctx, t);
    return matching.map((p) =>
      temporal.length > 0
        ? conflict(
            FC5,
            p.factor,
            `${describe(p)} (would be ${meta.id}), but the assessments are apart in time or a trigger event followed: read as temporal`,
            [...p.evidence, ...temporal],
          )
        : conflict(meta, p.factor, describe(p), p.evidence),
    );
  };
}

const fc1 = factorRule(
  FC1,
  (p, t) => p.score === 2 && t.factorAbsentRatings.includes(p.rating),
  (p) => `OASys ${p.code} = 2 (significant problems) but ARMS rates ${p.factor} absent`,
);
const fc2 = factorRule(
  FC2,
  (p, t) => p.score === 0 && t.factorPresentRatings.includes(p.rating),
  (p) => `OASys ${p.code} = 0 (no problems) but ARMS rates ${p.factor} present`,
);
const fc3 = factorRule(
  FC3,
  (p, t) => p.score === 1 && t.factorAbsentRatings.includes(p.rating),
  (p) => `OASys ${p.code} = 1 (some problems) but ARMS rates ${p.factor} absent`,
);

function fc4(ctx: RuleContext): Conflict[] {
  const o = usableOasys(ctx);
  if (!o) return [];
  const rso = rsoEvidence(ctx);
  if (rso.length === 0) return [];
  if (yesNoOf(o.answers[SEXUAL_ITEMS_GATE]) !== "YES") {
    return [
      conflict(
        FC4,
        SEXUAL_ITEMS_GATE,
        "OASys sexual offending items not opened (6.11 is not YES) for a registered sexual offender: no factor comparison",
        [fromOasys(o, SEXUAL_ITEMS_GATE, o.answers[SEXUAL_ITEMS_GATE]?.raw ?? null), ...rso],
      ),
    ];
  }
  return SEXUAL_ITEMS.filter((code) => scoreOf(o.answers[code]) === null).map((code) =>
    conflict(FC4, code, `OASys sexual item ${code} not completed for a registered sexual offender`, [
      fromOasys(o, code, o.answers[code]?.raw ?? null),
      ...rso,
    ]),
  );
}

export const FACTOR_RULES: readonly RuleDefinition[] = [
  { ...FC1, evaluate: fc1 },
  { ...FC2, evaluate: fc2 },
  { ...FC3, evaluate: fc3 },
  { ...FC4, evaluate: fc4 },
  FC5,
];
