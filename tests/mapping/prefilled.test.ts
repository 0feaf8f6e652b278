/**
 * One definition of a pre-filled field: `bridge demo` and `bridge mapping coverage` count the same drafts
 * the same way and say so in the same words (issue 12). Inputs: the demo's own examples.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type DemoTally, formatDemo } from "../../src/cli/demo-report.ts";
import { readInputs } from "../../src/cli/inputs.ts";
import { loadThresholds } from "../../src/core/conflicts/load-thresholds.ts";
import { applyMapping, type MappingResult } from "../../src/core/mapping/apply.ts";
import { coverageOf, isTypical } from "../../src/core/mapping/coverage.ts";
import { loadMapping } from "../../src/core/mapping/load.ts";
import { PREFILLED_FIELD, prefillTotals } from "../../src/core/mapping/prefilled.ts";
import { formatCoverage } from "../../src/core/mapping/report.ts";
import { prefilledFields } from "../../src/core/mapping/summary.ts";
import type { OasysAssessment } from "../../src/core/oasys/model.ts";
import { groupPersons } from "../../src/core/reconcile/persons.ts";
import { type PersonReconciliation, reconcilePerson } from "../../src/core/reconcile/reconcile.ts";
import type { StoredReconciliation } from "../../src/pipeline/reconcile.ts";

const TODAY = "2026-11-20";
const mapping = loadMapping();
const thresholds = loadThresholds();

function filesUnder(dir: string, ending: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(ending))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/** What the demo reconciles: every person of the bundled examples (in process, without the store). */
async function demoPeople(): Promise<PersonReconciliation[]> {
  const inputs = await readInputs(filesUnder("examples", ".xml"), filesUnder("examples", ".json"), TODAY);
  return groupPersons(inputs.oasys, inputs.arms, TODAY).map((g) =>
    reconcilePerson(g, { mapping, thresholds, today: TODAY }),
  );
}

function demoOutput(people: PersonReconciliation[], json: boolean): string {
  const tally: DemoTally = {
    store: "test",
    exportsRead: 0,
    exportsDuplicate: 0,
    exportsFailed: [],
    accepted: 0,
    rejected: [],
    warnings: {},
    armsStored: 0,
    armsHistory: 0,
    armsRejected: 0,
    reconciled: people.map(
      (reconciliation): StoredReconciliation => ({
        personId: null,
        reconciliation,
        sync: null,
        personVersion: null,
        outbox: [],
        withheld: [],
      }),
    ),
  };
  return formatDemo(tally, [], { json, policy: thresholds.pushPolicy, mapping });
}

const withDraft = (people: PersonReconciliation[]) =>
  people.filter((p): p is PersonReconciliation & { oasys: OasysAssessment } => p.draft !== null);

const perDraftLine = (text: string) => /pre-filled fields per draft: [^\n]*? in all/.exec(text)?.[0];

describe("pre-filled fields: one definition", () => {
  it("a draft's count is the one coverage reads from the mapping's summary", async () => {
    const people = withDraft(await demoPeople());
    expect(people.length).toBeGreaterThanOrEqual(20);
    for (const p of people) {
      const mapped = applyMapping(mapping, p.oasys, { today: TODAY }) as MappingResult & { ok: true };
      const counted = prefilledFields(mapping, mapped.draft);
      expect(counted.prefilled).toBe(mapped.summary.filled);
      expect(counted.evidenceOnly).toBe(mapped.summary.evidenceOnly);
      expect(prefilledFields(mapping, p.draft as NonNullable<typeof p.draft>).prefilled).toBe(
        counted.prefilled,
      );
    }
  });

  it("the demo and mapping coverage print the same numbers in the same words for the same drafts", async () => {
    // Coverage describes complete LAYER3 assessments when there are any: give both exactly those.
    const people = withDraft(await demoPeople()).filter((p) => isTypical(p.oasys));
    expect(people.length).toBeGreaterThanOrEqual(10);
    const coverage = coverageOf(
      people.map((p) => ({ assessment: p.oasys, result: applyMapping(mapping, p.oasys, { today: TODAY }) })),
    );
    expect(coverage.typical.drafts).toBe(people.length);
    const coverageText = formatCoverage(coverage, mapping);
    const demoText = demoOutput(people, false);
    const line = perDraftLine(coverageText);
    expect(line).toMatch(
      /^pre-filled fields per draft: median [\d.]+ of 34 \(\d+%\), range \d+-\d+; \d+ in all/,
    );
    expect(perDraftLine(demoText)).toBe(line);
    expect(coverageText).toContain(`  ${PREFILLED_FIELD}\n`);
    expect(demoText).toContain(`  ${PREFILLED_FIELD}\n`);

    const demo = JSON.parse(demoOutput(people, true)) as { prefill: ReturnType<typeof prefillTotals> };
    expect(demo.prefill.perDraft).toEqual(coverage.typical.filled);
    expect(demo.prefill.fields).toBe(coverage.typical.filledInAll);
    expect(demo.prefill.formFields).toBe(coverage.typical.formFields);
  });

  it("counts a field of the form once, a proposed rating as one, and evidence alone not at all", async () => {
    const people = withDraft(await demoPeople());
    const totals = prefillTotals(
      mapping,
      people.map((p) => p.draft as NonNullable<typeof p.draft>),
    );
    expect(totals.drafts).toBe(people.length);
    expect(totals.perDraft.max).toBeLessThanOrEqual(totals.formFields);
    expect(totals.ratings).toBeLessThan(totals.fields);
    // The old demo count added provenance of non-form fields (/sourceAssessment/...) and evidence-only
    // factors, and came to more fields than the form has for some drafts.
    for (const p of people) {
      const d = p.draft as NonNullable<typeof p.draft>;
      const { prefilled, formFields, fields } = prefilledFields(mapping, d);
      expect(prefilled).toBeLessThanOrEqual(formFields);
      expect(fields.filter((f) => f.field.startsWith("/sourceAssessment/"))).toEqual([]);
    }
  });
});
