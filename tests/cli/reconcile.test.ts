import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { reconcileCommand } from "../../src/cli/reconcile.ts";
import { captureIo } from "./capture.ts";

const PAIRS = fileURLToPath(new URL("../../examples/pairs/", import.meta.url));
const pair = (name: string) => [join(PAIRS, name, "oasys.xml"), join(PAIRS, name, "arms.json")] as const;

describe("bridge reconcile", () => {
  it("--json prints results with subject ids, match, draft and conflicts (rule id, severity, explanation, evidence)", async () => {
    const [oasys, arms] = pair("rosh-high-arms-low");
    const { io, stdout } = captureIo();
    expect(await reconcileCommand(["--oasys", oasys, "--arms", arms, "--json"], io)).toBe(0);
    const out = JSON.parse(stdout.text) as {
      results: {
        subject: Record<string, unknown>;
        match: { status: string };
        draft: { status: string };
        conflicts: { ruleId: string; severity: string; explanation: string; evidence: unknown[] }[];
      }[];
      rejected: unknown[];
    };
    expect(out.rejected).toEqual([]);
    expect(out.results).toHaveLength(1);
    const [r] = out.results;
    expect(Object.keys(r!.subject).sort()).toEqual([
      "armsAssessmentId",
      "armsRevision",
      "crn",
      "oasysAssessmentPk",
      "pnc",
    ]);
    expect(r!.match.status).toBe("MATCHED");
    expect(r!.draft.status).toBe("DRAFT");
    expect(r!.conflicts.map((c) => [c.ruleId, c.severity])).toEqual([["LV-1", "WARN"]]);
    expect(r!.conflicts[0]!.evidence.length).toBeGreaterThanOrEqual(2);
    expect(r!.conflicts[0]!.explanation).not.toBe("");
  });

  it("takes several files after each flag and reconciles every person", async () => {
    const a = pair("matched-consistent");
    const b = pair("dob-mismatch");
    const { io, stdout } = captureIo();
    expect(await reconcileCommand(["--oasys", a[0], b[0], "--arms", a[1], b[1]], io)).toBe(0);
    expect(stdout.text).toContain("People reconciled: 2");
    expect(stdout.text).toMatch(/identity: +MATCHED 1, MISMATCH 1/);
    expect(stdout.text).toContain("ID-3");
  });

  it("exits 2 when a record is rejected, and still reconciles the rest", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bridge-reconcile-"));
    const bad = join(dir, "bad.json");
    writeFileSync(
      bad,
      JSON.stringify([{ schema: "arms-interchange/1", armsAssessmentId: "ARMS-X-1", revision: 0 }]),
    );
    const [oasys, arms] = pair("matched-consistent");
    const { io, stdout } = captureIo();
    expect(await reconcileCommand(["--oasys", oasys, "--arms", arms, bad, "--json"], io)).toBe(2);
    const out = JSON.parse(stdout.text) as { results: unknown[]; rejected: { kind: string }[] };
    expect(out.results).toHaveLength(1);
    expect(out.rejected.map((r) => r.kind)).toEqual(["ARMS"]);
  });

  it("exits 1 on usage errors", async () => {
    const { io, stderr } = captureIo();
    expect(await reconcileCommand([], io)).toBe(1);
    expect(await reconcileCommand(["--oasys", "a.xml", "--bogus"], io)).toBe(1);
    expect(stderr.text).toContain("usage: bridge reconcile");
  });
});
