/**
 * Conflict thresholds: YAML text -> validated `Thresholds`. Parsing is pure (text in, value or error out);
 * `load-thresholds.ts` does the one file read. Every error names the file, line and column, so a data team
 * editing the YAML sees exactly what to fix.
 */
import { type Document, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";
import { BridgeError } from "../../errors.ts";
import { schemaValidator } from "../schemas.ts";
import type { PushPolicy, Thresholds, ThresholdValues } from "./types.ts";

export const THRESHOLDS_SCHEMA = "conflict-thresholds.schema.json";

export interface ThresholdsFile {
  version: string;
  changelog: { version: string; date: string; change: string }[];
  thresholds: ThresholdValues;
  pushPolicy: PushPolicy;
}

interface Position {
  line: number;
  column: number;
}

function invalid(file: string, at: Position | null, path: string, reason: string): BridgeError {
  const where = at ? `${file}:${at.line}:${at.column}` : file;
  return new BridgeError("BRIDGE_E_THRESHOLDS_INVALID", `${where} ${path} ${reason}`, {
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

/** Checks the schema cannot express. Each names the pointer of the offending value. */
function semanticProblems(file: ThresholdsFile): { path: string; reason: string }[] {
  const t = file.thresholds;
  const problems: { path: string; reason: string }[] = [];
  if (t.levelGapInfo >= t.levelGapWarn) {
    problems.push({ path: "/thresholds/levelGapInfo", reason: "must be smaller than levelGapWarn" });
  }
  const overlap = t.factorPresentRatings.filter((r) => t.factorAbsentRatings.includes(r));
  if (overlap.length > 0) {
    problems.push({
      path: "/thresholds/factorAbsentRatings",
      reason: `rating(s) ${overlap.join(", ")} cannot mean both present and absent`,
    });
  }
  if (!file.changelog.some((c) => c.version === file.version)) {
    problems.push({ path: "/version", reason: `has no changelog entry for version ${file.version}` });
  }
  return problems;
}

/** Parse and validate the thresholds YAML. Throws `BRIDGE_E_THRESHOLDS_INVALID` naming file:line:column. */
export function parseThresholds(text: string, file: string): Thresholds {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true });
  const syntax = doc.errors[0];
  if (syntax) {
    const pos = syntax.linePos?.[0];
    throw invalid(
      file,
      pos ? { line: pos.line, column: pos.col } : null,
      "/",
      syntax.message.split("\n")[0] ?? "",
    );
  }
  const data = doc.toJS() as unknown;
  const validate = schemaValidator(THRESHOLDS_SCHEMA);
  if (!validate(data)) {
    const e = validate.errors?.[0];
    const path = e?.instancePath || "/";
    const extra = e?.keyword === "additionalProperties" ? (e.params as { additionalProperty: string }) : null;
    const node = nodeAt(doc, e?.instancePath ?? "", extra?.additionalProperty);
    const reason = extra
      ? `has an unknown setting "${extra.additionalProperty}"`
      : e?.keyword === "enum"
        ? `${e.message} (${JSON.stringify((e.params as { allowedValues: unknown[] }).allowedValues)})`
        : (e?.message ?? "is invalid");
    throw invalid(file, positionOf(node, lines), path, reason);
  }
  const parsed = data as ThresholdsFile;
  const problem = semanticProblems(parsed)[0];
  if (problem)
    throw invalid(file, positionOf(nodeAt(doc, problem.path), lines), problem.path, problem.reason);
  return { version: parsed.version, ...parsed.thresholds, pushPolicy: parsed.pushPolicy };
}
