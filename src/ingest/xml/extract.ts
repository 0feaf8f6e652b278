/**
 * Extracts one `<assessment>` of the OASys XML export into a `RawAssessment`, event by event (no DOM).
 * It only stores the strings it finds; `buildAssessment` normalises and validates them. Unknown elements
 * and attributes are carried as extras (`{path, raw}`), and an `<answer q>` anywhere under the assessment
 * lands in `answers`. Structural faults (an answer without `q`, a section without `code`, a field given
 * twice) are recorded as the record's problem; the caller rejects that record alone.
 */
import {
  emptyRawAssessment,
  emptyRawPredictor,
  emptyRawRmp,
  emptyRawRosh,
  type RawAssessment,
} from "../../core/oasys/build.ts";
import type { Extra } from "../../core/oasys/model.ts";
import { isQuotable } from "../../core/personal-fields.ts";
import {
  ASSESSMENT_FIELDS,
  emptySection,
  type FieldTable,
  FORENAME,
  MAPPA_FIELDS,
  OFFENDER_FIELDS,
  PREDICTOR_FIELDS,
  type RawSection,
  RMP_FIELDS,
  ROSH_FIELDS,
  SECTION_FIELDS,
} from "./fields.ts";
import { isNamespaceDeclaration, serialiseLeaf, type XmlAttribute } from "./serialise.ts";

/** The element shape the extractor is fed (saxes' namespace-aware tag satisfies it). */
export interface XmlElementStart {
  name: string;
  local: string;
  uri: string;
}

/** An element's attributes in source order (a new array per element: the extractor may keep it). */
export type XmlAttributes = readonly XmlAttribute[];

export const NO_ATTRIBUTES: XmlAttributes = Object.freeze([]);

/** The value of the unprefixed attribute `name` (as saxes' `attributes[name]` would give it). */
function attributeValue(attributes: XmlAttributes, name: string): string | undefined {
  for (let i = 0; i < attributes.length; i++) {
    const attribute = attributes[i] as XmlAttribute;
    if (attribute.name === name) return attribute.value;
  }
  return undefined;
}

export interface StructuralProblem {
  code: "BRIDGE_E_RECORD_INVALID" | "BRIDGE_E_RECORD_MISSING_FIELD";
  /** Relative to the assessment, in the same style as `buildAssessment`'s paths. */
  path: string;
  reason: string;
}

export interface Extraction {
  raw: RawAssessment;
  problem: StructuralProblem | null;
}

type Kind =
  // containers: may hold answers, fields and unknown children
  | "assessment"
  | "offender"
  | "section"
  | "rosh"
  | "predictors"
  | "rmp"
  | "group"
  // leaves: their text is the value; children are unknown extras
  | "field"
  | "answer"
  | "riskLevel"
  | "predictor"
  | "mappa"
  // not known yet whether a leaf (carried whole) or a group (carried leaf by leaf)
  | "unknown";

class Frame {
  text = "";
  /** Some text piece had a character other than white space (a container's text is then an extra). */
  nonBlank = false;
  /** Names of single-valued fields already given in this container (attributes and elements; few). */
  seen: string[] | null = null;
  /** Ordinal of `<answer>`, `<section>`, `<predictor>`... children, for paths of unnamed ones. */
  ordinal = 0;
  /** field: stores the text into `target`. */
  store: ((target: never, value: string) => void) | null = null;
  target: unknown = null;
  /** unknown: kept to serialise the element if it turns out to be a leaf. */
  attributes: XmlAttributes | null = null;
  /** answer: the question code; riskLevel: group and setting. */
  code: string | null = null;
  setting: string | null = null;
  /** forenameN field: N. */
  forename = 0;
  private joined: string | null;

  /** The path is joined only when asked for: most fields' paths are never used. */
  constructor(
    public kind: Kind,
    readonly name: string,
    private readonly parentPath: string,
    private readonly segment: string,
  ) {
    this.joined = parentPath === "" ? segment : null;
  }

  get path(): string {
    this.joined ??= `${this.parentPath}/${this.segment}`;
    return this.joined;
  }
}

const absolute = (path: string) => (path === "" ? "assessment" : `assessment/${path}`);
const NOT_BLANK = /\S/;
const LEAVES: ReadonlySet<Kind> = new Set(["field", "answer", "riskLevel", "predictor", "mappa"]);

/** True when `text` has a non-white-space character (as `/\S/` says), checking XML white space first. */
function hasNonBlank(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return NOT_BLANK.test(text);
  }
  return false;
}

const byPosition = (a: [number, string], b: [number, string]) => a[0] - b[0];

/**
 * Attribute values used in paths are codes, but they are input: one that `quoteInput` would not quote
 * (long, shaped like a date or an identifier) is shown as `…` (src/core/personal-fields.ts).
 */
const pathValue = (value: string) => (isQuotable("@code", value) ? value : "…");

export class AssessmentExtractor {
  private readonly raw = emptyRawAssessment();
  private readonly stack: Frame[] = [];
  private readonly forenames: [number, string][] = [];
  private problem: StructuralProblem | null = null;

  /** @param ns the export's namespace: elements in any other namespace are unknown. */
  constructor(
    private readonly ns: string,
    assessment: XmlElementStart,
    attributes: XmlAttributes,
  ) {
    const frame = new Frame("assessment", assessment.name, "", "");
    this.stack.push(frame);
    this.attributes(frame, attributes, ASSESSMENT_FIELDS, this.raw);
  }

  /** The raw PK as given (for error messages, before it is validated). */
  get assessmentPk(): string | null {
    return this.raw.assessmentPk;
  }

  open(element: XmlElementStart, attributes: XmlAttributes): void {
    const parent = this.stack[this.stack.length - 1] as Frame;
    const frame = element.uri === this.ns ? this.known(parent, element, attributes) : null;
    this.stack.push(frame ?? this.unknown(parent, element, attributes));
  }

  text(text: string): void {
    const frame = this.stack[this.stack.length - 1] as Frame;
    frame.text += text;
    if (!frame.nonBlank && hasNonBlank(text)) frame.nonBlank = true;
  }

  close(): void {
    const frame = this.stack.pop() as Frame;
    const text = frame.text;
    switch (frame.kind) {
      case "field":
        if (frame.store === null) this.forenames.push([frame.forename, text]);
        else (frame.store as (target: unknown, value: string) => void)(frame.target, text);
        return;
      case "answer":
        if (frame.code !== null) this.raw.answers.push({ code: frame.code, raw: text, path: frame.path });
        return;
      case "riskLevel":
        // A riskLevel frame only opens inside <roshSummary>, which created raw.rosh.
        this.raw.rosh!.levels.push({
          group: frame.code,
          setting: frame.setting,
          level: text,
          path: frame.path,
        });
        return;
      case "unknown":
        this.extra(frame.path, serialiseLeaf(frame.name, frame.attributes ?? NO_ATTRIBUTES, text));
        return;
      default:
        if (frame.nonBlank) this.extra(`${frame.path}/text()`, text);
    }
  }

  /** Called when `</assessment>` closes: the raw assessment and its structural problem, if any. */
  finish(): Extraction {
    const frame = this.stack[0] as Frame;
    if (frame.nonBlank) this.extra("text()", frame.text);
    const forenames = this.forenames.sort(byPosition);
    const names: string[] = [];
    for (const [, name] of forenames) names.push(name);
    this.raw.offender.forenames = names;
    return { raw: this.raw, problem: this.problem };
  }

  private known(parent: Frame, element: XmlElementStart, attributes: XmlAttributes): Frame | null {
    const name = element.local;
    if (LEAVES.has(parent.kind)) return null;
    if (name === "answer") return this.answer(parent, element, attributes);
    switch (parent.kind) {
      case "assessment":
        switch (name) {
          case "offender":
            return this.container(
              parent,
              element,
              attributes,
              "offender",
              OFFENDER_FIELDS,
              this.raw.offender,
              true,
            );
          case "section":
            return this.section(parent, element, attributes);
          case "roshSummary":
            this.raw.rosh ??= emptyRawRosh();
            return this.container(parent, element, attributes, "rosh", null, null, true);
          case "predictors":
            return this.container(parent, element, attributes, "predictors", null, null, false);
          case "riskManagementPlan":
            this.raw.rmp ??= emptyRawRmp();
            return this.container(parent, element, attributes, "rmp", null, null, true);
        }
        return this.field(parent, element, attributes, ASSESSMENT_FIELDS, this.raw);
      case "offender": {
        const forename = FORENAME.exec(name);
        if (forename) {
          // No store: `close` files its text under forenames, by N.
          const frame = this.field(parent, element, attributes, null, null);
          if (frame) frame.forename = Number(forename[1]);
          return frame;
        }
        return this.field(parent, element, attributes, OFFENDER_FIELDS, this.raw.offender);
      }
      case "section":
        return this.field(parent, element, attributes, SECTION_FIELDS, parent.target as RawSection);
      case "rosh":
        if (name === "riskLevel") return this.riskLevel(parent, element, attributes);
        return this.field(parent, element, attributes, ROSH_FIELDS, this.raw.rosh);
      case "predictors":
        if (name === "predictor") return this.predictor(parent, element, attributes);
        return null;
      case "rmp":
        if (name === "mappa")
          return this.container(parent, element, attributes, "mappa", MAPPA_FIELDS, this.raw.rmp, true);
        return this.field(parent, element, attributes, RMP_FIELDS, this.raw.rmp);
      default:
        return null;
    }
  }

  /** A child of a leaf, or an element no table knows: carried as an extra. */
  private unknown(parent: Frame, element: XmlElementStart, attributes: XmlAttributes): Frame {
    if (parent.kind === "unknown") this.becomeGroup(parent);
    const frame = new Frame("unknown", element.name, parent.path, element.name);
    frame.attributes = attributes;
    return frame;
  }

  /** An unknown element with children is transparent: its attributes and leaves become extras. */
  private becomeGroup(frame: Frame): void {
    frame.kind = "group";
    const attributes = frame.attributes ?? NO_ATTRIBUTES;
    for (let i = 0; i < attributes.length; i++) {
      const attribute = attributes[i] as XmlAttribute;
      if (!isNamespaceDeclaration(attribute)) this.extra(`${frame.path}/@${attribute.name}`, attribute.value);
    }
    frame.attributes = null;
  }

  private answer(parent: Frame, element: XmlElementStart, attributes: XmlAttributes): Frame {
    if (parent.kind === "unknown") this.becomeGroup(parent);
    parent.ordinal++;
    const q = attributeValue(attributes, "q")?.trim() ?? "";
    const segment = q === "" ? `answer[${parent.ordinal}]` : `answer[q=${pathValue(q)}]`;
    const frame = new Frame("answer", element.name, parent.path, segment);
    if (q === "")
      this.fail("BRIDGE_E_RECORD_MISSING_FIELD", `${frame.path}/@q`, "answer has no q (question code)");
    else frame.code = q;
    this.attributes(frame, attributes, null, null, "q");
    return frame;
  }

  private section(parent: Frame, element: XmlElementStart, attributes: XmlAttributes): Frame {
    parent.ordinal++;
    const code = attributeValue(attributes, "code")?.trim() ?? "";
    const path = code === "" ? `section[${parent.ordinal}]` : `section[code=${pathValue(code)}]`;
    const frame = new Frame("section", element.name, "", path);
    const section: RawSection = emptySection(code, path);
    if (code === "") this.fail("BRIDGE_E_RECORD_MISSING_FIELD", `${path}/@code`, "section has no code");
    else this.raw.sections.push(section);
    frame.target = section;
    this.attributes(frame, attributes, null, null, "code");
    return frame;
  }

  private riskLevel(parent: Frame, element: XmlElementStart, attributes: XmlAttributes): Frame {
    parent.ordinal++;
    const group = attributeValue(attributes, "group") ?? null;
    const setting = attributeValue(attributes, "setting") ?? null;
    const segment =
      group !== null && setting !== null
        ? `riskLevel[group=${pathValue(group)}][setting=${pathValue(setting)}]`
        : `riskLevel[${parent.ordinal}]`;
    const frame = new Frame("riskLevel", element.name, parent.path, segment);
    frame.code = group;
    frame.setting = setting;
    this.attributes(frame, attributes, null, null, "group", "setting");
    return frame;
  }

  private predictor(parent: Frame, element: XmlElementStart, attributes: XmlAttributes): Frame {
    parent.ordinal++;
    const type = attributeValue(attributes, "type")?.trim() ?? "";
    const segment = type === "" ? `predictor[${parent.ordinal}]` : `predictor[type=${pathValue(type)}]`;
    const frame = new Frame("predictor", element.name, parent.path, segment);
    const predictor = emptyRawPredictor(frame.path);
    this.raw.predictors.push(predictor);
    this.attributes(frame, attributes, PREDICTOR_FIELDS, predictor);
    return frame;
  }

  private container<T>(
    parent: Frame,
    element: XmlElementStart,
    attributes: XmlAttributes,
    kind: Kind,
    fields: FieldTable<T> | null,
    target: T | null,
    single: boolean,
  ): Frame {
    const frame = new Frame(kind, element.name, parent.path, element.local);
    if (single) this.once(parent, element.local, frame, false);
    this.attributes(frame, attributes, fields, target);
    return frame;
  }

  /** A single-valued leaf, if `fields` knows the name (or `fields` is null: caller sets `store`). */
  private field<T>(
    parent: Frame,
    element: XmlElementStart,
    attributes: XmlAttributes,
    fields: FieldTable<T> | null,
    target: T | null,
  ): Frame | null {
    const store = fields === null ? null : fields.get(element.local);
    if (fields !== null && store === undefined) return null;
    const frame = new Frame("field", element.name, parent.path, element.local);
    this.once(parent, element.local, frame, false);
    frame.store = store ?? null;
    frame.target = target;
    this.attributes(frame, attributes, null, null);
    return frame;
  }

  /** Known attributes go through `fields` into `target`; the others (and any prefixed one) are extras. */
  private attributes<T>(
    frame: Frame,
    attributes: XmlAttributes,
    fields: FieldTable<T> | null,
    target: T | null,
    consumed: string | null = null,
    alsoConsumed: string | null = null,
  ): void {
    for (let i = 0; i < attributes.length; i++) {
      const attribute = attributes[i] as XmlAttribute;
      if (attribute.uri === "") {
        if (attribute.local === consumed || attribute.local === alsoConsumed) continue;
        const store = fields?.get(attribute.local);
        if (store !== undefined) {
          this.once(frame, attribute.local, frame, true);
          store(target as T, attribute.value);
          continue;
        }
      } else if (isNamespaceDeclaration(attribute)) {
        continue;
      }
      const at = frame.path === "" ? `@${attribute.name}` : `${frame.path}/@${attribute.name}`;
      this.extra(at, attribute.value);
    }
  }

  /**
   * A single-valued field given twice is refused: the reader will not pick one value silently. The path
   * is `at`'s (an element), or that of `at`'s attribute `name`.
   */
  private once(container: Frame, name: string, at: Frame, attribute: boolean): void {
    const seen = container.seen;
    if (seen === null) {
      container.seen = [name];
      return;
    }
    if (seen.includes(name)) {
      const path = attribute ? `${at.path}/@${name}` : at.path;
      this.fail("BRIDGE_E_RECORD_INVALID", path, `${name} is given more than once`);
    }
    seen.push(name);
  }

  private extra(path: string, raw: string): void {
    const extra: Extra = { path: absolute(path), raw };
    this.raw.extras.push(extra);
  }

  private fail(code: StructuralProblem["code"], path: string, reason: string): void {
    this.problem ??= { code, path, reason };
  }
}
