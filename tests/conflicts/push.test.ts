import { describe, expect, it } from "vitest";
import type { Prefill } from "../../src/core/arms/model.ts";
import { describeHold, pushGate, recordDigest } from "../../src/core/conflicts/push.ts";
import type { PushCandidate, PushedRecord } from "../../src/core/conflicts/types.ts";
import { arms, context, fingerprints, oasys, raised, THRESHOLDS } from "./builders.ts";

const prefill = (over: Partial<Prefill> = {}): Prefill => ({
  source: "OASYS",
  assessmentPk: 9630348,
  question: "11.11",
  sourceValue: "2",
  sourceDate: "2026-10-03T14:05:00",
  basis: "ASSESSMENT",
  strength: "STRONG",
  mappingVersion: "1.0.0",
  note: "synthetic",
  ...over,
});

/** A draft shaped like the mapping's output: inline prefills and a pointer-keyed provenance map. */
const draft = (factorPrefill: Prefill, leaf: Prefill = prefill({ question: "CRN", basis: "FACT" })) =>
  ({
    armsAssessmentId: "DRAFT-9630348",
    revision: 1,
    status: "DRAFT",
    riskFactors: {
      SEXUAL_PREOCCUPATION: {
        rating: "PRESENT",
        prefill: factorPrefill,
        oasysEvidence: [{ question: "11.11", prefill: factorPrefill }],
      },
    },
    prefillProvenance: { "/subject/crn": leaf },
  }) as PushCandidate;

describe("PU-1 gate: no push while a holding conflict awaits a decision (pushPolicy)", () => {
  const policy = THRESHOLDS.pushPolicy;
  const block = { ruleId: "ID-1", severity: "BLOCK" as const, fingerprint: "ID-1:PNC_DIFFERS" };
  const warn = { ruleId: "LV-1", severity: "WARN" as const, fingerprint: "LV-1:ROSH_ABOVE_ARMS" };
  const info = { ruleId: "LV-3", severity: "INFO" as const, fingerprint: "LV-3:ROSH_VS_ARMS" };

  it("the shipped policy: BLOCK and WARN hold (BLOCK with two reviewers), INFO never holds", () => {
    expect(policy).toEqual({
      BLOCK: { holdsPush: true, reviewers: 2 },
      WARN: { holdsPush: true, reviewers: 1 },
      INFO: { holdsPush: false, reviewers: 1 },
    });
  });

  it("holds a push for an open or acknowledged BLOCK or WARN, and says what holds it", () => {
    const gate = pushGate([warn, block, info], policy);
    expect(gate).toEqual({
      allowed: false,
      blockedBy: ["ID-1:PNC_DIFFERS", "LV-1:ROSH_ABOVE_ARMS"],
      heldBySeverity: { BLOCK: 1, WARN: 1 },
    });
    expect(describeHold(gate)).toBe("1 BLOCK and 1 WARN");
    expect(pushGate([{ ...block, status: "ACKNOWLEDGED" }], policy).allowed).toBe(false);
    expect(pushGate([{ ...warn, status: "ACKNOWLEDGED" }], policy).allowed).toBe(false);
  });

  it("allows a push once every holding conflict is resolved or dismissed; INFO alone never holds", () => {
    expect(
      pushGate(
        [
          { ...block, status: "RESOLVED" },
          { ...block, fingerprint: "ID-3:X", status: "DISMISSED" },
          { ...warn, status: "RESOLVED" },
          info,
        ],
        policy,
      ),
    ).toEqual({ allowed: true, blockedBy: [], heldBySeverity: {} });
  });

  it("follows the policy as data: a WARN that does not hold lets the push through", () => {
    const relaxed = { ...policy, WARN: { holdsPush: false, reviewers: 1 as const } };
    expect(pushGate([warn], relaxed).allowed).toBe(true);
    expect(pushGate([warn, block], relaxed).blockedBy).toEqual(["ID-1:PNC_DIFFERS"]);
  });
});

describe("PU-2 provenance on every pushed value (BLOCK)", () => {
  it("does not fire when every value carries source, pk, date, basis and a signed assessor", () => {
    expect(raised(context({ draft: draft(prefill()) }), "PU-2")).toEqual([]);
  });

  it("fires once per missing element, listing the JSON pointers lacking it", () => {
    const ctx = context({
      draft: draft(prefill({ sourceDate: null }), prefill({ basis: "GUESS" as Prefill["basis"] })),
    });
    const found = raised(ctx, "PU-2");
    expect(found.map((c) => c.fingerprint)).toEqual(["PU-2:BASIS", "PU-2:SOURCE_DATE"]);
    expect(found[1]?.evidence.map((e) => e.field)).toEqual([
      "/riskFactors/SEXUAL_PREOCCUPATION",
      "/riskFactors/SEXUAL_PREOCCUPATION/oasysEvidence/0",
    ]);
    expect(found[0]?.evidence.map((e) => e.field)).toEqual(["/subject/crn"]);
  });

  it("fires when the source assessment was never signed by its assessor", () => {
    const ctx = context({ oasys: oasys({ assessorSignedDate: null }), draft: draft(prefill()) });
    expect(fingerprints(ctx, "PU-2")).toEqual(["PU-2:ASSESSOR"]);
  });

  it("accepts the assessor signature the draft itself carries", () => {
    const carried = {
      ...draft(prefill()),
      sourceAssessment: { assessmentPk: 9630348, assessorSignedDate: "2026-10-03T14:00:00" },
    };
    expect(raised(context({ oasys: null, arms: null, draft: carried }), "PU-2")).toEqual([]);
  });

  it("fires when values come from an assessment the bridge does not hold, or without pk or source system", () => {
    expect(fingerprints(context({ draft: draft(prefill({ assessmentPk: 1234 })) }), "PU-2")).toEqual([
      "PU-2:ASSESSOR",
    ]);
    const bad = draft(prefill({ source: "POLICE" as Prefill["source"], assessmentPk: 0 }));
    expect(fingerprints(context({ draft: bad }), "PU-2")).toEqual([
      "PU-2:ASSESSOR",
      "PU-2:SOURCE_ID",
      "PU-2:SOURCE_SYSTEM",
    ]);
  });

  it("is dormant without a draft", () => {
    expect(raised(context(), "PU-2")).toEqual([]);
  });
});

describe("PU-3 correction after a push (WARN)", () => {
  const held = oasys();
  const pushedOasys = (digest: string): PushedRecord => ({
    recipient: "POLICE",
    source: "OASYS",
    sourceId: "9630348",
    sourceRevision: null,
    sourceDigest: digest,
    pushedOn: "2026-10-05",
  });

  it("does not fire when the held OASys is what was pushed", () => {
    expect(raised(context({ oasys: held, pushes: [pushedOasys(recordDigest(held))] }), "PU-3")).toEqual([]);
  });

  it("fires when the same OASys assessment changed after the push", () => {
    const corrected = oasys({ answers: { "11.11": "2" } });
    const ctx = context({ oasys: corrected, pushes: [pushedOasys(recordDigest(held))] });
    expect(fingerprints(ctx, "PU-3")).toEqual(["PU-3:POLICE:OASYS:9630348"]);
  });

  it("fires when a newer ARMS revision supersedes the pushed one, not for the same unchanged revision", () => {
    const rev1 = arms();
    const pushed: PushedRecord = {
      recipient: "PROBATION",
      source: "ARMS",
      sourceId: rev1.armsAssessmentId,
      sourceRevision: 1,
      sourceDigest: recordDigest(rev1),
      pushedOn: "2026-09-13",
    };
    expect(raised(context({ arms: rev1, pushes: [pushed] }), "PU-3")).toEqual([]);
    const rev2 = arms({ revision: 2, riskLevel: "HIGH" });
    expect(fingerprints(context({ arms: rev2, pushes: [pushed] }), "PU-3")).toEqual([
      "PU-3:PROBATION:ARMS:ARMS-TST-000001",
    ]);
  });

  it("ignores pushes of other records, and is dormant without delivery history", () => {
    const other = { ...pushedOasys("0".repeat(64)), sourceId: "1111" };
    expect(raised(context({ pushes: [other] }), "PU-3")).toEqual([]);
    expect(raised(context(), "PU-3")).toEqual([]);
  });

  it("digests records independently of key order", () => {
    expect(recordDigest({ a: 1, b: [1, { c: 2, d: 3 }] })).toBe(
      recordDigest({ b: [1, { d: 3, c: 2 }], a: 1 }),
    );
    expect(recordDigest({ a: 1 })).not.toBe(recordDigest({ a: 2 }));
  });
});
