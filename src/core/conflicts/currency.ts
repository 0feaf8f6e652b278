/** ST family (brief §7 "Currency", §2.2, §3.4): are the two assessments current enough to compare? */
import type { Answer } from "../oasys/model.ts";
import { addMonths, addWeeks, calendarDate, daysBetween, earlierOf, laterOf } from "./dates.ts";
import { conflict, fromArms, fromBridge, fromOasys } from "./evidence.ts";
import { armsDate, oasysDate, paired } from "./facts.ts";
import type {
  Conflict,
  Evidence,
  RuleContext,
  RuleDefinition,
  RuleMeta,
  Thresholds,
  TriggerEventKind,
} from "./types.ts";

const ST1: RuleMeta = {
  id: "ST-1",
  family: "ST",
  kind: "RULE",
  severity: "WARN",
  meaning:
    "OASys source is not complete (OPEN, or LOCKED_INCOMPLETE unsigned): no ratings pre-filled from it",
  thresholdKeys: [],
  source: "§7 ST-1, §2.2 [S:ARNS AssessmentStatus]",
  optionalInputs: [],
};
const ST2: RuleMeta = {
  id: "ST-2",
  family: "ST",
  kind: "RULE",
  severity: "BLOCK",
  meaning: "OASys says a later complete assessment exists: this one must not be used (re-fetch the latest)",
  thresholdKeys: [],
  source: "§7 ST-2, §2.2 later…Exists flags [S:ARNS wiremock]",
  optionalInputs: [],
};
const ST3: RuleMeta = {
  id: "ST-3",
  family: "ST",
  kind: "RULE",
  severity: "WARN",
  meaning: "OASys dateCompleted is more than oasysStaleWeeks before today (OASys stale)",
  thresholdKeys: ["oasysStaleWeeks"],
  source: "§7 ST-3, §2.2 [S:ARNS RiskService timeframe = 55]",
  optionalInputs: [],
};
const ST4: RuleMeta = {
  id: "ST-4",
  family: "ST",
  kind: "RULE",
  severity: "WARN",
  meaning: "ARMS next review is overdue, or the ARMS is more than armsStaleMonths old",
  thresholdKeys: ["armsStaleMonths"],
  source: "§7 ST-4, §3.4 [K]",
  optionalInputs: [],
};
const ST5: RuleMeta = {
  id: "ST-5",
  family: "ST",
  kind: "RULE",
  severity: "WARN",
  meaning:
    "A trigger event (recall, release, serious incident, new charge, address or relationship change) is newer than the assessments: re-assess before reconciling",
  thresholdKeys: [],
  source: "§7 ST-5, §2.1 purposes 490/360, §2.5 item 1.38, §3.4 [I]",
  optionalInputs: ["events"],
};
const ST6: RuleMeta = {
  id: "ST-6",
  family: "ST",
  kind: "RULE",
  severity: "INFO",
  meaning: "OASys and ARMS dates are more than temporalGapMonths apart: disagreements are likely temporal",
  thresholdKeys: ["temporalGapMonths"],
  source: "§7 ST-6 [I], §5.3",
  optionalInputs: [],
};

function st1(ctx: RuleContext): Conflict[] {
  const o = ctx.oasys;
  if (!o) return [];
  if (o.status === "OPEN") {
    return [
      conflict(ST1, "OPEN", "The OASys assessment is still open (work in progress)", [
        fromOasys(o, "status", "OPEN"),
      ]),
    ];
  }
  if (o.status === "LOCKED_INCOMPLETE" && o.partcompStatus !== "SIGNED") {
    return [
      conflict(ST1, "LOCKED_INCOMPLETE_UNSIGNED", "The OASys assessment is locked incomplete and unsigned", [
        fromOasys(o, "status", "LOCKED_INCOMPLETE"),
        fromOasys(o, "partcompStatus", o.partcompStatus),
      ]),
    ];
  }
  return [];
}

function st2(ctx: RuleContext): Conflict[] {
  const o = ctx.oasys;
  if (o?.later.laterCompleteAssessmentExists !== true) return [];
  return [
    conflict(ST2, "LATER_COMPLETE_EXISTS", "A later complete OASys assessment exists: use that one instead", [
      fromOasys(o, "later.laterCompleteAssessmentExists", true),
      fromOasys(o, "later.latestCompleteDate", o.later.latestCompleteDate),
    ]),
  ];
}

function st3(ctx: RuleContext, t: Thresholds): Conflict[] {
  const o = ctx.oasys;
  const completed = o ? oasysDate(o) : null;
  if (!o || !completed || ctx.today <= addWeeks(completed, t.oasysStaleWeeks)) return [];
  return [
    conflict(ST3, "OASYS_STALE", `The OASys assessment is older than ${t.oasysStaleWeeks} weeks`, [
      fromOasys(o, "dateCompleted", o.dateCompleted),
      fromBridge("ageInDays", daysBetween(completed, ctx.today), ctx.today),
    ]),
  ];
}

function st4(ctx: RuleContext, t: Thresholds): Conflict[] {
  const a = ctx.arms;
  if (!a) return [];
  const out: Conflict[] = [];
  if (a.nextReviewDue && a.nextReviewDue < ctx.today) {
    out.push(
      conflict(ST4, "REVIEW_OVERDUE", "The ARMS review date has passed", [
        fromArms(a, "nextReviewDue", a.nextReviewDue),
      ]),
    );
  }
  if (a.assessedOn && ctx.today > addMonths(a.assessedOn, t.armsStaleMonths)) {
    out.push(
      conflict(ST4, "ARMS_STALE", `The ARMS assessment is older than ${t.armsStaleMonths} months`, [
        fromArms(a, "assessedOn", a.assessedOn),
        fromBridge("ageInDays", daysBetween(a.assessedOn, ctx.today), ctx.today),
      ]),
    );
  }
  return out;
}

/** A trigger event that the assessments have not taken into account (ST-5). */
export interface StaleningEvent {
  kind: TriggerEventKind;
  date: string;
  evidence: Evidence;
}

/** Dates of the assessments that describe this person (ARMS only when it is the same person). */
function assessmentDates(ctx: RuleContext): { oasys: string | null; arms: string | null } {
  const oasys = ctx.oasys ? oasysDate(ctx.oasys) : null;
  const arms = ctx.arms && (ctx.oasys === null || paired(ctx)) ? armsDate(ctx.arms) : null;
  return { oasys, arms };
}

const dateOfAnswer = (a: Answer | undefined): string | null =>
  a?.value.kind === "date" ? a.value.value : null;

/** OASys purposes that record an event the other agency may not know about (§2.1). */
const EVENT_PURPOSES: Readonly<Record<number, TriggerEventKind>> = {
  490: "RECALL",
  360: "SERIOUS_INCIDENT_REVIEW",
};

/**
 * ST-5 events: feed events newer than the later of the two assessments (and not in the future); the OASys
 * release date (1.38) once it has passed and is newer than both; and a recall or serious-incident OASys
 * (purpose 490/360) that started after the ARMS, which the police assessment therefore cannot reflect.
 */
export function staleningEvents(ctx: RuleContext): StaleningEvent[] {
  const dates = assessmentDates(ctx);
  const known = [dates.oasys, dates.arms].filter((d): d is string => d !== null);
  if (known.length === 0) return [];
  const latest = known.reduce(laterOf);
  const events: StaleningEvent[] = [];
  for (const e of ctx.events ?? []) {
    if (e.date > latest && e.date <= ctx.today) {
      events.push({
        kind: e.kind,
        date: e.date,
        evidence: { side: e.side, field: `event:${e.kind}`, value: e.date, record: e.record, date: e.date },
      });
    }
  }
  const o = ctx.oasys;
  const release = o ? dateOfAnswer(o.answers["1.38"]) : null;
  if (o && release && release > latest && release <= ctx.today) {
    events.push({ kind: "RELEASE", date: release, evidence: fromOasys(o, "1.38", release) });
  }
  const purposeKind = o?.purposeCode != null ? EVENT_PURPOSES[o.purposeCode] : undefined;
  const started = o ? calendarDate(o.initiationDate ?? o.dateCompleted) : null;
  if (o && purposeKind && started && dates.arms && started > dates.arms) {
    events.push({ kind: purposeKind, date: started, evidence: fromOasys(o, "purposeCode", o.purposeCode) });
  }
  return events.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.kind < b.kind ? -1 : 1));
}

function st5(ctx: RuleContext): Conflict[] {
  const dates = assessmentDates(ctx);
  const context: Evidence[] = [];
  if (ctx.oasys && dates.oasys) context.push(fromOasys(ctx.oasys, "dateCompleted", ctx.oasys.dateCompleted));
  if (ctx.arms && dates.arms) context.push(fromArms(ctx.arms, "assessedOn", dates.arms));
  return staleningEvents(ctx).map((e) =>
    conflict(
      ST5,
      `${e.kind}:${e.date}`,
      `A ${e.kind.toLowerCase().replace(/_/g, " ")} event is newer than the assessment: re-assess before reconciling`,
      [e.evidence, ...context],
    ),
  );
}

/** ST-6: days between the two assessments when they are more than `temporalGapMonths` apart. */
export function temporalGap(ctx: RuleContext, t: Thresholds): { days: number } | null {
  const pair = paired(ctx);
  if (!pair) return null;
  const o = oasysDate(pair.oasys);
  const a = armsDate(pair.arms);
  if (!o || !a) return null;
  const earlier = earlierOf(o, a);
  const later = laterOf(o, a);
  return later > addMonths(earlier, t.temporalGapMonths) ? { days: daysBetween(earlier, later) } : null;
}

function st6(ctx: RuleContext, t: Thresholds): Conflict[] {
  const gap = temporalGap(ctx, t);
  const pair = paired(ctx);
  if (!gap || !pair) return [];
  return [
    conflict(
      ST6,
      "ASSESSMENTS_APART",
      `OASys and ARMS are more than ${t.temporalGapMonths} months apart: differences are likely temporal`,
      [
        fromOasys(pair.oasys, "dateCompleted", pair.oasys.dateCompleted),
        fromArms(pair.arms, "assessedOn", pair.arms.assessedOn),
        fromBridge("daysApart", gap.days, ctx.today),
      ],
    ),
  ];
}

export const CURRENCY_RULES: readonly RuleDefinition[] = [
  { ...ST1, evaluate: st1 },
  { ...ST2, evaluate: st2 },
  { ...ST3, evaluate: st3 },
  { ...ST4, evaluate: st4 },
  { ...ST5, evaluate: st5 },
  { ...ST6, evaluate: st6 },
];
