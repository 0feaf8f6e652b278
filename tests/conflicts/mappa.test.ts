import { describe, expect, it } from "vitest";
import { arms, context, fingerprints, oasys, raised, registrations } from "./builders.ts";

describe("MP-1 MAPPA level disagreement (WARN)", () => {
  it("fires when OASys RMP and ARMS (ViSOR) levels differ", () => {
    const ctx = context({
      oasys: oasys({ rmp: { mappaCategory: "1", mappaLevel: "2" } }),
      arms: arms({ mappa: { category: 1, level: 1 } }),
    });
    const [c] = raised(ctx, "MP-1");
    expect(c?.fingerprint).toBe("MP-1:MAPPA_LEVEL");
    expect(c?.evidence.map((e) => [e.side, e.value])).toEqual([
      ["OASYS", 2],
      ["ARMS", 1],
    ]);
  });

  it("fires when Delius differs from agreeing OASys and ARMS", () => {
    const ctx = context({
      oasys: oasys({ rmp: { mappaLevel: "2" } }),
      arms: arms({ mappa: { category: 1, level: 2 } }),
      registrations: registrations({ mappa: { level: "M3", category: "M1" } }),
    });
    expect(fingerprints(ctx, "MP-1")).toEqual(["MP-1:MAPPA_LEVEL"]);
  });

  it("does not fire when all known levels agree, or when Delius is nominal (M0)", () => {
    const agree = context({
      oasys: oasys({ rmp: { mappaLevel: "2" } }),
      arms: arms({ mappa: { category: 1, level: 2 } }),
      registrations: registrations({ mappa: { level: "M2", category: "M1" } }),
    });
    expect(raised(agree, "MP-1")).toEqual([]);
    const nominal = context({
      oasys: oasys({ rmp: { mappaLevel: "2" } }),
      registrations: registrations({ mappa: { level: "M0", category: "X9" } }),
    });
    expect(raised(nominal, "MP-1")).toEqual([]);
  });
});

describe("MP-2 ViSOR without MAPPA or the reverse, for an RSO (INFO)", () => {
  it("fires for AVIS without MAPP and for MAPP without AVIS", () => {
    expect(
      fingerprints(context({ registrations: registrations({ flags: ["ARSO", "AVIS"] }) }), "MP-2"),
    ).toEqual(["MP-2:AVIS_WITHOUT_MAPP"]);
    expect(fingerprints(context({ registrations: registrations({ flags: ["MAPP"] }) }), "MP-2")).toEqual([
      "MP-2:MAPP_WITHOUT_AVIS",
    ]);
  });

  it("does not fire with both, with neither, for a non-RSO, or without registrations (dormant)", () => {
    expect(raised(context({ registrations: registrations({ flags: ["AVIS", "MAPP"] }) }), "MP-2")).toEqual(
      [],
    );
    expect(raised(context({ registrations: registrations() }), "MP-2")).toEqual([]);
    const nonRso = context({
      arms: null,
      oasys: oasys({ answers: { RM8: "NO" } }),
      registrations: registrations({ flags: ["AVIS"] }),
    });
    expect(raised(nonRso, "MP-2")).toEqual([]);
    expect(raised(context(), "MP-2")).toEqual([]);
  });
});

describe("MP-3 one agency's plan empty for a MAPPA level 2/3 case (INFO)", () => {
  const plan = {
    controls: "curfew",
    monitoring: "home visits",
    rehabilitation: null,
    multiAgencyActions: null,
  };

  it("fires when ARMS has a plan and OASys supervision and monitoring are empty (level 2)", () => {
    const ctx = context({
      oasys: oasys({ rmp: { mappaLevel: "2" } }),
      arms: arms({ riskManagementPlan: plan }),
    });
    expect(fingerprints(ctx, "MP-3")).toEqual(["MP-3:OASYS_PLAN_EMPTY"]);
  });

  it("fires the reverse way for a level 3 case known only to Delius", () => {
    const ctx = context({
      oasys: oasys({ rmp: { supervision: "weekly appointments" } }),
      registrations: registrations({ mappa: { level: "M3", category: "M1" } }),
    });
    expect(fingerprints(ctx, "MP-3")).toEqual(["MP-3:ARMS_PLAN_EMPTY"]);
  });

  it("does not fire at MAPPA level 1, when both or neither have a plan", () => {
    expect(
      raised(
        context({ oasys: oasys({ rmp: { mappaLevel: "1" } }), arms: arms({ riskManagementPlan: plan }) }),
        "MP-3",
      ),
    ).toEqual([]);
    const both = context({
      oasys: oasys({ rmp: { mappaLevel: "2", monitoringAndControl: "tagging" } }),
      arms: arms({ riskManagementPlan: plan }),
    });
    expect(raised(both, "MP-3")).toEqual([]);
    expect(raised(context({ oasys: oasys({ rmp: { mappaLevel: "3" } }) }), "MP-3")).toEqual([]);
  });
});
