import { describe, expect, it } from "vitest";
import { recordDigest } from "../../src/core/conflicts/index.ts";
import {
  type CurrentSources,
  correctionFor,
  type DeliveredRecord,
  sourceChanges,
} from "../../src/deliver/corrections.ts";
import { armsAssessment, oasysAssessment } from "../store/support.ts";

const keys = { pnc: "2008/0000101Z", crn: "X000101" };
const oasys = oasysAssessment({ pk: 9630348, keys });
const arms = armsAssessment({ id: "ARMS-ESX-000123", revision: 3, keys });

const delivered: DeliveredRecord = {
  idempotencyKey: "partner-update:ARMS-ESX-000123:r3:9630348:0123456789abcdef",
  recipient: "OASYS",
  kind: "PARTNER_RISK_UPDATE",
  sources: {
    oasys: { assessmentPk: 9630348, storedVersion: 1, digest: recordDigest(oasys) },
    arms: { armsAssessmentId: "ARMS-ESX-000123", revision: 3, digest: recordDigest(arms) },
    mappingVersion: null,
  },
};

function current(o = oasys, storedVersion = 1, a = arms): CurrentSources {
  return {
    oasys: new Map([[o.assessmentPk, { assessment: o, storedVersion }]]),
    arms: new Map([[a.armsAssessmentId, a]]),
  };
}

describe("PU-3 corrections", () => {
  it("nothing is due while the sources are as delivered", () => {
    expect(sourceChanges(delivered.sources, current())).toEqual([]);
    expect(correctionFor(delivered, current(), null)).toBeNull();
  });

  it("nothing is due for a source the store no longer holds", () => {
    expect(correctionFor(delivered, { oasys: new Map(), arms: new Map() }, null)).toBeNull();
  });

  it("names each change: ARMS revised, ARMS corrected in place, OASys corrected, OASys superseded", () => {
    expect(sourceChanges(delivered.sources, current(oasys, 1, { ...arms, revision: 4 }))).toEqual([
      { source: "ARMS", record: "ARMS-ESX-000123", change: "REVISED", delivered: 3, current: 4 },
    ]);
    expect(
      sourceChanges(delivered.sources, current(oasys, 1, { ...arms, riskLevel: "LOW" }))[0]?.change,
    ).toBe("CORRECTED");
    const edited = { ...oasys, assessorSignedDate: "2026-10-03T14:01:00" };
    expect(sourceChanges(delivered.sources, current(edited, 2))).toEqual([
      { source: "OASYS", record: "9630348", change: "CORRECTED", delivered: 1, current: 2 },
    ]);
    const superseded = { ...oasys, later: { ...oasys.later, laterCompleteAssessmentExists: true } };
    expect(sourceChanges(delivered.sources, current(superseded, 2))[0]?.change).toBe("SUPERSEDED");
  });

  it("one key per change, whatever the replacement; another change, another key", () => {
    const revised = current(oasys, 1, { ...arms, revision: 4 });
    const a = correctionFor(delivered, revised, null)!;
    const b = correctionFor(
      delivered,
      revised,
      "partner-update:ARMS-ESX-000123:r4:9630348:fedcba9876543210",
    )!;
    expect(a.idempotencyKey).toBe(b.idempotencyKey);
    expect(a.idempotencyKey.startsWith(`correction:${delivered.idempotencyKey}:`)).toBe(true);
    const again = correctionFor(delivered, current(oasys, 1, { ...arms, revision: 5 }), null)!;
    expect(again.idempotencyKey).not.toBe(a.idempotencyKey);
    expect(a).toMatchObject({
      recipient: "OASYS",
      kind: "CORRECTION_NOTICE",
      correctsKey: delivered.idempotencyKey,
    });
    expect(a.sources.arms).toEqual({
      armsAssessmentId: "ARMS-ESX-000123",
      revision: 4,
      digest: recordDigest({ ...arms, revision: 4 }),
    });
  });

  it("a correction notice is never itself corrected", () => {
    const notice = { ...delivered, kind: "CORRECTION_NOTICE" as const };
    expect(correctionFor(notice, current(oasys, 1, { ...arms, revision: 4 }), null)).toBeNull();
  });
});
