/**
 * A JSON file given where an OASys XML export is expected is said to be JSON, with where it belongs
 * (decided from the content), by every command that reads exports; never "not well-formed XML".
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.ts";
import { jsonKindOf } from "../../src/cli/oasys-files.ts";
import { captureIo } from "./capture.ts";

const ARMS = "examples/pairs/matched-consistent/arms.json";
const XML = "examples/oasys/complete-layer3-sexual-items.xml";
const MAPPING = "mappings/oasys-to-arms.yaml";

async function run(...argv: string[]) {
  const { io, stdout, stderr } = captureIo();
  const code = await main(argv, io);
  return { code, out: stdout.text, err: stderr.text };
}

describe("jsonKindOf", () => {
  const arms = readFileSync(ARMS, "utf8");
  it.each([
    ["an ARMS document", arms, "ARMS"],
    ["an ARMS array", `[\n${arms}]`, "ARMS"],
    ["ARMS NDJSON", `${JSON.stringify(JSON.parse(arms))}\n`, "ARMS"],
    ["an ARMS document without its schema key", '{"armsAssessmentId":"ARMS-1","revision":1}', "ARMS"],
    ["parse --json output", '[\n{"schema":"oasys-canonical/1","assessmentPk":1}\n]', "CANONICAL"],
    ["parse --ndjson output", '{"type":"accepted","assessment":{"schema":"oasys-canonical/1"}}', "CANONICAL"],
    ["an export bundle", '{"generatedAt":"2026-11-20T10:00:00Z","assessments":[]}', "CANONICAL"],
    ["other JSON after a BOM and blank lines", '\uFEFF\n\n  {"hello": "world"}', "JSON"],
    ["an XML export", readFileSync(XML, "utf8"), null],
    ["an empty file", "", null],
    ["text", "assessmentPk,type\n1,LAYER3\n", null],
  ])("%s", (_, head, kind) => {
    expect(jsonKindOf(head)).toBe(kind);
  });
});

describe("a JSON file where an OASys export belongs", () => {
  it.each([
    [["parse", ARMS], 1],
    [["parse", "--json", ARMS], 1],
    [["prefill", ARMS], 1],
    [["prefill", "--json", ARMS], 1],
    [["reconcile", "--oasys", ARMS], 2],
    [["mapping", "coverage", ARMS], 1],
    [["mapping", "diff", "--from", MAPPING, "--to", MAPPING, ARMS], 1],
  ])("%j says it is an ARMS document and where it belongs", async (argv, code) => {
    const r = await run(...argv);
    expect(r.code).toBe(code);
    const said = r.out + r.err;
    expect(said).toContain(
      "this is JSON, not an OASys XML export: it looks like an ARMS interchange document (arms-interchange/1); did you mean 'bridge reconcile --arms <file>'?",
    );
    expect(said).not.toContain("not well-formed");
  });

  it("names canonical records (what 'parse --json' writes) and other JSON apart", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bridge-json-input-"));
    const canonical = join(dir, "records.json");
    writeFileSync(canonical, (await run("parse", "--json", XML)).out);
    const other = join(dir, "settings.json");
    writeFileSync(other, '{"colour": "blue"}\n');
    const r = await run("prefill", canonical, other, XML);
    expect(r.code).toBe(1);
    expect(r.err).toContain(
      `${canonical}: BRIDGE_E_USAGE: command used incorrectly: this is JSON, not an OASys XML export: it looks like canonical OASys assessments (oasys-canonical/1`,
    );
    expect(r.err).toContain(
      `${other}: BRIDGE_E_USAGE: command used incorrectly: this is JSON, not an OASys XML export: this command reads OASys XML exports`,
    );
    // The XML export after them is still read.
    expect(r.out).toContain("1 assessment(s) read, 1 draft(s)");
  });

  it("leaves the message of a broken XML file as it was", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bridge-json-input-"));
    const broken = join(dir, "broken.xml");
    writeFileSync(broken, '<?xml version="1.0"?>\n<oasysExport xmlns="urn:hmpps:oasys:export:1">\n</oops>\n');
    const r = await run("parse", broken);
    expect(r.code).toBe(1);
    expect(r.err).toContain("BRIDGE_E_XML_NOT_WELL_FORMED");
  });
});
