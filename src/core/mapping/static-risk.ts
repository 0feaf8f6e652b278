/**
 * Static risk (rows 18-19) and MAPPA (row 24). Bands are copied exactly as OASys supplied them: never
 * re-banded from a score (SP-6), never converted between tools (SP-3), and NOT_APPLICABLE or a missing
 * band is never read as LOW (SP-4).
 */
import type { StaticRisk } from "../arms/model.ts";
import type { Predictor, RiskLevel } from "../oasys/model.ts";
import { assessmentDate, type MapContext, prefillFor } from "./context.ts";
import { withheldBy } from "./gates.ts";
import type { StaticToolRule } from "./spec.ts";

const USABLE: readonly string[] = ["LOW", "MEDIUM", "HIGH", "VERY_HIGH"] satisfies RiskLevel[];

export type StaticOutcome =
  | { staticRisk: StaticRisk; others: StaticRisk[] }
  | { staticRisk: null; others: StaticRisk[]; reason: string };

function carried(ctx: MapContext, tool: StaticToolRule, p: Predictor): StaticRisk {
  const spec = ctx.mapping.spec.staticRisk;
  const score = tool.score === "points" ? p.points : p.score;
  const parts = [`band=${p.band}`, `${tool.score}=${score ?? "none"}`];
  if (p.algorithmVersion) parts.push(`algorithmVersion=${p.algorithmVersion}`);
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
      parts.join("; "),
      p.calculatedAt ?? assessmentDate(ctx.assessment),
    ),
  };
}

export function mapStaticRisk(ctx: MapContext): StaticOutcome {
  const withheld = withheldBy(ctx.gates, "STATIC_RISK");
  if (withheld) return { staticRisk: null, others: [], reason: withheld.reason };
  const tools = ctx.mapping.spec.staticRisk.tools;
  const found = tools
    .map((tool) => ({ tool, p: ctx.assessment.predictors.find((p) => p.type === tool.predictor) }))
    .filter((x): x is { tool: StaticToolRule; p: Predictor } => x.p !== undefined && x.p.band !== null);
  const primary = found.find((x) => USABLE.includes(x.p.band as string)) ?? found[0];
  if (!primary) {
    const names = tools.map((t) => t.predictor).join(", ");
    return {
      staticRisk: null,
      others: [],
      reason: `no ${names} predictor with a band in this assessment; static risk is the assessor's to record`,
    };
  }
  return {
    staticRisk: carried(ctx, primary.tool, primary.p),
    others: found.filter((x) => x !== primary).map((x) => carried(ctx, x.tool, x.p)),
  };
}

export type MappaOutcome =
  | { mappa: { category: number | null; level: number | null; prefill: StaticRisk["prefill"] & object } }
  | { mappa: null; reason: string };

export function mapMappa(ctx: MapContext): MappaOutcome {
  const withheld = withheldBy(ctx.gates, "MAPPA");
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
