/**
 * Streaming reader for the OASys XML export (`urn:hmpps:oasys:export:1`, contract §1).
 *
 * Yields one `IngestResult` per `<assessment>`, in file order, as soon as it closes. Input is pulled one
 * chunk at a time and only when the consumer asks for the next result, so a slow consumer pauses the
 * stream (backpressure) and memory stays bounded whatever the file size. A malformed assessment is
 * yielded as `{ ok: false, error }` and the reader goes on; a whole-file fault (not well-formed, DOCTYPE,
 * entity, limit, wrong root, encoding, unreadable input) is thrown as a `BridgeError`.
 */
import { createReadStream } from "node:fs";
import { buildAssessment } from "../../core/oasys/build.ts";
import type { IngestResult, RecordError } from "../../core/oasys/model.ts";
import { BridgeError, isBridgeError } from "../../errors.ts";
import { Utf8Decoder } from "./decode.ts";
import { limitExceeded, resolveLimits, type XmlLimits } from "./limits.ts";
import { type ExportHeader, ExportParser, type ExtractedAssessment } from "./parser.ts";

export type XmlReadOptions = Partial<XmlLimits> & {
  /** Today `YYYY-MM-DD`, for the two-digit PNC year pivot. Defaults to the clock's UTC date. */
  today?: string;
  /** Called as each input chunk arrives, with the total bytes read so far. */
  onProgress?: (bytesRead: number) => void;
};

/** Decoded text is parsed in pieces of at most this many bytes (so characters): few closed assessments wait at once. */
const SLICE = 64 * 1024;
/** Read size for files: large enough for throughput, small enough to keep memory flat. */
const FILE_CHUNK = 256 * 1024;

export async function* readOasysExport(
  input: AsyncIterable<string | Uint8Array> | NodeJS.ReadableStream,
  options: XmlReadOptions = {},
): AsyncGenerator<IngestResult> {
  const { today = new Date().toISOString().slice(0, 10), onProgress, ...overrides } = options;
  const limits = resolveLimits(overrides);
  const closed: ExtractedAssessment[] = [];
  const parser = new ExportParser(limits, (assessment) => closed.push(assessment));
  const decoder = new Utf8Decoder(() => parser.where());
  const chunks = (input as AsyncIterable<string | Uint8Array>)[Symbol.asyncIterator]();
  let bytesRead = 0;
  try {
    for (;;) {
      const next = await pull(chunks);
      if (next.done) break;
      const chunk = next.value;
      bytesRead += typeof chunk === "string" ? Buffer.byteLength(chunk) : chunk.byteLength;
      if (bytesRead > limits.maxBytes) throw limitExceeded("maxBytes", limits.maxBytes, parser.where());
      onProgress?.(bytesRead);
      for (const piece of pieces(decoder, chunk)) {
        const fault = attempt(() => parser.write(piece));
        for (const assessment of closed) yield toResult(assessment, parser.header, today);
        closed.length = 0;
        if (fault) throw fault.error;
      }
    }
    const fault = attempt(() => {
      parser.write(decoder.end());
      parser.end();
    });
    for (const assessment of closed) yield toResult(assessment, parser.header, today);
    if (fault) throw fault.error;
  } finally {
    // Stops and releases the source (e.g. closes the file) when the consumer stops early or we fail.
    await chunks.return?.();
  }
}

/**
 * The decoded text of `chunk` in pieces of at most SLICE characters. Bytes are decoded piece by piece
 * (each piece its own string: the tokenizer reads a string sliced out of a larger one ~10% slower); a
 * string chunk is sliced. The whole chunk is decoded, so checked, before any of it is parsed.
 */
function pieces(decoder: Utf8Decoder, chunk: string | Uint8Array): string[] {
  if (typeof chunk !== "string") return decoder.decodePieces(chunk, SLICE);
  if (chunk.length <= SLICE) return [chunk];
  const out: string[] = [];
  for (let at = 0; at < chunk.length; at += SLICE) out.push(chunk.slice(at, at + SLICE));
  return out;
}

/** Reads an export file from disk, streaming. */
export function readOasysExportFile(path: string, options?: XmlReadOptions): AsyncGenerator<IngestResult> {
  return readOasysExport(createReadStream(path, { highWaterMark: FILE_CHUNK }), options);
}

/**
 * Runs one parse step and returns its fault instead of throwing, so that every assessment that closed
 * before a whole-file fault is still yielded, deterministically, before the fault is thrown.
 */
function attempt(step: () => void): { error: unknown } | null {
  try {
    step();
    return null;
  } catch (error) {
    return { error };
  }
}

async function pull<T>(chunks: AsyncIterator<T>): Promise<IteratorResult<T>> {
  try {
    return await chunks.next();
  } catch (e) {
    if (isBridgeError(e)) throw e;
    const reason = (e as NodeJS.ErrnoException).code ?? (e instanceof Error ? e.name : "error");
    throw new BridgeError(
      "BRIDGE_E_FILE_UNREADABLE",
      `reading the input failed (${reason})`,
      {},
      { cause: e },
    );
  }
}

/** A raw PK is echoed in errors only when it is a short token (an id), never arbitrary content. */
function pkForError(raw: string | null): string | null {
  const s = raw?.trim() ?? "";
  if (s === "") return null;
  return /^[\w.:/-]{1,40}$/.test(s) ? s : "(not shown: not an id)";
}

function toResult(assessment: ExtractedAssessment, header: ExportHeader, today: string): IngestResult {
  const { raw, problem, index, line, column } = assessment;
  const error = (code: string, path: string, reason: string): RecordError => ({
    code,
    exportId: header.exportId,
    assessmentPk: pkForError(raw.assessmentPk),
    index,
    path,
    reason,
    line,
    column,
  });
  if (problem !== null) return { ok: false, error: error(problem.code, problem.path, problem.reason) };
  const built = buildAssessment(raw, { today });
  if (!built.ok) {
    const { code, path, reason } = built.rejection;
    return { ok: false, error: error(code, path, reason) };
  }
  return {
    ok: true,
    assessment: built.assessment,
    source: { kind: "XML_EXPORT", exportId: header.exportId, generatedAt: header.generatedAt, index },
  };
}
