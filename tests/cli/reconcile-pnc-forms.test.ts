/**
 * `bridge reconcile` on the matched-consistent pair with the OASys PNC written as people write it (issue
 * 10, defect 1): readers, builder, grouping, matching, the draft and the conflict rules end to end. The
 * positional parse read `1971/73319Z` as another person's `2019/7173319Z` (MISMATCH, ID-1 BLOCK), refused
 * the unpadded long form outright, and raised `UNKNOWN PNC` as a BLOCK.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { reconcileCommand } from "../../src/cli/reconcile.ts";
import { captureIo } from "./capture.ts";

const PAIR = fileURLToPath(new URL("../../examples/pairs/matched-consistent/", import.meta.url));
/** The pair's PNC, as both agencies write it there. */
const PAIR_PNC = "2004/0345678X";

interface Result {
  match: { status: string; matchedOn: string[] };
  draft: { subject: { pnc: string | null } } | null;
  conflicts: { ruleId: string; severity: string; fingerprint: string }[];
}

/** Reconcile the pair with the OASys and ARMS PNCs replaced; the one person's result. */
async function reconcileWith(oasysPnc: string, armsPnc: string): Promise<Result> {
  const dir = mkdtempSync(join(tmpdir(), "bridge-pnc-forms-"));
  const xml = readFileSync(join(PAIR, "oasys.xml"), "utf8");
  const json = readFileSync(join(PAIR, "arms.json"), "utf8");
  expect(xml).toContain(`<pnc>${PAIR_PNC}</pnc>`);
  expect(json).toContain(`"pnc": "${PAIR_PNC}"`);
  writeFileSync(join(dir, "oasys.xml"), xml.replace(`<pnc>${PAIR_PNC}</pnc>`, `<pnc>${oasysPnc}</pnc>`));
  writeFileSync(join(dir, "arms.json"), json.replace(`"pnc": "${PAIR_PNC}"`, `"pnc": "${armsPnc}"`));
  const { io, stdout } = captureIo();
  const code = await reconcileCommand(
    ["--oasys", join(dir, "oasys.xml"), "--arms", join(dir, "arms.json"), "--json"],
    io,
  );
  expect(code).toBe(0);
  const out = JSON.parse(stdout.text) as { results: Result[] };
  expect(out.results).toHaveLength(1);
  return out.results[0] as Result;
}

/** The PNC the police draft carries (a draft is always made here: the CRN is valid). */
const pncOfDraft = (r: Result) => {
  expect(r.draft).not.toBeNull();
  return r.draft?.subject.pnc;
};

describe("bridge reconcile: PNC written forms and placeholders", () => {
  it("matches OASys 1971/73319Z to police 1971/0073319Z, with no ID-1 and the right PNC in the draft", async () => {
    const r = await reconcileWith("1971/73319Z", "1971/0073319Z");
    expect(r.match.status).toBe("MATCHED");
    expect(r.match.matchedOn).toEqual(["PNC", "CRN"]);
    expect(r.conflicts.filter((c) => c.ruleId === "ID-1")).toEqual([]);
    expect(pncOfDraft(r)).toBe("1971/0073319Z");
    expect(JSON.stringify(r)).not.toContain("2019/7173319Z");
  });

  it("matches the unpadded long form of the pair's own PNC, with no conflict at all", async () => {
    const r = await reconcileWith("2004/345678X", PAIR_PNC);
    expect(r.match).toMatchObject({ status: "MATCHED", matchedOn: ["PNC", "CRN"] });
    expect(r.conflicts).toEqual([]);
    expect(pncOfDraft(r)).toBe(PAIR_PNC);
  });

  it("reads UNKNOWN PNC as absent: INFO, never BLOCK, and no PNC in the draft", async () => {
    const r = await reconcileWith("UNKNOWN PNC", PAIR_PNC);
    expect(r.match).toMatchObject({ status: "MATCHED", matchedOn: ["CRN"] });
    expect(r.conflicts.map((c) => [c.fingerprint, c.severity])).toEqual([["ID-1:OASYS_PNC_ABSENT", "INFO"]]);
    expect(pncOfDraft(r)).toBeNull();
  });

  it("never writes an ambiguous PNC (no slash, reads two ways) into the draft or links on it", async () => {
    const r = await reconcileWith("197173319Z", "1971/0073319Z");
    expect(r.match.matchedOn).not.toContain("PNC");
    expect(r.conflicts).toContainEqual(expect.objectContaining({ fingerprint: "ID-1:OASYS_PNC_AMBIGUOUS" }));
    expect(pncOfDraft(r)).toBeNull();
  });
});
