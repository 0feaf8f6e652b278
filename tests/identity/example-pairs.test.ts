/**
 * Every example pair (examples/pairs/<scenario>/) is read with the real readers and must do what its
 * README says: the ARMS side validates, the OASys side is accepted, and the identity match status is the
 * one stated. The expected rule ids are checked for shape here and asserted by the conflict engine tests.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { ArmsAssessment } from "../../src/core/arms/model.ts";
import { latestRevisions } from "../../src/core/arms/revisions.ts";
import { matchAmong } from "../../src/core/identity/match-among.ts";
import type { OasysAssessment } from "../../src/core/oasys/model.ts";
import { validateAgainst } from "../../src/core/schemas.ts";
import { readArmsFile } from "../../src/ingest/arms/reader.ts";
import { readOasysExportFile } from "../../src/ingest/xml/reader.ts";

const PAIRS = fileURLToPath(new URL("../../examples/pairs/", import.meta.url));
const COMPARED_ON = "2026-11-20";
const pairs = readdirSync(PAIRS, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

interface Expectation {
  status: string;
  rules: string[];
  comparedOn: string;
}

function expectationOf(pair: string): Expectation {
  const readme = readFileSync(join(PAIRS, pair, "README.md"), "utf8");
  const status = /^- Expected match: \*\*(MATCHED|MISMATCH|NO_MATCH|AMBIGUOUS)\*\*$/m.exec(readme)?.[1];
  const rulesLine = /^- Expected rules: (.+)$/m.exec(readme)?.[1];
  const comparedOn = /^- Compared on: (\d{4}-\d{2}-\d{2})$/m.exec(readme)?.[1];
  if (!status || !rulesLine || !comparedOn) throw new Error(`${pair}/README.md lacks its Expected section`);
  const rules = rulesLine === "none" ? [] : [...rulesLine.matchAll(/`([^`]+)`/g)].map((m) => m[1] as string);
  return { status, rules, comparedOn };
}

async function oasysOf(pair: string): Promise<OasysAssessment> {
  const results = [];
  for await (const r of readOasysExportFile(join(PAIRS, pair, "oasys.xml"), { today: COMPARED_ON }))
    results.push(r);
  expect(results).toHaveLength(1);
  const [only] = results;
  if (!only?.ok) throw new Error(`${pair}/oasys.xml was rejected: ${JSON.stringify(only?.error)}`);
  return only.assessment;
}

async function armsOf(pair: string): Promise<ArmsAssessment[]> {
  const out = await readArmsFile(join(PAIRS, pair, "arms.json"));
  const refused = out.results.filter((r) => !r.ok);
  expect(refused, `${pair}/arms.json`).toEqual([]);
  return out.results.flatMap((r) => (r.ok ? [r.arms] : []));
}

describe("example pairs", () => {
  it("there are pairs, and the index README lists every one of them", () => {
    expect(pairs.length).toBeGreaterThanOrEqual(13);
    const index = readFileSync(join(PAIRS, "README.md"), "utf8");
    for (const pair of pairs) expect(index).toContain(`[\`${pair}\`](${pair}/)`);
  });

  describe.each(pairs)("%s", (pair) => {
    it("its arms.json validates against the ARMS interchange schema, document by document", () => {
      const parsed = JSON.parse(readFileSync(join(PAIRS, pair, "arms.json"), "utf8")) as unknown;
      for (const doc of Array.isArray(parsed) ? parsed : [parsed]) {
        expect(validateAgainst("arms-interchange.schema.json", doc)).toBeNull();
      }
    });

    it("its README states the expected match status, rule ids and comparison date", () => {
      const expected = expectationOf(pair);
      expect(expected.comparedOn).toBe(COMPARED_ON);
      for (const rule of expected.rules) expect(rule).toMatch(/^(ID|ST|LV|SP|FC|PF|MP|PU)-\d$/);
    });

    it("matches with the status its README states", async () => {
      const expected = expectationOf(pair);
      const oasys = await oasysOf(pair);
      const arms = await armsOf(pair);
      const { result, candidate } = matchAmong(oasys, arms, { today: expected.comparedOn });
      expect(result.status, result.explanation).toBe(expected.status);
      if (result.status === "MATCHED" || result.status === "MISMATCH") {
        const latest = latestRevisions(arms).map((s) => s.latest);
        expect(latest).toContain(candidate);
      }
      // Check letters are valid everywhere except where the scenario is about a failing one.
      if (pair !== "pnc-check-fails") expect(result.identifierProblems ?? []).toEqual([]);
      if (expected.rules.includes("ID-3")) {
        expect(result.disagreements.map((d) => d.field)).toContain("dateOfBirth");
      }
      if (expected.rules.includes("ID-1")) {
        expect(result.identifierProblems).toContainEqual({
          side: "OASYS",
          field: "pnc",
          problem: "CHECK_LETTER_FAILS",
        });
      }
      if (expected.rules.includes("ID-4")) expect(result.markers).toContain("OASYS_MERGED_PNC");
    });
  });

  it("arms-revision-late-older: the late older revision does not overwrite the newer one", async () => {
    const arms = await armsOf("arms-revision-late-older");
    expect(arms.map((a) => a.revision)).toEqual([2, 1]);
    const [selection] = latestRevisions(arms);
    expect(selection?.latest.revision).toBe(2);
    expect(selection?.latest.riskLevel).toBe("MEDIUM");
    const { candidate } = matchAmong(await oasysOf("arms-revision-late-older"), arms, { today: COMPARED_ON });
    expect(candidate?.revision).toBe(2);
  });
});
