/**
 * The export parser: drives saxes over decoded text, enforces the hostile-input rules and limits, checks
 * the root, and hands every closed `<assessment>` to a callback as an `Extraction`. It holds at most the
 * assessment being read. Whole-file faults are thrown as `BridgeError`s naming line and column.
 */
import { type SaxesAttributeNS, SaxesParser, type SaxesTagNS } from "saxes";
import { quoteInput } from "../../core/personal-fields.ts";
import { BridgeError, type ErrorCode, isBridgeError } from "../../errors.ts";
import { AssessmentExtractor, type Extraction, NO_ATTRIBUTES } from "./extract.ts";
import { limitExceeded, type XmlLimits } from "./limits.ts";

export const EXPORT_NAMESPACE = "urn:hmpps:oasys:export:1";
const ROOT = "oasysExport";
const ASSESSMENT = "assessment";

export interface ExportHeader {
  exportId: string | null;
  generatedAt: string | null;
}

export interface ExtractedAssessment extends Extraction {
  /** 1-based position of the assessment in the export. */
  index: number;
  /** Where its start tag is (1-based line and column). */
  line: number;
  column: number;
}

/** The five entities XML predefines; any other reference is refused, not looked up. */
const PREDEFINED_ENTITIES: Readonly<Record<string, string>> = Object.freeze({
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
});

/** Encodings that decode as UTF-8 (US-ASCII is a subset). */
const UTF8_NAMES = /^(utf-?8|us-ascii|ascii)$/i;
const DOCTYPE = "<!DOCTYPE";

export class ExportParser {
  readonly header: ExportHeader = { exportId: null, generatedAt: null };
  private readonly sax = new SaxesParser({ xmlns: true, position: true });
  private depth = 0;
  private sawRoot = false;
  private ns = EXPORT_NAMESPACE;
  private count = 0;
  private current: AssessmentExtractor | null = null;
  private currentStart = { index: 0, line: 0, column: 0, position: 0 };
  /** Stream position (UTF-16 units) of the last event: the distance from it is the open token's size. */
  private lastEvent = 0;
  /** Tail of the text written before the root opened, to find a DOCTYPE split across writes. */
  private prologTail = "";
  /**
   * The attributes of the start tag being read, in source order, as saxes reports them one by one. An
   * array is far cheaper to walk than saxes' `tag.attributes` (a null-prototype dictionary, for which
   * every `for...in` costs ~0.2 µs). A new array per tag that has attributes (truncating one shared array
   * is a runtime call, dearer than the allocation); the extractor may keep it.
   */
  private tagAttributes: SaxesAttributeNS[] | null = null;

  constructor(
    private readonly limits: XmlLimits,
    private readonly onAssessment: (assessment: ExtractedAssessment) => void,
  ) {
    const sax = this.sax;
    sax.ENTITIES = this.refuseUndefinedEntities();
    // Only five handlers, on purpose: saxes stores handlers as properties added after construction, and
    // with six or more V8 turns the parser object into a slow dictionary and parsing gets ~5x slower.
    // Hence no error handler (saxes then throws; see `guarded`), no doctype handler (`refuseDoctype`),
    // no xmldecl handler (`openRoot` reads `xmlDecl`), and no comment/PI handlers (ignored content).
    // The attribute event fires before its tag's opentag; saxes sets `uri` on the same object before
    // opentag fires, so the collected attributes are complete when `openTag` reads them.
    sax.on("attribute", (attribute) => {
      if (this.tagAttributes === null) this.tagAttributes = [attribute as SaxesAttributeNS];
      else this.tagAttributes.push(attribute as SaxesAttributeNS);
    });
    sax.on("opentag", (tag) => this.openTag(tag));
    sax.on("closetag", () => this.closeTag());
    sax.on("text", (text) => this.text(text));
    sax.on("cdata", (text) => this.text(text));
  }

  /** Parse the next piece of decoded text (any size; a split character or tag is carried over). */
  write(text: string): void {
    this.guarded(() => this.sax.write(this.sawRoot ? text : this.refuseDoctype(text)));
    const position = this.sax.position;
    // Text, comments and PIs are only reported when they end: bound what saxes holds meanwhile.
    if (position - this.lastEvent > this.limits.maxTextLength) {
      throw this.limit("maxTextLength", this.limits.maxTextLength);
    }
    if (this.current !== null && position - this.currentStart.position > this.limits.maxAssessmentBytes) {
      throw this.limit("maxAssessmentBytes", this.limits.maxAssessmentBytes);
    }
  }

  /** End of input: saxes checks that the document is complete. */
  end(): void {
    this.guarded(() => this.sax.close());
  }

  /** Current 1-based line and column. */
  where(): { line: number; column: number } {
    return { line: this.sax.line, column: this.sax.column + 1 };
  }

  /** Runs saxes; its own errors (it throws when no error handler is set) become file-level faults. */
  private guarded(parse: () => void): void {
    try {
      parse();
    } catch (e) {
      if (isBridgeError(e)) throw e;
      const reason = (e instanceof Error ? e.message : String(e)).replace(/^\d+:\d+: /, "");
      // A DOCTYPE after the root is refused as a DOCTYPE, whatever saxes calls it.
      if (/doctype/i.test(reason)) throw this.error("BRIDGE_E_XML_DOCTYPE_REFUSED", reason, e);
      throw this.error("BRIDGE_E_XML_NOT_WELL_FORMED", reason, e);
    }
  }

  private openTag(tag: SaxesTagNS): void {
    const sax = this.sax;
    const limits = this.limits;
    const attributes = this.tagAttributes ?? NO_ATTRIBUTES;
    this.tagAttributes = null;
    this.lastEvent = sax.position;
    const depth = ++this.depth;
    if (depth > limits.maxDepth) throw this.limit("maxDepth", limits.maxDepth);
    if (tag.name.length > limits.maxNameLength) throw this.limit("maxNameLength", limits.maxNameLength);
    for (let i = 0; i < attributes.length; i++) {
      if (i >= limits.maxAttributes) throw this.limit("maxAttributes", limits.maxAttributes);
      const attribute = attributes[i] as SaxesAttributeNS;
      if (attribute.name.length > limits.maxNameLength)
        throw this.limit("maxNameLength", limits.maxNameLength);
      if (attribute.value.length > limits.maxTextLength) {
        throw this.limit("maxTextLength", limits.maxTextLength);
      }
    }
    if (this.current !== null) {
      if (sax.position - this.currentStart.position > limits.maxAssessmentBytes) {
        throw this.limit("maxAssessmentBytes", limits.maxAssessmentBytes);
      }
      this.current.open(tag, attributes);
    } else if (depth === 1) {
      this.openRoot(tag);
    } else if (depth === 2 && tag.local === ASSESSMENT && tag.uri === this.ns) {
      this.count++;
      // The start tag has been read: its position is approximately where the parser now is.
      this.currentStart = { index: this.count, ...this.where(), position: sax.position };
      this.current = new AssessmentExtractor(this.ns, tag, attributes);
    }
    // Anything else directly under the root is not part of any assessment and is skipped.
  }

  private closeTag(): void {
    this.lastEvent = this.sax.position;
    const depth = this.depth--;
    const current = this.current;
    if (current === null) return;
    if (depth > 2) {
      current.close();
      return;
    }
    this.current = null;
    const { index, line, column, position } = this.currentStart;
    if (this.sax.position - position > this.limits.maxAssessmentBytes) {
      throw this.limit("maxAssessmentBytes", this.limits.maxAssessmentBytes);
    }
    this.onAssessment({ ...current.finish(), index, line, column });
  }

  private text(text: string): void {
    this.lastEvent = this.sax.position;
    if (text.length > this.limits.maxTextLength) throw this.limit("maxTextLength", this.limits.maxTextLength);
    this.current?.text(text);
  }

  /**
   * Root: `<oasysExport>` in the contract namespace, or with no namespace at all (hand-made and older
   * test exports omit it; the element names are unambiguous). Any other namespace is refused.
   */
  private openRoot(tag: SaxesTagNS): void {
    this.sawRoot = true;
    const encoding = this.sax.xmlDecl.encoding;
    if (encoding !== undefined && !UTF8_NAMES.test(encoding)) {
      throw this.error(
        "BRIDGE_E_XML_ENCODING_REFUSED",
        `declared encoding ${quoteInput("encoding", encoding)} is not UTF-8`,
      );
    }
    if (tag.local !== ROOT || (tag.uri !== EXPORT_NAMESPACE && tag.uri !== "")) {
      const found = tag.uri === "" ? tag.local : `{${tag.uri}}${tag.local}`;
      throw this.error("BRIDGE_E_XML_WRONG_ROOT", `root element is ${found.slice(0, 120)}`);
    }
    this.ns = tag.uri;
    this.header.exportId = tag.attributes.exportId?.value ?? null;
    this.header.generatedAt = tag.attributes.generatedAt?.value ?? null;
  }

  /**
   * Refuse a DOCTYPE as soon as its keyword is seen, before saxes reads (and holds) its internal subset.
   * saxes never expands DTD entities anyway; refusing early also bounds what a huge DTD could cost.
   * Only the prolog is searched; `<!DOCTYPE` in a prolog comment is refused too (no real export has one).
   */
  private refuseDoctype(text: string): string {
    const window = this.prologTail + text;
    this.prologTail = window.slice(-(DOCTYPE.length - 1));
    const at = window.indexOf(DOCTYPE);
    if (at < 0) return text;
    // Parse up to the keyword first: the error then points at it, and tells prolog from content.
    const before = Math.max(0, at - (window.length - text.length));
    this.sax.write(text.slice(0, before));
    if (!this.sawRoot)
      throw this.error("BRIDGE_E_XML_DOCTYPE_REFUSED", "a DOCTYPE declaration is not allowed");
    return text.slice(before);
  }

  private refuseUndefinedEntities(): Record<string, string> {
    return new Proxy(PREDEFINED_ENTITIES as Record<string, string>, {
      get: (target, name) => {
        if (typeof name === "string" && Object.hasOwn(target, name)) return target[name];
        throw this.error(
          "BRIDGE_E_XML_ENTITY_REFUSED",
          "only the five predefined XML entities and character references are allowed",
        );
      },
    });
  }

  private error(code: ErrorCode, detail: string, cause?: unknown): BridgeError {
    const { line, column } = this.where();
    return new BridgeError(code, `line ${line}, column ${column}: ${detail}`, { line, column }, { cause });
  }

  private limit(name: keyof XmlLimits, value: number): BridgeError {
    return limitExceeded(name, value, this.where());
  }
}
