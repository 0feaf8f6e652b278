/**
 * Static risk (rows 18-19) and MAPPA (row 24). Bands are copied exactly as OASys supplied them: never
 * re-banded from a score (SP-6), never converted between tools (SP-3), and NOT_APPLICABLE or a missing
 * band is never read as LOW (SP-4).
 */
import type { StaticRisk } from "../arms/model.ts";
import type { Predictor, RiskLevel } from "../oasys/model.ts";
import { type MapContext, prefillFor } from "./context.ts";
import type { StaticToolRule } from "./spec.ts";

const USABLE: readonly string[] = ["LOW", "MEDIUM", "HIGH", "VERY_HIGH"] satisfies RiskLevel[];

export type StaticOutcome =
  | { staticRisk: StaticRisk; others: StaticRisk[] }
  | { staticRisk: null; others: StaticRisk[]; reason: string };

function carried(ctx: MapContext, tool: StaticToolRule, p: Predictor): StaticRisk {
  const spec = ctx.mapping.spec.staticRisk;
  const score = tool.score === "points" ? p.points : p.score;
  let sourceValue = `band=${p.band}; ${tool.score}=${score ?? "none"}`;
  if (p.algorithmVersion) sourceValue = `${sourceValue}; algorithmVersion=${p.algorithmVersion}`;
  const note =
    p.band === "NOT_APPLICABLE"
      ? `${spec.note}. OASys says NOT_APPLICABLE: not a LOW band and not comparable`
      : spec.note;
  return {
    tool: tool.tool,
    band: p.band as StaticRisk["band"],
    score,
    prefill: prefillFor(
      ctx,
      { id: spec.id, basis: spec.basis, strength: tool.strength, note },
      `predictor:${tool.predictor}`,
      sourceValue,
      p.calculatedAt ?? ctx.date,
    ),
  };
}

const predictorOfType = (predictors: Predictor[], type: string): Predictor | undefined => {
  for (const p of predictors) if (p.type === type) return p;
  return undefined;
};

export function mapStaticRisk(ctx: MapContext): StaticOutcome {
  const withheld = ctx.withheld.STATIC_RISK;
  if (withheld) return { staticRisk: null, others: [], reason: withheld.reason };
  const tools = ctx.mapping.spec.staticRisk.tools;
  // The tools, in the mapping's order, whose predictor the assessment holds with a band; the first with a
  // usable band (else the first found) is the primary.
  let found: { tool: StaticToolRule; p: Predictor }[] | null = null;
  let primary = -1;
  for (const tool of tools) {
    const p = predictorOfType(ctx.assessment.predictors, tool.predictor);
    if (p === undefined || p.band === null) continue;
    found ??= [];
    if (primary < 0 && USABLE.includes(p.band)) primary = found.length;
    found.push({ tool, p });
  }
  if (found === null) {
    const names = tools.map((t) => t.predictor).join(", ");
    return {
      staticRisk: null,
      others: [],
      reason: `no ${names} predictor with a band in this assessment; static risk is the assessor's to record`,
    };
  }
  if (primary < 0) primary = 0;
  const others: StaticRisk[] = [];
  for (let i = 0; i < found.length; i++) {
    const x = found[i] as { tool: StaticToolRule; p: Predictor };
    if (i !== primary) others.push(carried(ctx, x.tool, x.p));
  }
  const first = found[primary] as { tool: StaticToolRule; p: Predictor };
  return { staticRisk: carried(ctx, first.tool, first.p), others };
}

export type MappaOutcome =
  | { mappa: { category: number | null; level: number | null; prefill: StaticRisk["prefill"] & object } }
  | { mappa: null; reason: string };

export function mapMappa(ctx: MapContext): MappaOutcome {
  const withheld = ctx.withheld.MAPPA;
  if (withheld) return { mappa: null, reason: withheld.reason };
  const m = ctx.assessment.rmp?.mappa ?? null;
  if (!ctx.assessment.rmp) return { mappa: null, reason: "the assessment has no risk management plan" };
  if (!m || (m.category === null && m.level === null)) {
    return { mappa: null, reason: "the OASys risk management plan records no MAPPA category or level" };
  }
  return {
    mappa: {
      category: m.category,
      level: m.level,
      prefill: prefillFor(
        ctx,
        ctx.mapping.spec.mappa,
        "RMP.mappa",
        `category=${m.category ?? "none"}; level=${m.level ?? "none"}`,
      ),
    },
  };
}
