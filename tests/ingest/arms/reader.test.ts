import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isBridgeError } from "../../../src/errors.ts";
import { readArmsFile, readArmsText } from "../../../src/ingest/arms/reader.ts";

/** A synthetic completed ARMS assessment (fictional person, check-valid PNC). */
function armsDoc(id = "ARMS-TST-000001", revision = 1): Record<string, unknown> {
  return {
    schema: "arms-interchange/1",
    armsAssessmentId: id,
    revision,
    force: "ESSEX",
    status: "COMPLETE",
    subject: {
      pnc: "1999/0123456X",
      crn: "D482913",
      familyName: "Ashworth-Kerr",
      dateOfBirth: "1979-06-14",
      gender: "MALE",
    },
    assessedOn: "2026-09-12",
    nextReviewDue: "2027-03-12",
    assessor: { id: "MOSOVO-0042", role: "MOSOVO_OFFICER" },
    staticRisk: { tool: "RM2000_S", band: "MEDIUM", score: 3 },
    riskFactors: { SEXUAL_PREOCCUPATION: { rating: "NOT_PRESENT", evidence: "No indicators at visit." } },
    protectiveFactors: { COMMITMENT_TO_DESIST: { rating: "PRESENT" } },
    riskLevel: "MEDIUM",
    managementMode: "ACTIVE",
    visitIntervalDays: 90,
    mappa: { category: 1, level: 1 },
  };
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe("readArmsText: layouts", () => {
  it("reads a single document", () => {
    const out = readArmsText(JSON.stringify(armsDoc()));
    expect(out.layout).toBe("SINGLE");
    expect(out.results).toHaveLength(1);
    const [r] = out.results;
    expect(r?.ok && r.arms.armsAssessmentId).toBe("ARMS-TST-000001");
    expect(r?.ok && r.index).toBe(1);
  });

  it("reads an array of documents, pretty-printed, with a byte-order mark", () => {
    const out = readArmsText(`\ufeff${JSON.stringify([armsDoc("ARMS-A"), armsDoc("ARMS-B", 2)], null, 2)}`);
    expect(out.layout).toBe("ARRAY");
    expect(out.results.map((r) => r.ok && `${r.arms.armsAssessmentId}#${r.arms.revision}`)).toEqual([
      "ARMS-A#1",
      "ARMS-B#2",
    ]);
  });

  it("reads NDJSON, ignoring blank lines and CRLF, keeping line numbers", () => {
    const text = `${JSON.stringify(armsDoc("ARMS-A"))}\r\n\r\n${JSON.stringify(armsDoc("ARMS-B"))}\r\n`;
    const out = readArmsText(text);
    expect(out.layout).toBe("NDJSON");
    expect(out.results.map((r) => r.ok && [r.index, r.line])).toEqual([
      [1, 1],
      [2, 3],
    ]);
  });

  it("an empty array is zero documents, not an error", () => {
    expect(readArmsText("[]").results).toEqual([]);
  });
});

describe("readArmsText: one bad document never loses the others", () => {
  it("reports a schema failure with id, revision, index, pointer and reason", () => {
    const bad = armsDoc("ARMS-BAD", 4);
    (bad.riskFactors as Record<string, unknown>).SEXUAL_PREOCCUPATION = { rating: "MAYBE" };
    const out = readArmsText(JSON.stringify([armsDoc("ARMS-A"), bad, armsDoc("ARMS-C")]));
    expect(out.results.map((r) => r.ok)).toEqual([true, false, true]);
    const failed = out.results[1];
    expect(failed?.ok === false && failed.error).toEqual({
      code: "BRIDGE_E_ARMS_INVALID",
      armsAssessmentId: "ARMS-BAD",
      revision: 4,
      index: 2,
      path: "/riskFactors/SEXUAL_PREOCCUPATION/rating",
      reason: expect.stringContaining("must be equal to one of the allowed values"),
    });
  });

  it("a broken NDJSON line is its own error; the other lines go on", () => {
    const text = [
      JSON.stringify(armsDoc("ARMS-A")),
      '{"schema":"arms-interchange/1", "subject": {"familyName": "Secret"',
      JSON.stringify(armsDoc("ARMS-C")),
    ].join("\n");
    const out = readArmsText(text);
    expect(out.results.map((r) => r.ok)).toEqual([true, false, true]);
    const failed = out.results[1];
    expect(failed?.ok === false && failed.error).toMatchObject({
      index: 2,
      line: 2,
      path: "/",
      armsAssessmentId: null,
    });
    expect(failed?.ok === false && failed.error.reason).toMatch(/^not valid JSON \(line 2, column \d+\)$/);
    expect(JSON.stringify(failed)).not.toContain("Secret");
  });

  it("a document that is not an object", () => {
    const out = readArmsText("[42]");
    expect(out.results[0]?.ok === false && out.results[0].error).toMatchObject({
      path: "/",
      reason: "must be object",
    });
  });

  it.each([
    [
      "a DRAFT is refused inbound",
      (d: Record<string, unknown>) => Object.assign(d, { status: "DRAFT" }),
      "/status",
      /must be COMPLETE/,
    ],
    [
      "an unknown member",
      (d: Record<string, unknown>) => Object.assign(d, { colour: "red" }),
      "/",
      /additional properties \(colour\)/,
    ],
    [
      "a wrong schema tag",
      (d: Record<string, unknown>) => Object.assign(d, { schema: "arms-interchange/2" }),
      "/schema",
      /constant/,
    ],
    [
      "a missing risk level on a COMPLETE assessment",
      (d: Record<string, unknown>) => Object.assign(d, { riskLevel: null }),
      "/riskLevel",
      /required on a COMPLETE/,
    ],
    [
      "a missing assessment date",
      (d: Record<string, unknown>) => Object.assign(d, { assessedOn: null }),
      "/assessedOn",
      /required on a COMPLETE/,
    ],
    [
      "an impossible date",
      (d: Record<string, unknown>) => Object.assign(d, { assessedOn: "2026-02-30" }),
      "/assessedOn",
      /date/,
    ],
    [
      "a non-leap 29 February",
      (d: Record<string, unknown>) => Object.assign(d, { nextReviewDue: "2027-02-29" }),
      "/nextReviewDue",
      /date/,
    ],
    [
      "next review before the assessment",
      (d: Record<string, unknown>) => Object.assign(d, { nextReviewDue: "2026-09-11" }),
      "/nextReviewDue",
      /before the assessment date/,
    ],
    [
      "date of birth after the assessment",
      (d: Record<string, unknown>) =>
        Object.assign(d, { subject: { ...(d.subject as object), dateOfBirth: "2026-09-13" } }),
      "/subject/dateOfBirth",
      /after the assessment date/,
    ],
    [
      // A nullable section is "the section or null": a bad section is reported for what is wrong in it,
      // not as "must be null".
      "a MAPPA level out of range",
      (d: Record<string, unknown>) => Object.assign(d, { mappa: { category: 1, level: 7 } }),
      "/mappa/level",
      /must be <= 3/,
    ],
    [
      "a revision of zero",
      (d: Record<string, unknown>) => Object.assign(d, { revision: 0 }),
      "/revision",
      /must be >= 1/,
    ],
    [
      "pre-fill provenance on a COMPLETE assessment",
      (d: Record<string, unknown>) =>
        Object.assign(d, {
          protectiveFactors: { INTIMATE_RELATIONSHIP: { rating: "PRESENT", unfilledReason: "x" } },
        }),
      "/protectiveFactors/INTIMATE_RELATIONSHIP/unfilledReason",
      /draft-only/,
    ],
  ])("%s", (_case, mutate, path, reason) => {
    const out = readArmsText(JSON.stringify(mutate(armsDoc("ARMS-X", 3))));
    const r = out.results[0];
    expect(r?.ok).toBe(false);
    if (r?.ok === false) {
      expect(r.error.path).toBe(path);
      expect(r.error.reason).toMatch(reason);
      expect(r.error.index).toBe(1);
    }
  });

  it("next review on the assessment day itself is allowed (boundary)", () => {
    const d = Object.assign(armsDoc(), { nextReviewDue: "2026-09-12" });
    expect(readArmsText(JSON.stringify(d)).results[0]?.ok).toBe(true);
  });

  it("DRAFT documents pass when the caller does not require COMPLETE", () => {
    const d = Object.assign(armsDoc(), { status: "DRAFT" });
    expect(readArmsText(JSON.stringify(d), { requireComplete: false }).results[0]?.ok).toBe(true);
  });

  it("does not name an id that is not a valid ARMS id", () => {
    const d = Object.assign(armsDoc(), { armsAssessmentId: "Ashworth-Kerr 1979-06-14 !" });
    const r = readArmsText(JSON.stringify(d)).results[0];
    expect(r?.ok === false && r.error.armsAssessmentId).toBeNull();
  });

  it("never puts subject values in a reason", () => {
    const d = Object.assign(armsDoc(), { subject: { familyName: 12345, dateOfBirth: "1979-06-14" } });
    const r = readArmsText(JSON.stringify(d)).results[0];
    expect(r?.ok === false && r.error.path).toBe("/subject/familyName");
    expect(JSON.stringify(r)).not.toMatch(/12345|1979/);
  });
});

describe("readArmsText: whole-input faults", () => {
  it.each([
    ["plain text", "surname SMITH born 1980"],
    ["XML", "<?xml version='1.0'?><oasysExport/>"],
    ["a truncated pretty-printed array", `${JSON.stringify([armsDoc()], null, 2).slice(0, 80)}`],
    ["an empty input", "  \n "],
  ])("%s fails whole with BRIDGE_E_ARMS_NOT_JSON and no echo of the input", (_case, text) => {
    const e = thrown(() => readArmsText(text));
    expect(isBridgeError(e) && e.code).toBe("BRIDGE_E_ARMS_NOT_JSON");
    expect(String((e as Error).message)).not.toMatch(/SMITH|1980|oasysExport/);
  });

  it("refuses input over the byte limit", () => {
    const e = thrown(() => readArmsText(JSON.stringify(armsDoc()), { maxBytes: 100 }));
    expect(isBridgeError(e) && e.code).toBe("BRIDGE_E_ARMS_LIMIT_EXCEEDED");
  });

  it("refuses more documents than the limit", () => {
    const e = thrown(() =>
      readArmsText(JSON.stringify([armsDoc("A1"), armsDoc("A2"), armsDoc("A3")]), { maxDocuments: 2 }),
    );
    expect(isBridgeError(e) && e.code).toBe("BRIDGE_E_ARMS_LIMIT_EXCEEDED");
  });
});

describe("readArmsFile", () => {
  const dir = mkdtempSync(join(tmpdir(), "arms-reader-"));

  it("reads NDJSON from a file", async () => {
    const file = join(dir, "two.ndjson");
    writeFileSync(file, `${JSON.stringify(armsDoc("ARMS-A"))}\n${JSON.stringify(armsDoc("ARMS-B"))}\n`);
    const out = await readArmsFile(file);
    expect(out.results.every((r) => r.ok)).toBe(true);
  });

  it("a file that is not JSON fails whole, naming the file", async () => {
    const file = join(dir, "not-json.json");
    writeFileSync(file, "this is not json\nnor is this\n");
    await expect(readArmsFile(file)).rejects.toMatchObject({
      code: "BRIDGE_E_ARMS_NOT_JSON",
      context: { file },
    });
  });

  it("checks the size before reading", async () => {
    const file = join(dir, "big.json");
    writeFileSync(file, JSON.stringify(armsDoc()));
    await expect(readArmsFile(file, { maxBytes: 10 })).rejects.toMatchObject({
      code: "BRIDGE_E_ARMS_LIMIT_EXCEEDED",
    });
  });

  it("a missing file is BRIDGE_E_FILE_UNREADABLE", async () => {
    await expect(readArmsFile(join(dir, "absent.json"))).rejects.toMatchObject({
      code: "BRIDGE_E_FILE_UNREADABLE",
      detail: "could not read the ARMS file (ENOENT)",
    });
  });
});
