/**
 * A draft's summary is worked out only when read: the pipeline maps every record it reconciles and never
 * reads it, so mapping must not pay for it. `summarise` is wrapped to count its calls.
 */
import { describe, expect, it, vi } from "vitest";

const calls = vi.hoisted(() => ({ summarise: 0 }));
vi.mock("../../src/core/mapping/summary.ts", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../../src/core/mapping/summary.ts")>();
  return {
    ...actual,
    summarise: (...args: Parameters<typeof actual.summarise>) => {
      calls.summarise += 1;
      return actual.summarise(...args);
    },
  };
});

const { applyMapping } = await import("../../src/core/mapping/apply.ts");
const { loadMapping } = await import("../../src/core/mapping/load.ts");
const { readOasysExportFile } = await import("../../src/ingest/xml/reader.ts");

describe("applyMapping's summary", () => {
  it("is not worked out by mapping, and is worked out once however often it is read", async () => {
    const mapping = loadMapping();
    const today = "2026-11-20";
    let mapped = 0;
    for await (const r of readOasysExportFile("examples/oasys/complete-layer3-sexual-items.xml", { today })) {
      if (!r.ok) continue;
      const before = calls.summarise;
      const result = applyMapping(mapping, r.assessment, { today });
      if (!result.ok) continue;
      mapped += 1;
      expect(result.draft.status).toBe("DRAFT");
      expect(calls.summarise).toBe(before);
      const first = result.summary;
      expect(result.summary).toBe(first);
      expect(JSON.parse(JSON.stringify(result)).summary).toEqual(JSON.parse(JSON.stringify(first)));
      expect(calls.summarise).toBe(before + 1);
    }
    expect(mapped).toBeGreaterThan(0);
  });
});
