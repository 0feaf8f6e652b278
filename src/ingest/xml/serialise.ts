/**
 * Writes an element the reader does not know back to XML text, so it can be carried as a raw extra.
 * Only leaves are serialised whole (an unknown element with children is carried leaf by leaf).
 */

/** The attribute shape the reader sees (saxes' namespace-aware attribute). */
export interface XmlAttribute {
  /** Qualified name as written, e.g. `band` or `xsi:type`. */
  name: string;
  prefix: string;
  local: string;
  /** Namespace URI; `""` for an unprefixed attribute. */
  uri: string;
  value: string;
}

const TEXT_SPECIALS = /[&<>]/;
const ATTRIBUTE_SPECIALS = /[&<>"\t\n\r]/;

const REPLACEMENTS: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "\t": "&#9;",
  "\n": "&#10;",
  "\r": "&#13;",
};

export function escapeText(text: string): string {
  return TEXT_SPECIALS.test(text) ? text.replace(/[&<>]/g, (c) => REPLACEMENTS[c] as string) : text;
}

export function escapeAttribute(value: string): string {
  return ATTRIBUTE_SPECIALS.test(value)
    ? value.replace(/[&<>"\t\n\r]/g, (c) => REPLACEMENTS[c] as string)
    : value;
}

/** `<name a="1">text</name>`, or `<name a="1"/>` when there is no text. Attributes in source order. */
export function serialiseLeaf(name: string, attributes: readonly XmlAttribute[], text: string): string {
  let out = `<${name}`;
  for (let i = 0; i < attributes.length; i++) {
    const attribute = attributes[i] as XmlAttribute;
    out += ` ${attribute.name}="${escapeAttribute(attribute.value)}"`;
  }
  return text === "" ? `${out}/>` : `${out}>${escapeText(text)}</${name}>`;
}

/** True for `xmlns` and `xmlns:p` declarations, which are syntax, not data. */
export function isNamespaceDeclaration(attribute: XmlAttribute): boolean {
  return attribute.name === "xmlns" || attribute.prefix === "xmlns";
}
