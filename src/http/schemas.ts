/**
 * The API's JSON Schemas (`schemas/http/*.schema.json`, one named schema per file, `$id` = its name), read
 * once and compiled by ajv. Requests and responses are both validated:
 * - request bodies strictly (no type coercion); params, query strings and headers with coercion, since they
 *   arrive as text;
 * - every response body against its route's schema before it is sent: a response that drifted from its
 *   schema is a bug, answered as 500 BRIDGE_E_INTERNAL and logged, never sent half-right.
 * Route schemas refer to these by `{ "$ref": "Name#" }`; @fastify/swagger turns them into OpenAPI components.
 */
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Ajv, type AnySchema, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";
import type { FastifySchemaCompiler } from "fastify";
import type { FastifySerializerCompiler } from "fastify/types/schema.js";
import { BridgeError } from "../errors.ts";
import { isRawBody } from "./body.ts";

const HTTP_SCHEMA_DIR = fileURLToPath(new URL("../../schemas/http/", import.meta.url));

const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (
  ajv: Ajv,
) => Ajv;

export interface NamedSchema {
  $id: string;
  [keyword: string]: unknown;
}

let loaded: NamedSchema[] | undefined;

/** Every API schema, without its `$schema` line (OpenAPI components do not want it). */
export function apiSchemas(): readonly NamedSchema[] {
  if (!loaded) {
    loaded = readdirSync(HTTP_SCHEMA_DIR)
      .filter((f) => f.endsWith(".schema.json"))
      .sort()
      .map((f) => {
        const { $schema: _, ...schema } = JSON.parse(readFileSync(`${HTTP_SCHEMA_DIR}${f}`, "utf8")) as {
          $schema?: string;
        } & NamedSchema;
        return schema;
      });
  }
  return loaded;
}

function newAjv(options: { coerce: boolean }): Ajv {
  const ajv = new Ajv({
    strict: true,
    allowUnionTypes: true,
    allErrors: false,
    coerceTypes: options.coerce ? "array" : false,
    useDefaults: true,
    removeAdditional: false,
    // OpenAPI keywords that route schemas may carry for the documentation only.
    keywords: ["example"],
  });
  addFormats(ajv);
  for (const schema of apiSchemas()) ajv.addSchema(schema as AnySchema);
  return ajv;
}

/** The two ajv instances (strict for bodies and responses, coercing for text parts), built once. */
let instances: { strict: Ajv; coercing: Ajv } | undefined;
function ajvs() {
  instances ??= { strict: newAjv({ coerce: false }), coercing: newAjv({ coerce: true }) };
  return instances;
}

const compiledFor = new WeakMap<object, ValidateFunction>();
function compile(ajv: Ajv, schema: object): ValidateFunction {
  let v = compiledFor.get(schema);
  if (!v) {
    v = ajv.compile(schema);
    compiledFor.set(schema, v);
  }
  return v;
}

/** Fastify validator compiler: bodies strictly, everything else with coercion. */
export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) => {
  // A raw body (`type: string, format: binary`, for OpenAPI) is the bytes a content-type parser read:
  // its content is checked by its own reader (the XML export reader), not by JSON Schema.
  if ((schema as { format?: string }).format === "binary") {
    return ((data: unknown) => isRawBody(data)) as ReturnType<FastifySchemaCompiler<unknown>>;
  }
  const { strict, coercing } = ajvs();
  const validate =
    httpPart === "body" ? strict.compile(schema as object) : coercing.compile(schema as object);
  return validate as ReturnType<FastifySchemaCompiler<unknown>>;
};

/** Fastify serializer compiler: validate the response against its schema, then JSON-encode it. */
export const serializerCompiler: FastifySerializerCompiler<unknown> = ({ schema, url, httpStatus }) => {
  const validate = compile(ajvs().strict, schema as object);
  return (data: unknown) => {
    if (!validate(data)) {
      const first = validate.errors?.[0];
      throw new BridgeError("BRIDGE_E_INTERNAL", "a response did not satisfy its schema", {
        route: url,
        status: httpStatus,
        path: first?.instancePath ?? "",
        keyword: first?.keyword ?? "",
      });
    }
    return JSON.stringify(data);
  };
};

/**
 * A named API schema's validator, strict as bodies are checked: for what is not a route's body but must
 * meet the same schema (the web pages' forms post what the API's routes take as JSON).
 */
export function namedValidator(name: string): ValidateFunction {
  const { strict } = ajvs();
  const validate = strict.getSchema(name);
  if (!validate) throw new Error(`no API schema named ${name}`);
  return validate;
}

/** A reference to a named API schema, for route schemas. */
export const ref = (name: string): { $ref: string } => {
  if (!apiSchemas().some((s) => s.$id === name)) throw new Error(`no API schema named ${name}`);
  return { $ref: `${name}#` };
};
