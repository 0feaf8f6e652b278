/**
 * Narrative copies with attribution (rows 16-17): RoSH summary texts into the ARMS case formulation, RMP
 * texts into the ARMS risk management plan. The text opens with where it came from ("From OASys RoSH
 * summary, assessment 9630348, completed 2026-10-03."), then each part under its OASys heading.
 */
import type { Prefill } from "../arms/model.ts";
import type { OasysAssessment } from "../oasys/model.ts";
import { type MapContext, prefillFor } from "./context.ts";
import { withheldBy } from "./gates.ts";
import type { NarrativeRule } from "./spec.ts";

/** The interchange schema's limit for a text field. */
export const TEXT_LIMIT = 100_000;

export type NarrativeOutcome =
  | { filled: true; text: string; prefill: Prefill }
  | { filled: false; reason: string };

function textAt(a: OasysAssessment, from: string): string | null {
  const [block, field] = from.split(".") as ["rosh" | "rmp", string];
  const holder = a[block] as unknown as Record<string, unknown> | null;
  const v = holder?.[field];
  return typeof v === "string" && v.trim() !== "" ? v : null;
}

/** Cut to the schema limit, saying so and where the full text is; never splits a surrogate pair. */
export function fitText(text: string, fullTextAt: string): string {
  if (text.length <= TEXT_LIMIT) return text;
  const marker = `\n[…truncated; the full text is in ${fullTextAt}]`;
  let cut = TEXT_LIMIT - marker.length;
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  return text.slice(0, cut) + marker;
}

export function mapNarrative(ctx: MapContext, rule: NarrativeRule): NarrativeOutcome {
  const withheld = withheldBy(ctx.gates, "NARRATIVE");
  if (withheld) return { filled: false, reason: withheld.reason };
  const a = ctx.assessment;
  const parts = rule.parts.map((p) => ({ ...p, text: textAt(a, p.from) })).filter((p) => p.text !== null);
  if (parts.length === 0) {
    const codes = rule.parts.map((p) => p.code).join(", ");
    return { filled: false, reason: `OASys holds no text for ${codes} in this assessment` };
  }
  const when = a.dateCompleted
    ? `completed ${a.dateCompleted.slice(0, 10)}`
    : `not completed (status ${a.status})`;
  const header = `${rule.attribution}, assessment ${a.assessmentPk}, ${when}.`;
  const body = parts.map((p) => `${p.label} (${p.code}):\n${p.text}`).join("\n\n");
  const codes = parts.map((p) => p.code).join("+");
  return {
    filled: true,
    text: fitText(`${header}\n\n${body}`, `OASys assessment ${a.assessmentPk} (${codes})`),
    prefill: prefillFor(
      ctx,
      {
        id: rule.id,
        basis: rule.basis,
        strength: rule.strength,
        note: "Copied verbatim with attribution for the assessor to edit; the text itself is the source value",
      },
      codes,
      null,
    ),
  };
}
