import { describe, expect, it } from "vitest";
import { BridgeError } from "../../../src/errors.ts";
import { readOasysExport, readOasysExportFile } from "../../../src/ingest/xml/reader.ts";
import { assessment, collect, exportOf, fixture, readString, TODAY, thrown } from "./support/read.ts";

const code = (e: unknown) => (e as BridgeError).code;
const context = (e: unknown) => (e as BridgeError).context;

describe("DOCTYPE and entities are refused", () => {
  it("refuses the billion-laughs DOCTYPE at the DOCTYPE, before any entity is read", async () => {
    const e = await thrown(() =>
      collect(readOasysExportFile(fixture("hostile-billion-laughs.xml"), { today: TODAY })),
    );
    expect(e).toBeInstanceOf(BridgeError);
    expect(code(e)).toBe("BRIDGE_E_XML_DOCTYPE_REFUSED");
    expect(context(e)).toEqual({ line: 2, column: 1 });
  });

  it("refuses an external entity (SYSTEM) DOCTYPE without resolving anything", async () => {
    const e = await thrown(() =>
      collect(readOasysExportFile(fixture("hostile-external-entity.xml"), { today: TODAY })),
    );
    expect(code(e)).toBe("BRIDGE_E_XML_DOCTYPE_REFUSED");
    expect((e as Error).message).not.toMatch(/root:/);
  });

  it("refuses a DOCTYPE whose keyword is split across chunks", async () => {
    async function* split() {
      yield '<?xml version="1.0"?><!DOC';
      yield 'TYPE x [<!ENTITY a "b">]><oasysExport/>';
    }
    expect(code(await thrown(() => collect(readOasysExport(split()))))).toBe("BRIDGE_E_XML_DOCTYPE_REFUSED");
  });

  it("refuses a DOCTYPE after the root element", async () => {
    const e = await thrown(() =>
      readString('<oasysExport xmlns="urn:hmpps:oasys:export:1"><!DOCTYPE x></oasysExport>'),
    );
    expect(code(e)).toBe("BRIDGE_E_XML_DOCTYPE_REFUSED");
  });

  it("refuses a reference to an undefined entity, with line and column", async () => {
    const e = await thrown(() =>
      readString(
        exportOf(assessment('<section code="6">\n<issuesDetails>&secret;</issuesDetails></section>')),
      ),
    );
    expect(code(e)).toBe("BRIDGE_E_XML_ENTITY_REFUSED");
    expect(context(e)).toEqual({ line: 4, column: 24 });
  });

  it("refuses an undefined entity in an attribute value", async () => {
    const e = await thrown(() => readString(exportOf(assessment("", 'assessmentPk="&pk;" type="LAYER3"'))));
    expect(code(e)).toBe("BRIDGE_E_XML_ENTITY_REFUSED");
  });
});

describe("limits", () => {
  const limitOf = (e: unknown) => context(e).limit;

  it("refuses nesting deeper than maxDepth", async () => {
    const deep = `${"<x>".repeat(40)}${"</x>".repeat(40)}`;
    const e = await thrown(() => readString(exportOf(assessment(deep))));
    expect(code(e)).toBe("BRIDGE_E_XML_LIMIT_EXCEEDED");
    expect(limitOf(e)).toBe("maxDepth");
    expect((e as Error).message).toMatch(/maxDepth \(32\) exceeded at line \d+, column \d+/);
  });

  it("accepts nesting up to maxDepth", async () => {
    // root (1) > assessment (2) > 30 unknown levels = 32
    const deep = `${"<x>".repeat(30)}v${"</x>".repeat(30)}`;
    const [result] = await readString(exportOf(assessment(deep)));
    expect(result?.ok).toBe(true);
  });

  it("refuses more attributes than maxAttributes on one element", async () => {
    const attributes = Array.from({ length: 33 }, (_, i) => `a${i}="v"`).join(" ");
    const e = await thrown(() => readString(exportOf(`<note ${attributes}/>`)));
    expect(limitOf(e)).toBe("maxAttributes");
  });

  it("refuses a text node longer than maxTextLength, even when it arrives in many chunks", async () => {
    async function* longText() {
      yield exportOf().replace(
        "</oasysExport>\n",
        '<assessment assessmentPk="1"><section code="6"><issuesDetails>',
      );
      for (let i = 0; i < 40; i++) yield "x".repeat(64 * 1024);
      yield "</issuesDetails></section></assessment></oasysExport>";
    }
    const e = await thrown(() => collect(readOasysExport(longText(), { maxTextLength: 1024 * 1024 })));
    expect(limitOf(e)).toBe("maxTextLength");
  });

  it("refuses an over-long attribute value and an over-long comment", async () => {
    const value = "v".repeat(2000);
    expect(
      limitOf(await thrown(() => readString(exportOf(`<n a="${value}"/>`), { maxTextLength: 1000 }))),
    ).toBe("maxTextLength");
    const comment = `<!--${"c".repeat(5000)}-->`;
    async function* commented() {
      yield exportOf().replace("</oasysExport>\n", "");
      for (let i = 0; i < comment.length; i += 500) yield comment.slice(i, i + 500);
      yield "</oasysExport>";
    }
    expect(limitOf(await thrown(() => collect(readOasysExport(commented(), { maxTextLength: 1000 }))))).toBe(
      "maxTextLength",
    );
  });

  it("refuses an element name longer than maxNameLength", async () => {
    const e = await thrown(() => readString(exportOf(assessment(`<${"n".repeat(300)}/>`))));
    expect(limitOf(e)).toBe("maxNameLength");
  });

  it("refuses an assessment larger than maxAssessmentBytes", async () => {
    const big = assessment(`<section code="6"><issuesDetails>${"x".repeat(3000)}</issuesDetails></section>`);
    const e = await thrown(() => readString(exportOf(big), { maxAssessmentBytes: 2048 }));
    expect(limitOf(e)).toBe("maxAssessmentBytes");
    const [ok] = await readString(exportOf(big), { maxAssessmentBytes: 4096 });
    expect(ok?.ok).toBe(true);
  });

  it("refuses a document larger than maxBytes", async () => {
    const xml = exportOf(assessment(), assessment(), assessment());
    const e = await thrown(() => readString(xml, { maxBytes: 200 }));
    expect(limitOf(e)).toBe("maxBytes");
    expect(await readString(xml, { maxBytes: 10_000 })).toHaveLength(3);
  });

  it("refuses limits that are not positive whole numbers", async () => {
    const e = await thrown(() => readString(exportOf(), { maxDepth: 0 }));
    expect(code(e)).toBe("BRIDGE_E_CONFIG_INVALID");
  });
});

describe("encodings", () => {
  it("refuses a declared encoding other than UTF-8", async () => {
    const xml = '<?xml version="1.0" encoding="ISO-8859-1"?><oasysExport xmlns="urn:hmpps:oasys:export:1"/>';
    const e = await thrown(() => readString(xml));
    expect(code(e)).toBe("BRIDGE_E_XML_ENCODING_REFUSED");
    expect((e as Error).message).toMatch(/ISO-8859-1/);
  });

  it("refuses UTF-16 bytes", async () => {
    const utf16 = Buffer.from(`\uFEFF${exportOf()}`, "utf16le");
    async function* source() {
      yield utf16;
    }
    const e = await thrown(() => collect(readOasysExport(source())));
    expect(code(e)).toBe("BRIDGE_E_XML_ENCODING_REFUSED");
  });

  it("refuses bytes that are not valid UTF-8", async () => {
    const bytes = Buffer.concat([
      Buffer.from(exportOf(assessment("<x>")).slice(0, 200)),
      Buffer.from([0xc3, 0x28]),
    ]);
    async function* source() {
      yield bytes;
    }
    expect(code(await thrown(() => collect(readOasysExport(source()))))).toBe("BRIDGE_E_XML_NOT_WELL_FORMED");
  });

  it("accepts a UTF-8 byte order mark and a declared us-ascii or utf-8 in any case", async () => {
    async function* bom() {
      yield Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(exportOf(assessment()))]);
    }
    expect(await collect(readOasysExport(bom(), { today: TODAY }))).toHaveLength(1);
    const ascii = exportOf(assessment()).replace('encoding="UTF-8"', 'encoding="us-ascii"');
    expect(await readString(ascii)).toHaveLength(1);
    expect(await readString(exportOf(assessment()).replace("UTF-8", "utf-8"))).toHaveLength(1);
  });
});
