/**
 * Which media types a route reads, from its own schema: the keys of `body.content` when it declares
 * per-type bodies (`POST /v1/oasys/exports`: XML or JSON), `application/json` when it has a plain body
 * schema, none when it reads no body. One root hook (`refuseUndeclaredMediaTypes`, on request, so the body
 * is not even read) answers 415 to a request whose Content-Type the route does not declare: fastify would
 * otherwise hand a route the body of any type it has a parser for (a `text/plain` string to a handler
 * that expects a JSON bundle: a 500).
 */
import type { FastifyRequest } from "fastify";
import { BridgeError } from "../errors.ts";

interface BodySchema {
  content?: Record<string, unknown>;
}

/** The declared media types of a route's body, lower-case; null when the route reads no body. */
export function declaredMediaTypes(schema: { body?: unknown } | undefined): readonly string[] | null {
  const body = schema?.body as BodySchema | undefined;
  if (!body) return null;
  if (body.content && typeof body.content === "object") {
    return Object.keys(body.content).map((type) => type.toLowerCase());
  }
  return ["application/json"];
}

/** `Application/JSON; charset=utf-8` -> `application/json`; '' when absent. */
export function mediaTypeOf(header: string | undefined): string {
  return (header ?? "").split(";", 1)[0]!.trim().toLowerCase();
}

const cache = new WeakMap<object, readonly string[] | null>();

/** onRequest hook: 415 BRIDGE_E_UNSUPPORTED_MEDIA_TYPE for a body type the route does not declare. */
export async function refuseUndeclaredMediaTypes(request: FastifyRequest): Promise<void> {
  const schema = request.routeOptions.schema;
  if (!schema) return;
  let declared = cache.get(schema);
  if (declared === undefined) {
    declared = declaredMediaTypes(schema);
    cache.set(schema, declared);
  }
  if (!declared) return;
  const type = mediaTypeOf(request.headers["content-type"]);
  if (!declared.includes(type)) {
    throw new BridgeError(
      "BRIDGE_E_UNSUPPORTED_MEDIA_TYPE",
      `${type === "" ? "no content type given" : `${type} is not read here`}; send ${declared.join(" or ")}`,
    );
  }
}
