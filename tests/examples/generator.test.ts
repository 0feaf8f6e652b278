import { createHash } from "node:crypto";
import { PassThrough, Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { type ExportSummary, generateExport, writeExport } from "../../scripts/lib/generate.ts";
import { mulberry32 } from "../../scripts/lib/prng.ts";
import { parseCro, parsePnc } from "../../src/core/identity/identifiers.ts";
import { readOasysExport } from "../../src/ingest/xml/reader.ts";

function collect(options: Parameters<typeof generateExport>[0]): { text: string; summary: ExportSummary } {
  const chunks: string[] = [];
  const it = generateExport(options);
  for (;;) {
    const step = it.next();
    if (step.done) return { text: chunks.join(""), summary: step.value };
    chunks.push(step.value);
  }
}

const sha = (s: string) => createHash("sha256").update(s).digest("hex");

describe("mulberry32", () => {
  it("gives the same sequence for the same seed and a different one for another seed", () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const c = mulberry32(43);
    const seqA = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(seqA);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(seqA);
    for (const x of seqA) expect(x >= 0 && x < 1).toBe(true);
  });

  it("int stays within its bounds, both included", () => {
    const rng = mulberry32(1);
    const seen = new Set<number>();
    for (let i = 0; i < 500; i++) seen.add(rng.int(3, 5));
    expect([...seen].sort()).toEqual([3, 4, 5]);
  });
});

describe("generateExport", () => {
  it("is deterministic for a seed and differs between seeds", () => {
    const one = collect({ count: 40, seed: 5 });
    const two = collect({ count: 40, seed: 5 });
    const other = collect({ count: 40, seed: 6 });
    expect(sha(one.text)).toBe(sha(two.text));
    expect(one.summary).toEqual(two.summary);
    expect(sha(other.text)).not.toBe(sha(one.text));
  });

  it("averages close to the requested size per assessment and reports its byte count", () => {
    const { text, summary } = collect({ count: 300, seed: 11 });
    expect(summary.bytes).toBe(Buffer.byteLength(text));
    const average = summary.bytes / 300;
    expect(average).toBeGreaterThan(13_000 * 0.85);
    expect(average).toBeLessThan(13_000 * 1.15);
    const large = collect({ count: 300, seed: 11, targetBytes: 26_000 }).summary.bytes / 300;
    expect(large).toBeGreaterThan(average * 1.7);
  });

  it("writes one assessment element per requested record and counts every outcome", () => {
    const { text, summary } = collect({ count: 500, seed: 3, malformedRate: 0.05 });
    expect(text.match(/<assessment[ >]/g)).toHaveLength(500);
    expect(summary.expectedAccepted + summary.expectedRejected).toBe(500);
    expect(summary.expectedRejected).toBeGreaterThan(5);
    const { OPEN, COMPLETE, LOCKED_INCOMPLETE } = summary.byStatus;
    expect(OPEN + COMPLETE + LOCKED_INCOMPLETE).toBe(summary.expectedAccepted);
    expect(OPEN).toBeGreaterThan(0);
    expect(LOCKED_INCOMPLETE).toBeGreaterThan(0);
    expect(text).toContain('purposeCode="620"');
    expect(text).toContain('band="NOT_APPLICABLE"');
    expect(text).toContain('limitedAccessOffender="true"');
    expect(text).toContain("2-Significant problems");
  });

  it("gives every PNC and CRO a correct check letter except the records meant to carry a bad one", () => {
    const { text, summary } = collect({ count: 400, seed: 9, malformedRate: 0 });
    const pncs = [...text.matchAll(/<pnc>([^<]+)<\/pnc>/g)].map((m) => m[1] as string);
    const invalid = pncs.filter((p) => !parsePnc(p, 26).valid);
    expect(invalid).toHaveLength(summary.invalidPnc);
    const cros = [...text.matchAll(/<cro>([^<]+)<\/cro>/g)].map((m) => m[1] as string);
    expect(cros.length).toBeGreaterThan(0);
    expect(cros.every((c) => parseCro(c).valid)).toBe(true);
  });

  it("produces malformed records only when asked to", () => {
    expect(collect({ count: 300, seed: 2, malformedRate: 0 }).summary.expectedRejected).toBe(0);
    expect(collect({ count: 100, seed: 2, malformedRate: 1 }).summary.expectedAccepted).toBe(0);
  });
});

describe("writeExport", () => {
  it("streams the same bytes as the generator and waits for drain on a slow consumer", async () => {
    const received: Buffer[] = [];
    let drains = 0;
    const slow = new Writable({
      highWaterMark: 16 * 1024,
      write(chunk: Buffer, _enc, done) {
        received.push(chunk);
        setImmediate(done);
      },
    });
    slow.on("drain", () => drains++);
    const summary = await writeExport({ count: 60, seed: 4 }, slow);
    expect(Buffer.concat(received).toString("utf8")).toBe(collect({ count: 60, seed: 4 }).text);
    expect(summary.bytes).toBe(Buffer.concat(received).length);
    expect(drains).toBeGreaterThan(0);
  });

  it("stops with the destination's error instead of hanging when the destination fails", async () => {
    let writes = 0;
    const broken = new Writable({
      highWaterMark: 1024,
      write(_chunk, _enc, done) {
        writes++;
        done(Object.assign(new Error("write EPIPE"), { code: "EPIPE" }));
      },
    });
    await expect(writeExport({ count: 200, seed: 4 }, broken)).rejects.toMatchObject({ code: "EPIPE" });
    expect(writes).toBe(1);
  });

  it("works on a PassThrough read by someone else", async () => {
    const pass = new PassThrough();
    let size = 0;
    pass.on("data", (c: Buffer) => {
      size += c.length;
    });
    const summary = await writeExport({ count: 10, seed: 1 }, pass);
    pass.end();
    await new Promise((r) => pass.on("end", r));
    expect(size).toBe(summary.bytes);
  });
});

describe("a generated export read by the bridge", () => {
  it("yields exactly the accepted, rejected, status and warning counts the generator planned", async () => {
    const options = { count: 400, seed: 21, malformedRate: 0.05 };
    const summary = collect(options).summary;
    const chunks = generateExport(options);
    const source = (async function* () {
      yield* chunks;
    })();
    const byStatus: Record<string, number> = { OPEN: 0, COMPLETE: 0, LOCKED_INCOMPLETE: 0 };
    const warnings: Record<string, number> = {};
    const rejectedCodes = new Set<string>();
    let accepted = 0;
    let rejected = 0;
    for await (const r of readOasysExport(source, { today: "2026-11-20" })) {
      if (r.ok) {
        accepted++;
        byStatus[r.assessment.status] = (byStatus[r.assessment.status] ?? 0) + 1;
        for (const w of r.assessment.warnings) warnings[w.code] = (warnings[w.code] ?? 0) + 1;
      } else {
        rejected++;
        rejectedCodes.add(r.error.code);
      }
    }
    expect(accepted).toBe(summary.expectedAccepted);
    expect(rejected).toBe(summary.expectedRejected);
    expect(byStatus).toEqual(summary.byStatus);
    expect(warnings).toEqual(summary.invalidPnc > 0 ? { IDENTIFIER_INVALID: summary.invalidPnc } : {});
    expect([...rejectedCodes].sort()).toEqual(["BRIDGE_E_RECORD_BAD_VALUE", "BRIDGE_E_RECORD_MISSING_FIELD"]);
  });
});
