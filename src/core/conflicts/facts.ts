/**
 * Shared readings of the two records that several rule families need (brief §7 conventions):
 * ordinal levels, the maximum community RoSH, whether the two assessments may be compared at all,
 * whether the person is a registered sexual offender. Pure.
 */
import type { ArmsAssessment } from "../arms/model.ts";
import type { OasysAssessment, RiskLevel, RoshLevel } from "../oasys/model.ts";
import { yesNoOf } from "../oasys/normalise.ts";
import { calendarDate } from "./dates.ts";
import { fromArms, fromDelius, fromOasys } from "./evidence.ts";
import type { DeliusFlag, DeliusRegistrations, Evidence, RuleContext } from "./types.ts";

const ORD: Readonly<Record<RiskLevel, number>> = { LOW: 1, MEDIUM: 2, HIGH: 3, VERY_HIGH: 4 };

/** `ord(LOW)=1 .. ord(VERY_HIGH)=4`. */
export const ord = (level: RiskLevel): number => ORD[level];

export const LEVEL_LABEL: Readonly<Record<RiskLevel, string>> = {
  LOW: "Low",
  MEDIUM: "Medium",
  HIGH: "High",
  VERY_HIGH: "Very High",
};

export interface MaxLevel {
  level: RiskLevel;
  /** The cells holding that level, in grid order. */
  cells: RoshLevel[];
}

function maxOf(cells: RoshLevel[]): MaxLevel | null {
  if (cells.length === 0) return null;
  const top = Math.max(...cells.map((c) => ord(c.level)));
  const at = cells.filter((c) => ord(c.level) === top);
  return { level: (at[0] as RoshLevel).level, cells: at };
}

/** `maxRoshCommunity = max(children, public, known adult, staff)` in the community. */
export const maxRoshCommunity = (o: OasysAssessment): MaxLevel | null =>
  maxOf((o.rosh?.levels ?? []).filter((c) => c.setting === "COMMUNITY"));

/** Max over all nine RoSH cells (what Delius registers). */
export const maxRoshAll = (o: OasysAssessment): MaxLevel | null => maxOf(o.rosh?.levels ?? []);

export const roshField = (c: RoshLevel): string => `rosh.${c.group}.${c.setting}`;

/** The OASys comparison date: the calendar date of `dateCompleted`. */
export const oasysDate = (o: OasysAssessment): string | null => calendarDate(o.dateCompleted);
export const armsDate = (a: ArmsAssessment): string | null => a.assessedOn ?? null;

/** ST-2: OASys says a later complete assessment exists, so this one must not be used. */
export const isSuperseded = (o: OasysAssessment): boolean => o.later.laterCompleteAssessmentExists === true;

/** OASys content may be read (not superseded by a later complete assessment). */
export const usableOasys = (ctx: RuleContext): OasysAssessment | null =>
  ctx.oasys && !isSuperseded(ctx.oasys) ? ctx.oasys : null;

/** Both records present and matched to the same person (identity MATCHED, never a contradicted match). */
export function paired(ctx: RuleContext): { oasys: OasysAssessment; arms: ArmsAssessment } | null {
  if (!ctx.oasys || !ctx.arms || ctx.match.status !== "MATCHED") return null;
  return { oasys: ctx.oasys, arms: ctx.arms };
}

/**
 * Like with like (brief §7 conventions): the same person, a completed ARMS, and an OASys assessment that
 * is neither work in progress (`OPEN`, ST-1) nor superseded (ST-2). Every cross-agency comparison uses this.
 */
export function comparable(ctx: RuleContext): { oasys: OasysAssessment; arms: ArmsAssessment } | null {
  const pair = paired(ctx);
  if (!pair) return null;
  if (pair.arms.status !== "COMPLETE" || pair.oasys.status === "OPEN" || isSuperseded(pair.oasys))
    return null;
  return pair;
}

export const hasFlag = (r: DeliusRegistrations | null, flag: DeliusFlag): boolean =>
  r?.flags.includes(flag) ?? false;

/** Delius MAPPA level as 1..3; `M0` (nominal) and absent are null. */
export function deliusMappaLevel(r: DeliusRegistrations | null): number | null {
  const level = r?.mappa?.level;
  return level === "M1" ? 1 : level === "M2" ? 2 : level === "M3" ? 3 : null;
}

/**
 * Why the person counts as a registered sexual offender: OASys RM8 = YES, Delius `ARSO`, or an ARMS
 * assessment for the same person (ARMS is done only for RSOs). Empty when nothing says so.
 */
export function rsoEvidence(ctx: RuleContext): Evidence[] {
  const found: Evidence[] = [];
  if (ctx.oasys && yesNoOf(ctx.oasys.answers.RM8) === "YES") found.push(fromOasys(ctx.oasys, "RM8", "YES"));
  if (ctx.registrations && hasFlag(ctx.registrations, "ARSO")) {
    found.push(fromDelius(ctx.registrations, "flag:ARSO", true));
  }
  const arms = ctx.arms && (ctx.oasys === null || ctx.match.status === "MATCHED") ? ctx.arms : null;
  if (arms) found.push(fromArms(arms, "armsAssessmentId", arms.armsAssessmentId));
  return found;
}
