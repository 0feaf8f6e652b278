/**
 * Reads completed ARMS assessments in `arms-interchange/1` (contract §3) from a file or a string.
 *
 * Accepted layouts, detected from the text:
 * - one JSON document (an object);
 * - a JSON array of documents;
 * - NDJSON: one document per line (blank lines ignored). Chosen when the whole text is not one JSON
 *   value but its first non-blank line is a JSON object.
 *
 * Each document is checked on its own (`document.ts`): one bad document is reported with its position,
 * id, revision, JSON pointer and reason, and never loses the others. Whole-input faults throw a
 * BridgeError: input that is neither JSON nor NDJSON (`BRIDGE_E_ARMS_NOT_JSON`), input over the size or
 * document-count limits (`BRIDGE_E_ARMS_LIMIT_EXCEEDED`), a file that cannot be read
 * (`BRIDGE_E_FILE_UNREADABLE`). Messages quote positions, never the input (it holds personal data).
 *
 * ARMS files are small (one record is a few KB), so the input is read whole, bounded by `maxBytes`.
 */
import { readFile, stat } from "node:fs/promises";
import type { ArmsAssessment } from "../../core/arms/model.ts";
import { BridgeError } from "../../errors.ts";
import { checkArmsDocument, type DocumentOptions, documentIdentity } from "./document.ts";

export const DEFAULT_MAX_BYTES = 32 * 1024 * 1024;
export const DEFAULT_MAX_DOCUMENTS = 100_000;

export interface ArmsReadOptions extends DocumentOptions {
  /** Largest input accepted, in bytes (default 32 MiB). */
  maxBytes?: number;
  /** Most documents accepted in one input (default 100,000). */
  maxDocuments?: number;
}

/** A refused document: names it by position and ARMS id, never by the person. */
export interface ArmsRecordError {
  code: "BRIDGE_E_ARMS_INVALID";
  armsAssessmentId: string | null;
  revision: number | null;
  /** 1-based position of the document in the input. */
  index: number;
  /** 1-based line, for NDJSON input. */
  line?: number;
  /** JSON pointer into the document (`/subject/dateOfBirth`), `/` for the whole document. */
  path: string;
  reason: string;
}

export type ArmsReadResult =
  | { ok: true; arms: ArmsAssessment; index: number; line?: number }
  | { ok: false; error: ArmsRecordError };

export type ArmsInputLayout = "SINGLE" | "ARRAY" | "NDJSON";

export interface ArmsReadOutcome {
  layout: ArmsInputLayout;
  results: ArmsReadResult[];
}

/** Where JSON.parse stopped, as text that cannot echo the input. */
function parseFailure(e: unknown, text: string, lineOffset = 0): string {
  const position = /position (\d+)/.exec(e instanceof Error ? e.message : "");
  if (!position) return "not valid JSON";
  const before = text.slice(0, Number(position[1]));
  const line = before.split("\n").length + lineOffset;
  const column = before.length - before.lastIndexOf("\n");
  return `not valid JSON (line ${line}, column ${column})`;
}

function tryParse(text: string): { ok: true; value: unknown } | { ok: false; error: unknown } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, error };
  }
}

const isObject = (v: unknown) => v !== null && typeof v === "object" && !Array.isArray(v);

interface Located {
  value: unknown;
  index: number;
  line?: number;
  /** Set when the NDJSON line did not parse. */
  parseError?: string;
}

function splitDocuments(text: string): { layout: ArmsInputLayout; documents: Located[] } {
  const whole = tryParse(text);
  if (whole.ok) {
    return Array.isArray(whole.value)
      ? { layout: "ARRAY", documents: whole.value.map((value, i) => ({ value, index: i + 1 })) }
      : { layout: "SINGLE", documents: [{ value: whole.value, index: 1 }] };
  }
  const lines = text.split("\n");
  const firstLine = lines.findIndex((l) => l.trim() !== "");
  const first = firstLine >= 0 ? tryParse(lines[firstLine] as string) : null;
  if (!first?.ok || !isObject(first.value)) {
    throw new BridgeError("BRIDGE_E_ARMS_NOT_JSON", parseFailure(whole.error, text));
  }
  const documents: Located[] = [];
  lines.forEach((raw, i) => {
    if (raw.trim() === "") return;
    const parsed = tryParse(raw);
    const at = { index: documents.length + 1, line: i + 1 };
    documents.push(
      parsed.ok
        ? { value: parsed.value, ...at }
        : { value: null, ...at, parseError: parseFailure(parsed.error, raw, i) },
    );
  });
  return { layout: "NDJSON", documents };
}

/** Read ARMS interchange documents from text already in memory. */
export function readArmsText(text: string, options: ArmsReadOptions = {}): ArmsReadOutcome {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > maxBytes) {
    throw new BridgeError(
      "BRIDGE_E_ARMS_LIMIT_EXCEEDED",
      `input is ${bytes} bytes; the limit is ${maxBytes}`,
    );
  }
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.trim() === "") throw new BridgeError("BRIDGE_E_ARMS_NOT_JSON", "the input is empty");

  const { layout, documents } = splitDocuments(body);
  const maxDocuments = options.maxDocuments ?? DEFAULT_MAX_DOCUMENTS;
  if (documents.length > maxDocuments) {
    throw new BridgeError(
      "BRIDGE_E_ARMS_LIMIT_EXCEEDED",
      `input holds ${documents.length} documents; the limit is ${maxDocuments}`,
    );
  }
  const results = documents.map((doc): ArmsReadResult => {
    const where = doc.line === undefined ? { index: doc.index } : { index: doc.index, line: doc.line };
    if (doc.parseError) {
      return {
        ok: false,
        error: {
          code: "BRIDGE_E_ARMS_INVALID",
          armsAssessmentId: null,
          revision: null,
          ...where,
          path: "/",
          reason: doc.parseError,
        },
      };
    }
    const checked = checkArmsDocument(doc.value, options);
    if (checked.ok) return { ok: true, arms: checked.arms, ...where };
    return {
      ok: false,
      error: {
        code: "BRIDGE_E_ARMS_INVALID",
        ...documentIdentity(doc.value),
        ...where,
        path: checked.path,
        reason: checked.reason,
      },
    };
  });
  return { layout, results };
}

/** Read ARMS interchange documents from a file (size checked before reading). */
export async function readArmsFile(path: string, options: ArmsReadOptions = {}): Promise<ArmsReadOutcome> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  let text: string;
  try {
    const info = await stat(path);
    if (info.size > maxBytes) {
      throw new BridgeError(
        "BRIDGE_E_ARMS_LIMIT_EXCEEDED",
        `file is ${info.size} bytes; the limit is ${maxBytes}`,
        {
          file: path,
        },
      );
    }
    text = await readFile(path, "utf8");
  } catch (e) {
    if (e instanceof BridgeError) throw e;
    const code = (e as NodeJS.ErrnoException).code ?? "unknown";
    throw new BridgeError(
      "BRIDGE_E_FILE_UNREADABLE",
      `could not read the ARMS file (${code})`,
      { file: path },
      { cause: e },
    );
  }
  try {
    return readArmsText(text, options);
  } catch (e) {
    if (e instanceof BridgeError)
      throw new BridgeError(e.code, e.detail, { ...e.context, file: path }, { cause: e });
    throw e;
  }
}
