import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { IngestResult } from "../../../src/core/oasys/model.ts";
import { BridgeError } from "../../../src/errors.ts";
import { readOasysExport, readOasysExportFile } from "../../../src/ingest/xml/reader.ts";
import { compactAssessmentXml, exportChunks } from "./support/generate.ts";
import { accepted, collect, fixture, fromBytes, TODAY, thrown } from "./support/read.ts";

const FIXTURES = [
  "contract-example.xml",
  "spelling-variances.xml",
  "unknown-elements-and-attributes.xml",
  "bad-record-in-the-middle.xml",
  "multibyte-text.xml",
];

describe("chunking does not change the result", () => {
  it.each(FIXTURES)("%s read in 1-7 byte chunks equals the file read whole", async (name) => {
    const bytes = readFileSync(fixture(name));
    const whole = await collect(readOasysExport(fromBytes(bytes, [bytes.byteLength]), { today: TODAY }));
    const tiny = await collect(readOasysExport(fromBytes(bytes, [1, 2, 3, 4, 5, 6, 7]), { today: TODAY }));
    const odd = await collect(readOasysExport(fromBytes(bytes, [7, 5, 3]), { today: TODAY }));
    expect(whole.length).toBeGreaterThan(0);
    expect(tiny).toEqual(whole);
    expect(odd).toEqual(whole);
  });

  it("splits multi-byte characters (and UTF-16 surrogate pairs in string chunks) without damage", async () => {
    const bytes = readFileSync(fixture("multibyte-text.xml"));
    const [first, second] = await collect(readOasysExport(fromBytes(bytes, [1]), { today: TODAY }));
    expect(first?.ok && first.source.exportId).toBe("EXP-MULTIBYTE-Ω");
    expect(accepted(first).offender).toMatchObject({ familyName: "ŁÓDŹ-NÉMETH", forenames: ["ZOË", "渡辺"] });
    expect(accepted(first).sections["6"]?.issuesDetails).toBe("Café — “quoted” 😀🙂 𝄞 end");
    expect(accepted(second).sections["6"]?.issuesDetails).toBe("ÿ€𐍈");

    const text = bytes.toString("utf8");
    async function* strings() {
      for (let i = 0; i < text.length; i += 3) yield text.slice(i, i + 3);
    }
    expect(await collect(readOasysExport(strings(), { today: TODAY }))).toEqual([first, second]);
  });
});

describe("large inputs stream with bounded memory", () => {
  it("yields all 20,000 assessments of a generated export, pulling the source only as results are taken", async () => {
    let pulled = 0;
    let taken = 0;
    let maxAhead = 0;
    let rejectedCount = 0;
    let lastPk = 0;
    const source = exportChunks(20_000, compactAssessmentXml, (n) => {
      pulled = n;
    });
    for await (const result of readOasysExport(source, { today: TODAY })) {
      taken++;
      maxAhead = Math.max(maxAhead, pulled - taken);
      if (!result.ok) rejectedCount++;
      else {
        expect(result.assessment.assessmentPk).toBe(lastPk + 1);
        lastPk = result.assessment.assessmentPk;
      }
    }
    expect(taken).toBe(20_000);
    expect(rejectedCount).toBe(0);
    // The reader never runs ahead of its consumer by more than the chunk it is parsing.
    expect(maxAhead).toBeLessThanOrEqual(2);
  });

  it("stops reading and releases the source when the consumer stops early", async () => {
    let pulled = 0;
    let released = false;
    async function* source() {
      try {
        yield* exportChunks(1_000, compactAssessmentXml, (n) => {
          pulled = n;
        });
      } finally {
        released = true;
      }
    }
    const taken: IngestResult[] = [];
    for await (const result of readOasysExport(source(), { today: TODAY })) {
      taken.push(result);
      if (taken.length === 3) break;
    }
    expect(released).toBe(true);
    expect(pulled).toBeLessThanOrEqual(5);
  });

  it("reports progress in bytes read, and can be stopped after the first record", async () => {
    const progress: number[] = [];
    const reader = readOasysExportFile(fixture("spelling-variances.xml"), {
      today: TODAY,
      onProgress: (bytes) => progress.push(bytes),
    });
    const first = await reader.next();
    expect(first.done).toBe(false);
    expect(await reader.return(undefined)).toEqual({ done: true, value: undefined });
    expect(await reader.next()).toEqual({ done: true, value: undefined });
    expect(progress).toEqual([readFileSync(fixture("spelling-variances.xml")).byteLength]);
  });
});

describe("unreadable input", () => {
  it("throws BRIDGE_E_FILE_UNREADABLE for a missing file", async () => {
    const e = await thrown(() => collect(readOasysExportFile(fixture("no-such-file.xml"))));
    expect(e).toBeInstanceOf(BridgeError);
    expect((e as BridgeError).code).toBe("BRIDGE_E_FILE_UNREADABLE");
    expect((e as Error).message).toMatch(/ENOENT/);
  });

  it("throws BRIDGE_E_FILE_UNREADABLE when the source fails mid-way", async () => {
    async function* failing() {
      yield '<oasysExport xmlns="urn:hmpps:oasys:export:1">';
      throw Object.assign(new Error("connection reset"), { code: "ECONNRESET" });
    }
    const e = await thrown(() => collect(readOasysExport(failing())));
    expect((e as BridgeError).code).toBe("BRIDGE_E_FILE_UNREADABLE");
    expect((e as Error).message).toMatch(/ECONNRESET/);
  });
});
