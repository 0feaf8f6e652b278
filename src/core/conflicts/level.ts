/** LV family (brief §7 "Overall level", §2.6): RoSH against the police level and Delius. */
import type { FactorRating } from "../arms/model.ts";
import type { OasysAssessment, RiskLevel } from "../oasys/model.ts";
import { conflict, fromArms, fromBridge, fromDelius, fromOasys } from "./evidence.ts";
import {
  comparable,
  LEVEL_LABEL,
  maxRoshAll,
  maxRoshCommunity,
  ord,
  roshField,
  usableOasys,
} from "./facts.ts";
import type {
  Conflict,
  DeliusRoshRegistration,
  Evidence,
  RuleContext,
  RuleDefinition,
  RuleMeta,
  Thresholds,
} from "./types.ts";

const LV1: RuleMeta = {
  id: "LV-1",
  family: "LV",
  kind: "RULE",
  severity: "WARN",
  meaning:
    "Max community RoSH is levelGapWarn or more levels above the ARMS level (e.g. RoSH High vs ARMS Low)",
  thresholdKeys: ["levelGapWarn"],
  source: "§7 LV-1, §2.6 [S:ARNS RoshRiskSummaryDto]",
  optionalInputs: [],
};
const LV2: RuleMeta = {
  id: "LV-2",
  family: "LV",
  kind: "RULE",
  severity: "WARN",
  meaning:
    "ARMS level is levelGapWarn or more levels above the max community RoSH (e.g. ARMS Very High vs RoSH Low)",
  thresholdKeys: ["levelGapWarn"],
  source: "§7 LV-2",
  optionalInputs: [],
};
const LV3: RuleMeta = {
  id: "LV-3",
  family: "LV",
  kind: "RULE",
  severity: "INFO",
  meaning:
    "Max community RoSH and ARMS level differ by levelGapInfo (below levelGapWarn): expected variation",
  thresholdKeys: ["levelGapInfo", "levelGapWarn"],
  source: "§7 LV-3, §5.1",
  optionalInputs: [],
};
const LV4: RuleMeta = {
  id: "LV-4",
  family: "LV",
  kind: "RULE",
  severity: "WARN",
  meaning:
    "Community RoSH to children is in childrenRoshLevels but ARMS rates both opportunity to offend (R3) and emotional congruence (R4) absent",
  thresholdKeys: ["childrenRoshLevels", "factorAbsentRatings"],
  source: "§7 LV-4, §6 rows 9-10",
  optionalInputs: [],
};
const LV5: RuleMeta = {
  id: "LV-5",
  family: "LV",
  kind: "RULE",
  severity: "WARN",
  meaning:
    "Delius RoSH registration (RVHR/RHRH/RMRH/RLRH) differs from the max of the nine RoSH cells of the complete OASys",
  thresholdKeys: [],
  source: "§7 LV-5, §2.6 Delius side [S:PIS RiskService][S:TIER Rosh]",
  optionalInputs: ["registrations"],
};
const LV6: RuleMeta = {
  id: "LV-6",
  family: "LV",
  kind: "GATE",
  severity: null,
  meaning: "Compare community ratings only: when the OASys offender is in custody, LV-1..LV-4 do not compare",
  thresholdKeys: [],
  source: "§7 LV-6 (ARMS is community-focused)",
  optionalInputs: [],
};

/**
 * LV-6: may community RoSH be compared with the police (community) judgement? Not while the person is in
 * custody. Applies to LV-1..LV-3 as the brief says, and to LV-4, whose "current access to children" is
 * meaningless in custody.
 */
export const communityComparisonAllowed = (o: OasysAssessment): boolean => o.offender.inCustody !== true;

interface LevelGap {
  oasys: OasysAssessment;
  rosh: RiskLevel;
  arms: RiskLevel;
  /** ord(max community RoSH) - ord(ARMS level). */
  gap: number;
  conflictEvidence: () => Evidence[];
}

function levelGap(ctx: RuleContext): LevelGap | null {
  const pair = comparable(ctx);
  if (!pair || !communityComparisonAllowed(pair.oasys)) return null;
  const max = maxRoshCommunity(pair.oasys);
  const armsLevel = pair.arms.riskLevel;
  if (!max || !armsLevel) return null;
  return {
    oasys: pair.oasys,
    rosh: max.level,
    arms: armsLevel,
    gap: ord(max.level) - ord(armsLevel),
    conflictEvidence: () => [
      ...max.cells.map((c) => fromOasys(pair.oasys, roshField(c), c.level)),
      fromArms(pair.arms, "riskLevel", armsLevel),
    ],
  };
}

const describe = (g: LevelGap) => `RoSH ${LEVEL_LABEL[g.rosh]} (community) vs ARMS ${LEVEL_LABEL[g.arms]}`;

function lv1(ctx: RuleContext, t: Thresholds): Conflict[] {
  const g = levelGap(ctx);
  if (!g || g.gap < t.levelGapWarn) return [];
  return [
    conflict(
      LV1,
      "ROSH_ABOVE_ARMS",
      `${describe(g)}: RoSH is ${g.gap} levels higher; both agencies record a rationale`,
      g.conflictEvidence(),
    ),
  ];
}

function lv2(ctx: RuleContext, t: Thresholds): Conflict[] {
  const g = levelGap(ctx);
  if (!g || -g.gap < t.levelGapWarn) return [];
  return [
    conflict(
      LV2,
      "ARMS_ABOVE_ROSH",
      `${describe(g)}: ARMS is ${-g.gap} levels higher; both agencies record a rationale`,
      g.conflictEvidence(),
    ),
  ];
}

function lv3(ctx: RuleContext, t: Thresholds): Conflict[] {
  const g = levelGap(ctx);
  const size = g ? Math.abs(g.gap) : 0;
  if (!g || size < t.levelGapInfo || size >= t.levelGapWarn) return [];
  return [
    conflict(
      LV3,
      g.gap > 0 ? "ROSH_ABOVE_ARMS" : "ARMS_ABOVE_ROSH",
      `${describe(g)}: ${size} level apart, expected variation between the tools`,
      g.conflictEvidence(),
    ),
  ];
}

function lv4(ctx: RuleContext, t: Thresholds): Conflict[] {
  const pair = comparable(ctx);
  if (!pair || !communityComparisonAllowed(pair.oasys)) return [];
  const children = pair.oasys.rosh?.levels.find((c) => c.group === "CHILDREN" && c.setting === "COMMUNITY");
  if (!children || !t.childrenRoshLevels.includes(children.level)) return [];
  const absent = (r: FactorRating | undefined) => r !== undefined && t.factorAbsentRatings.includes(r);
  const opportunity = pair.arms.riskFactors.OPPORTUNITY_TO_OFFEND?.rating;
  const congruence = pair.arms.riskFactors.EMOTIONAL_CONGRUENCE_WITH_CHILDREN?.rating;
  if (!absent(opportunity) || !absent(congruence)) return [];
  return [
    conflict(
      LV4,
      "CHILDREN_RISK_WITHOUT_ACCESS",
      `RoSH to children is ${LEVEL_LABEL[children.level]} in the community but ARMS finds neither opportunity nor emotional congruence`,
      [
        fromOasys(pair.oasys, roshField(children), children.level),
        fromArms(pair.arms, "riskFactors.OPPORTUNITY_TO_OFFEND", opportunity ?? null),
        fromArms(pair.arms, "riskFactors.EMOTIONAL_CONGRUENCE_WITH_CHILDREN", congruence ?? null),
      ],
    ),
  ];
}

const REGISTRATION: Readonly<Record<RiskLevel, DeliusRoshRegistration>> = {
  VERY_HIGH: "RVHR",
  HIGH: "RHRH",
  MEDIUM: "RMRH",
  LOW: "RLRH",
};

function lv5(ctx: RuleContext): Conflict[] {
  const o = usableOasys(ctx);
  const reg = ctx.registrations;
  if (!o || !reg || o.status !== "COMPLETE") return [];
  const max = maxRoshAll(o);
  if (!max) return [];
  const expected = REGISTRATION[max.level];
  if (reg.roshRegistration === expected) return [];
  return [
    conflict(
      LV5,
      "DELIUS_ROSH_REGISTRATION",
      `Delius RoSH registration ${reg.roshRegistration ?? "(none)"} does not match the OASys RoSH maximum (${expected}): sync lag or manual override`,
      [
        ...max.cells.map((c) => fromOasys(o, roshField(c), c.level)),
        fromBridge("expectedDeliusRegistration", expected, ctx.today),
        fromDelius(reg, "roshRegistration", reg.roshRegistration),
      ],
    ),
  ];
}

export const LEVEL_RULES: readonly RuleDefinition[] = [
  { ...LV1, evaluate: lv1 },
  { ...LV2, evaluate: lv2 },
  { ...LV3, evaluate: lv3 },
  { ...LV4, evaluate: lv4 },
  { ...LV5, evaluate: lv5 },
  LV6,
];
