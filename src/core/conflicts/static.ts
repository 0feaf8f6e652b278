/** SP family (brief §7 "Static predictors", §2.8, §2.9): actuarial bands against the police judgement. */
import type { StaticRisk } from "../arms/model.ts";
import type { OasysAssessment, Predictor, RiskLevel } from "../oasys/model.ts";
import { conflict, fromArms, fromOasys } from "./evidence.ts";
import { comparable, LEVEL_LABEL, ord, usableOasys } from "./facts.ts";
import type { Conflict, Evidence, RuleContext, RuleDefinition, RuleMeta, Thresholds } from "./types.ts";

const SP1: RuleMeta = {
  id: "SP-1",
  family: "SP",
  kind: "RULE",
  severity: "WARN",
  meaning:
    "OSP/DC (or OSP/C) band in ospHighBands while the ARMS level is in armsLowLevels: needs a documented reason",
  thresholdKeys: ["ospHighBands", "armsLowLevels"],
  source: "§7 SP-1, §2.8, §5.1",
  optionalInputs: [],
};
const SP2: RuleMeta = {
  id: "SP-2",
  family: "SP",
  kind: "RULE",
  severity: "INFO",
  meaning:
    "OSP/DC (or OSP/C) band in ospLowBands while the ARMS level is in armsVeryHighLevels: dynamic factors may justify it",
  thresholdKeys: ["ospLowBands", "armsVeryHighLevels"],
  source: "§7 SP-2",
  optionalInputs: [],
};
const SP3: RuleMeta = {
  id: "SP-3",
  family: "SP",
  kind: "RULE",
  severity: "INFO",
  meaning:
    "RM2000/S category and OSP/C (or OSP/DC) band differ by staticBandGapInfo or more levels: known tool divergence, never fix one from the other",
  thresholdKeys: ["staticBandGapInfo"],
  source: "§7 SP-3, §2.9 [P:russellwebster-2020]",
  optionalInputs: [],
};
const SP4: RuleMeta = {
  id: "SP-4",
  family: "SP",
  kind: "GATE",
  severity: null,
  meaning:
    "A predictor with band NOT_APPLICABLE, no band, or no score is excluded from every comparison, never read as LOW",
  thresholdKeys: [],
  source: "§7 SP-4, §2.8 band enumeration [S:ARNS ordsAssessmentSection1.json]",
  optionalInputs: [],
};
const SP5: RuleMeta = {
  id: "SP-5",
  family: "SP",
  kind: "RULE",
  severity: "INFO",
  meaning:
    "The static snapshots compared are of different tool generations (ARMS anchored on OSP/C vs OASys OSP/DC, or the reverse): band changes may be versioning",
  thresholdKeys: [],
  source: "§7 SP-5, §2.8 legacy vs new set [S:ARNS ogrs4]",
  optionalInputs: [],
};
const SP6: RuleMeta = {
  id: "SP-6",
  family: "SP",
  kind: "GATE",
  severity: null,
  meaning:
    "Bands are taken as supplied by the source and never recomputed from percentages (RSR 6.9 vs 7.00; OSP/DC risk reduction)",
  thresholdKeys: [],
  source: "§7 SP-6, §2.8 [S:TIER RsrThresholds, TierCalculator]",
  optionalInputs: [],
};

/**
 * SP-4 and SP-6 in one accessor, the only way rules read a band: the band the source supplied (SP-6: a
 * score is never turned into a band), or null when the predictor must be left out (SP-4: NOT_APPLICABLE,
 * no band, or no score; RM2000 carries points instead of a score).
 */
export function comparableBand(p: Predictor | undefined): RiskLevel | null {
  if (!p || p.band === null || p.band === "NOT_APPLICABLE") return null;
  if (p.score === null && p.points === null) return null;
  return p.band;
}

/** ARMS static anchor band, SP-4 applied (ARMS carries the band as its value; a score is optional). */
export const comparableArmsBand = (s: StaticRisk | null | undefined): RiskLevel | null =>
  s && s.band !== "NOT_APPLICABLE" ? s.band : null;

const predictor = (o: OasysAssessment, type: string) => o.predictors.find((p) => p.type === type);

/** The first of `types` with a comparable band. */
function firstComparable(
  o: OasysAssessment,
  types: readonly string[],
): { p: Predictor; band: RiskLevel } | null {
  for (const type of types) {
    const p = predictor(o, type);
    const band = comparableBand(p);
    if (p && band) return { p, band };
  }
  return null;
}

/** Contact sexual predictor: OSP/DC (the successor) when comparable, else OSP/C. */
export const contactSexualPredictor = (o: OasysAssessment) => firstComparable(o, ["OSP_DC", "OSP_C"]);

const predictorEvidence = (o: OasysAssessment, p: Predictor): Evidence[] => [
  fromOasys(o, `predictor:${p.type}.band`, p.band),
  fromOasys(o, `predictor:${p.type}.score`, p.score ?? p.points),
];

function sp1(ctx: RuleContext, t: Thresholds): Conflict[] {
  const pair = comparable(ctx);
  const osp = pair ? contactSexualPredictor(pair.oasys) : null;
  const level = pair?.arms.riskLevel;
  if (!pair || !osp || !level) return [];
  if (!t.ospHighBands.includes(osp.band) || !t.armsLowLevels.includes(level)) return [];
  return [
    conflict(
      SP1,
      osp.p.type,
      `${osp.p.type} band ${LEVEL_LABEL[osp.band]} vs ARMS ${LEVEL_LABEL[level]}: record the reason (offence-free time, protective factors)`,
      [...predictorEvidence(pair.oasys, osp.p), fromArms(pair.arms, "riskLevel", level)],
    ),
  ];
}

function sp2(ctx: RuleContext, t: Thresholds): Conflict[] {
  const pair = comparable(ctx);
  const osp = pair ? contactSexualPredictor(pair.oasys) : null;
  const level = pair?.arms.riskLevel;
  if (!pair || !osp || !level) return [];
  if (!t.ospLowBands.includes(osp.band) || !t.armsVeryHighLevels.includes(level)) return [];
  return [
    conflict(
      SP2,
      osp.p.type,
      `${osp.p.type} band ${LEVEL_LABEL[osp.band]} vs ARMS ${LEVEL_LABEL[level]}: dynamic factors may justify it`,
      [...predictorEvidence(pair.oasys, osp.p), fromArms(pair.arms, "riskLevel", level)],
    ),
  ];
}

function sp3(ctx: RuleContext, t: Thresholds): Conflict[] {
  const o = usableOasys(ctx);
  if (!o) return [];
  const osp = firstComparable(o, ["OSP_C", "OSP_DC"]);
  if (!osp) return [];
  // The RM2000/S category: the police anchor when ARMS holds one, else the OASys sub-assessment.
  const pair = comparable(ctx);
  const armsStatic = pair?.arms.staticRisk;
  const armsRm2000 = armsStatic?.tool === "RM2000_S" ? comparableArmsBand(armsStatic) : null;
  const oasysRm2000 = firstComparable(o, ["RM2000_S"]);
  let rm2000: { band: RiskLevel; evidence: Evidence[] } | null = null;
  if (pair && armsRm2000) {
    rm2000 = { band: armsRm2000, evidence: [fromArms(pair.arms, "staticRisk.RM2000_S.band", armsRm2000)] };
  } else if (oasysRm2000) {
    rm2000 = { band: oasysRm2000.band, evidence: predictorEvidence(o, oasysRm2000.p) };
  }
  if (!rm2000) return [];
  const gap = Math.abs(ord(rm2000.band) - ord(osp.band));
  if (gap < t.staticBandGapInfo) return [];
  return [
    conflict(
      SP3,
      `RM2000_S~${osp.p.type}`,
      `RM2000/S ${LEVEL_LABEL[rm2000.band]} vs ${osp.p.type} ${LEVEL_LABEL[osp.band]}: known tool divergence, never fix one from the other`,
      [...rm2000.evidence, ...predictorEvidence(o, osp.p)],
    ),
  ];
}

function sp5(ctx: RuleContext): Conflict[] {
  const pair = comparable(ctx);
  const anchor = pair?.arms.staticRisk;
  if (!pair || !anchor || (anchor.tool !== "OSP_C" && anchor.tool !== "OSP_DC")) return [];
  const armsBand = comparableArmsBand(anchor);
  const osp = contactSexualPredictor(pair.oasys);
  if (!armsBand || !osp || osp.p.type === anchor.tool) return [];
  return [
    conflict(
      SP5,
      `${anchor.tool}~${osp.p.type}`,
      `ARMS is anchored on ${anchor.tool} but OASys now supplies ${osp.p.type}: band differences may be versioning, not risk change`,
      [
        fromArms(pair.arms, `staticRisk.${anchor.tool}.band`, armsBand),
        ...predictorEvidence(pair.oasys, osp.p),
        fromOasys(pair.oasys, `predictor:${osp.p.type}.algorithmVersion`, osp.p.algorithmVersion),
      ],
    ),
  ];
}

export const STATIC_RULES: readonly RuleDefinition[] = [
  { ...SP1, evaluate: sp1 },
  { ...SP2, evaluate: sp2 },
  { ...SP3, evaluate: sp3 },
  SP4,
  { ...SP5, evaluate: sp5 },
  SP6,
];
