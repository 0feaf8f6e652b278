/**
 * ARMS factors: STRONG rating proposals (`ratings:`, rows 1-4) and MEDIUM/WEAK evidence (`evidence:`).
 * A rating comes only from an asked, answered item whose gate holds (6.11 = YES for the four sexual
 * items): 0 becomes NOT_PRESENT only when 0 was actually recorded. When a gate withholds ratings (women,
 * under-18s, limited access, OPEN), the item is shown as evidence instead, so nothing OASys knows is lost.
 */
import type { FactorAssessment, FactorEvidenceItem, FactorRating } from "../arms/model.ts";
import { answerOf, answerState, describeState, tokenOf } from "./answers.ts";
import { type MapContext, prefillFor } from "./context.ts";
import type { EvidenceStep, FactorStep, RatingStep } from "./plan.ts";
import type { Supports } from "./spec.ts";

function evidenceItem(ctx: MapContext, step: EvidenceStep): FactorEvidenceItem | null {
  const answer = answerOf(ctx.assessment, step.question);
  if (answer === undefined) return null;
  const token = tokenOf(answer);
  if (token === null) return null;
  if (step.when && !step.when(ctx.assessment)) return null;
  // Own keys only: a free-text answer such as "valueOf" or "constructor" must not find Object.prototype.
  const supports: Supports | undefined = Object.hasOwn(step.supports, token)
    ? step.supports[token]
    : step.supports["*"];
  if (!supports) return null;
  const sourceValue = answer.raw ?? token;
  return {
    question: step.question,
    label: step.label,
    sourceValue,
    supports,
    prefill: prefillFor(ctx, step.provenance, step.question, sourceValue),
  };
}

const FROM_RATING: Record<FactorRating, Supports> = {
  PRESENT: "RISK",
  SOME_EVIDENCE: "RISK",
  NOT_PRESENT: "CONTEXT",
  INSUFFICIENT_INFORMATION: "CONTEXT",
};

/**
 * The factor's entry for its rating rule: a rating with provenance or the reason there is none. A rating
 * withheld by a gate is pushed onto `evidence` as an evidence item.
 */
function rate(ctx: MapContext, step: RatingStep, evidence: FactorEvidenceItem[]): FactorAssessment {
  const a = ctx.assessment;
  const rule = step.rule;
  const sectionless = ctx.withheld.sectionless;
  if (sectionless) return { unfilledReason: sectionless.reason };
  if (rule.requires && step.requires && !step.requires(a)) return { unfilledReason: rule.requires.reason };
  const answer = answerOf(a, rule.question);
  const token = answer ? tokenOf(answer) : null;
  if (answer === undefined || token === null) {
    return {
      unfilledReason: `${describeState(rule.question, answerState(a, rule.question))}: no rating (never read as NOT_PRESENT)`,
    };
  }
  const rating = Object.hasOwn(rule.values, token) ? rule.values[token] : undefined;
  if (!rating)
    return {
      unfilledReason: `${describeState(rule.question, answerState(a, rule.question))}: not a value this mapping rates`,
    };
  const withheld = ctx.withheld.RATING;
  const sourceValue = answer.raw ?? token;
  if (withheld) {
    evidence.push({
      question: rule.question,
      label: step.label,
      sourceValue,
      supports: FROM_RATING[rating],
      prefill: prefillFor(ctx, step.withheldProvenance, rule.question, sourceValue),
    });
    return {
      unfilledReason: `rating withheld: ${withheld.reason}; OASys ${rule.question} is shown as evidence`,
    };
  }
  return { rating, prefill: prefillFor(ctx, rule, rule.question, sourceValue) };
}

/** One factor of the draft: a proposed rating with provenance, or the reason there is none; plus evidence. */
export function mapFactor(ctx: MapContext, step: FactorStep): FactorAssessment {
  let evidence: FactorEvidenceItem[] | null = null;
  let entry: FactorAssessment;
  if (step.rating) {
    evidence = [];
    entry = rate(ctx, step.rating, evidence);
  } else entry = {};
  const evidenceWithheld = ctx.withheld.EVIDENCE;
  if (!evidenceWithheld) {
    for (const item of step.evidence) {
      const e = evidenceItem(ctx, item);
      if (e === null) continue;
      if (evidence === null) evidence = [e];
      else evidence.push(e);
    }
  }
  const found = evidence !== null && evidence.length > 0;
  if (found) entry.oasysEvidence = evidence as FactorEvidenceItem[];
  if (!step.rating) {
    entry.unfilledReason = evidenceWithheld
      ? evidenceWithheld.reason
      : found
        ? "evidence-only factor: OASys items are attached for the assessor; the bridge never proposes a rating from MEDIUM links"
        : "evidence-only factor, and this assessment records no OASys item that informs it";
  }
  return entry;
}
