/** The mapping loader: the shipped files load; every kind of mistake is refused naming the file and line. */
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadMapping } from "../../src/core/mapping/load.ts";
import { BridgeError } from "../../src/errors.ts";

const SHIPPED = readFileSync("mappings/oasys-to-arms.yaml", "utf8");
const CATALOGUE = readFileSync("mappings/arms-factors.yaml", "utf8");

/** Write an edited copy of the mapping (and catalogue) into a fresh folder; return its path. */
function edited(edit: (text: string) => string, catalogue: (text: string) => string = (t) => t): string {
  const dir = mkdtempSync(join(tmpdir(), "mapping-"));
  const text = edit(SHIPPED);
  writeFileSync(join(dir, "oasys-to-arms.yaml"), text);
  writeFileSync(join(dir, "arms-factors.yaml"), catalogue(CATALOGUE));
  return join(dir, "oasys-to-arms.yaml");
}

/** 1-based line of the first occurrence of `needle` in the file. */
const lineOf = (file: string, needle: string): number =>
  readFileSync(file, "utf8")
    .split("\n")
    .findIndex((l) => l.includes(needle)) + 1;

function refusal(path: string): BridgeError {
  try {
    loadMapping(path);
  } catch (e) {
    expect(e).toBeInstanceOf(BridgeError);
    expect((e as BridgeError).code).toBe("BRIDGE_E_MAPPING_INVALID");
    return e as BridgeError;
  }
  throw new Error("the mapping was accepted");
}

describe("loadMapping", () => {
  it("loads the shipped mapping and its factor catalogue", () => {
    const m = loadMapping();
    expect(m.spec.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(m.catalogue.factors.map((f) => f.id)).toHaveLength(11);
    expect(m.spec.ratings.map((r) => r.question).sort()).toEqual(["11.11", "11.12", "12.9", "6.12"]);
  });

  it("resolves the catalogue beside the mapping file", () => {
    const path = edited((t) => t);
    expect(loadMapping(path).spec.version).toBe(loadMapping().spec.version);
  });

  it("names file, line and pointer for a value the schema refuses", () => {
    const path = edited((t) => t.replace('"1": SOME_EVIDENCE', '"1": SOMETIMES'));
    const e = refusal(path);
    expect(e.context).toMatchObject({
      file: path,
      line: lineOf(path, "SOMETIMES"),
      pointer: "/ratings/0/values/1",
    });
    expect(e.message).toContain(`${path}:${lineOf(path, "SOMETIMES")}:`);
    expect(e.message).toContain("must be equal to one of the allowed values");
  });

  it("names the line of an unknown key", () => {
    const path = edited((t) =>
      t.replace(
        "  - id: row-4-hostile-orientation\n",
        "  - id: row-4-hostile-orientation\n    colour: red\n",
      ),
    );
    const e = refusal(path);
    expect(e.context).toMatchObject({ line: lineOf(path, "colour: red"), pointer: "/ratings/3/colour" });
  });

  it("names the line of a YAML syntax error", () => {
    const path = edited((t) =>
      t.replace("  refuseWhenLaterCompleteExists: true", "  refuseWhenLaterCompleteExists: [true"),
    );
    const e = refusal(path);
    expect(e.message).toMatch(/YAML syntax/);
    expect((e.context as { line: number }).line).toBeGreaterThanOrEqual(lineOf(path, "[true"));
  });

  it("refuses a rating rule for a factor the catalogue marks evidence-only", () => {
    const path = edited((t) => t.replace("factor: HOSTILE_ORIENTATION\n", "factor: POOR_SELF_MANAGEMENT\n"));
    const e = refusal(path);
    expect(e.message).toContain("POOR_SELF_MANAGEMENT is evidence-only");
    expect(e.context).toMatchObject({ line: lineOf(path, "    factor: POOR_SELF_MANAGEMENT") });
  });

  it("refuses a factor that is not in the catalogue", () => {
    const path = edited((t) =>
      t.replace(
        '- factor: SOCIAL_INVESTMENT\n        question: "7.1"',
        '- factor: SOCIAL_CAPITAL\n        question: "7.1"',
      ),
    );
    expect(refusal(path).message).toContain("factor SOCIAL_CAPITAL is not in the catalogue");
  });

  it("refuses two rules filling the same target, and a reused rule id", () => {
    const twice = edited((t) => t.replace("target: /subject/cro\n", "target: /subject/crn\n"));
    expect(refusal(twice).message).toContain("target /subject/crn is already filled by /fields/1/target");
    const reused = edited((t) => t.replace("id: row-26-cro\n", "id: row-26-crn\n"));
    expect(refusal(reused).message).toContain("rule id row-26-crn is already used at /fields/1/id");
  });

  it("requires a changelog entry for the mapping's version", () => {
    const path = edited((t) =>
      t.replace('version: "1.0.0"\nfactorCatalogue', 'version: "1.1.0"\nfactorCatalogue'),
    );
    const e = refusal(path);
    expect(e.message).toContain("/changelog has no entry for version 1.1.0");
    expect(e.context).toMatchObject({ line: lineOf(path, '  - version: "1.0.0"') });
  });

  it("refuses a catalogue factor that arms-interchange/1 does not know, naming the catalogue file", () => {
    const path = edited(
      (t) => t,
      (c) => c.replace("id: SOCIAL_INVESTMENT", "id: POSITIVE_SOCIAL_INFLUENCES"),
    );
    const e = refusal(path);
    expect((e.context as { file: string }).file).toMatch(/arms-factors\.yaml$/);
    expect(e.message).toContain(
      "POSITIVE_SOCIAL_INFLUENCES is not a protective factor of arms-interchange/1",
    );
  });

  it("refuses a missing file with its path", () => {
    const dir = mkdtempSync(join(tmpdir(), "mapping-"));
    copyFileSync("mappings/oasys-to-arms.yaml", join(dir, "oasys-to-arms.yaml"));
    const e = refusal(join(dir, "oasys-to-arms.yaml"));
    expect(e.message).toContain("arms-factors.yaml: cannot be read (ENOENT)");
  });
});
