/**
 * Every example pair reconciles to what its README promises: the match status and exactly the conflict
 * rules listed under "Expected rules" (so a rule that starts firing where it should not fails here too).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { loadThresholds } from "../../../src/core/conflicts/load-thresholds.ts";
import type { Thresholds } from "../../../src/core/conflicts/types.ts";
import { loadMapping } from "../../../src/core/mapping/load.ts";
import type { Mapping } from "../../../src/core/mapping/spec.ts";
import type { OasysAssessment } from "../../../src/core/oasys/model.ts";
import { groupPersons } from "../../../src/core/reconcile/persons.ts";
import { reconcilePerson } from "../../../src/core/reconcile/reconcile.ts";
import { readArmsFile } from "../../../src/ingest/arms/reader.ts";
import { readOasysExportFile } from "../../../src/ingest/xml/reader.ts";

const PAIRS = fileURLToPath(new URL("../../../examples/pairs/", import.meta.url));
const pairs = readdirSync(PAIRS, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

function expectation(pair: string) {
  const readme = readFileSync(join(PAIRS, pair, "README.md"), "utf8");
  const status = /^- Expected match: \*\*([A-Z_]+)\*\*$/m.exec(readme)?.[1];
  const rulesLine = /^- Expected rules: (.+)$/m.exec(readme)?.[1] ?? "none";
  const comparedOn = /^- Compared on: (\d{4}-\d{2}-\d{2})$/m.exec(readme)?.[1] as string;
  const rules = rulesLine === "none" ? [] : [...rulesLine.matchAll(/`([^`]+)`/g)].map((m) => m[1] as string);
  return { status, rules: rules.sort(), comparedOn };
}

let mapping: Mapping;
let thresholds: Thresholds;
beforeAll(() => {
  mapping = loadMapping();
  thresholds = loadThresholds();
});

describe("reconciling the example pairs", () => {
  it.each(pairs)("%s reconciles as its README says", async (pair) => {
    const { status, rules, comparedOn } = expectation(pair);
    const oasys: OasysAssessment[] = [];
    for await (const r of readOasysExportFile(join(PAIRS, pair, "oasys.xml"), { today: comparedOn })) {
      if (r.ok) oasys.push(r.assessment);
    }
    const arms = (await readArmsFile(join(PAIRS, pair, "arms.json"))).results.flatMap((r) =>
      r.ok ? [r.arms] : [],
    );
    const groups = groupPersons(oasys, arms, comparedOn);
    const withOasys = groups.filter((g) => g.oasys.length > 0);
    expect(withOasys).toHaveLength(1);
    const result = reconcilePerson(withOasys[0]!, { mapping, thresholds, today: comparedOn });
    if (status === "NO_MATCH") expect(["NO_MATCH"]).toContain(result.match.status);
    else expect(result.match.status).toBe(status);
    const fired = [...new Set(result.conflicts.map((c) => c.ruleId))].sort();
    expect(fired).toEqual(rules);
    // Nothing is proposed for sending on anything but a confirmed match or while a BLOCK is open.
    if (result.match.status !== "MATCHED") expect(result.outbound.probation).toBeNull();
    if (result.conflicts.some((c) => c.severity === "BLOCK")) {
      expect(result.outbound.police).toBeNull();
      expect(result.outbound.probation).toBeNull();
    }
  });
});

describe("what each agency is sent", () => {
  async function reconcilePair(pair: string) {
    const { comparedOn } = expectation(pair);
    const oasys: OasysAssessment[] = [];
    for await (const r of readOasysExportFile(join(PAIRS, pair, "oasys.xml"), { today: comparedOn })) {
      if (r.ok) oasys.push(r.assessment);
    }
    const arms = (await readArmsFile(join(PAIRS, pair, "arms.json"))).results.flatMap((r) =>
      r.ok ? [r.arms] : [],
    );
    const group = groupPersons(oasys, arms, comparedOn).find((g) => g.oasys.length > 0)!;
    return reconcilePerson(group, { mapping, thresholds, today: comparedOn });
  }

  it("a confirmed, consistent match sends the draft to police and the ARMS summary to probation", async () => {
    const r = await reconcilePair("matched-consistent");
    expect(r.outbound.withheld).toEqual([]);
    expect(r.outbound.police?.status).toBe("DRAFT");
    expect(r.outbound.police?.sourceAssessment.assessmentPk).toBe(r.subject.oasysAssessmentPk);
    expect(r.outbound.probation?.schema).toBe("urn:hmpps:oasys:partner-update:1");
    expect(r.outbound.probation?.arms.armsAssessmentId).toBe(r.subject.armsAssessmentId);
  });

  it("an undecided WARN conflict holds both pushes until a reviewer decides, and says why (PU-1)", async () => {
    const r = await reconcilePair("rosh-high-arms-low");
    expect(r.conflicts.filter((c) => c.severity !== "INFO").map((c) => [c.ruleId, c.severity])).toEqual([
      ["LV-1", "WARN"],
    ]);
    expect(r.push).toMatchObject({ allowed: false, heldBySeverity: { WARN: 1 } });
    expect(r.outbound.police).toBeNull();
    expect(r.outbound.probation).toBeNull();
    expect(r.outbound.withheld).toEqual([
      "PU-1: 1 WARN conflict(s) await a reviewer's decision (LV-1:ROSH_ABOVE_ARMS); nothing is sent until they are decided",
    ]);
  });

  it("a date-of-birth mismatch sends nothing and says why", async () => {
    const r = await reconcilePair("dob-mismatch");
    expect(r.outbound.police).toBeNull();
    expect(r.outbound.probation).toBeNull();
    expect(r.outbound.withheld.join(" ")).toMatch(/PU-1|MISMATCH/);
  });

  it("the late older ARMS revision never replaces the newer one", async () => {
    const r = await reconcilePair("arms-revision-late-older");
    const revisions = JSON.parse(
      readFileSync(join(PAIRS, "arms-revision-late-older", "arms.json"), "utf8"),
    ) as {
      revision: number;
    }[];
    expect(r.subject.armsRevision).toBe(Math.max(...revisions.map((d) => d.revision)));
  });
});
