/** MP family (brief §7 "MAPPA, registrations and plans", §8.2, §3.6): MAPPA level, ViSOR and the plans. */
import type { ArmsAssessment } from "../arms/model.ts";
import { conflict, fromArms, fromDelius, fromOasys } from "./evidence.ts";
import { comparable, deliusMappaLevel, hasFlag, rsoEvidence, usableOasys } from "./facts.ts";
import type { Conflict, Evidence, RuleContext, RuleDefinition, RuleMeta, Thresholds } from "./types.ts";

const MP1: RuleMeta = {
  id: "MP-1",
  family: "MP",
  kind: "RULE",
  severity: "WARN",
  meaning:
    "MAPPA level differs between the OASys RMP, the Delius MAPP registration and the police (ARMS/ViSOR) record",
  thresholdKeys: [],
  source: "§7 MP-1, §6 row 24 [S:CAPI MappaDetailsTransformer][S:TIER]",
  optionalInputs: ["registrations"],
};
const MP2: RuleMeta = {
  id: "MP-2",
  family: "MP",
  kind: "RULE",
  severity: "INFO",
  meaning: "For an RSO, Delius has a ViSOR (AVIS) registration without MAPP, or MAPP without AVIS",
  thresholdKeys: [],
  source: "§7 MP-2, §3.6 [S:PIS RiskService.activeVisorAndMappa]",
  optionalInputs: ["registrations"],
};
const MP3: RuleMeta = {
  id: "MP-3",
  family: "MP",
  kind: "RULE",
  severity: "INFO",
  meaning:
    "For a MAPPA level in planCheckMappaLevels, one agency has a risk management plan and the other's is empty",
  thresholdKeys: ["planCheckMappaLevels"],
  source: "§7 MP-3, §2.7 RMP, §6 row 17",
  optionalInputs: ["registrations"],
};

/** The ARMS for this person: alone, or matched to the OASys. */
const samePersonArms = (ctx: RuleContext): ArmsAssessment | null =>
  ctx.arms && (ctx.oasys === null || ctx.match.status === "MATCHED") ? ctx.arms : null;

interface KnownLevel {
  level: number;
  evidence: Evidence;
}

function mappaLevels(ctx: RuleContext): KnownLevel[] {
  const levels: KnownLevel[] = [];
  const o = usableOasys(ctx);
  const oasysLevel = o?.rmp?.mappa?.level;
  if (o && oasysLevel != null)
    levels.push({ level: oasysLevel, evidence: fromOasys(o, "rmp.mappa.level", oasysLevel) });
  const reg = ctx.registrations;
  const deliusLevel = deliusMappaLevel(reg);
  if (reg && deliusLevel !== null) {
    levels.push({ level: deliusLevel, evidence: fromDelius(reg, "mappa.level", reg.mappa?.level ?? null) });
  }
  const arms = samePersonArms(ctx);
  const armsLevel = arms?.mappa?.level;
  if (arms && armsLevel != null)
    levels.push({ level: armsLevel, evidence: fromArms(arms, "mappa.level", armsLevel) });
  return levels;
}

function mp1(ctx: RuleContext): Conflict[] {
  const levels = mappaLevels(ctx);
  if (new Set(levels.map((l) => l.level)).size < 2) return [];
  return [
    conflict(
      MP1,
      "MAPPA_LEVEL",
      `MAPPA level differs between sources (${levels.map((l) => `${l.evidence.side} ${l.level}`).join(", ")})`,
      levels.map((l) => l.evidence),
    ),
  ];
}

function mp2(ctx: RuleContext): Conflict[] {
  const reg = ctx.registrations;
  if (!reg) return [];
  const rso = rsoEvidence(ctx);
  if (rso.length === 0) return [];
  const visor = hasFlag(reg, "AVIS");
  const mappa = hasFlag(reg, "MAPP");
  if (visor === mappa) return [];
  const about = visor ? "AVIS_WITHOUT_MAPP" : "MAPP_WITHOUT_AVIS";
  return [
    conflict(
      MP2,
      about,
      visor
        ? "Delius has a ViSOR registration but no MAPPA registration for a registered sexual offender"
        : "Delius has a MAPPA registration but no ViSOR registration for a registered sexual offender",
      [fromDelius(reg, "flag:AVIS", visor), fromDelius(reg, "flag:MAPP", mappa), ...rso],
    ),
  ];
}

const filled = (...texts: (string | null | undefined)[]) => texts.some((s) => s != null && s.trim() !== "");

function mp3(ctx: RuleContext, t: Thresholds): Conflict[] {
  const pair = comparable(ctx);
  if (!pair) return [];
  const levels = mappaLevels(ctx).filter((l) => t.planCheckMappaLevels.includes(l.level));
  if (levels.length === 0) return [];
  const rmp = pair.oasys.rmp;
  const plan = pair.arms.riskManagementPlan;
  const oasysPlan = filled(rmp?.supervision, rmp?.monitoringAndControl);
  const armsPlan = filled(plan?.controls, plan?.monitoring, plan?.rehabilitation, plan?.multiAgencyActions);
  if (oasysPlan === armsPlan) return [];
  const evidence = [
    fromOasys(pair.oasys, "rmp.supervision|monitoringAndControl", oasysPlan ? "present" : "empty"),
    fromArms(pair.arms, "riskManagementPlan", armsPlan ? "present" : "empty"),
    ...levels.map((l) => l.evidence),
  ];
  const level = Math.max(...levels.map((l) => l.level));
  return [
    armsPlan
      ? conflict(
          MP3,
          "OASYS_PLAN_EMPTY",
          `MAPPA level ${level} case: ARMS has a plan but the OASys supervision and monitoring plan is empty`,
          evidence,
        )
      : conflict(
          MP3,
          "ARMS_PLAN_EMPTY",
          `MAPPA level ${level} case: OASys has a supervision or monitoring plan but the ARMS plan is empty`,
          evidence,
        ),
  ];
}

export const MAPPA_RULES: readonly RuleDefinition[] = [
  { ...MP1, evaluate: mp1 },
  { ...MP2, evaluate: mp2 },
  { ...MP3, evaluate: mp3 },
];
