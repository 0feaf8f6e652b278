/**
 * YAML text -> plain data, keeping enough of the document to say WHERE a problem is: a JSON pointer into the
 * data becomes `file:line:column` (the `yaml` package's document and line-counter API).
 */
import { isCollection, isMap, isNode, isSeq, LineCounter, type Node, parseDocument } from "yaml";
import { BridgeError } from "../../errors.ts";

export interface YamlSource {
  file: string;
  data: unknown;
  /** 1-based line and column of the node at `pointer`, or of its nearest existing ancestor. */
  locate(pointer: string): { line: number; column: number };
}

/** `/a/0/b~1c` -> ["a", 0, "b/c"]; numeric segments become indices. */
export function pointerSegments(pointer: string): (string | number)[] {
  if (pointer === "" || pointer === "/") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/** A BridgeError naming file, line and column; the detail reads `file:line:col: pointer reason`. */
export function invalidAt(source: YamlSource, pointer: string, reason: string): BridgeError {
  const { line, column } = source.locate(pointer);
  return new BridgeError(
    "BRIDGE_E_MAPPING_INVALID",
    `${source.file}:${line}:${column}: ${pointer || "/"} ${reason}`,
    { file: source.file, line, column, pointer },
  );
}

/** Parse YAML text; a syntax error is a BRIDGE_E_MAPPING_INVALID naming the file and line. */
export function parseYamlSource(text: string, file: string): YamlSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const source: YamlSource = {
    file,
    data: undefined,
    locate(pointer) {
      // Walk down as far as the pointer exists; report the deepest node reached.
      let node: unknown = doc.contents;
      let found = isNode(node) ? (node as Node) : null;
      for (const segment of pointerSegments(pointer)) {
        const next: unknown = isMap(node)
          ? node.get(String(segment), true)
          : isSeq(node) && typeof segment === "number"
            ? node.get(segment, true)
            : undefined;
        if (!isNode(next)) break;
        node = next;
        found = next as Node;
      }
      return found?.range ? at(found.range[0]) : { line: 1, column: 1 };
    },
  };
  const first = doc.errors[0];
  if (first) {
    const { line, column } = at(first.pos[0]);
    throw new BridgeError(
      "BRIDGE_E_MAPPING_INVALID",
      `${file}:${line}:${column}: YAML syntax: ${first.message.split("\n")[0]}`,
      { file, line, column, pointer: null },
    );
  }
  source.data = doc.toJS();
  if (!isCollection(doc.contents)) throw invalidAt(source, "", "must be a YAML mapping");
  return source;
}
