/**
 * Loads and checks a mapping: YAML -> JSON Schema (`schemas/mapping.schema.json`) -> cross-checks against
 * the factor catalogue and the ARMS interchange enumerations. Every problem is a BRIDGE_E_MAPPING_INVALID
 * that names the file and line. IO happens only in `loadMapping` (reading the two files once).
 */
import { readFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { BridgeError } from "../../errors.ts";
import { PROTECTIVE_FACTORS, RISK_FACTORS } from "../arms/model.ts";
import { describeAjvError, schemaValidator } from "../schemas.ts";
import type { Condition, FactorCatalogue, Mapping, MappingSpec } from "./spec.ts";
import { invalidAt, parseYamlSource, type YamlSource } from "./yaml-source.ts";

export const DEFAULT_MAPPING_PATH = fileURLToPath(
  new URL("../../../mappings/oasys-to-arms.yaml", import.meta.url),
);

function validated(source: YamlSource, kind: string): void {
  const validate = schemaValidator("mapping.schema.json");
  if (validate(source.data)) {
    if ((source.data as { kind?: unknown }).kind !== kind)
      throw invalidAt(source, "/kind", `must be "${kind}"`);
    return;
  }
  // Report the most specific error: the deepest instance path (if/then/else wrappers sit at the root).
  const errors = [...(validate.errors ?? [])].sort((a, b) => b.instancePath.length - a.instancePath.length);
  const first = errors[0];
  if (!first) throw invalidAt(source, "", "is invalid");
  const { path, reason } = describeAjvError(first);
  const extra = (first.params as { additionalProperty?: string }).additionalProperty;
  const pointer = path === "/" ? "" : path;
  throw invalidAt(source, extra ? `${pointer}/${extra}` : pointer, reason);
}

/** Parse and check the factor catalogue text. */
export function parseCatalogue(text: string, file: string): FactorCatalogue {
  const source = parseYamlSource(text, file);
  validated(source, "arms-factor-catalogue");
  const catalogue = source.data as FactorCatalogue;
  const seen = new Set<string>();
  catalogue.factors.forEach((f, i) => {
    const known = f.type === "RISK" ? RISK_FACTORS : PROTECTIVE_FACTORS;
    if (!(known as readonly string[]).includes(f.id)) {
      throw invalidAt(
        source,
        `/factors/${i}/id`,
        `${f.id} is not a ${f.type.toLowerCase()} factor of arms-interchange/1 (${known.join(", ")})`,
      );
    }
    if (seen.has(f.id)) throw invalidAt(source, `/factors/${i}/id`, `${f.id} is listed twice`);
    seen.add(f.id);
  });
  return catalogue;
}

function conditionQuestions(c: Condition): string[] {
  if ("allOf" in c) return c.allOf.flatMap(conditionQuestions);
  if ("anyOf" in c) return c.anyOf.flatMap(conditionQuestions);
  if ("not" in c) return conditionQuestions(c.not);
  return [c.question];
}

/** Parse the mapping text and check it against the catalogue it names. */
export function parseMapping(text: string, file: string, catalogue: FactorCatalogue): MappingSpec {
  const source = parseYamlSource(text, file);
  validated(source, "oasys-to-arms-mapping");
  const spec = source.data as MappingSpec;
  const factors = new Map(catalogue.factors.map((f) => [f.id, f]));

  if (!spec.changelog.some((c) => c.version === spec.version)) {
    throw invalidAt(source, "/changelog", `has no entry for version ${spec.version}`);
  }
  const ids = new Map<string, string>();
  const claim = (id: string, pointer: string) => {
    const earlier = ids.get(id);
    if (earlier) throw invalidAt(source, pointer, `rule id ${id} is already used at ${earlier}`);
    ids.set(id, pointer);
  };
  const targets = new Map<string, string>();
  const target = (t: string, pointer: string) => {
    const earlier = targets.get(t);
    if (earlier) throw invalidAt(source, pointer, `target ${t} is already filled by ${earlier}`);
    targets.set(t, pointer);
  };
  const factor = (id: string, pointer: string) => {
    const f = factors.get(id);
    if (!f) throw invalidAt(source, pointer, `factor ${id} is not in the catalogue ${catalogue.catalogue}`);
    return f;
  };

  spec.fields.forEach((r, i) => {
    claim(r.id, `/fields/${i}/id`);
    target(r.target, `/fields/${i}/target`);
  });
  const rated = new Set<string>();
  spec.ratings.forEach((r, i) => {
    claim(r.id, `/ratings/${i}/id`);
    const f = factor(r.factor, `/ratings/${i}/factor`);
    if (!f.ratedFromOasys) {
      throw invalidAt(
        source,
        `/ratings/${i}/factor`,
        `${r.factor} is evidence-only in the catalogue (ratedFromOasys: false)`,
      );
    }
    if (rated.has(r.factor))
      throw invalidAt(source, `/ratings/${i}/factor`, `${r.factor} already has a rating rule`);
    rated.add(r.factor);
    for (const [token, rating] of Object.entries(r.values)) {
      if (!catalogue.ratings.includes(rating)) {
        throw invalidAt(
          source,
          `/ratings/${i}/values/${token}`,
          `${rating} is not a rating of the catalogue`,
        );
      }
    }
  });
  spec.evidence.forEach((e, i) => {
    claim(e.id, `/evidence/${i}/id`);
    e.items.forEach((item, j) => {
      factor(item.factor, `/evidence/${i}/items/${j}/factor`);
      if (item.when && conditionQuestions(item.when).length === 0) {
        throw invalidAt(source, `/evidence/${i}/items/${j}/when`, "names no question");
      }
    });
  });
  claim(spec.staticRisk.id, "/staticRisk/id");
  const tools = new Set<string>();
  spec.staticRisk.tools.forEach((t, i) => {
    if (tools.has(t.tool))
      throw invalidAt(source, `/staticRisk/tools/${i}/tool`, `${t.tool} is listed twice`);
    tools.add(t.tool);
  });
  claim(spec.mappa.id, "/mappa/id");
  spec.narratives.forEach((n, i) => {
    claim(n.id, `/narratives/${i}/id`);
    target(n.target, `/narratives/${i}/target`);
  });
  spec.policeOnly.forEach((p, i) => {
    target(p.target, `/policeOnly/${i}/target`);
  });
  return spec;
}

const readText = (path: string): string => {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    throw new BridgeError(
      "BRIDGE_E_MAPPING_INVALID",
      `${path}: cannot be read (${(e as NodeJS.ErrnoException).code})`,
      {
        file: path,
      },
    );
  }
};

/** Display name for messages: relative to the working directory when inside it. */
const displayName = (path: string): string => {
  const rel = relative(process.cwd(), path);
  return rel.startsWith("..") ? path : rel;
};

/** Read, validate and check a mapping and the factor catalogue it names (resolved beside it). */
export function loadMapping(path: string = DEFAULT_MAPPING_PATH): Mapping {
  const mappingPath = resolve(path);
  const mappingText = readText(mappingPath);
  // The catalogue name is read first (the schema check of the mapping needs nothing from it).
  const head = parseYamlSource(mappingText, displayName(mappingPath)).data as { factorCatalogue?: unknown };
  const catalogueName = typeof head.factorCatalogue === "string" ? head.factorCatalogue : "arms-factors.yaml";
  const cataloguePath = resolve(dirname(mappingPath), catalogueName);
  const catalogue = parseCatalogue(readText(cataloguePath), displayName(cataloguePath));
  const spec = parseMapping(mappingText, displayName(mappingPath), catalogue);
  return { spec, catalogue, file: displayName(mappingPath) };
}
