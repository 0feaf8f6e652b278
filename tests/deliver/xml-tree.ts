/**
 * Test helper: reads an XML document with saxes (the project's XML reader) into a plain tree, refusing a
 * DOCTYPE, so tests can check what the writers produce is well-formed and says what it should.
 */
import { SaxesParser } from "saxes";

export interface Node {
  name: string;
  ns: string;
  attributes: Record<string, string>;
  children: Node[];
  text: string;
}

export function readXml(xml: string): { root: Node; sawDoctype: boolean } {
  const parser = new SaxesParser({ xmlns: true });
  const stack: Node[] = [];
  let root: Node | null = null;
  let sawDoctype = false;
  parser.on("doctype", () => {
    sawDoctype = true;
  });
  parser.on("opentag", (tag) => {
    const attributes: Record<string, string> = {};
    for (const [name, a] of Object.entries(tag.attributes)) {
      if (name !== "xmlns") attributes[name] = a.value;
    }
    const node: Node = { name: tag.local, ns: tag.uri, attributes, children: [], text: "" };
    stack[stack.length - 1]?.children.push(node);
    stack.push(node);
    root ??= node;
  });
  parser.on("text", (t) => {
    const top = stack[stack.length - 1];
    if (top) top.text += t;
  });
  parser.on("closetag", () => {
    stack.pop();
  });
  parser.on("error", (e) => {
    throw e;
  });
  parser.write(xml).close();
  if (!root) throw new Error("no root element");
  return { root, sawDoctype };
}

export const child = (n: Node, name: string): Node | undefined => n.children.find((c) => c.name === name);
export const children = (n: Node, name: string): Node[] => n.children.filter((c) => c.name === name);
/** Text of a leaf child, null when the child is absent. */
export const leaf = (n: Node, name: string): string | null => child(n, name)?.text ?? null;
