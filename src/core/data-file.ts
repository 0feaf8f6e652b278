/**
 * The data files a data team edits (conflict thresholds, retention periods): YAML text -> plain data,
 * validated against its JSON Schema and then by checks the schema cannot express, every problem named by
 * file, line and column under the file's own registry code. Pure: the loaders do the one file read.
 */
import type { ErrorObject } from "ajv";
import { type Document, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";
import { BridgeError, type ErrorCode } from "../errors.ts";
import { schemaValidator } from "./schemas.ts";

interface Position {
  line: number;
  column: number;
}

/** A problem the schema cannot see, at a JSON pointer into the data. */
export interface DataFileProblem {
  path: string;
  reason: string;
}

export interface DataFileRules<T> {
  /** The schema file under schemas/. */
  schema: string;
  /** The registry code every problem is raised under (BRIDGE_E_THRESHOLDS_INVALID...). */
  code: ErrorCode;
  /** A wording of the first schema error of its own, or null for the usual one. */
  describe?: (error: ErrorObject) => string | null;
  /** Checks the schema cannot express, on schema-valid data; the first one found is raised. */
  problems?: (data: T) => DataFileProblem[];
}

function invalid(code: ErrorCode, file: string, at: Position | null, path: string, reason: string) {
  const where = at ? `${file}:${at.line}:${at.column}` : file;
  return new BridgeError(code, `${where} ${path} ${reason}`, {
    file,
    line: at?.line ?? null,
    column: at?.column ?? null,
    path,
  });
}

const unescapePointer = (s: string) => s.replace(/~1/g, "/").replace(/~0/g, "~");

/**
 * Where a JSON pointer points in the YAML: a scalar value itself, or the key that introduces a map or list
 * (whose own first token may sit lines below, after comments). Falls back to the nearest existing ancestor.
 * With `key`, the key node of that member (for "unknown setting" errors).
 */
export function nodeAt(doc: Document, pointer: string, key?: string): Node | null {
  const segments = pointer === "" || pointer === "/" ? [] : pointer.split("/").slice(1).map(unescapePointer);
  if (key !== undefined) segments.push(key);
  let node = doc.contents as Node | null;
  let introducedBy: Node | null = null;
  for (const [i, seg] of segments.entries()) {
    const last = i === segments.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === seg);
      if (!pair) break;
      if (last && key !== undefined) return pair.key as Node;
      introducedBy = pair.key as Node;
      node = pair.value as Node | null;
    } else if (isSeq(node)) {
      const item = node.items[Number(seg)] as Node | undefined;
      if (!item) break;
      introducedBy = null;
      node = item;
    } else {
      break;
    }
  }
  return isScalar(node) || introducedBy === null ? node : introducedBy;
}

export function positionOf(node: Node | null, lines: LineCounter): Position | null {
  const offset = node?.range?.[0];
  if (offset === undefined) return null;
  const { line, col } = lines.linePos(offset);
  return { line, column: col };
}

/** A file with `version` and `changelog`: the version in force must have its changelog entry. */
export function changelogProblems(file: {
  version: string;
  changelog: readonly { version: string }[];
}): DataFileProblem[] {
  return file.changelog.some((c) => c.version === file.version)
    ? []
    : [{ path: "/version", reason: `has no changelog entry for version ${file.version}` }];
}

/** Parse and validate a data file. Throws the rules' code naming file:line:column. */
export function parseDataFile<T>(text: string, file: string, rules: DataFileRules<T>): T {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true });
  const syntax = doc.errors[0];
  if (syntax) {
    const pos = syntax.linePos?.[0];
    throw invalid(
      rules.code,
      file,
      pos ? { line: pos.line, column: pos.col } : null,
      "/",
      syntax.message.split("\n")[0] ?? "",
    );
  }
  const data = doc.toJS() as unknown;
  const validate = schemaValidator(rules.schema);
  if (!validate(data)) {
    const e = validate.errors?.[0];
    const extra = e?.keyword === "additionalProperties" ? (e.params as { additionalProperty: string }) : null;
    const node = nodeAt(doc, e?.instancePath ?? "", extra?.additionalProperty);
    const reason = extra
      ? `has an unknown setting "${extra.additionalProperty}"`
      : ((e && rules.describe?.(e)) ??
        (e?.keyword === "enum"
          ? `${e.message} (${JSON.stringify((e.params as { allowedValues: unknown[] }).allowedValues)})`
          : (e?.message ?? "is invalid")));
    throw invalid(rules.code, file, positionOf(node, lines), e?.instancePath || "/", reason);
  }
  const problem = rules.problems?.(data as T)[0];
  if (problem) {
    throw invalid(
      rules.code,
      file,
      positionOf(nodeAt(doc, problem.path), lines),
      problem.path,
      problem.reason,
    );
  }
  return data as T;
}
