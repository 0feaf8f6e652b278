/**
 * A small XML 1.0 writer for the documents the bridge sends: elements, attributes and text, escaped,
 * nothing else (no DOCTYPE, no entities, no CDATA, no comments). Pure.
 *
 * Escaping: in text `&`, `<`, `>` and carriage return (a parser would turn a literal one into a line feed);
 * in attribute values also `"`, `'` and tab, line feed and carriage return
 * (as character references, so attribute-value normalisation keeps them). Characters XML 1.0 cannot carry
 * at all (C0 controls other than tab/LF/CR, lone surrogates, U+FFFE, U+FFFF) become U+FFFD: free text in
 * a message must never make the whole document unreadable.
 */

export interface XmlElement {
  name: string;
  attributes?: Record<string, string | number | boolean | null | undefined>;
  /** Child elements; null and undefined entries are skipped (optional elements). */
  children?: readonly (XmlElement | null | undefined)[];
  /** Text content (an element has text or children, not both). */
  text?: string | number | null;
}

const NAME = /^[A-Za-z_][A-Za-z0-9._-]*(:[A-Za-z_][A-Za-z0-9._-]*)?$/;
/** XML 1.0 `Char`: tab, LF, CR, U+0020-U+D7FF, U+E000-U+FFFD, U+10000-U+10FFFF. */
const isXmlChar = (cp: number): boolean =>
  cp === 0x9 ||
  cp === 0xa ||
  cp === 0xd ||
  (cp >= 0x20 && cp <= 0xd7ff) ||
  (cp >= 0xe000 && cp <= 0xfffd) ||
  (cp >= 0x10000 && cp <= 0x10ffff);

/** Replaces every character XML 1.0 cannot carry (including lone surrogates) with U+FFFD. */
export function xmlSafe(value: string): string {
  let out = "";
  for (const ch of value) {
    // A lone surrogate iterates as one unit whose code point is in the surrogate range.
    out += isXmlChar(ch.codePointAt(0)!) ? ch : "\uFFFD";
  }
  return out;
}

const TEXT_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;" };
const ATTRIBUTE_ESCAPES: Record<string, string> = {
  ...TEXT_ESCAPES,
  '"': "&quot;",
  "'": "&apos;",
  "\t": "&#9;",
  "\n": "&#10;",
  "\r": "&#13;",
};

export const escapeText = (value: string): string =>
  xmlSafe(value).replace(/[&<>\r]/g, (c) => TEXT_ESCAPES[c]!);

export const escapeAttribute = (value: string): string =>
  xmlSafe(value).replace(/[&<>"'\t\n\r]/g, (c) => ATTRIBUTE_ESCAPES[c]!);

/** An element, skipping attributes whose value is null or undefined. */
export function el(
  name: string,
  attributes: XmlElement["attributes"] = {},
  children: XmlElement["children"] = [],
): XmlElement {
  return { name, attributes, children };
}

/** An element holding text, or null (omitted) when the value is null or undefined. */
export function textEl(name: string, value: string | number | null | undefined): XmlElement | null {
  return value === null || value === undefined ? null : { name, text: value };
}

function checkName(name: string): string {
  if (!NAME.test(name)) throw new Error(`not an XML name: ${name}`);
  return name;
}

function renderElement(e: XmlElement, depth: number, out: string[]): void {
  const pad = "  ".repeat(depth);
  let open = `${pad}<${checkName(e.name)}`;
  for (const [key, value] of Object.entries(e.attributes ?? {})) {
    if (value === null || value === undefined) continue;
    open += ` ${checkName(key)}="${escapeAttribute(String(value))}"`;
  }
  const children = (e.children ?? []).filter((c): c is XmlElement => c !== null && c !== undefined);
  if (e.text !== undefined && e.text !== null) {
    out.push(`${open}>${escapeText(String(e.text))}</${e.name}>`);
  } else if (children.length === 0) {
    out.push(`${open}/>`);
  } else {
    out.push(`${open}>`);
    for (const child of children) renderElement(child, depth + 1, out);
    out.push(`${pad}</${e.name}>`);
  }
}

/** A whole document: the XML declaration (UTF-8) and the root element, two-space indented. */
export function renderXmlDocument(root: XmlElement): string {
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  renderElement(root, 0, out);
  return `${out.join("\n")}\n`;
}
