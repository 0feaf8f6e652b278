/**
 * PF family (brief §7 "Protective factors vs OASys needs", §6 rows 11-14, §5.6): an ARMS protective factor
 * rated present while OASys records the matching need as a significant problem. OASys 0 = no problem is
 * never read as "protective present"; only the contradiction (OASys 2 vs ARMS present) is flagged.
 */
import type { ArmsAssessment, ProtectiveFactor } from "../arms/model.ts";
import type { OasysAssessment } from "../oasys/model.ts";
import { scoreOf, yesNoOf } from "../oasys/normalise.ts";
import { daysBetween } from "./dates.ts";
import { conflict, fromArms, fromBridge, fromDelius, fromOasys } from "./evidence.ts";
import { armsDate, comparable, hasFlag, oasysDate } from "./facts.ts";
import type { Conflict, Evidence, RuleContext, RuleDefinition, RuleMeta, Thresholds } from "./types.ts";

const PF1: RuleMeta = {
  id: "PF-1",
  family: "PF",
  kind: "RULE",
  severity: "WARN",
  meaning:
    "ARMS intimate relationship protective present, but OASys 6.4 = 2, or 6.7 domestic abuse evidenced, or Delius ADVP/REG30",
  thresholdKeys: ["factorPresentRatings"],
  source: "§7 PF-1, §6 row 12 [S:ASAPI Flags]",
  optionalInputs: ["registrations"],
};
const PF2: RuleMeta = {
  id: "PF-2",
  family: "PF",
  kind: "RULE",
  severity: "WARN",
  meaning:
    "ARMS employment and positive routine present, but OASys 4.2 = YES (unemployed) with the same effective date",
  thresholdKeys: ["factorPresentRatings", "sameEffectiveDateDays"],
  source: "§7 PF-2, §6 row 13",
  optionalInputs: [],
};
const PF3: RuleMeta = {
  id: "PF-3",
  family: "PF",
  kind: "RULE",
  severity: "WARN",
  meaning: "ARMS commitment to desist present, but OASys 12.8 = 2 (not at all motivated) or 12.4 = 2",
  thresholdKeys: ["factorPresentRatings"],
  source: "§7 PF-3, §6 row 11",
  optionalInputs: [],
};
const PF4: RuleMeta = {
  id: "PF-4",
  family: "PF",
  kind: "RULE",
  severity: "INFO",
  meaning:
    "ARMS social investment present, but OASys 7.1 = 2 (community integration) or 10.3 = 2 (social isolation)",
  thresholdKeys: ["factorPresentRatings"],
  source: "§7 PF-4, §6 rows 14-15",
  optionalInputs: [],
};

/** The ARMS protective factor, when rated present. */
function presentFactor(arms: ArmsAssessment, factor: ProtectiveFactor, t: Thresholds): Evidence | null {
  const rating = arms.protectiveFactors[factor]?.rating;
  return rating !== undefined && t.factorPresentRatings.includes(rating)
    ? fromArms(arms, `protectiveFactors.${factor}.rating`, rating)
    : null;
}

/** OASys items at score 2 among `codes`, as evidence. */
const significant = (o: OasysAssessment, codes: readonly string[]): Evidence[] =>
  codes.filter((c) => scoreOf(o.answers[c]) === 2).map((c) => fromOasys(o, c, o.answers[c]?.raw ?? "2"));

function pf1(ctx: RuleContext, t: Thresholds): Conflict[] {
  // Delius flags need only the ARMS (same person); OASys items need a comparable OASys.
  const arms =
    ctx.arms && ctx.arms.status === "COMPLETE" && (ctx.oasys === null || ctx.match.status === "MATCHED")
      ? ctx.arms
      : null;
  const present = arms ? presentFactor(arms, "INTIMATE_RELATIONSHIP", t) : null;
  if (!present) return [];
  const against: Evidence[] = [];
  const pair = comparable(ctx);
  if (pair) {
    against.push(...significant(pair.oasys, ["6.4"]));
    if (yesNoOf(pair.oasys.answers["6.7"]) === "YES") against.push(fromOasys(pair.oasys, "6.7", "YES"));
  }
  const reg = ctx.registrations;
  for (const flag of ["ADVP", "REG30"] as const) {
    if (reg && hasFlag(reg, flag)) against.push(fromDelius(reg, `flag:${flag}`, true));
  }
  if (against.length === 0) return [];
  return [
    conflict(
      PF1,
      "INTIMATE_RELATIONSHIP",
      "ARMS rates the intimate relationship protective, but OASys or Delius record partner problems or domestic abuse",
      [present, ...against],
    ),
  ];
}

function pf2(ctx: RuleContext, t: Thresholds): Conflict[] {
  const pair = comparable(ctx);
  const present = pair ? presentFactor(pair.arms, "EMPLOYMENT_AND_POSITIVE_ROUTINE", t) : null;
  if (!pair || !present) return [];
  const unemployed = pair.oasys.answers["4.2"];
  if (unemployed?.value.kind !== "code" || unemployed.value.code !== "YES") return [];
  const o = oasysDate(pair.oasys);
  const a = armsDate(pair.arms);
  if (!o || !a) return [];
  const apart = Math.abs(daysBetween(o, a));
  if (apart > t.sameEffectiveDateDays) return [];
  return [
    conflict(
      PF2,
      "EMPLOYMENT_AND_POSITIVE_ROUTINE",
      "ARMS rates employment and positive routine present, but OASys records the person as unemployed at the same time",
      [present, fromOasys(pair.oasys, "4.2", unemployed.raw), fromBridge("daysApart", apart, ctx.today)],
    ),
  ];
}

function needRule(meta: RuleMeta, factor: ProtectiveFactor, codes: readonly string[], explanation: string) {
  return (ctx: RuleContext, t: Thresholds): Conflict[] => {
    const pair = comparable(ctx);
    const present = pair ? presentFactor(pair.arms, factor, t) : null;
    if (!pair || !present) return [];
    const against = significant(pair.oasys, codes);
    return against.length === 0 ? [] : [conflict(meta, factor, explanation, [present, ...against])];
  };
}

const pf3 = needRule(
  PF3,
  "COMMITMENT_TO_DESIST",
  ["12.8", "12.4"],
  "ARMS rates commitment to desist present, but OASys records no motivation or a poor attitude to supervision",
);
const pf4 = needRule(
  PF4,
  "SOCIAL_INVESTMENT",
  ["7.1", "10.3"],
  "ARMS rates social investment present, but OASys records poor community integration or social isolation",
);

export const PROTECTIVE_RULES: readonly RuleDefinition[] = [
  { ...PF1, evaluate: pf1 },
  { ...PF2, evaluate: pf2 },
  { ...PF3, evaluate: pf3 },
  { ...PF4, evaluate: pf4 },
];
