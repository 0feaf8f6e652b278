import { describe, expect, it } from "vitest";
import {
  compareRevisions,
  decideRevision,
  latestRevision,
  latestRevisions,
  supersedes,
} from "../../src/core/arms/revisions.ts";
import { canonicalJson } from "../../src/core/canonical-json.ts";
import { isBridgeError } from "../../src/errors.ts";
import { armsPerson } from "./people.ts";

const rev = (revision: number, overrides: Parameters<typeof armsPerson>[1] = {}) =>
  armsPerson({}, { armsAssessmentId: "ARMS-ESX-000123", revision, ...overrides });

describe("decideRevision / supersedes", () => {
  it("the first revision seen is accepted", () => {
    expect(decideRevision(rev(1), null)).toEqual({ action: "ACCEPT", reason: "FIRST_REVISION" });
  });

  it("a higher revision supersedes", () => {
    expect(decideRevision(rev(3), rev(2))).toEqual({ action: "ACCEPT", reason: "NEWER_REVISION" });
    expect(supersedes(rev(3), rev(2))).toBe(true);
  });

  it("a late older revision never overwrites a newer one", () => {
    expect(decideRevision(rev(2), rev(3))).toEqual({ action: "IGNORE", reason: "OLDER_REVISION" });
    expect(supersedes(rev(2), rev(3))).toBe(false);
  });

  it("the same revision re-delivered (keys in another order) is ignored as the same content", () => {
    const a = rev(2);
    const reordered = JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(a).reverse())));
    expect(decideRevision(reordered, a)).toEqual({ action: "IGNORE", reason: "SAME_CONTENT" });
  });

  it("the same revision with different content is a conflict, not a replacement", () => {
    const d = decideRevision(rev(2, { riskLevel: "VERY_HIGH" }), rev(2, { riskLevel: "LOW" }));
    expect(d).toEqual({ action: "CONFLICT", reason: "SAME_REVISION_DIFFERENT_CONTENT" });
    expect(supersedes(rev(2, { riskLevel: "VERY_HIGH" }), rev(2, { riskLevel: "LOW" }))).toBe(false);
  });

  it("refuses to compare revisions of different assessments", () => {
    let thrown: unknown;
    try {
      decideRevision(rev(2), armsPerson({}, { armsAssessmentId: "ARMS-OTHER", revision: 1 }));
    } catch (e) {
      thrown = e;
    }
    expect(isBridgeError(thrown) && thrown.code).toBe("BRIDGE_E_INTERNAL");
  });
});

describe("compareRevisions", () => {
  it("sorts by assessment id then revision", () => {
    const docs = [rev(3), armsPerson({}, { armsAssessmentId: "ARMS-AAA", revision: 9 }), rev(1), rev(2)];
    expect(docs.sort(compareRevisions).map((d) => `${d.armsAssessmentId}#${d.revision}`)).toEqual([
      "ARMS-AAA#9",
      "ARMS-ESX-000123#1",
      "ARMS-ESX-000123#2",
      "ARMS-ESX-000123#3",
    ]);
  });
});

describe("latestRevision(s)", () => {
  it("the older revision arriving last does not win", () => {
    const sel = latestRevision([rev(1), rev(3), rev(2)]);
    expect(sel?.latest.revision).toBe(3);
    expect(sel?.superseded.map((d) => d.revision)).toEqual([1, 2]);
    expect(sel?.conflicting).toEqual([]);
  });

  it("the result does not depend on arrival order", () => {
    const orders = [
      [rev(1), rev(2), rev(3)],
      [rev(3), rev(2), rev(1)],
      [rev(2), rev(3), rev(1)],
    ];
    for (const docs of orders) expect(latestRevision(docs)?.latest.revision).toBe(3);
  });

  it("a conflicting copy of the latest revision is reported and the first received kept", () => {
    const first = rev(2, { riskLevel: "LOW" });
    const clash = rev(2, { riskLevel: "HIGH" });
    const sel = latestRevision([rev(1), first, clash, clash]);
    expect(sel?.latest).toBe(first);
    expect(sel?.conflicting).toEqual([clash]);
  });

  it("a conflict at an old revision is dropped once a newer revision arrives", () => {
    const sel = latestRevision([rev(2, { riskLevel: "LOW" }), rev(2, { riskLevel: "HIGH" }), rev(3)]);
    expect(sel?.latest.revision).toBe(3);
    expect(sel?.conflicting).toEqual([]);
    expect(sel?.superseded).toHaveLength(2);
  });

  it("groups by assessment id in order of first appearance", () => {
    const b = armsPerson({}, { armsAssessmentId: "ARMS-B", revision: 1 });
    const sels = latestRevisions([rev(1), b, rev(2)]);
    expect(sels.map((s) => [s.armsAssessmentId, s.latest.revision])).toEqual([
      ["ARMS-ESX-000123", 2],
      ["ARMS-B", 1],
    ]);
  });

  it("empty input gives null; mixed ids are refused by latestRevision", () => {
    expect(latestRevision([])).toBeNull();
    expect(() => latestRevision([rev(1), armsPerson({}, { armsAssessmentId: "ARMS-B" })])).toThrow(
      /more than one ARMS assessment/,
    );
  });
});

describe("canonicalJson", () => {
  it("ignores key order and undefined members, keeps array order", () => {
    expect(canonicalJson({ b: 1, a: [2, 1], c: undefined })).toBe(canonicalJson({ a: [2, 1], b: 1 }));
    expect(canonicalJson([1, 2])).not.toBe(canonicalJson([2, 1]));
  });
});
