/**
 * JSON Schemas from `schemas/`, compiled once per process (ajv). Validators return the first problem as
 * `{ path, reason }` (JSON pointer into the document), or null when valid.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";

const SCHEMA_DIR = fileURLToPath(new URL("../../schemas/", import.meta.url));

// ajv-formats is CommonJS; its default export arrives wrapped under ESM.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (
  ajv: Ajv,
) => Ajv;

let ajv: Ajv | undefined;
const compiled = new Map<string, ValidateFunction>();

function instance(): Ajv {
  if (!ajv) {
    // discriminator: schemas select a oneOf branch by a `kind` property instead of trying each branch
    // (the canonical answer value), which keeps validation off ingest's critical path.
    ajv = new Ajv({ allErrors: false, strict: true, allowUnionTypes: true, discriminator: true });
    addFormats(ajv);
  }
  return ajv;
}

/** The compiled validator for `schemas/<file>`. */
export function schemaValidator(file: string): ValidateFunction {
  let v = compiled.get(file);
  if (!v) {
    const schema = JSON.parse(readFileSync(`${SCHEMA_DIR}${file}`, "utf8")) as object;
    v = instance().compile(schema);
    compiled.set(file, v);
  }
  return v;
}

export interface SchemaProblem {
  path: string;
  reason: string;
}

export function describeAjvError(e: ErrorObject): SchemaProblem {
  const extra =
    e.keyword === "additionalProperties"
      ? ` (${String((e.params as { additionalProperty?: string }).additionalProperty)})`
      : e.keyword === "enum"
        ? ` (one of ${JSON.stringify((e.params as { allowedValues?: unknown[] }).allowedValues)})`
        : "";
  return { path: e.instancePath || "/", reason: `${e.message ?? "is invalid"}${extra}` };
}

/** Validate `doc` against `schemas/<file>`; the first problem, or null. */
export function validateAgainst(file: string, doc: unknown): SchemaProblem | null {
  const v = schemaValidator(file);
  if (v(doc)) return null;
  const first = v.errors?.[0];
  return first ? describeAjvError(first) : { path: "/", reason: "is invalid" };
}

export const validateCanonical = (doc: unknown) => validateAgainst("oasys-assessment.schema.json", doc);
