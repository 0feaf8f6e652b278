/** Small helpers for the XML reader tests: fixture paths, string and byte sources, collecting results. */
import { fileURLToPath } from "node:url";
import type { IngestResult, OasysAssessment, RecordError } from "../../../../src/core/oasys/model.ts";
import { readOasysExport, type XmlReadOptions } from "../../../../src/ingest/xml/reader.ts";

export const TODAY = "2026-11-20";

export const fixture = (name: string) =>
  fileURLToPath(new URL(`../../../fixtures/xml/${name}`, import.meta.url));

export async function collect(results: AsyncIterable<IngestResult>): Promise<IngestResult[]> {
  const all: IngestResult[] = [];
  for await (const r of results) all.push(r);
  return all;
}

/** A source that yields the text in one piece. */
export async function* fromString(xml: string): AsyncGenerator<string> {
  yield xml;
}

/** A source that yields the UTF-8 bytes in chunks of the given sizes, cycling through them. */
export async function* fromBytes(bytes: Uint8Array, sizes: readonly number[]): AsyncGenerator<Uint8Array> {
  let at = 0;
  let i = 0;
  while (at < bytes.byteLength) {
    const size = sizes[i++ % sizes.length] as number;
    yield bytes.subarray(at, at + size);
    at += size;
  }
}

export const readString = (xml: string, options: XmlReadOptions = {}) =>
  collect(readOasysExport(fromString(xml), { today: TODAY, ...options }));

/** An export document around the given assessment elements. */
export const exportOf = (...assessments: string[]) =>
  '<?xml version="1.0" encoding="UTF-8"?>\n' +
  '<oasysExport xmlns="urn:hmpps:oasys:export:1" exportId="EXP-TEST-0001" generatedAt="2026-11-20T10:15:00Z">\n' +
  assessments.join("\n") +
  "\n</oasysExport>\n";

/** A minimal valid assessment with the given inner XML. */
export const assessment = (inner = "", attributes = 'assessmentPk="1" type="LAYER3" status="COMPLETE"') =>
  `<assessment ${attributes}>${inner}</assessment>`;

export function accepted(result: IngestResult | undefined): OasysAssessment {
  if (!result?.ok) throw new Error(`expected an accepted assessment, got ${JSON.stringify(result)}`);
  return result.assessment;
}

export function rejected(result: IngestResult | undefined): RecordError {
  if (result === undefined || result.ok)
    throw new Error(`expected a rejection, got ${JSON.stringify(result)}`);
  return result.error;
}

/** Runs `read` and returns the thrown error (fails the test if nothing is thrown). */
export async function thrown(read: () => Promise<unknown>): Promise<unknown> {
  try {
    await read();
  } catch (e) {
    return e;
  }
  throw new Error("expected the read to throw");
}
