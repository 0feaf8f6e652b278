/**
 * Pre-filled fields across drafts, in the same numbers and the same words wherever the bridge reports
 * them (`bridge demo`, `bridge mapping coverage`). What counts as one field is `prefilledFields`
 * (summary.ts), the one definition; this file only adds them up and says what was counted.
 */
import type { ArmsDraft } from "../arms/draft.ts";
import type { Mapping } from "./spec.ts";
import { prefilledFields } from "./summary.ts";

/** What is counted, in the words every report prints after its numbers. */
export const PREFILLED_FIELD =
  "a pre-filled field is a field of the blank ARMS form given a value from OASys with its source (a subject or plan detail, the static risk, MAPPA, or a proposed factor rating); OASys evidence alone does not count";

export interface Spread {
  median: number;
  min: number;
  max: number;
}

export const median = (xs: readonly number[]): number => {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

export const spread = (xs: readonly number[]): Spread => ({
  median: median(xs),
  min: xs.length ? Math.min(...xs) : 0,
  max: xs.length ? Math.max(...xs) : 0,
});

export interface PrefillTotals {
  drafts: number;
  /** Pre-filled fields, all drafts together. */
  fields: number;
  /** Of those, factor ratings proposed for the assessor to confirm. */
  ratings: number;
  /** Fields of the blank ARMS form (0 when there is no draft). */
  formFields: number;
  perDraft: Spread;
}

/** Pre-filled fields of each draft (`prefilledFields`), added up. */
export function prefillTotals(mapping: Mapping, drafts: Iterable<ArmsDraft>): PrefillTotals {
  const perDraft: number[] = [];
  let formFields = 0;
  let ratings = 0;
  for (const draft of drafts) {
    const p = prefilledFields(mapping, draft);
    perDraft.push(p.prefilled);
    formFields = p.formFields;
    ratings += p.ratings;
  }
  return {
    drafts: perDraft.length,
    fields: perDraft.reduce((a, b) => a + b, 0),
    ratings,
    formFields,
    perDraft: spread(perDraft),
  };
}

const pct = (n: number, d: number) => (d === 0 ? "0%" : `${Math.round((n / d) * 100)}%`);

/** `pre-filled fields per draft: median 19 of 34 (56%), range 6-22; 412 in all`, as every report says it. */
export const formatPerDraft = (perDraft: Spread, formFields: number, total: number): string =>
  `pre-filled fields per draft: median ${perDraft.median} of ${formFields} (${pct(perDraft.median, formFields)}), range ${perDraft.min}-${perDraft.max}; ${total} in all`;
