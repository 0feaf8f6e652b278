/**
 * Narrative copies with attribution (rows 16-17): RoSH summary texts into the ARMS case formulation, RMP
 * texts into the ARMS risk management plan. The text opens with where it came from ("From OASys RoSH
 * summary, assessment 9630348, completed 2026-10-03."), then each part under its OASys heading.
 */
import type { Prefill } from "../arms/model.ts";
import type { OasysAssessment } from "../oasys/model.ts";
import { type MapContext, prefillFor } from "./context.ts";
import type { NarrativePart, NarrativeStep } from "./plan.ts";

/** The interchange schema's limit for a text field. */
export const TEXT_LIMIT = 100_000;

export type NarrativeOutcome =
  | { filled: true; text: string; prefill: Prefill }
  | { filled: false; reason: string };

/** Whether a string has anything but white space: `s.trim() !== ""`, without a new string for most. */
function hasText(s: string): boolean {
  const c = s.charCodeAt(0);
  // A printable ASCII character is never trimmed; anything else is left to trim() to decide.
  return (c > 0x20 && c < 0x7f) || s.trim() !== "";
}

function textAt(a: OasysAssessment, part: NarrativePart): string | null {
  const holder = a[part.block as keyof OasysAssessment] as unknown as Record<string, unknown> | null;
  const v = holder?.[part.field];
  return typeof v === "string" && hasText(v) ? v : null;
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

export function mapNarrative(ctx: MapContext, step: NarrativeStep): NarrativeOutcome {
  const withheld = ctx.withheld.NARRATIVE;
  if (withheld) return { filled: false, reason: withheld.reason };
  const a = ctx.assessment;
  // Each part that holds text, under its heading. Built by concatenation (V8 keeps long results as rope
  // strings) rather than Array.join, which copies every text into a new flat string.
  let body = "";
  let codes = "";
  let found = 0;
  for (const p of step.parts) {
    const text = textAt(a, p);
    if (text === null) continue;
    body = found === 0 ? `${p.label} (${p.code}):\n${text}` : `${body}\n\n${p.label} (${p.code}):\n${text}`;
    codes = found === 0 ? p.code : `${codes}+${p.code}`;
    found += 1;
  }
  if (found === 0) return { filled: false, reason: step.noTextReason };
  const when = a.dateCompleted
    ? `completed ${a.dateCompleted.slice(0, 10)}`
    : `not completed (status ${a.status})`;
  const text = `${step.rule.attribution}, assessment ${a.assessmentPk}, ${when}.\n\n${body}`;
  return {
    filled: true,
    text: text.length <= TEXT_LIMIT ? text : fitText(text, `OASys assessment ${a.assessmentPk} (${codes})`),
    prefill: prefillFor(ctx, step.provenance, codes, null),
  };
}
