/**
 * `xml-candidate.ts <candidate> <file>`: reads one OASys export with one XML strategy and prints a
 * JSON measurement. Run by the ingest suite, one process per candidate, so peak RSS is the candidate's.
 *
 *   ours            the bridge's reader: saxes + extraction + normalisation + schema validation (streamed)
 *   saxes           the saxes tokenizer alone, same options as the reader, counting <assessment> (streamed)
 *   fast-xml-parser the whole file read into a string and parsed into one object tree, as it must be
 *   xml2js          the same with xml2js
 *   baseline        nothing: the cost of Node + the TypeScript loader, to read the others against
 */
import { createReadStream } from "node:fs";
import { readFile, stat } from "node:fs/promises";

export interface CandidateResult {
  candidate: string;
  bytes: number;
  assessments: number;
  accepted: number | null;
  rejected: number | null;
  wallMs: number;
  cpuMs: number;
  maxRssMb: number;
}

type Counts = Pick<CandidateResult, "assessments" | "accepted" | "rejected">;

const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

type Reader = (file: string) => Promise<Counts>;

/** Each candidate loads its modules first (not timed), then returns the timed read. */
const CANDIDATES: Record<string, () => Promise<Reader>> = {
  async ours() {
    const { readOasysExportFile } = await import("../../src/ingest/xml/reader.ts");
    return async (file) => {
      let accepted = 0;
      let rejected = 0;
      for await (const r of readOasysExportFile(file, { today: "2026-11-20" })) {
        if (r.ok) accepted++;
        else rejected++;
      }
      return { assessments: accepted + rejected, accepted, rejected };
    };
  },
  async saxes() {
    const { SaxesParser } = await import("saxes");
    return async (file) => {
      const parser = new SaxesParser({ xmlns: true, position: true });
      let assessments = 0;
      parser.on("opentag", (tag) => {
        if (tag.local === "assessment") assessments++;
      });
      for await (const chunk of createReadStream(file, { encoding: "utf8", highWaterMark: 256 * 1024 })) {
        parser.write(chunk as string);
      }
      parser.close();
      return { assessments, accepted: null, rejected: null };
    };
  },
  async "fast-xml-parser"() {
    const { XMLParser } = await import("fast-xml-parser");
    return async (file) => {
      const text = await readFile(file, "utf8");
      const doc = new XMLParser({ ignoreAttributes: false, removeNSPrefix: true }).parse(text) as {
        oasysExport?: { assessment?: unknown };
      };
      return { assessments: asArray(doc.oasysExport?.assessment).length, accepted: null, rejected: null };
    };
  },
  async xml2js() {
    const { parseStringPromise } = await import("xml2js");
    return async (file) => {
      const text = await readFile(file, "utf8");
      const doc = (await parseStringPromise(text)) as { oasysExport?: { assessment?: unknown } };
      return { assessments: asArray(doc.oasysExport?.assessment).length, accepted: null, rejected: null };
    };
  },
  async baseline() {
    return async () => ({ assessments: 0, accepted: null, rejected: null });
  },
};

async function main(): Promise<void> {
  const [candidate = "", file = ""] = process.argv.slice(2);
  const load = CANDIDATES[candidate];
  if (!load || !file) throw new Error(`usage: xml-candidate <${Object.keys(CANDIDATES).join("|")}> <file>`);
  const { size } = await stat(file);
  const run = await load();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const counts = await run(file);
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const result: CandidateResult = {
    candidate,
    bytes: size,
    ...counts,
    wallMs: Math.round(wallMs),
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

await main();
