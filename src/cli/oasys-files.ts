/**
 * Reading an OASys XML export file for a command, the one way `parse`, `prefill`, `mapping diff|coverage`
 * and `reconcile --oasys` do. A JSON file given instead (`bridge parse arms.json`) is refused at once as
 * what it is, with where it belongs, rather than read to its end and reported as "not well-formed XML".
 * What it is comes from the content, not the file name: the first character that is not white space,
 * then the `schema` and `armsAssessmentId` keys near the start.
 */
import { open } from "node:fs/promises";
import type { IngestResult } from "../core/oasys/model.ts";
import { BridgeError } from "../errors.ts";
import { readOasysExportFile, type XmlReadOptions } from "../ingest/xml/reader.ts";

/** A JSON document in place of an export: ARMS interchange, canonical OASys records, or other JSON. */
export type JsonKind = "ARMS" | "CANONICAL" | "JSON";

/** How much of the file's start is looked at. */
const HEAD_BYTES = 16 * 1024;

/** What kind of JSON `head` (a file's first bytes, decoded) starts, or null when it does not start JSON. */
export function jsonKindOf(head: string): JsonKind | null {
  const text = head.replace(/^\uFEFF/, "").trimStart();
  if (!text.startsWith("{") && !text.startsWith("[")) return null;
  const schema = /"schema"\s*:\s*"([^"]*)"/.exec(text)?.[1] ?? "";
  if (schema.startsWith("arms-interchange/")) return "ARMS";
  if (schema.startsWith("oasys-canonical/")) return "CANONICAL";
  if (/"armsAssessmentId"\s*:/.test(text)) return "ARMS";
  if (/"(assessments|assessmentPk)"\s*:/.test(text)) return "CANONICAL";
  return "JSON";
}

const WHERE: Record<JsonKind, string> = {
  ARMS: "it looks like an ARMS interchange document (arms-interchange/1); did you mean 'bridge reconcile --arms <file>'?",
  CANONICAL:
    "it looks like canonical OASys assessments (oasys-canonical/1, as 'bridge parse --json' writes them), which only the API takes (a JSON bundle to POST /v1/oasys/exports); did you mean the XML export they were read from?",
  JSON: "this command reads OASys XML exports (urn:hmpps:oasys:export:1)",
};

/** The detail of the refusal: what the file is and where it belongs. */
export const jsonInsteadOfXml = (kind: JsonKind): string =>
  `this is JSON, not an OASys XML export: ${WHERE[kind]}`;

/** The start of a file, or null when it cannot be opened (the reader then says why). */
async function headOf(file: string): Promise<string | null> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(file, "r");
  } catch {
    return null;
  }
  try {
    const buffer = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, HEAD_BYTES, 0);
    return buffer.subarray(0, bytesRead).toString("utf8");
  } catch {
    return null;
  } finally {
    await handle.close();
  }
}

/**
 * `readOasysExportFile`, after refusing a JSON file whole (BRIDGE_E_USAGE, before any record): the
 * caller reports it as it reports any file that fails whole.
 */
export async function* readOasysFile(file: string, options?: XmlReadOptions): AsyncGenerator<IngestResult> {
  const head = await headOf(file);
  const kind = head === null ? null : jsonKindOf(head);
  if (kind) throw new BridgeError("BRIDGE_E_USAGE", jsonInsteadOfXml(kind), { jsonKind: kind });
  yield* readOasysExportFile(file, options);
}
