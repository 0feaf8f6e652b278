/**
 * JSON Schemas from `schemas/`, compiled once per process (ajv). Validators return the first problem as
 * `{ path, reason }` (JSON pointer into the document), or null when valid.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";
import { quoteName } from "./personal-fields.ts";

const SCHEMA_DIR = fileURLToPath(new URL("../../schemas/", import.meta.url));

// ajv-formats is CommonJS; its default export arrives wrapped under ESM.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (
  ajv: Ajv,
) => Ajv;

let ajv: Ajv | undefined;
let codeUnitAjv: Ajv | undefined;
const compiled = new Map<string, ValidateFunction>();
const codeUnitCompiled = new Map<string, ValidateFunction>();

function newAjv(unicode: boolean): Ajv {
  // discriminator: schemas select a oneOf branch by a `kind` property instead of trying each branch
  // (the canonical answer value), which keeps validation off ingest's critical path.
  // `unicode: false` is deprecated in ajv 8 (still honoured) and logs so at construction; that instance
  // logs nothing else it must (strict mode throws instead of warning), so its logger is off.
  const instance = new Ajv({
    allErrors: false,
    strict: true,
    allowUnionTypes: true,
    discriminator: true,
    ...(unicode ? {} : { unicode: false, logger: false as const }),
  });
  addFormats(instance);
  return instance;
}

function instance(): Ajv {
  ajv ??= newAjv(true);
  return ajv;
}

function readSchema(file: string): { text: string; schema: object } {
  const text = readFileSync(`${SCHEMA_DIR}${file}`, "utf8");
  return { text, schema: JSON.parse(text) as object };
}

/** The compiled validator for `schemas/<file>`. */
export function schemaValidator(file: string): ValidateFunction {
  let v = compiled.get(file);
  if (!v) {
    v = instance().compile(readSchema(file).schema);
    compiled.set(file, v);
  }
  return v;
}

/** Whether any `minLength` in the schema is above 1 (0 and 1 mean the same in code units and code points). */
function hasMinLengthAbove1(node: unknown): boolean {
  if (node === null || typeof node !== "object") return false;
  if (Array.isArray(node)) return node.some(hasMinLengthAbove1);
  return Object.entries(node).some(
    ([k, v]) => (k === "minLength" && typeof v === "number" && v > 1) || hasMinLengthAbove1(v),
  );
}

/**
 * A pre-check for `schemas/<file>` that may reject a valid document but never accepts an invalid one.
 * It measures strings in UTF-16 code units (ajv `unicode: false`) instead of code points, so `maxLength`
 * costs nothing instead of a scan of every long text. A string has at least as many code units as code
 * points, so `maxLength` only ever rejects more; and a string has no code units exactly when it has no
 * code points, so `minLength` 0 or 1 decides the same. A schema with a larger `minLength` (where code
 * units would accept more) gets the exact validator instead.
 */
function codeUnitValidator(file: string): ValidateFunction {
  let v = codeUnitCompiled.get(file);
  if (!v) {
    const { schema } = readSchema(file);
    if (hasMinLengthAbove1(schema)) v = schemaValidator(file);
    else {
      codeUnitAjv ??= newAjv(false);
      v = codeUnitAjv.compile(schema);
    }
    codeUnitCompiled.set(file, v);
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
      ? ` (${quoteName(e.instancePath, String((e.params as { additionalProperty?: string }).additionalProperty))})`
      : e.keyword === "enum"
        ? ` (one of ${JSON.stringify((e.params as { allowedValues?: unknown[] }).allowedValues)})`
        : "";
  return { path: e.instancePath || "/", reason: `${e.message ?? "is invalid"}${extra}` };
}

/**
 * Validate `doc` against `schemas/<file>`; the first problem, or null. The code-unit pre-check decides
 * alone when it accepts, which is almost always; when it rejects, the exact validator decides and words
 * the problem. So this accepts and rejects exactly what the exact validator does.
 */
export function validateAgainst(file: string, doc: unknown): SchemaProblem | null {
  if (codeUnitValidator(file)(doc)) return null;
  const v = schemaValidator(file);
  if (v(doc)) return null;
  const first = v.errors?.[0];
  return first ? describeAjvError(first) : { path: "/", reason: "is invalid" };
}

/** Validate a canonical assessment (every ingested record goes through here). */
export const validateCanonical = (doc: unknown): SchemaProblem | null =>
  validateAgainst("oasys-assessment.schema.json", doc);
