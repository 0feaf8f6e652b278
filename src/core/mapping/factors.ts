/**
 * ARMS factors: STRONG rating proposals (`ratings:`, rows 1-4) and MEDIUM/WEAK evidence (`evidence:`).
 * A rating comes only from an asked, answered item whose gate holds (6.11 = YES for the four sexual
 * items): 0 becomes NOT_PRESENT only when 0 was actually recorded. When a gate withholds ratings (women,
 * under-18s, limited access, OPEN), the item is shown as evidence instead, so nothing OASys knows is lost.
 */
import type { FactorAssessment, FactorEvidenceItem, FactorRating } from "../arms/model.ts";
import { QUESTION_BY_CODE } from "../oasys/questions.ts";
import { answerState, describeState, holds } from "./answers.ts";
import { type MapContext, prefillFor } from "./context.ts";
import { withheldBy } from "./gates.ts";
import { planFor } from "./plan.ts";
import type { EvidenceItemRule, EvidenceRule, FactorSpec, RatingRule, Supports } from "./spec.ts";

const labelOf = (item: { question: string; label?: string }): string =>
  item.label ?? QUESTION_BY_CODE.get(item.question)?.label ?? `OASys ${item.question}`;

function evidenceItem(
  ctx: MapContext,
  rule: EvidenceRule,
  item: EvidenceItemRule,
): FactorEvidenceItem | null {
  const state = answerState(ctx.assessment, item.question);
  if (state.kind !== "VALUE") return null;
  if (item.when && !holds(item.when, ctx.assessment)) return null;
  const supports: Supports | undefined = item.supports[state.token] ?? item.supports["*"];
  if (!supports) return null;
  const sourceValue = state.raw ?? state.token;
  return {
    question: item.question,
    label: labelOf(item),
    sourceValue,
    supports,
    prefill: prefillFor(
      ctx,
      { id: rule.id, basis: "ASSESSMENT", strength: rule.strength, note: item.note },
      item.question,
      sourceValue,
    ),
  };
}

const FROM_RATING: Record<FactorRating, Supports> = {
  PRESENT: "RISK",
  SOME_EVIDENCE: "RISK",
  NOT_PRESENT: "CONTEXT",
  INSUFFICIENT_INFORMATION: "CONTEXT",
};

interface RatingOutcome {
  rating?: FactorRating;
  entry: FactorAssessment;
  /** The source item, shown as evidence when the rating itself is withheld by a gate. */
  withheldEvidence?: FactorEvidenceItem;
}

function rate(ctx: MapContext, rule: RatingRule): RatingOutcome {
  const a = ctx.assessment;
  const sectionless = ctx.gates.find((g) => g.gate === "SECTIONLESS_PURPOSE");
  if (sectionless) return { entry: { unfilledReason: sectionless.reason } };
  if (rule.requires && !holds(rule.requires.condition, a))
    return { entry: { unfilledReason: rule.requires.reason } };
  const state = answerState(a, rule.question);
  if (state.kind !== "VALUE") {
    return {
      entry: {
        unfilledReason: `${describeState(rule.question, state)}: no rating (never read as NOT_PRESENT)`,
      },
    };
  }
  const rating = rule.values[state.token];
  if (!rating)
    return {
      entry: { unfilledReason: `${describeState(rule.question, state)}: not a value this mapping rates` },
    };
  const withheld = withheldBy(ctx.gates, "RATING");
  if (withheld) {
    const sourceValue = state.raw ?? state.token;
    return {
      entry: {
        unfilledReason: `rating withheld: ${withheld.reason}; OASys ${rule.question} is shown as evidence`,
      },
      withheldEvidence: {
        question: rule.question,
        label: labelOf(rule),
        sourceValue,
        supports: FROM_RATING[rating],
        prefill: prefillFor(
          ctx,
          { ...rule, note: `${rule.note}. Rating withheld by a gate; shown as evidence only` },
          rule.question,
          sourceValue,
        ),
      },
    };
  }
  return {
    rating,
    entry: { rating, prefill: prefillFor(ctx, rule, rule.question, state.raw ?? state.token) },
  };
}

/** One factor of the draft: a proposed rating with provenance, or the reason there is none; plus evidence. */
export function mapFactor(ctx: MapContext, factor: FactorSpec): FactorAssessment {
  const plan = planFor(ctx.mapping);
  const ratingRule = plan.ratingByFactor.get(factor.id);
  const outcome: RatingOutcome = ratingRule ? rate(ctx, ratingRule) : { entry: {} };

  const evidence: FactorEvidenceItem[] = [];
  if (outcome.withheldEvidence) evidence.push(outcome.withheldEvidence);
  const evidenceWithheld = withheldBy(ctx.gates, "EVIDENCE");
  if (!evidenceWithheld) {
    for (const { rule, item } of plan.evidenceByFactor.get(factor.id) ?? []) {
      const e = evidenceItem(ctx, rule, item);
      if (e) evidence.push(e);
    }
  }

  const entry: FactorAssessment = { ...outcome.entry };
  if (evidence.length > 0) entry.oasysEvidence = evidence;
  if (!ratingRule) {
    entry.unfilledReason = evidenceWithheld
      ? evidenceWithheld.reason
      : evidence.length > 0
        ? "evidence-only factor: OASys items are attached for the assessor; the bridge never proposes a rating from MEDIUM links"
        : "evidence-only factor, and this assessment records no OASys item that informs it";
  }
  return entry;
}
