import { describe, expect, it } from "vitest";
import type { RiskLevel } from "../../src/core/oasys/model.ts";
import type { ArmsSpec, OasysSpec } from "./builders.ts";
import { arms, context, fingerprints, oasys, raised, THRESHOLDS } from "./builders.ts";

type Predictors = NonNullable<OasysSpec["predictors"]>;
const pair = (predictors: Predictors, riskLevel: RiskLevel, staticRisk?: ArmsSpec["staticRisk"]) =>
  context({ oasys: oasys({ predictors }), arms: arms({ riskLevel, ...(staticRisk ? { staticRisk } : {}) }) });

describe("SP-1 OSP high vs ARMS low (WARN)", () => {
  it("fires for OSP/DC High vs ARMS Low", () => {
    const [c] = raised(pair([{ type: "OSP_DC", score: "4.2", band: "High" }], "LOW"), "SP-1");
    expect(c?.fingerprint).toBe("SP-1:OSP_DC");
    expect(c?.severity).toBe("WARN");
  });

  it("uses OSP/C when there is no comparable OSP/DC", () => {
    const ctx = pair(
      [
        { type: "OSP_C", score: "5.0", band: "Very High" },
        { type: "OSP_DC", band: "Not Applicable", score: "1" },
      ],
      "LOW",
    );
    expect(fingerprints(ctx, "SP-1")).toEqual(["SP-1:OSP_C"]);
  });

  it("does not fire for OSP Medium, or ARMS Medium", () => {
    expect(raised(pair([{ type: "OSP_DC", score: "2.0", band: "Medium" }], "LOW"), "SP-1")).toEqual([]);
    expect(raised(pair([{ type: "OSP_DC", score: "4.2", band: "High" }], "MEDIUM"), "SP-1")).toEqual([]);
  });
});

describe("SP-4 gate: NOT_APPLICABLE or null never counts as LOW", () => {
  it("never fires SP-1 or SP-2 from a NOT_APPLICABLE band (e.g. a woman's OSP)", () => {
    const na = [{ type: "OSP_DC", score: "0.1", band: "Not Applicable" }];
    expect(raised(pair(na, "LOW"), "SP-1")).toEqual([]);
    expect(raised(pair(na, "VERY_HIGH"), "SP-2")).toEqual([]);
  });

  it("excludes a predictor with no score or no band", () => {
    expect(raised(pair([{ type: "OSP_DC", band: "Low" }], "VERY_HIGH"), "SP-2")).toEqual([]);
    expect(raised(pair([{ type: "OSP_DC", score: "0.4" }], "VERY_HIGH"), "SP-2")).toEqual([]);
  });
});

describe("SP-6 gate: bands are never recomputed from percentages", () => {
  it("reads the supplied band even when the score would band differently elsewhere", () => {
    // 9.5% would be High on the RSR scale; OASys supplied Low (e.g. risk reduction): Low is what counts.
    const ctx = pair([{ type: "OSP_DC", score: "9.5", band: "Low" }], "VERY_HIGH");
    expect(fingerprints(ctx, "SP-2")).toEqual(["SP-2:OSP_DC"]);
    expect(raised({ ...ctx, arms: arms({ riskLevel: "LOW" }) }, "SP-1")).toEqual([]);
  });
});

describe("SP-2 OSP low vs ARMS very high (INFO)", () => {
  it("fires for OSP Low vs ARMS Very High, not vs ARMS High", () => {
    const low = [{ type: "OSP_DC", score: "0.4", band: "Low" }];
    expect(raised(pair(low, "VERY_HIGH"), "SP-2")[0]?.severity).toBe("INFO");
    expect(raised(pair(low, "HIGH"), "SP-2")).toEqual([]);
  });
});

describe("SP-3 RM2000/S vs OSP/C divergence (INFO)", () => {
  it("fires at a gap of exactly staticBandGapInfo (OASys RM2000/S High vs OSP/C Low)", () => {
    const ctx = context({
      arms: null,
      oasys: oasys({
        predictors: [
          { type: "RM2000_S", points: "4", band: "High" },
          { type: "OSP_C", score: "0.9", band: "Low" },
        ],
      }),
    });
    expect(fingerprints(ctx, "SP-3")).toEqual(["SP-3:RM2000_S~OSP_C"]);
  });

  it("prefers the police RM2000/S anchor when the ARMS holds one", () => {
    const ctx = pair(
      [
        { type: "OSP_C", score: "0.9", band: "Low" },
        { type: "RM2000_S", points: "2", band: "Medium" },
      ],
      "MEDIUM",
      {
        tool: "RM2000_S",
        band: "VERY_HIGH",
        score: 6,
      },
    );
    const [c] = raised(ctx, "SP-3");
    expect(c?.evidence[0]).toMatchObject({ side: "ARMS", value: "VERY_HIGH" });
  });

  it("does not fire at a gap of 1 or when a band is NOT_APPLICABLE", () => {
    const near = context({
      oasys: oasys({
        predictors: [
          { type: "RM2000_S", points: "2", band: "Medium" },
          { type: "OSP_C", score: "0.9", band: "Low" },
        ],
      }),
    });
    expect(raised(near, "SP-3")).toEqual([]);
    const na = context({
      oasys: oasys({
        predictors: [
          { type: "RM2000_S", points: "6", band: "Very High" },
          { type: "OSP_C", score: "0", band: "Not Applicable" },
        ],
      }),
    });
    expect(raised(na, "SP-3")).toEqual([]);
    expect(raised(near, "SP-3", { ...THRESHOLDS, staticBandGapInfo: 1 })).toHaveLength(1);
  });
});

describe("SP-5 different tool generations (INFO)", () => {
  it("fires when ARMS is anchored on OSP/C and OASys now supplies OSP/DC", () => {
    const ctx = pair([{ type: "OSP_DC", score: "1.5", band: "Medium", algorithmVersion: "2.0" }], "MEDIUM", {
      tool: "OSP_C",
      band: "MEDIUM",
    });
    const [c] = raised(ctx, "SP-5");
    expect(c?.fingerprint).toBe("SP-5:OSP_C~OSP_DC");
    expect(c?.evidence.at(-1)).toMatchObject({ field: "predictor:OSP_DC.algorithmVersion", value: "2.0" });
  });

  it("does not fire when both use the same tool, or the ARMS anchor is RM2000/S or not applicable", () => {
    const dc = [{ type: "OSP_DC", score: "1.5", band: "Medium" }];
    expect(raised(pair(dc, "MEDIUM", { tool: "OSP_DC", band: "MEDIUM" }), "SP-5")).toEqual([]);
    expect(raised(pair(dc, "MEDIUM", { tool: "RM2000_S", band: "MEDIUM" }), "SP-5")).toEqual([]);
    expect(raised(pair(dc, "MEDIUM", { tool: "OSP_C", band: "NOT_APPLICABLE" }), "SP-5")).toEqual([]);
  });
});
